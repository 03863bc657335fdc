//! The fixtures' responses (the seed page's example, the full current-schema one) as the
//! crate decodes them, field by field, and the check of the explicit nulls a read recorded.

use intune_graph::models::{
    AppleSubjectNameFormat, ApplicabilityRuleDeviceMode, ApplicabilityRuleOsEdition,
    ApplicabilityRuleOsVersion, ApplicabilityRuleType, CertificateStore, CertificateValidityPeriodScale,
    CustomSubjectAlternativeName, DeviceConfigurationBase, ExtendedKeyUsage, IosCertificateProfileBase,
    IosScepCertificateProfile, KeySize, KeyUsages, NullFields, SubjectAlternativeNameType, Timestamp,
    Windows10DeviceModeType, Windows10EditionType,
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
        extended_key_usages: Some(vec![extended_key_usage("Name value", "Object Identifier value")]),
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

/// The full current-schema response (every one of its 24 properties, and the response
/// annotation) as the crate decodes it.
pub fn full_current_profile() -> IosScepCertificateProfile {
    IosScepCertificateProfile {
        base: full_current_base(),
        certificate: IosCertificateProfileBase {
            renewal_threshold_percentage: Some(20),
            subject_name_format: Some(AppleSubjectNameFormat::CommonNameAsSerialNumber),
            subject_alternative_name_type: Some(
                SubjectAlternativeNameType::USER_PRINCIPAL_NAME
                    | SubjectAlternativeNameType::DOMAIN_NAME_SERVICE,
            ),
            certificate_validity_period_value: Some(2),
            certificate_validity_period_scale: Some(CertificateValidityPeriodScale::Years),
            explicit_nulls: NullFields::new(),
        },
        scep_server_urls: Some(vec![
            "https://ndes.contoso.com/certsrv/mscep/mscep.dll".into(),
            "https://ndes-backup.contoso.com/certsrv/mscep/mscep.dll".into(),
        ]),
        subject_name_format_string: Some(
            "CN={{SerialNumber}},OU=Mobile Devices,O=Contoso Corporation,L=Redmond,ST=WA,C=US".into(),
        ),
        key_usage: Some(KeyUsages::KEY_ENCIPHERMENT | KeyUsages::DIGITAL_SIGNATURE),
        key_size: Some(KeySize::Size4096),
        extended_key_usages: Some(vec![
            extended_key_usage("Client Authentication", "1.3.6.1.5.5.7.3.2"),
            extended_key_usage("Smart Card Logon", "1.3.6.1.4.1.311.20.2.2"),
        ]),
        subject_alternative_name_format_string: Some("{{OnPremisesSamAccountName}}@contoso.com".into()),
        certificate_store: Some(CertificateStore::User),
        custom_subject_alternative_names: Some(vec![
            custom_san(SubjectAlternativeNameType::USER_PRINCIPAL_NAME, "{{UserPrincipalName}}"),
            custom_san(SubjectAlternativeNameType::DOMAIN_NAME_SERVICE, "{{DeviceName}}.devices.contoso.com"),
        ]),
        root_certificate: None,
        managed_device_certificate_states: None,
        explicit_nulls: NullFields::new(),
        additional_data: object(json!({
            "@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations/$entity",
        }))
        .into(),
    }
}

/// The common fields of [`full_current_profile`].
fn full_current_base() -> DeviceConfigurationBase {
    let ts = |text: &str| Timestamp::parse(text).expect("a valid timestamp");
    // Nested objects keep their `@odata.type` in a field of their own.
    let odata = |t: &str| Some(format!("microsoft.graph.{t}"));
    DeviceConfigurationBase {
        id: Some("6f2b1c9e-3a47-4d2e-9b1f-8c5d7e0a4b13".into()),
        last_modified_date_time: Some(ts("2026-03-14T09:26:53.5897932+01:00")),
        role_scope_tag_ids: Some(vec!["0".into(), "3".into()]),
        supports_scope_tags: Some(true),
        device_management_applicability_rule_os_edition: Some(Box::new(ApplicabilityRuleOsEdition {
            name: Some("Enterprise and Education only".into()),
            os_edition_types: Some(vec![
                Windows10EditionType::Windows10Enterprise,
                Windows10EditionType::Windows10ProfessionalEducation,
            ]),
            rule_type: Some(ApplicabilityRuleType::Include),
            explicit_nulls: NullFields::new(),
            odata_type: odata("deviceManagementApplicabilityRuleOsEdition"),
            additional_data: Default::default(),
        })),
        device_management_applicability_rule_os_version: Some(Box::new(ApplicabilityRuleOsVersion {
            max_os_version: Some("18.9".into()),
            min_os_version: Some("16.0".into()),
            name: Some("iOS 16 to 18".into()),
            rule_type: Some(ApplicabilityRuleType::Include),
            explicit_nulls: NullFields::new(),
            odata_type: odata("deviceManagementApplicabilityRuleOsVersion"),
            additional_data: Default::default(),
        })),
        device_management_applicability_rule_device_mode: Some(Box::new(ApplicabilityRuleDeviceMode {
            device_mode: Some(Windows10DeviceModeType::SModeConfiguration),
            name: Some("Not in S mode".into()),
            rule_type: Some(ApplicabilityRuleType::Exclude),
            explicit_nulls: NullFields::new(),
            odata_type: odata("deviceManagementApplicabilityRuleDeviceMode"),
            additional_data: Default::default(),
        })),
        created_date_time: Some(ts("2025-11-02T17:04:11.2046718-05:00")),
        description: Some("User certificate for 802.1X EAP-TLS on corporate iPhones and iPads".into()),
        display_name: Some("iOS SCEP - Corporate Wi-Fi".into()),
        version: Some(3),
        ..Default::default()
    }
}

/// An EKU as read: every field spelled out, its `@odata.type` in a field of its own.
fn extended_key_usage(name: &str, object_identifier: &str) -> ExtendedKeyUsage {
    ExtendedKeyUsage {
        odata_type: Some("microsoft.graph.extendedKeyUsage".into()),
        name: Some(name.into()),
        object_identifier: Some(object_identifier.into()),
        explicit_nulls: NullFields::new(),
        additional_data: Default::default(),
    }
}

/// A custom SAN as read: every field spelled out, its `@odata.type` in a field of its own.
fn custom_san(san_type: SubjectAlternativeNameType, name: &str) -> CustomSubjectAlternativeName {
    CustomSubjectAlternativeName {
        odata_type: Some("microsoft.graph.customSubjectAlternativeName".into()),
        name: Some(name.into()),
        san_type: Some(san_type),
        explicit_nulls: NullFields::new(),
        additional_data: Default::default(),
    }
}

/// Asserts that the model read each of `nulls` as an explicit null (`is_null` asks it) and
/// recorded no other: `recorded` is how many its null-field sets hold.
pub fn assert_explicit_nulls(nulls: &[&str], is_null: impl Fn(&str) -> bool, recorded: usize) {
    for key in nulls {
        assert!(is_null(key), "{key} was read as null");
    }
    assert_eq!(recorded, nulls.len());
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object"),
    }
}
