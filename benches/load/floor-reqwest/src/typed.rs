//! The `typed` variant: the least a typed client does on top of the floor. The profile is
//! a plain `#[derive(Serialize, Deserialize)]` struct, serialized per create and the 201
//! body decoded into it. No validation, no explicit-null tracking, no unknown properties
//! kept, no lossless re-encoding, no per-attempt timer, no retries: what that costs in code
//! and time is the price of being typed at all, which a client with those guarantees
//! cannot go below (BENCHMARKS.md, "What being typed costs").

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IosScepCertificateProfile {
    #[serde(rename = "@odata.type")]
    odata_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_date_time: Option<DateTime<FixedOffset>>,
    last_modified_date_time: Option<DateTime<FixedOffset>>,
    assignment_status: Option<String>,
    assignment_progress: Option<String>,
    assignment_error_message: Option<String>,
    description: Option<String>,
    display_name: Option<String>,
    version: Option<i32>,
    renewal_threshold_percentage: Option<i32>,
    subject_name_format: Option<SubjectNameFormat>,
    subject_alternative_name_type: Option<String>,
    certificate_validity_period_value: Option<i32>,
    certificate_validity_period_scale: Option<ValidityPeriodScale>,
    scep_server_urls: Option<Vec<String>>,
    subject_name_format_string: Option<String>,
    key_usage: Option<String>,
    key_size: Option<KeySize>,
    extended_key_usages: Option<Vec<ExtendedKeyUsage>>,
    subject_alternative_name_format_string: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum SubjectNameFormat {
    CommonName,
    CommonNameIncludingEmail,
    CommonNameAsEmail,
    Custom,
    CommonNameAsImei,
    CommonNameAsSerialNumber,
    CommonNameAsAadDeviceId,
    CommonNameAsIntuneDeviceId,
    CommonNameAsDurableDeviceId,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum ValidityPeriodScale {
    Days,
    Months,
    Years,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum KeySize {
    Size1024,
    Size2048,
    Size4096,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExtendedKeyUsage {
    #[serde(rename = "@odata.type")]
    odata_type: String,
    name: Option<String>,
    object_identifier: Option<String>,
}

/// The profile the harness's request body holds, as a typed value.
pub(crate) fn profile(request_body: &str) -> IosScepCertificateProfile {
    serde_json::from_str(request_body).expect("the harness's body is a profile")
}
