//! Read → write fidelity of the models: every fixture decodes (typed and polymorphic) and
//! re-encodes to the same JSON value, except for the documented normalisations; write bodies
//! leave out exactly what the server owns.

use chrono::{TimeZone, Utc};
use intune_graph::models::{
    CertificateStore, DeviceConfiguration, GraphEntity, IntendedPurpose, IosScepCertificateProfile, KeySize,
    KeyUsages, SubjectAlternativeNameType, Timestamp, Windows10EditionType,
};
use serde_json::{Map, Value, json};

use crate::support::decoded::assert_explicit_nulls;

const SEED_REQUEST: &str = include_str!("../../fixtures/seed-request.json");
const SEED_RESPONSE: &str = include_str!("../../fixtures/seed-response-201.json");
const FULL_CURRENT: &str = include_str!("../../fixtures/scep-full-current.json");
const LIVE_NULLS: &str = include_str!("../../fixtures/scep-live-nulls.json");

const SCEP_TYPE: &str = "#microsoft.graph.iosScepCertificateProfile";

fn value(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

fn typed(text: &str) -> IosScepCertificateProfile {
    serde_json::from_str(text).expect("decodes as IosScepCertificateProfile")
}

fn polymorphic(text: &str) -> DeviceConfiguration {
    serde_json::from_str(text).expect("decodes as DeviceConfiguration")
}

fn encoded<T: serde::Serialize>(object: &T) -> Value {
    serde_json::to_value(object).expect("encodes")
}

fn write_body<T: GraphEntity>(object: &T) -> Value {
    serde_json::from_slice(&object.to_write_json().expect("write body encodes")).expect("write body is JSON")
}

fn ts(text: &str) -> Timestamp {
    text.parse().expect("valid timestamp")
}

fn map(entries: Value) -> Map<String, Value> {
    match entries {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn expect_scep(config: DeviceConfiguration) -> IosScepCertificateProfile {
    match config {
        DeviceConfiguration::IosScepCertificate(profile) => *profile,
        other => panic!("expected the SCEP variant, got {other:?}"),
    }
}

/// Both decoders, both encoders: the seed examples and the full current-schema response
/// come back as the same JSON value.
#[test]
fn seed_and_full_fixtures_round_trip_losslessly() {
    for (name, text) in [
        ("seed-request", SEED_REQUEST),
        ("seed-response-201", SEED_RESPONSE),
        ("scep-full-current", FULL_CURRENT),
    ] {
        let input = value(text);
        assert_eq!(encoded(&typed(text)), input, "{name} as IosScepCertificateProfile");

        let config = polymorphic(text);
        assert_eq!(config.odata_type(), SCEP_TYPE, "{name}");
        assert_eq!(encoded(&config), input, "{name} as DeviceConfiguration");
        // The polymorphic decoder lands on the same typed value as the direct one.
        assert_eq!(expect_scep(config), typed(text), "{name}");
    }
}

/// The live-service shape: nulls, `roleScopeTagIds: null`, `@odata.type` last, an unknown
/// property, an unknown enum value and a spaced flags value with an unknown member.
/// The only change on the way back is the flags value, rewritten without spaces.
#[test]
fn live_service_shape_round_trips_with_only_the_flags_normalised() {
    let mut expected = value(LIVE_NULLS);
    assert_eq!(expected["keyUsage"], "digitalSignature, futureUsage");
    expected["keyUsage"] = json!("digitalSignature,futureUsage");

    let profile = typed(LIVE_NULLS);
    assert_eq!(encoded(&profile), expected);
    let config = polymorphic(LIVE_NULLS);
    assert_eq!(encoded(&config), expected);
    assert_eq!(expect_scep(config), profile);

    // What was read, field by field.
    assert_eq!(profile.key_size, Some(KeySize::Other("size8192".into())));
    let usage = profile.key_usage.as_ref().unwrap();
    assert!(usage.contains(&KeyUsages::DIGITAL_SIGNATURE));
    assert!(!usage.contains(&KeyUsages::KEY_ENCIPHERMENT));
    assert_eq!(usage.unknown_members(), ["futureUsage".to_string()]);
    assert_eq!(profile.base.role_scope_tag_ids, None);
    assert_eq!(profile.base.description, None);
    assert_eq!(profile.base.device_management_applicability_rule_os_edition, None);
    assert_eq!(profile.certificate.subject_alternative_name_type, None);
    assert_eq!(profile.certificate_store, None);
    assert_eq!(profile.subject_name_format_string, None);
    assert_eq!(profile.extended_key_usages, Some(vec![]));
    assert_eq!(profile.custom_subject_alternative_names, Some(vec![]));
    assert_eq!(profile.base.supports_scope_tags, Some(true));

    // Unknown properties are what `additional_data` holds; the explicit nulls of modelled
    // properties are recorded on the model (a bit per field), named by `is_explicit_null`.
    let mut extra_keys: Vec<&str> = profile.additional_data.keys().map(String::as_str).collect();
    extra_keys.sort_unstable();
    assert_eq!(extra_keys, ["@odata.context", "certificateRenewalPolicy"]);
    assert_eq!(
        profile.additional_data["certificateRenewalPolicy"],
        value(LIVE_NULLS)["certificateRenewalPolicy"]
    );
    let nulls = [
        "certificateStore",
        "description",
        "deviceManagementApplicabilityRuleDeviceMode",
        "deviceManagementApplicabilityRuleOsEdition",
        "deviceManagementApplicabilityRuleOsVersion",
        "roleScopeTagIds",
        "subjectAlternativeNameFormatString",
        "subjectAlternativeNameType",
        "subjectNameFormatString",
    ];
    let recorded = profile.explicit_nulls.len()
        + profile.base.explicit_nulls.len()
        + profile.certificate.explicit_nulls.len();
    assert_explicit_nulls(&nulls, |key| profile.is_explicit_null(key), recorded);
    assert!(!profile.is_explicit_null("displayName"));
}

/// Every property of the seed page's 201 response: the 17 it models and the three legacy
/// `assignment*` strings kept as unknown properties.
#[test]
fn seed_response_decodes_every_field() {
    let profile = typed(SEED_RESPONSE);
    let expected = crate::support::decoded::seed_response_profile();
    assert_eq!(profile, expected);

    // The timestamps are the instants the text names, offset applied, not local time.
    let created = profile.base.created_date_time.unwrap();
    assert_eq!(
        created.to_utc(),
        Utc.with_ymd_and_hms(2017, 1, 1, 8, 2, 43).unwrap() + chrono::Duration::nanoseconds(577_596_500)
    );
    assert_eq!(created.as_datetime().offset().local_minus_utc(), -8 * 3600);
    assert_eq!(created.fraction_digits(), 7);
    let modified = profile.base.last_modified_date_time.unwrap();
    assert_eq!(
        modified.to_utc(),
        Utc.with_ymd_and_hms(2017, 1, 1, 8, 0, 35).unwrap() + chrono::Duration::nanoseconds(132_946_400)
    );
}

/// Every one of the 24 properties of the current schema, plus the response annotation.
#[test]
fn full_current_response_decodes_every_field() {
    let profile = typed(FULL_CURRENT);
    assert_eq!(profile, crate::support::decoded::full_current_profile());
    assert_eq!(
        profile.base.last_modified_date_time.unwrap().to_utc(),
        Utc.with_ymd_and_hms(2026, 3, 14, 8, 26, 53).unwrap() + chrono::Duration::nanoseconds(589_793_200)
    );
    assert_eq!(
        profile.base.created_date_time.unwrap().to_utc(),
        Utc.with_ymd_and_hms(2025, 11, 2, 22, 4, 11).unwrap() + chrono::Duration::nanoseconds(204_671_800)
    );
}

/// A create body made from the 201 response is the seed request without the server-owned
/// `lastModifiedDateTime`: the legacy unknown properties and the nested `@odata.type` stay.
#[test]
fn write_body_of_the_seed_response_is_the_seed_request_without_server_fields() {
    let mut expected = value(SEED_REQUEST);
    expected.as_object_mut().unwrap().remove("lastModifiedDateTime");
    assert_eq!(write_body(&typed(SEED_RESPONSE)), expected);
    assert_eq!(write_body(&polymorphic(SEED_RESPONSE)), expected);
}

/// Server-owned fields, navigation properties and response annotations never go into a
/// write body; `@odata.type` always does, and so does an `@odata.bind`.
#[test]
fn write_body_leaves_out_server_owned_fields_navigations_and_annotations() {
    let mut input = value(FULL_CURRENT);
    let extra = json!({
        "assignments@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations('6f2b1c9e-3a47-4d2e-9b1f-8c5d7e0a4b13')/assignments",
        "assignments": [{
            "id": "6f2b1c9e-3a47-4d2e-9b1f-8c5d7e0a4b13_1a2b3c4d-0000-4000-8000-00000000aaaa",
            "intent": "apply",
            "source": "direct",
            "target": {
                "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                "groupId": "1a2b3c4d-0000-4000-8000-00000000aaaa"
            }
        }],
        "deviceStatusOverview": {"id": "x", "pendingCount": 0, "successCount": 12},
        "userStatuses": [],
        "deviceStatuses": [],
        "userStatusOverview": {"id": "y", "errorCount": 1},
        "deviceSettingStateSummaries": [],
        "groupAssignments": [],
        "rootCertificate": {
            "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
            "id": "2c1d7e44-9a1b-4f0e-8d2c-3b4a5c6d7e8f",
            "displayName": "Contoso Root CA"
        },
        "rootCertificate@odata.navigationLink": "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('2c1d7e44')",
        "managedDeviceCertificateStates": [],
        "rootCertificate@odata.bind": "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('2c1d7e44-9a1b-4f0e-8d2c-3b4a5c6d7e8f')",
        "@odata.etag": "W/\"JzEtRGV2aWNlQ29uZmln\"",
        "@microsoft.graph.tips": "Use $select to choose only the properties your app needs."
    });
    input.as_object_mut().unwrap().extend(map(extra));
    let text = input.to_string();

    // Everything survives a full re-encoding …
    assert_eq!(encoded(&typed(&text)), input);
    assert_eq!(encoded(&polymorphic(&text)), input);

    // … and the write body is exactly the writable part.
    let mut expected = input.clone();
    let object = expected.as_object_mut().unwrap();
    for key in [
        "@odata.context",
        "@odata.etag",
        "@microsoft.graph.tips",
        "id",
        "createdDateTime",
        "lastModifiedDateTime",
        "supportsScopeTags",
        "assignments",
        "assignments@odata.context",
        "deviceStatusOverview",
        "userStatuses",
        "deviceStatuses",
        "userStatusOverview",
        "deviceSettingStateSummaries",
        "groupAssignments",
        "rootCertificate",
        "rootCertificate@odata.navigationLink",
        "managedDeviceCertificateStates",
    ] {
        assert!(object.remove(key).is_some(), "{key} was in the input");
    }
    let typed_body = write_body(&typed(&text));
    assert_eq!(typed_body, expected);
    assert_eq!(typed_body["@odata.type"], SCEP_TYPE);
    assert_eq!(
        typed_body["rootCertificate@odata.bind"],
        "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('2c1d7e44-9a1b-4f0e-8d2c-3b4a5c6d7e8f')"
    );
    assert_eq!(write_body(&polymorphic(&text)), expected);
}

/// A write body made from what the live service sent keeps the unknown property, the
/// unknown enum value and the explicit nulls of writable fields.
#[test]
fn write_body_keeps_unknown_properties_and_nulls_of_writable_fields() {
    let expected = json!({
        "@odata.type": SCEP_TYPE,
        "roleScopeTagIds": null,
        "deviceManagementApplicabilityRuleOsEdition": null,
        "deviceManagementApplicabilityRuleOsVersion": null,
        "deviceManagementApplicabilityRuleDeviceMode": null,
        "description": null,
        "displayName": "SCEP - future service",
        "version": 1,
        "renewalThresholdPercentage": 20,
        "subjectNameFormat": "commonNameAsEmail",
        "subjectAlternativeNameType": null,
        "certificateValidityPeriodValue": 1,
        "certificateValidityPeriodScale": "years",
        "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
        "subjectNameFormatString": null,
        "keyUsage": "digitalSignature,futureUsage",
        "keySize": "size8192",
        "extendedKeyUsages": [],
        "subjectAlternativeNameFormatString": null,
        "certificateStore": null,
        "customSubjectAlternativeNames": [],
        "certificateRenewalPolicy": {
            "@odata.type": "microsoft.graph.certificateRenewalPolicy",
            "mode": "automatic",
            "window": {"daysBeforeExpiry": 14, "retry": [1, 2, 4]},
            "notify": null
        }
    });
    assert_eq!(write_body(&typed(LIVE_NULLS)), expected);
    assert_eq!(write_body(&polymorphic(LIVE_NULLS)), expected);

    // A field set after reading replaces the null that was read.
    let mut profile = typed(LIVE_NULLS);
    profile.base.description = Some("now described".into());
    let body = write_body(&profile);
    assert_eq!(body["description"], "now described");
}

#[test]
fn odata_type_without_hash_is_accepted_and_written_with_hash() {
    let mut input = value(SEED_RESPONSE);
    input["@odata.type"] = json!("microsoft.graph.iosScepCertificateProfile");
    let text = input.to_string();

    let mut expected = input.clone();
    expected["@odata.type"] = json!(SCEP_TYPE);
    assert_eq!(encoded(&typed(&text)), expected);
    let config = polymorphic(&text);
    assert!(matches!(config, DeviceConfiguration::IosScepCertificate(_)));
    assert_eq!(encoded(&config), expected);
    assert_eq!(write_body(&config)["@odata.type"], SCEP_TYPE);
}

#[test]
fn typed_decode_refuses_another_odata_type() {
    for other in
        ["#microsoft.graph.iosPkcsCertificateProfile", "microsoft.graph.macOSScepCertificateProfile", ""]
    {
        let mut input = value(SEED_RESPONSE);
        input["@odata.type"] = json!(other);
        let err = serde_json::from_value::<IosScepCertificateProfile>(input.clone()).unwrap_err();
        assert!(err.to_string().contains("@odata.type"), "{other:?}: {err}");
        let err = serde_json::from_str::<IosScepCertificateProfile>(&input.to_string()).unwrap_err();
        assert!(err.to_string().contains("@odata.type"), "{other:?}: {err}");
    }
    // Without any @odata.type the polymorphic decoder keeps the object as `Other`, as it
    // does an assignment target without one; a write of it is refused.
    let mut input = value(SEED_RESPONSE);
    input.as_object_mut().unwrap().remove("@odata.type");
    let config = serde_json::from_value::<DeviceConfiguration>(input.clone()).unwrap();
    let DeviceConfiguration::Other(other) = &config else { panic!("{config:?}") };
    assert_eq!(other.odata_type, None);
    assert_eq!(config.odata_type(), "");
    assert_eq!(serde_json::to_value(&config).unwrap(), input);
    assert!(config.validate().unwrap_err().has_problem_with("@odata.type"));
}

fn windows_general_configuration() -> Value {
    json!({
        "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
        "id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "lastModifiedDateTime": "2026-02-01T10:11:12.1234567Z",
        "roleScopeTagIds": ["0"],
        "supportsScopeTags": true,
        "deviceManagementApplicabilityRuleOsEdition": {
            "@odata.type": "microsoft.graph.deviceManagementApplicabilityRuleOsEdition",
            "osEditionTypes": ["windows10Enterprise", "windows10Education", "windows11SE"],
            "name": "Enterprise",
            "ruleType": "include"
        },
        "deviceManagementApplicabilityRuleOsVersion": null,
        "deviceManagementApplicabilityRuleDeviceMode": null,
        "createdDateTime": "2025-12-24T08:00:00.5Z",
        "description": "Baseline restrictions",
        "displayName": "Windows 10 - Device restrictions",
        "version": 12,
        "taskManagerBlockEndTask": false,
        "energySaverOnBatteryThresholdPercentage": 30,
        "energySaverPluggedInThresholdPercentage": null,
        "powerLidCloseActionOnBattery": "notConfigured",
        "windowsSpotlightBlocked": true,
        "defenderScanType": "userDefined",
        "defenderScheduledScanTime": "02:00:00.0000000",
        "defenderFileExtensionsToExclude": [".log", ".tmp"],
        "defenderDetectedMalwareActions": {
            "@odata.type": "microsoft.graph.defenderDetectedMalwareActions",
            "lowSeverity": "clean",
            "moderateSeverity": "quarantine",
            "highSeverity": "remove",
            "severeSeverity": "block"
        },
        "edgeHomeButtonConfiguration": {
            "@odata.type": "#microsoft.graph.edgeHomeButtonOpensCustomURL",
            "homeButtonCustomURL": "https://intranet.contoso.com"
        },
        "networkProxyServer": null,
        "privacyAccessControls": [
            {"dataCategory": "camera", "accessLevel": "forceAllow", "appPackageFamilyName": null}
        ],
        "experienceBlockDeviceDiscovery": true,
        "startMenuLayoutXml": "PD94bWwgdmVyc2lvbj0iMS4wIj8+",
        "largeNumber": 12345678901234_i64,
        "ratio": 0.25
    })
}

/// A type this crate does not model is kept whole, whatever position `@odata.type` has and
/// however it is spelled.
#[test]
fn unknown_type_becomes_other_and_round_trips_verbatim() {
    let input = windows_general_configuration();
    let config = polymorphic(&input.to_string());
    let DeviceConfiguration::Other(other) = &config else { panic!("expected Other, got {config:?}") };
    assert_eq!(other.odata_type.as_deref(), Some("#microsoft.graph.windows10GeneralConfiguration"));
    assert_eq!(config.odata_type(), "#microsoft.graph.windows10GeneralConfiguration");
    assert_eq!(config.id(), Some("9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"));
    assert_eq!(config.display_name(), Some("Windows 10 - Device restrictions"));
    assert_eq!(config.base().version, Some(12));
    assert_eq!(
        config.base().device_management_applicability_rule_os_edition.as_ref().unwrap().os_edition_types,
        Some(vec![
            Windows10EditionType::Windows10Enterprise,
            Windows10EditionType::Windows10Education,
            Windows10EditionType::Other("windows11SE".into()),
        ])
    );
    assert_eq!(
        config.additional_data()["defenderDetectedMalwareActions"],
        input["defenderDetectedMalwareActions"]
    );
    assert_eq!(encoded(&config), input);

    // `@odata.type` last and without `#`: still Other, still verbatim.
    let mut late = input.as_object().unwrap().clone();
    late.remove("@odata.type");
    let mut text = Value::Object(late).to_string();
    text.pop();
    text.push_str(r#","@odata.type":"microsoft.graph.windows10GeneralConfiguration"}"#);
    let config = polymorphic(&text);
    assert!(matches!(config, DeviceConfiguration::Other(_)));
    assert_eq!(config.odata_type(), "microsoft.graph.windows10GeneralConfiguration");
    assert_eq!(encoded(&config), value(&text));

    // Its write body drops what the server owns and keeps everything else as read.
    let mut expected = input.clone();
    for key in ["id", "lastModifiedDateTime", "createdDateTime", "supportsScopeTags"] {
        expected.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(write_body(&polymorphic(&input.to_string())), expected);
}

/// A list page as Graph returns it: the full SCEP profile, a root, a PKCS and a PFX profile
/// and an unmodelled Windows configuration.
fn mixed_list_page() -> Value {
    let mut scep_item = value(FULL_CURRENT);
    scep_item.as_object_mut().unwrap().remove("@odata.context");
    json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations",
        "value": [
            scep_item,
            {
                "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
                "id": "2c1d7e44-9a1b-4f0e-8d2c-3b4a5c6d7e8f",
                "lastModifiedDateTime": "2026-01-05T12:00:00.0000001Z",
                "roleScopeTagIds": ["0"],
                "supportsScopeTags": true,
                "deviceManagementApplicabilityRuleOsEdition": null,
                "deviceManagementApplicabilityRuleOsVersion": null,
                "deviceManagementApplicabilityRuleDeviceMode": null,
                "createdDateTime": "2026-01-05T12:00:00.0000001Z",
                "description": null,
                "displayName": "Contoso Root CA",
                "version": 1,
                "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ29udG9zbyBSb290IENBIDIwMjY=",
                "certFileName": "contoso-root.cer"
            },
            {
                "@odata.type": "#microsoft.graph.iosPkcsCertificateProfile",
                "id": "3d2e8f55-0b2c-4a1f-9e3d-4c5b6d7e8f90",
                "lastModifiedDateTime": "2026-01-06T08:30:00Z",
                "roleScopeTagIds": [],
                "supportsScopeTags": true,
                "createdDateTime": "2026-01-06T08:30:00Z",
                "description": "PKCS for mail",
                "displayName": "iOS PKCS - Mail",
                "version": 2,
                "renewalThresholdPercentage": 20,
                "subjectNameFormat": "commonNameIncludingEmail",
                "subjectAlternativeNameType": "emailAddress,userPrincipalName",
                "certificateValidityPeriodValue": 1,
                "certificateValidityPeriodScale": "years",
                "certificationAuthority": "ca01.contoso.com",
                "certificationAuthorityName": "Contoso Issuing CA",
                "certificateTemplateName": "IntunePKCS",
                "subjectNameFormatString": null,
                "subjectAlternativeNameFormatString": null,
                "certificateStore": "machine",
                "customSubjectAlternativeNames": []
            },
            {
                "@odata.type": "#microsoft.graph.iosImportedPFXCertificateProfile",
                "id": "4e3f9a66-1c3d-4b2a-8f4e-5d6c7e8f9a01",
                "lastModifiedDateTime": "2026-01-07T00:00:00.123Z",
                "roleScopeTagIds": ["0"],
                "supportsScopeTags": true,
                "createdDateTime": "2026-01-07T00:00:00.123Z",
                "description": null,
                "displayName": "iOS PFX - S/MIME",
                "version": 1,
                "intendedPurpose": "smimeEncryption"
            },
            windows_general_configuration()
        ]
    })
}

/// A list page as Graph returns it: several types, `@odata.type` first in each.
#[test]
fn mixed_list_page_decodes_and_re_encodes_losslessly() {
    let page = mixed_list_page();
    let items_text = page["value"].to_string();
    let configs: Vec<DeviceConfiguration> = serde_json::from_str(&items_text).unwrap();
    let kinds: Vec<&str> = configs
        .iter()
        .map(|c| match c {
            DeviceConfiguration::IosScepCertificate(_) => "scep",
            DeviceConfiguration::IosTrustedRootCertificate(_) => "root",
            DeviceConfiguration::IosPkcsCertificate(_) => "pkcs",
            DeviceConfiguration::IosImportedPfxCertificate(_) => "pfx",
            DeviceConfiguration::Other(_) => "other",
            _ => "unexpected",
        })
        .collect();
    assert_eq!(kinds, ["scep", "root", "pkcs", "pfx", "other"]);
    assert_eq!(serde_json::to_value(&configs).unwrap(), page["value"]);

    let DeviceConfiguration::IosTrustedRootCertificate(root) = &configs[1] else { unreachable!() };
    assert_eq!(root.cert_file_name.as_deref(), Some("contoso-root.cer"));
    assert_eq!(
        root.trusted_root_certificate.as_deref(),
        Some("MIIBszCCAVmgAwIBAgIUQ29udG9zbyBSb290IENBIDIwMjY=")
    );
    let DeviceConfiguration::IosPkcsCertificate(pkcs) = &configs[2] else { unreachable!() };
    assert_eq!(pkcs.certification_authority.as_deref(), Some("ca01.contoso.com"));
    assert_eq!(
        pkcs.certificate.subject_alternative_name_type,
        Some(SubjectAlternativeNameType::EMAIL_ADDRESS | SubjectAlternativeNameType::USER_PRINCIPAL_NAME)
    );
    assert_eq!(pkcs.certificate_store, Some(CertificateStore::Machine));
    let DeviceConfiguration::IosImportedPfxCertificate(pfx) = &configs[3] else { unreachable!() };
    assert_eq!(pfx.intended_purpose, Some(IntendedPurpose::SmimeEncryption));
}

#[test]
fn timestamps_accept_zero_to_nine_fraction_digits_and_keep_them() {
    let base = Utc.with_ymd_and_hms(2026, 3, 14, 8, 26, 53).unwrap();
    let digits = "123456789";
    for n in 0..=9usize {
        let fraction = if n == 0 { String::new() } else { format!(".{}", &digits[..n]) };
        let text = format!("2026-03-14T09:26:53{fraction}+01:00");
        let t: Timestamp = serde_json::from_value(json!(text)).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(usize::from(t.fraction_digits()), n, "{text}");
        let nanos: i64 =
            if n == 0 { 0 } else { digits[..n].parse::<i64>().unwrap() * 10_i64.pow(9 - n as u32) };
        assert_eq!(t.to_utc(), base + chrono::Duration::nanoseconds(nanos), "{text}");
        assert_eq!(serde_json::to_value(t).unwrap(), json!(text), "{text}");
    }
}

#[test]
fn timestamps_without_offset_are_utc_and_the_minimum_date_is_kept() {
    let t = ts("2025-01-22T19:17:04");
    assert_eq!(t.to_utc(), Utc.with_ymd_and_hms(2025, 1, 22, 19, 17, 4).unwrap());
    assert_eq!(t.to_string(), "2025-01-22T19:17:04Z");
    let t = ts("2025-01-22T19:17:04.5");
    assert_eq!(
        t.to_utc(),
        Utc.with_ymd_and_hms(2025, 1, 22, 19, 17, 4).unwrap() + chrono::Duration::milliseconds(500)
    );
    assert_eq!(t.to_string(), "2025-01-22T19:17:04.5Z");

    let never = ts("0001-01-01T00:00:00Z");
    assert_eq!(never.to_utc(), Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap());
    assert_eq!(never.to_string(), "0001-01-01T00:00:00Z");

    // Inside a profile: the "never" value is written back as read; a missing offset is
    // written back as `Z` (the one timestamp normalisation).
    let mut input = value(SEED_RESPONSE);
    input["createdDateTime"] = json!("0001-01-01T00:00:00Z");
    input["lastModifiedDateTime"] = json!("2025-01-22T19:17:04.1234567");
    let profile = typed(&input.to_string());
    assert_eq!(
        profile.base.created_date_time.unwrap().to_utc(),
        Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap()
    );
    let mut expected = input.clone();
    expected["lastModifiedDateTime"] = json!("2025-01-22T19:17:04.1234567Z");
    assert_eq!(encoded(&profile), expected);

    for bad in ["2025-01-22", "2025-01-22T19:17:04.", "2025-13-01T00:00:00Z", "yesterday"] {
        let mut input = value(SEED_RESPONSE);
        input["createdDateTime"] = json!(bad);
        assert!(serde_json::from_value::<IosScepCertificateProfile>(input).is_err(), "{bad}");
    }
}
