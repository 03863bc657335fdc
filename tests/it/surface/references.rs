//! The references between device configurations, for any type of the schema: read a
//! single one (the object's own type-cast segment, `None` on 404), read a collection's
//! members over every page, set and clear a single one, add and remove members, and the
//! refusals before sending.

use crate::support::mock::*;
use intune_graph::{Error, models::DeviceConfiguration};
use serde_json::json;
use wiremock::{
    MockServer, ResponseTemplate,
    matchers::{body_json, header},
};

const MAC: &str = "#microsoft.graph.macOSScepCertificateProfile";
const MAC_CAST: &str = "microsoft.graph.macOSScepCertificateProfile";
const WIFI: &str = "#microsoft.graph.androidDeviceOwnerEnterpriseWiFiConfiguration";
const WIFI_CAST: &str = "microsoft.graph.androidDeviceOwnerEnterpriseWiFiConfiguration";
const ROOTS: &str = "rootCertificatesForServerValidation";

#[tokio::test]
async fn a_macos_scep_profile_reads_its_root_through_its_own_cast() {
    let server = MockServer::start().await;
    when("GET", item(&format!("m1/{MAC_CAST}/rootCertificate")))
        .and(no_query())
        .and(header("authorization", BEARER))
        .respond_with(ok_json(json!({
            "id": "r1", "displayName": "Mac Root", "certFileName": "root.cer", "trustedRootCertificate": "MIIB"
        })))
        .mount_once(&server)
        .await;
    when("GET", item(&format!("m2/{MAC_CAST}/rootCertificate")))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"error": {"code": "NotFound", "message": "m"}})),
        )
        .mount_once(&server)
        .await;
    let configs = client(&server).device_configurations();
    let root = configs.reference("m1", MAC, "rootCertificate").await.unwrap().unwrap();
    let DeviceConfiguration::MacOsTrustedRootCertificate(root) = root else { panic!("{root:?}") };
    assert_eq!(
        (root.base.id.as_deref(), root.trusted_root_certificate.as_deref()),
        (Some("r1"), Some("MIIB"))
    );
    assert!(configs.reference("m2", MAC, "rootCertificate").await.unwrap().is_none());
}

#[tokio::test]
async fn collection_members_are_read_over_every_page() {
    let server = MockServer::start().await;
    let members = item(&format!("w1/{WIFI_CAST}/{ROOTS}"));
    let next = format!("{}{members}?$skiptoken=2", server.uri());
    let root = |id: &str| json!({"@odata.type": "#microsoft.graph.androidDeviceOwnerTrustedRootCertificate", "id": id});
    when("GET", members.clone())
        .and(no_query())
        .respond_with(ok_json(page(vec![root("r1")], Some(next))))
        .mount_once(&server)
        .await;
    when("GET", members)
        .and(query_is("$skiptoken=2"))
        // The declared type: left out by minimal metadata.
        .respond_with(ok_json(page(vec![json!({"id": "r2"})], None)))
        .mount_once(&server)
        .await;
    let got = client(&server).device_configurations().reference_members("w1", WIFI, ROOTS).await.unwrap();
    assert_eq!(
        got.iter().map(|m| (m.id().unwrap(), m.odata_type())).collect::<Vec<_>>(),
        [
            ("r1", "#microsoft.graph.androidDeviceOwnerTrustedRootCertificate"),
            ("r2", "#microsoft.graph.androidDeviceOwnerTrustedRootCertificate")
        ]
    );
}

#[tokio::test]
async fn set_clear_add_and_remove_send_exact_ref_requests() {
    let server = MockServer::start().await;
    let bind = |id: &str| format!("{}/beta/deviceManagement/deviceConfigurations('{id}')", server.uri());
    let mac_ref = item(&format!("m1/{MAC_CAST}/rootCertificate/$ref"));
    let wifi_ref = item(&format!("w1/{WIFI_CAST}/{ROOTS}/$ref"));
    when("PUT", mac_ref.clone())
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"@odata.id": bind("r1")})))
        .respond_with(ResponseTemplate::new(204))
        .mount_once(&server)
        .await;
    when("DELETE", mac_ref).and(NoBody).respond_with(ResponseTemplate::new(204)).mount_once(&server).await;
    when("POST", wifi_ref)
        .and(body_json(json!({"@odata.id": bind("r2")})))
        .respond_with(ResponseTemplate::new(204))
        .mount_once(&server)
        .await;
    when("DELETE", item(&format!("w1/{WIFI_CAST}/{ROOTS}/r2/$ref")))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(204))
        .mount_once(&server)
        .await;
    let configs = client(&server).device_configurations();
    assert_eq!(configs.bind_url("r1").unwrap().as_str(), bind("r1"));
    configs.set_reference("m1", MAC, "rootCertificate", "r1").await.unwrap();
    configs.clear_reference("m1", MAC, "rootCertificate").await.unwrap();
    configs.add_reference_member("w1", WIFI, ROOTS, "r2").await.unwrap();
    configs.remove_reference_member("w1", WIFI, ROOTS, "r2").await.unwrap();
}

#[tokio::test]
async fn references_the_schema_lacks_are_refused_before_sending() {
    let server = MockServer::start().await;
    let configs = client(&server).device_configurations();
    let invalid = |e: Error| matches!(e, Error::InvalidArgument { what: "reference", .. });
    assert!(invalid(configs.reference("m1", MAC, "rootCertificates").await.unwrap_err()));
    assert!(invalid(configs.reference("w1", WIFI, ROOTS).await.unwrap_err()));
    assert!(invalid(configs.reference_members("m1", MAC, "rootCertificate").await.unwrap_err()));
    assert!(invalid(configs.set_reference("w1", WIFI, ROOTS, "r").await.unwrap_err()));
    assert!(invalid(configs.add_reference_member("m1", MAC, "rootCertificate", "r").await.unwrap_err()));
    assert!(invalid(configs.reference_many(WIFI, ROOTS, &["w1"]).await.unwrap_err()));
    assert!(matches!(
        configs.remove_reference_member("w1", WIFI, ROOTS, "").await.unwrap_err(),
        Error::InvalidArgument { what: "object id", .. }
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn many_objects_read_their_references_through_batch() {
    let server = MockServer::start().await;
    when("POST", "/beta/$batch")
        .and(body_json(json!({"requests": [
            {"id": "0", "method": "GET", "url": format!("/deviceManagement/deviceConfigurations/m1/{MAC_CAST}/rootCertificate")},
            {"id": "1", "method": "GET", "url": format!("/deviceManagement/deviceConfigurations/m2/{MAC_CAST}/rootCertificate")}
        ]})))
        .respond_with(ok_json(json!({"responses": [
            {"id": "1", "status": 204},
            {"id": "0", "status": 200, "body": {"@odata.type": "#microsoft.graph.macOSTrustedRootCertificate", "id": "r1"}}
        ]})))
        .mount_once(&server)
        .await;
    let configs = client(&server).device_configurations();
    let got = configs.reference_many(MAC, "rootCertificate", &["m1", "m2"]).await.unwrap();
    let ids: Vec<Option<String>> =
        got.into_iter().map(|r| r.unwrap().map(|c| c.id().unwrap().to_owned())).collect();
    assert_eq!(ids, [Some("r1".to_owned()), None]);
}
