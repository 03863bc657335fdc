//! The seed page's example response as the crate decodes it, field by field.

use intune_graph::models::{
    AppleSubjectNameFormat, CertificateValidityPeriodScale, DeviceConfigurationBase, ExtendedKeyUsage,
    IosCertificateProfileBase, IosScepCertificateProfile, KeySize, KeyUsages, NullFields,
    SubjectAlternativeNameType, Timestamp,
};
use serde_json::{Map, Value, json};

/// The seed page's 201 response as the crate decodes it, every field.
pub fn seed_response_profile() -> IosScepCertificateProfile {
    let ts = |text: &str| Timestamp::parse(text).expect("a valid timestamp");
    IosScepCertificateProfile {
        base: DeviceConfigurationBase {
            id: Some("0deb8dbf-8dbf-0deb-bf8d-eb0dbf8deb0d".into()),
            last_modified_date_time: Some(ts("2017-01-01T00:00:35.1329464-08:00")),
            created_date_time: Some(ts("2017-01-01T00:02:43.5775965-08:00")),
            description: Some("Description value".into()),
            display_name: Some("Display Name value".into()),
            version: Some(7),
            ..Default::default()
        },
        certificate: IosCertificateProfileBase {
            renewal_threshold_percentage: Some(10),
            subject_name_format: Some(AppleSubjectNameFormat::CommonNameAsEmail),
            subject_alternative_name_type: Some(SubjectAlternativeNameType::USER_PRINCIPAL_NAME),
            certificate_validity_period_value: Some(14),
            certificate_validity_period_scale: Some(CertificateValidityPeriodScale::Months),
            explicit_nulls: NullFields::new(),
        },
        scep_server_urls: Some(vec!["Scep Server Urls value".into()]),
        subject_name_format_string: Some("Subject Name Format String value".into()),
        key_usage: Some(KeyUsages::DIGITAL_SIGNATURE),
        key_size: Some(KeySize::Size2048),
        extended_key_usages: Some(vec![ExtendedKeyUsage {
            odata_type: Some("microsoft.graph.extendedKeyUsage".into()),
            name: Some("Name value".into()),
            object_identifier: Some("Object Identifier value".into()),
            explicit_nulls: NullFields::new(),
            additional_data: Default::default(),
        }]),
        subject_alternative_name_format_string: Some("Subject Alternative Name Format String value".into()),
        certificate_store: None,
        custom_subject_alternative_names: None,
        root_certificate: None,
        managed_device_certificate_states: None,
        explicit_nulls: NullFields::new(),
        additional_data: object(json!({
            "assignmentStatus": "Assignment Status value",
            "assignmentProgress": "Assignment Progress value",
            "assignmentErrorMessage": "Assignment Error Message value",
        }))
        .into(),
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object"),
    }
}
