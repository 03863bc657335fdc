//! The SCEP profile's trusted root (read, link with `$ref`, unlink, bind on create) and its
//! managed device certificate states, all through the type-cast path.

use crate::support::fixtures;

use crate::support::mock::*;
use futures_util::StreamExt;
use intune_graph::{
    models::{CertificateIssuanceState, DevicePlatformType},
    odata::Query,
};
use serde_json::json;
use wiremock::{
    MockServer, ResponseTemplate,
    matchers::{body_json, body_partial_json, header},
};

const CAST: &str = "microsoft.graph.iosScepCertificateProfile";

#[tokio::test]
async fn root_certificate_is_read_through_the_type_cast_segment() {
    let server = MockServer::start().await;
    when("GET", item(&format!("s1/{CAST}/rootCertificate")))
        .and(no_query())
        .and(header("authorization", BEARER))
        .respond_with(ok_json(json!({
            // The declared type: minimal metadata may leave `@odata.type` out.
            "@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations('s1')/microsoft.graph.iosScepCertificateProfile/rootCertificate/$entity",
            "id": "r1",
            "displayName": "Contoso Root",
            "certFileName": "root.cer",
            "trustedRootCertificate": "MIIB"
        })))
        .mount_once(&server)
        .await;
    let root = client(&server).device_configurations().root_certificate("s1").await.unwrap().unwrap();
    assert_eq!(root.base.id.as_deref(), Some("r1"));
    assert_eq!(root.trusted_root_certificate.as_deref(), Some("MIIB"));
}

#[tokio::test]
async fn no_linked_root_reads_as_none() {
    let server = MockServer::start().await;
    when("GET", item(&format!("s204/{CAST}/rootCertificate")))
        .respond_with(ResponseTemplate::new(204))
        .mount_once(&server)
        .await;
    when("GET", item(&format!("s404/{CAST}/rootCertificate")))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"error": {"code": "ResourceNotFound", "message": "x"}})),
        )
        .mount_once(&server)
        .await;
    when("GET", item(&format!("s403/{CAST}/rootCertificate")))
        .respond_with(ResponseTemplate::new(403))
        .mount_once(&server)
        .await;
    let configs = client(&server).device_configurations();
    assert!(configs.root_certificate("s204").await.unwrap().is_none());
    assert!(configs.root_certificate("s404").await.unwrap().is_none());
    assert!(configs.root_certificate("s403").await.is_err());
}

#[tokio::test]
async fn link_and_unlink_use_ref() {
    let server = MockServer::start().await;
    let reference = format!("{}/beta/deviceManagement/deviceConfigurations('r1')", server.uri());
    when("PUT", item(&format!("s1/{CAST}/rootCertificate/$ref")))
        .and(no_query())
        .and(header("authorization", BEARER))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"@odata.id": reference})))
        .respond_with(ResponseTemplate::new(204))
        .mount_once(&server)
        .await;
    when("DELETE", item(&format!("s1/{CAST}/rootCertificate/$ref")))
        .and(NoBody)
        .respond_with(ResponseTemplate::new(204))
        .mount_once(&server)
        .await;
    let configs = client(&server).device_configurations();
    assert_eq!(configs.root_certificate_reference("r1").unwrap().as_str(), reference);
    configs.link_root_certificate("s1", "r1").await.unwrap();
    configs.unlink_root_certificate("s1").await.unwrap();
}

#[tokio::test]
async fn create_binds_the_root_with_odata_bind() {
    let server = MockServer::start().await;
    let reference = format!("{}/beta/deviceManagement/deviceConfigurations('r1')", server.uri());
    let mut created = scep_json("s1");
    created["displayName"] = json!("SCEP");
    when("POST", COLLECTION)
        .and(body_partial_json(json!({
            "@odata.type": SCEP,
            "displayName": "SCEP",
            "rootCertificate@odata.bind": reference
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(created))
        .mount_once(&server)
        .await;
    let configs = client(&server).device_configurations();
    let mut profile = fixtures::scep_profile("SCEP");
    configs.bind_root_certificate(&mut profile, "r1").unwrap();
    let created = configs.create(&profile).await.unwrap();
    assert_eq!(created.base.id.as_deref(), Some("s1"));
}

#[tokio::test]
async fn managed_device_certificate_states_are_listed_across_pages() {
    let server = MockServer::start().await;
    let states_path = item(&format!("s1/{CAST}/managedDeviceCertificateStates"));
    let next = format!("{}{states_path}?$top=1&$skiptoken=2", server.uri());
    when("GET", states_path.clone())
        .and(query_is("$top=1"))
        .and(header("authorization", BEARER))
        .respond_with(ok_json(json!({
            "value": [{
                "@odata.type": "#microsoft.graph.managedDeviceCertificateState",
                "id": "c1", "devicePlatform": "iOS", "certificateIssuanceState": "issued",
                "certificateKeyUsage": "digitalSignature", "certificateExpirationDateTime": "2026-01-01T00:00:00Z"
            }],
            "@odata.nextLink": next
        })))
        .mount_once(&server)
        .await;
    when("GET", states_path)
        .and(query_is("$top=1&$skiptoken=2"))
        .respond_with(ok_json(json!({
            "value": [{"id": "c2", "devicePlatform": "someNewPlatform", "certificateIssuanceState": "installFailed"}]
        })))
        .mount_once(&server)
        .await;
    let states: Vec<_> = client(&server)
        .device_configurations()
        .managed_device_certificate_states("s1", &Query::new().top(1))
        .collect()
        .await;
    let states: Vec<_> = states.into_iter().map(Result::unwrap).collect();
    assert_eq!(states.len(), 2);
    assert_eq!(states[0].device_platform, Some(DevicePlatformType::Ios));
    assert_eq!(states[0].certificate_issuance_state, Some(CertificateIssuanceState::Issued));
    assert_eq!(states[1].device_platform, Some(DevicePlatformType::Other("someNewPlatform".into())));
    assert_eq!(states[1].certificate_issuance_state, Some(CertificateIssuanceState::InstallFailed));
}
