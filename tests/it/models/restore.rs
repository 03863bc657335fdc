//! Restoring real backups: full-metadata exports, PowerShell dates, big numbers and the
//! emulator answering what Graph's request reader answers.

use intune_graph::{
    Method,
    emulator::Emulator,
    models::{DeviceConfiguration, DeviceConfigurationPatch, GraphEntity},
};
use serde_json::{Value, json};

use crate::support::emulator::send_json;

/// An IntuneManagement-style export with full metadata: property annotations (also of
/// properties a write drops), instance annotations and advertised actions, nested too.
const FULL_METADATA_EXPORT: &str = include_str!("../../fixtures/scep-full-metadata-export.json");

const COLLECTION: &str = "/deviceManagement/deviceConfigurations";

/// The create body of [`FULL_METADATA_EXPORT`]: what Graph's request reader accepts.
fn expected_write_body() -> Value {
    json!({
        "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
        "roleScopeTagIds": ["0"],
        "deviceManagementApplicabilityRuleOsEdition": null,
        "deviceManagementApplicabilityRuleOsVersion": {
            "@odata.type": "#microsoft.graph.deviceManagementApplicabilityRuleOsVersion",
            "maxOSVersion": "18.9",
            "minOSVersion": "16.0",
            "name": "iOS 16 to 18",
            "ruleType": "include"
        },
        "deviceManagementApplicabilityRuleDeviceMode": null,
        "description": "Wi-Fi client certificate for managed iPhones",
        "displayName": "iOS SCEP - Wi-Fi (backup 2026-02-03)",
        "version": 4,
        "renewalThresholdPercentage": 20,
        "subjectNameFormat": "custom",
        "subjectAlternativeNameType": "emailAddress,userPrincipalName",
        "certificateValidityPeriodValue": 1,
        "certificateValidityPeriodScale": "years",
        "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
        "subjectNameFormatString": "CN={{UserName}},E={{EmailAddress}}",
        "keyUsage": "keyEncipherment,digitalSignature",
        "keySize": "size2048",
        "extendedKeyUsages": [{
            "@odata.type": "#microsoft.graph.extendedKeyUsage",
            "name": "Client Authentication",
            "objectIdentifier": "1.3.6.1.5.5.7.3.2"
        }],
        "subjectAlternativeNameFormatString": null,
        "certificateStore": "user",
        "customSubjectAlternativeNames": [{
            "@odata.type": "#microsoft.graph.customSubjectAlternativeName",
            "name": "{{UserPrincipalName}}",
            "sanType": "userPrincipalName"
        }],
        "certificateRenewalPolicy": {
            "@odata.type": "#microsoft.graph.certificateRenewalPolicy",
            "renewBeforeDays": 14,
            "windows": [{"name": "weekend", "start": "22:00:00"}]
        }
    })
}

/// Every key of `value`, at any depth.
fn all_keys(value: &Value, keys: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                keys.push(key.clone());
                all_keys(inner, keys);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| all_keys(item, keys)),
        _ => {}
    }
}

#[test]
fn a_full_metadata_export_gives_a_create_body_without_annotations_or_actions() {
    let config: DeviceConfiguration = serde_json::from_str(FULL_METADATA_EXPORT).unwrap();
    config.validate().unwrap();
    let body: Value = serde_json::from_slice(&config.to_write_json().unwrap()).unwrap();
    assert_eq!(body, expected_write_body());
    let mut keys = Vec::new();
    all_keys(&body, &mut keys);
    let annotated: Vec<&String> =
        keys.iter().filter(|k| k.starts_with('#') || (k.contains('@') && *k != "@odata.type")).collect();
    assert!(annotated.is_empty(), "{annotated:?}");
    // The lossless re-encoding still has all of it.
    let full: Value = serde_json::to_value(&config).unwrap();
    let original: Value = serde_json::from_str(FULL_METADATA_EXPORT).unwrap();
    assert_eq!(full, original);
}

#[test]
fn update_bodies_leave_them_out_too() {
    let config: DeviceConfiguration = serde_json::from_str(FULL_METADATA_EXPORT).unwrap();
    let patch = DeviceConfigurationPatch::from_object(&config).unwrap();
    let body: Value = serde_json::from_slice(&patch.to_json().unwrap()).unwrap();
    assert_eq!(body, expected_write_body());
    // A nested value set by hand loses its annotations; a top-level one is refused.
    let patch = DeviceConfigurationPatch::new("#microsoft.graph.iosScepCertificateProfile").set(
        "certificateRenewalPolicy",
        json!({"renewBeforeDays@odata.type": "#Int32", "renewBeforeDays": 7, "#microsoft.graph.renew": {}}),
    );
    assert_eq!(
        String::from_utf8(patch.to_json().unwrap()).unwrap(),
        r##"{"@odata.type":"#microsoft.graph.iosScepCertificateProfile","certificateRenewalPolicy":{"renewBeforeDays":7}}"##
    );
    let refused = DeviceConfigurationPatch::new("#microsoft.graph.iosScepCertificateProfile")
        .set("#microsoft.graph.assign", json!({"title": "assign"}))
        .set("displayName@odata.type", "#String");
    let err = refused.validate().unwrap_err();
    assert!(
        err.has_problem_with("#microsoft.graph.assign") && err.has_problem_with("displayName@odata.type")
    );
}

/// The Intune 400 shape, with the emulator's phrase inside `error.message`.
fn assert_bad_request(status: u16, body: &Value, phrase: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "BadRequest", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(phrase), "{message}");
}

#[tokio::test]
async fn the_emulator_refuses_the_export_as_graph_does_and_takes_the_write_body() {
    let emu = Emulator::new().start().await.unwrap();
    let (status, body) = send_json(&emu, Method::POST, COLLECTION, FULL_METADATA_EXPORT.as_bytes()).await;
    assert_bad_request(
        status,
        &body,
        "The operation '#microsoft.graph.assign' was found in a request payload",
    );
    let mut annotated: Value = expected_write_body();
    annotated["createdDateTime@odata.type"] = json!("#DateTimeOffset");
    let (status, body) = send_json(&emu, Method::POST, COLLECTION, annotated.to_string().as_bytes()).await;
    assert_bad_request(status, &body, "was found for the property 'createdDateTime'");

    let config: DeviceConfiguration = serde_json::from_str(FULL_METADATA_EXPORT).unwrap();
    let (status, created) = send_json(&emu, Method::POST, COLLECTION, &config.to_write_json().unwrap()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["certificateRenewalPolicy"], expected_write_body()["certificateRenewalPolicy"]);

    // Updates: the same rule, nested too.
    let item = format!("{COLLECTION}/{id}");
    let nested = json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile",
        "extendedKeyUsages": [{"name": "a", "objectIdentifier@odata.type": "#String"}]});
    let (status, body) = send_json(&emu, Method::PATCH, &item, nested.to_string().as_bytes()).await;
    assert_bad_request(status, &body, "was found for the property 'objectIdentifier'");
    let patch = DeviceConfigurationPatch::from_object(&config).unwrap();
    let (status, _) = send_json(&emu, Method::PATCH, &item, &patch.to_json().unwrap()).await;
    assert!(status == 200 || status == 204, "{status}");
}

/// A Windows PowerShell 5.1 `ConvertTo-Json` export: .NET dates (slashes escaped), four-space
/// indentation, and an unknown property whose number is wider than `f64`.
const POWERSHELL_51_EXPORT: &str = r##"{
    "@odata.type":  "#microsoft.graph.iosTrustedRootCertificate",
    "id":  "8c1d2e3f-0a9b-4c8d-9e7f-6a5b4c3d2e1f",
    "lastModifiedDateTime":  "\/Date(1632833324961)\/",
    "createdDateTime":  "\/Date(1632833324961+0100)\/",
    "roleScopeTagIds":  [
                            "0"
                        ],
    "supportsScopeTags":  true,
    "description":  null,
    "displayName":  "Contoso Root CA",
    "version":  1,
    "certFileName":  "contoso-root.cer",
    "trustedRootCertificate":  "TUlJQw==",
    "exportSerial":  123456789012345678901234567890,
    "exportStats":  {
                        "ratio":  0.1000000000000000055511151231257827,
                        "counts":  [ 1e400, -0, 12345678901234567890 ]
                    }
}"##;

#[test]
fn a_powershell_export_reads_and_re_encodes_its_dates_and_numbers_as_written() {
    let config: DeviceConfiguration = serde_json::from_str(POWERSHELL_51_EXPORT).unwrap();
    let DeviceConfiguration::IosTrustedRootCertificate(root) = &config else { panic!("{config:?}") };
    let created = root.base.created_date_time.unwrap();
    assert_eq!(created.to_utc().to_rfc3339(), "2021-09-28T12:48:44.961+00:00");
    assert_eq!(created.to_string(), "/Date(1632833324961+0100)/");
    let extra = config.additional_data();
    assert_eq!(extra["exportSerial"].as_str(), "123456789012345678901234567890");
    assert_eq!(
        extra["exportStats"].as_str(),
        r#"{"ratio":0.1000000000000000055511151231257827,"counts":[1e400,-0,12345678901234567890]}"#
    );
    assert_eq!(extra.value("exportSerial"), Some(json!(1.2345678901234568e29)));
    // The lossless re-encoding: every date and number as written, the whitespace gone.
    assert_eq!(
        String::from_utf8(serde_json::to_vec(&config).unwrap()).unwrap(),
        concat!(
            r##"{"@odata.type":"#microsoft.graph.iosTrustedRootCertificate","id":"8c1d2e3f-0a9b-4c8d-9e7f-6a5b4c3d2e1f","##,
            r##""lastModifiedDateTime":"/Date(1632833324961)/","roleScopeTagIds":["0"],"supportsScopeTags":true,"##,
            r##""createdDateTime":"/Date(1632833324961+0100)/","description":null,"displayName":"Contoso Root CA","version":1,"##,
            r##""certFileName":"contoso-root.cer","trustedRootCertificate":"TUlJQw==","##,
            r##""exportSerial":123456789012345678901234567890,"##,
            r##""exportStats":{"ratio":0.1000000000000000055511151231257827,"counts":[1e400,-0,12345678901234567890]}}"##
        )
    );
    // The create body drops the dates (server-owned) and keeps the numbers as written.
    let body = String::from_utf8(config.to_write_json().unwrap()).unwrap();
    assert!(body.contains(r#""exportSerial":123456789012345678901234567890,"#), "{body}");
    assert!(!body.contains("Date("), "{body}");
}

#[test]
fn numbers_keep_their_text_before_the_type_and_in_unmodelled_objects() {
    // Entries before `@odata.type` are held, then decoded like the rest.
    let text = r##"{"big":-98765432109876543210.5e-3,"displayName":"W","@odata.type":"#microsoft.graph.windows10GeneralConfiguration","nested":{"n":18446744073709551616}}"##;
    let config: DeviceConfiguration = serde_json::from_str(text).unwrap();
    assert_eq!(config.display_name(), Some("W"));
    assert_eq!(
        String::from_utf8(serde_json::to_vec(&config).unwrap()).unwrap(),
        r##"{"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","displayName":"W","big":-98765432109876543210.5e-3,"nested":{"n":18446744073709551616}}"##
    );
    // A write body with a nested annotation filters it without touching the numbers.
    let text = r##"{"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","displayName":"W","nested":{"n@odata.type":"#Int64","n":18446744073709551616,"list":[{"#microsoft.graph.x":{},"m":1.50}]}}"##;
    let config: DeviceConfiguration = serde_json::from_str(text).unwrap();
    assert_eq!(
        String::from_utf8(config.to_write_json().unwrap()).unwrap(),
        r##"{"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","displayName":"W","nested":{"n":18446744073709551616,"list":[{"m":1.50}]}}"##
    );
}

#[tokio::test]
async fn every_profile_with_the_root_certificate_navigation_binds_its_root() {
    let emu = Emulator::new().start().await.unwrap();
    let create = |body: Value| {
        let emu = &emu;
        async move { send_json(emu, Method::POST, COLLECTION, body.to_string().as_bytes()).await }
    };
    let root = |ty: &str| json!({"@odata.type": ty, "displayName": "Root", "certFileName": "r.cer", "trustedRootCertificate": "TUlJQw=="});
    let (status, mac_root) = create(root("#microsoft.graph.macOSTrustedRootCertificate")).await;
    assert_eq!(status, 201, "{mac_root}");
    let (_, ios_root) = create(root("#microsoft.graph.iosTrustedRootCertificate")).await;
    let bind = |id: &Value| {
        format!(
            "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('{}')",
            id.as_str().unwrap()
        )
    };

    // The body a live tenant answered 201 to.
    let mac_scep = json!({
        "@odata.type": "#microsoft.graph.macOSScepCertificateProfile",
        "displayName": "macOS SCEP",
        "renewalThresholdPercentage": 20,
        "subjectNameFormat": "commonName",
        "certificateValidityPeriodValue": 1,
        "certificateValidityPeriodScale": "years",
        "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
        "keyUsage": "digitalSignature",
        "keySize": "size2048",
        "hashAlgorithm": "sha2",
        "deploymentChannel": "deviceChannel",
        "rootCertificate@odata.bind": bind(&mac_root["id"]),
    });
    let (status, created) = create(mac_scep.clone()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let response = reqwest::Client::new()
        .get(format!(
            "{}{COLLECTION}/{id}/microsoft.graph.macOSScepCertificateProfile/rootCertificate",
            emu.base_url()
        ))
        .bearer_auth(emu.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let linked: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(linked["id"], mac_root["id"]);
    assert_eq!(linked["@odata.type"], "#microsoft.graph.macOSTrustedRootCertificate");

    // An Android PKCS profile has it on its base.
    let (_, android_root) = create(root("#microsoft.graph.androidWorkProfileTrustedRootCertificate")).await;
    let (status, body) =
        create(json!({"@odata.type": "#microsoft.graph.androidWorkProfilePkcsCertificateProfile",
        "displayName": "Android PKCS", "rootCertificate@odata.bind": bind(&android_root["id"])}))
        .await;
    assert_eq!(status, 201, "{body}");

    // The root must be the type the navigation references; types without it refuse it.
    let mut wrong_root = mac_scep.clone();
    wrong_root["rootCertificate@odata.bind"] = json!(bind(&ios_root["id"]));
    let (status, body) = create(wrong_root).await;
    assert_bad_request(
        status,
        &body,
        "is a 'iosTrustedRootCertificate', not a 'macOSTrustedRootCertificate'",
    );
    let (status, body) = create(json!({"@odata.type": "#microsoft.graph.macOSPkcsCertificateProfile",
        "displayName": "macOS PKCS", "rootCertificate@odata.bind": bind(&mac_root["id"])}))
    .await;
    assert_bad_request(
        status,
        &body,
        "'rootCertificate' is not a navigation property of 'macOSPkcsCertificateProfile'",
    );
}

#[tokio::test]
async fn out_of_range_values_and_refused_nulls_are_400_for_create_and_update() {
    let emu = Emulator::new().start().await.unwrap();
    let mut body = expected_write_body();
    body["renewalThresholdPercentage"] = json!(150);
    let (status, answer) = send_json(&emu, Method::POST, COLLECTION, body.to_string().as_bytes()).await;
    assert_bad_request(status, &answer, "'renewalThresholdPercentage' must be an integer from 1 to 99.");
    let mut body = expected_write_body();
    body["version"] = Value::Null;
    let (status, answer) = send_json(&emu, Method::POST, COLLECTION, body.to_string().as_bytes()).await;
    assert_bad_request(status, &answer, "'version' cannot be null.");

    let (status, created) =
        send_json(&emu, Method::POST, COLLECTION, expected_write_body().to_string().as_bytes()).await;
    assert_eq!(status, 201, "{created}");
    let item = format!("{COLLECTION}/{}", created["id"].as_str().unwrap());
    let patch = json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "renewalThresholdPercentage": 150});
    let (status, answer) = send_json(&emu, Method::PATCH, &item, patch.to_string().as_bytes()).await;
    assert_bad_request(status, &answer, "'renewalThresholdPercentage' must be an integer from 1 to 99.");
    let patch = json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "certificateValidityPeriodValue": 0});
    let (status, answer) = send_json(&emu, Method::PATCH, &item, patch.to_string().as_bytes()).await;
    assert_bad_request(
        status,
        &answer,
        "'certificateValidityPeriodValue' must be an integer greater than 0.",
    );
    // The client refuses the same update before sending it.
    let patch = DeviceConfigurationPatch::new("#microsoft.graph.iosScepCertificateProfile")
        .set("renewalThresholdPercentage", 150);
    assert!(patch.validate().unwrap_err().has_problem_with("renewalThresholdPercentage"));
}
