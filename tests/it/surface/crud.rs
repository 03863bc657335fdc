//! get / get_opt / get_as / update (200 and 204) / delete / create of a trusted root:
//! the exact request of each and the decoding of each documented response shape.

use crate::support::mock::*;
use intune_graph::{
    Error,
    models::{
        DeviceConfiguration, DeviceConfigurationPatch, IosScepCertificateProfile, IosTrustedRootCertificate,
        KeySize, KeyUsages,
    },
    odata::Query,
};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, header, header_exists, method},
};

#[tokio::test]
async fn get_reads_the_bare_entity_with_its_context() {
    let server = MockServer::start().await;
    let mut body = json!({"@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations/$entity"});
    body.as_object_mut().unwrap().extend(scep_json("p1").as_object().unwrap().clone());
    when("GET", item("p1"))
        .and(no_query())
        .and(header("authorization", BEARER))
        .and(header("accept", "application/json"))
        .and(header_exists("client-request-id"))
        .and(NoBody)
        .respond_with(ok_json(&body))
        .mount_once(&server)
        .await;
    let config = client(&server).device_configurations().get("p1").await.unwrap();
    let DeviceConfiguration::IosScepCertificate(profile) = &config else { panic!("{config:?}") };
    assert_eq!(profile.base.id.as_deref(), Some("p1"));
    assert_eq!(profile.key_size, Some(KeySize::Size2048));
    assert_eq!(profile.key_usage, Some(KeyUsages::KEY_ENCIPHERMENT | KeyUsages::DIGITAL_SIGNATURE));
    // Lossless: everything read, including the context and the explicit nulls, is written back.
    assert_eq!(serde_json::to_value(&config).unwrap(), body);
}

#[tokio::test]
async fn get_with_sends_select_and_expand() {
    let server = MockServer::start().await;
    when("GET", item("p%201"))
        .and(query_is("$select=id,displayName&$expand=assignments"))
        .respond_with(ok_json(json!({
            "@odata.type": SCEP, "id": "p 1", "displayName": "x",
            "assignments@odata.context": "https://graph.microsoft.com/beta/$metadata#x",
            "assignments": [{"id": "a", "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}]
        })))
        .mount_once(&server)
        .await;
    let query = Query::new().select(["id", "displayName"]).expand("assignments");
    let config = client(&server).device_configurations().get_with("p 1", &query).await.unwrap();
    assert_eq!(config.display_name(), Some("x"));
    assert!(config.base().assignments.is_some());
}

#[tokio::test]
async fn get_opt_turns_404_into_none_and_keeps_other_errors() {
    let server = MockServer::start().await;
    when("GET", item("missing"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "error": {"code": "ResourceNotFound", "message": "not found", "innerError": {"request-id": "r1"}}
        })))
        .expect(2)
        .mount(&server)
        .await;
    when("GET", item("forbidden"))
        .respond_with(ResponseTemplate::new(403).set_body_string(""))
        .mount_once(&server)
        .await;
    let configs = client(&server).device_configurations();
    assert!(configs.get_opt("missing").await.unwrap().is_none());
    let err = configs.get("missing").await.unwrap_err();
    assert!(err.is_not_found() && err.request_id() == Some("r1"), "{err:?}");
    let err = configs.get_opt("forbidden").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
}

#[tokio::test]
async fn get_as_decodes_one_model_and_refuses_another_type() {
    let server = MockServer::start().await;
    when("GET", item("p1")).respond_with(ok_json(scep_json("p1"))).mount(&server).await;
    let configs = client(&server).device_configurations();
    let profile: IosScepCertificateProfile = configs.get_as("p1").await.unwrap();
    assert_eq!(profile.scep_server_urls.as_ref().unwrap().len(), 1);
    let err = configs.get_as::<IosTrustedRootCertificate>("p1").await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

#[tokio::test]
async fn update_accepts_200_with_the_updated_object() {
    let server = MockServer::start().await;
    let mut updated = scep_json("p1");
    updated["displayName"] = json!("Renamed");
    when("PATCH", item("p1"))
        .and(no_query())
        .and(header("authorization", BEARER))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"@odata.type": SCEP, "displayName": "Renamed", "description": null})))
        .respond_with(ok_json(&updated))
        .mount_once(&server)
        .await;
    let patch = DeviceConfigurationPatch::new(SCEP).set("displayName", "Renamed").set_null("description");
    let result = client(&server).device_configurations().update("p1", &patch).await.unwrap();
    assert_eq!(result.unwrap().display_name(), Some("Renamed"));
}

#[tokio::test]
async fn update_accepts_204_without_a_body() {
    let server = MockServer::start().await;
    when("PATCH", item("p1"))
        .and(body_json(json!({"@odata.type": SCEP, "renewalThresholdPercentage": 30})))
        .respond_with(ResponseTemplate::new(204))
        .mount_once(&server)
        .await;
    let patch = DeviceConfigurationPatch::new(SCEP).set("renewalThresholdPercentage", 30);
    assert!(client(&server).device_configurations().update("p1", &patch).await.unwrap().is_none());
}

#[tokio::test]
async fn update_refuses_read_only_fields_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    let patch = DeviceConfigurationPatch::new(SCEP)
        .set("displayName", "x")
        .set("supportsScopeTags", true)
        .set("lastModifiedDateTime", "2024-01-01T00:00:00Z")
        .set("description", None::<String>);
    let err = client(&server).device_configurations().update("p1", &patch).await.unwrap_err();
    let Error::Validation(v) = &err else { panic!("{err:?}") };
    assert!(v.has_problem_with("supportsScopeTags"));
    assert!(v.has_problem_with("lastModifiedDateTime"));
    assert!(v.has_problem_with("description"), "an accidental null is refused too");
}

#[tokio::test]
async fn fetched_object_updates_send_writable_fields_only() {
    let server = MockServer::start().await;
    when("GET", item("p1")).respond_with(ok_json(scep_json("p1"))).mount(&server).await;
    // The diff: just what changed.
    when("PATCH", item("p1"))
        .and(body_json(json!({"@odata.type": SCEP, "keySize": "size4096", "roleScopeTagIds": null})))
        .respond_with(ResponseTemplate::new(204))
        .mount_once(&server)
        .await;
    let configs = client(&server).device_configurations();
    let before = configs.get("p1").await.unwrap();
    let mut after = before.clone();
    let DeviceConfiguration::IosScepCertificate(profile) = &mut after else { panic!() };
    profile.key_size = Some(KeySize::Size4096);
    profile.base.role_scope_tag_ids = None;
    profile.base.id = Some("ids are never sent".into());
    let patch = DeviceConfigurationPatch::diff(&before, &after).unwrap();
    assert!(configs.update("p1", &patch).await.unwrap().is_none());

    // from_object: every writable field (not the `{}` Microsoft's SDKs send), never the
    // server-owned ones.
    let whole = DeviceConfigurationPatch::from_object(&before).unwrap();
    let body: Value = serde_json::from_slice(&whole.to_json().unwrap()).unwrap();
    let mut expected = scep_json("p1");
    for key in ["id", "createdDateTime", "lastModifiedDateTime", "supportsScopeTags"] {
        expected.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(body, expected);
}

#[tokio::test]
async fn delete_sends_delete_and_accepts_204() {
    let server = MockServer::start().await;
    when("DELETE", item("p1"))
        .and(no_query())
        .and(header("authorization", BEARER))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(204))
        .mount_once(&server)
        .await;
    when("DELETE", item("gone"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"error": {"code": "ResourceNotFound", "message": "x"}})),
        )
        .mount_once(&server)
        .await;
    let configs = client(&server).device_configurations();
    configs.delete("p1").await.unwrap();
    assert!(configs.delete("gone").await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn create_a_trusted_root_certificate() {
    let server = MockServer::start().await;
    when("POST", COLLECTION)
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
            "displayName": "Contoso Root",
            "certFileName": "root.cer",
            "trustedRootCertificate": "MIIB"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
            "id": "r1",
            "createdDateTime": "2024-05-01T10:11:12Z",
            "lastModifiedDateTime": "2024-05-01T10:11:12Z",
            "supportsScopeTags": true,
            "displayName": "Contoso Root",
            "version": 1,
            "certFileName": "root.cer",
            "trustedRootCertificate": "MIIB"
        })))
        .mount_once(&server)
        .await;
    let root = IosTrustedRootCertificate::new("Contoso Root", "root.cer", "MIIB");
    let created = client(&server).device_configurations().create(&root).await.unwrap();
    assert_eq!(created.base.id.as_deref(), Some("r1"));
}

#[tokio::test]
async fn ids_with_control_characters_are_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let handle = client(&server).device_configurations();
    for id in ["a\tb", "a\rb", "a\nb", "a\u{0}b", "a\u{1b}[31m", "a\u{7f}"] {
        let refused = |error: Error| match error {
            Error::InvalidArgument { what: "object id", reason } => {
                assert!(reason.contains("control character"), "{reason}")
            }
            other => panic!("{id:?}: {other:?}"),
        };
        refused(handle.get(id).await.unwrap_err());
        refused(handle.delete(id).await.unwrap_err());
        let patch = DeviceConfigurationPatch::new(SCEP).set("displayName", "x");
        refused(handle.update(id, &patch).await.unwrap_err());
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
