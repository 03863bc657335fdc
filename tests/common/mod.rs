//! Shared by the integration tests: fixtures and a minimal valid SCEP profile.
#![allow(dead_code)] // each test binary uses a different part

use intune_graph::models::{
    AppleSubjectNameFormat, CertificateValidityPeriodScale, DeviceConfigurationBase, ExtendedKeyUsage,
    IosCertificateProfileBase, IosScepCertificateProfile, IosScepCertificateProfileBuilder, KeySize,
    KeyUsages, NullFields, SubjectAlternativeNameType, Timestamp,
};
use serde_json::{Map, Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

/// The seed page's `201 Created` example response.
pub const SEED_RESPONSE: &str = include_str!("../fixtures/seed-response-201.json");

/// The collection path under the emulated `/beta` base.
pub const COLLECTION_PATH: &str = "/beta/deviceManagement/deviceConfigurations";

/// A builder with every required field set to a valid value.
pub fn scep_builder(display_name: &str) -> IosScepCertificateProfileBuilder {
    IosScepCertificateProfile::builder()
        .display_name(display_name)
        .scep_server_url("https://ndes.contoso.com/certsrv/mscep/mscep.dll")
        .key_usage(KeyUsages::DIGITAL_SIGNATURE)
        .key_size(KeySize::Size2048)
        .subject_name_format(AppleSubjectNameFormat::CommonName)
        .validity(1, CertificateValidityPeriodScale::Years)
        .renewal_threshold_percentage(20)
}

/// The minimal valid profile.
pub fn scep_profile(display_name: &str) -> IosScepCertificateProfile {
    scep_builder(display_name).build().expect("the minimal profile is valid")
}

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

/// A mock Graph that answers the one create it expects with `response`.
pub async fn answering_create(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COLLECTION_PATH))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    server
}
