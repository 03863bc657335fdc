//! Emulator: answers shaped like the live service's: every property of a modelled type
//! (`null` when unset), flag sets in bit order, secrets answered `null`, values of the wrong
//! type refused.

use super::harness::{DC, Harness, assert_error, minimal, phrase, with};
use reqwest::Method;
use serde_json::{Value, json};

/// `body` without the values that change per run (checked apart).
fn without_volatile(mut body: Value) -> Value {
    let obj = body.as_object_mut().expect("object");
    assert!(uuid::Uuid::parse_str(obj["id"].as_str().expect("id")).is_ok());
    assert_eq!(obj["createdDateTime"], obj["lastModifiedDateTime"]);
    for key in ["@odata.context", "id", "createdDateTime", "lastModifiedDateTime"] {
        obj.remove(key);
    }
    body
}

#[tokio::test]
async fn a_typed_type_is_answered_with_every_property_null_when_unset() {
    let h = Harness::start().await;
    let sent = with(
        minimal("iosScepCertificateProfile", "SCEP"),
        json!({"keyUsage": "digitalSignature,keyEncipherment", "keySize": "size2048"}),
    );
    let created = h.call(Method::POST, DC, Some(sent)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let expected = json!({
        "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
        "roleScopeTagIds": ["0"],
        "supportsScopeTags": true,
        "deviceManagementApplicabilityRuleOsEdition": null,
        "deviceManagementApplicabilityRuleOsVersion": null,
        "deviceManagementApplicabilityRuleDeviceMode": null,
        "description": null,
        "displayName": "SCEP",
        "version": 1,
        "renewalThresholdPercentage": null,
        "subjectNameFormat": null,
        "subjectAlternativeNameType": null,
        "certificateValidityPeriodValue": null,
        "certificateValidityPeriodScale": null,
        "scepServerUrls": null,
        "subjectNameFormatString": null,
        "keyUsage": "keyEncipherment,digitalSignature",
        "keySize": "size2048",
        "extendedKeyUsages": null,
        "subjectAlternativeNameFormatString": null,
        "certificateStore": null,
        "customSubjectAlternativeNames": null,
    });
    assert_eq!(without_volatile(created.body.clone()), expected);
    let id = created.body["id"].as_str().expect("id").to_owned();
    // The live order: the common properties first, in the schema's order.
    let order = created.text.find("\"lastModifiedDateTime\"") < created.text.find("\"roleScopeTagIds\"")
        && created.text.find("\"version\"") < created.text.find("\"renewalThresholdPercentage\"");
    assert!(order, "{}", created.text);

    let got = h.get(&format!("{DC}/{id}")).await;
    assert_eq!(without_volatile(got.body), expected);
    let listed = h.get(DC).await;
    assert_eq!(without_volatile(listed.body["value"][0].clone()), expected);
    let mac = h.call(Method::POST, DC, Some(minimal("macOSScepCertificateProfile", "mac"))).await;
    assert!(mac.body.get("hashAlgorithm").is_some_and(Value::is_null), "{}", mac.text);

    // What is stored is what was sent (in the service's form), without the nulls.
    let stored = h.emu.state().get(&id).expect("stored");
    assert!(stored.get("subjectAlternativeNameType").is_none());
    assert_eq!(stored["keyUsage"], "keyEncipherment,digitalSignature");

    // An unmodelled type is answered as stored.
    let other = h.call(Method::POST, DC, Some(minimal("windows10GeneralConfiguration", "w"))).await;
    let mut keys: Vec<&str> = other.body.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    let expected_keys = [
        "@odata.context",
        "@odata.type",
        "createdDateTime",
        "displayName",
        "id",
        "lastModifiedDateTime",
        "roleScopeTagIds",
        "supportsScopeTags",
        "version",
    ];
    assert_eq!(keys, expected_keys);
}

#[tokio::test]
async fn flag_sets_are_stored_in_bit_order_and_unmodelled_types_as_sent() {
    let h = Harness::start().await;
    let id = h
        .create(with(minimal("iosScepCertificateProfile", "s"), json!({"keyUsage": "digitalSignature"})))
        .await;
    let r = h
        .call(Method::PATCH, &format!("{DC}/{id}"), Some(json!({"keyUsage": "digitalSignature, keyEncipherment", "subjectAlternativeNameType": "userPrincipalName,emailAddress"})))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let stored = h.emu.state().get(&id).expect("stored");
    assert_eq!(stored["keyUsage"], "keyEncipherment,digitalSignature");
    assert_eq!(stored["subjectAlternativeNameType"], "emailAddress,userPrincipalName");
    assert_eq!(h.get(&format!("{DC}/{id}")).await.body["keyUsage"], "keyEncipherment,digitalSignature");

    let other = with(
        minimal("androidScepCertificateProfile", "a"),
        json!({"keyUsage": "digitalSignature,keyEncipherment"}),
    );
    let id = h.create(other).await;
    assert_eq!(h.emu.state().get(&id).expect("stored")["keyUsage"], "digitalSignature,keyEncipherment");
}

#[tokio::test]
async fn secrets_are_stored_but_answered_null() {
    let h = Harness::start().await;
    let body =
        with(minimal("iosWiFiConfiguration", "wifi"), json!({"ssid": "corp", "preSharedKey": "hunter2-psk"}));
    let created = h.call(Method::POST, DC, Some(body)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert!(created.body["preSharedKey"].is_null() && !created.text.contains("hunter2"), "{}", created.text);
    assert_eq!(created.body["ssid"], "corp");
    let id = created.body["id"].as_str().expect("id").to_owned();
    for path in [format!("{DC}/{id}"), format!("{DC}/{id}?$select=preSharedKey"), DC.to_owned()] {
        let r = h.get(&path).await;
        assert!(!r.text.contains("hunter2"), "{path}: {}", r.text);
    }
    assert_eq!(h.get(&format!("{DC}/{id}?$select=preSharedKey")).await.body["preSharedKey"], Value::Null);
    assert_eq!(h.emu.state().get(&id).expect("stored")["preSharedKey"], "hunter2-psk");
}

#[tokio::test]
async fn a_value_of_the_wrong_type_is_refused_and_nothing_stored() {
    let h = Harness::start().await;
    let bad =
        with(minimal("iosScepCertificateProfile", "s"), json!({"scepServerUrls": "https://one.example"}));
    let r = h.call(Method::POST, DC, Some(bad)).await;
    assert_error(&r, 400, "BadRequest");
    assert!(phrase(&r).contains("'scepServerUrls'"), "{}", phrase(&r));
    assert!(h.emu.state().is_empty());
    let id = h.create(minimal("iosScepCertificateProfile", "s")).await;
    let r = h
        .call(Method::PATCH, &format!("{DC}/{id}"), Some(json!({"keySize": 2048, "displayName": "changed"})))
        .await;
    assert_error(&r, 400, "BadRequest");
    assert_eq!(h.emu.state().get(&id).expect("stored")["displayName"], "s");
}
