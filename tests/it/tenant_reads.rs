//! What reading a tenant costs: the root links, the assignments a list did not expand and
//! the group names go through `$batch` (20 per round trip), never one GET per object.

use crate::support::resilience::*;
use intune_graph::{
    GraphClient,
    emulator::Emulator,
    models::DeviceConfiguration,
    tenant::{ExportOptions, ObjectKey, TenantReader, export},
};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path, query_param},
};

const ROOT: &str = "#microsoft.graph.iosTrustedRootCertificate";
const SCEP: &str = "#microsoft.graph.iosScepCertificateProfile";
const LIST: &str = "/beta/deviceManagement/deviceConfigurations";

#[tokio::test]
async fn an_export_reads_the_root_links_of_45_profiles_in_3_batch_envelopes() {
    let emu = Emulator::new().page_size(1000).start().await.unwrap();
    let client = GraphClient::builder()
        .base_url(emu.base_url().as_str())
        .bearer_token(emu.token())
        .write_rate_limit(None);
    let client = client.build().unwrap();
    let configs = client.device_configurations();
    let root: DeviceConfiguration = serde_json::from_value(json!({
        "@odata.type": ROOT, "displayName": "Root", "certFileName": "root.cer",
        "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xp"
    }))
    .unwrap();
    let root_id = configs.create(&root).await.unwrap().id().unwrap().to_string();
    let reference = configs.root_certificate_reference(&root_id).unwrap();
    for i in 0..45 {
        let mut scep: DeviceConfiguration = serde_json::from_value(json!({
            "@odata.type": SCEP, "displayName": format!("SCEP {i:02}"),
            "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
            "keyUsage": "digitalSignature", "keySize": "size2048", "subjectNameFormat": "commonName",
            "certificateValidityPeriodValue": 1, "certificateValidityPeriodScale": "years",
            "renewalThresholdPercentage": 20,
            "extendedKeyUsages": [{"name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"}]
        }))
        .unwrap();
        // Every third profile is left unbound: its link reads as none, not as an error.
        if i % 3 != 0 {
            scep.additional_data_mut().insert("rootCertificate@odata.bind".into(), reference.as_str().into());
        }
        configs.create(&scep).await.unwrap();
    }
    let state = emu.state();
    let (requests, batches, steps) = (state.requests(), state.batches(), state.batch_steps());
    let (snapshot, notes) = export(&client, &ExportOptions::new()).await.unwrap();
    // One list page, then ceil(45 / 20) = 3 `$batch` envelopes of 45 steps in all; no
    // assignments, so no group reads. One GET per profile would be 46 requests.
    assert_eq!(
        (state.requests() - requests, state.batches() - batches, state.batch_steps() - steps),
        (4, 3, 45)
    );
    assert!(notes.is_empty(), "{notes:?}");
    let root_key = ObjectKey::new(ROOT, "Root");
    let scep_entries: Vec<_> = snapshot.entries().iter().filter(|e| e.key.odata_type == SCEP).collect();
    assert_eq!(scep_entries.len(), 45);
    for entry in scep_entries {
        let i: usize = entry.key.display_name.trim_start_matches("SCEP ").parse().unwrap();
        let expected = (i % 3 != 0).then(|| root_key.clone());
        assert_eq!(entry.root_certificate, expected, "{}", entry.key.display_name);
    }
}

/// A list whose objects carry no expanded assignments, and a client for the server.
async fn unexpanded_list(objects: Value) -> (MockServer, GraphClient) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .and(query_param("$expand", "assignments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "value": objects })))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server.uri(), &RecordingSleep::new()).build().unwrap();
    (server, client)
}

async fn batch_bodies(server: &MockServer) -> Vec<Value> {
    let requests = server.received_requests().await.unwrap_or_default();
    requests
        .iter()
        .filter(|r| r.url.path() == "/beta/$batch")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

fn group_assignment(id: &str, group: &str) -> Value {
    json!({"id": id, "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group}})
}

#[tokio::test]
async fn assignments_a_list_did_not_expand_are_read_in_one_batch() {
    let (server, client) = unexpanded_list(json!([
        {"@odata.type": ROOT, "id": "r1", "displayName": "Root 1"},
        {"@odata.type": ROOT, "id": "r2", "displayName": "Root 2", "assignments": []}
    ]))
    .await;
    Mock::given(method("POST"))
        .and(path("/beta/$batch"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"responses": [
            {"id": "0", "status": 200, "body": {"value": [group_assignment("a1", "g1")]}}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let objects = TenantReader::new(&client).read(|_| true).await.unwrap();
    assert_eq!(
        batch_bodies(&server).await,
        [json!({"requests": [
            {"id": "0", "method": "GET", "url": "/deviceManagement/deviceConfigurations/r1/assignments"}
        ]})]
    );
    let assignments: Vec<(&str, usize)> =
        objects.iter().map(|o| (o.id.as_str(), o.assignments.len())).collect();
    assert_eq!(assignments, [("r1", 1), ("r2", 0)]);
    assert_eq!(objects[0].assignments[0].target.as_ref().and_then(|t| t.group_id()), Some("g1"));
}

#[tokio::test]
async fn group_names_are_one_probe_then_one_batch_and_unreadable_ones_are_noted() {
    let (server, client) = unexpanded_list(json!([
        {"@odata.type": ROOT, "id": "r1", "displayName": "Root 1",
         "assignments": [group_assignment("a1", "g1"), group_assignment("a2", "g2")]},
        {"@odata.type": ROOT, "id": "r2", "displayName": "Root 2",
         "assignments": [group_assignment("a3", "g1"), group_assignment("a4", "g3")]}
    ]))
    .await;
    Mock::given(method("GET"))
        .and(path("/beta/groups/g1"))
        .and(query_param("$select", "displayName"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"displayName": "Wi-Fi users"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/beta/$batch"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"responses": [
            {"id": "1", "status": 404, "body": {"error": {"code": "Request_ResourceNotFound", "message": "gone"}}},
            {"id": "0", "status": 200, "body": {"displayName": "Kiosks"}}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let (snapshot, notes) = export(&client, &ExportOptions::new()).await.unwrap();
    assert_eq!(
        batch_bodies(&server).await,
        [json!({"requests": [
            {"id": "0", "method": "GET", "url": "/groups/g2?$select=displayName"},
            {"id": "1", "method": "GET", "url": "/groups/g3?$select=displayName"}
        ]})]
    );
    let names: Vec<(&str, Option<&str>)> = snapshot
        .entries()
        .iter()
        .flat_map(|e| &e.assignments)
        .map(|a| (a.group_id().unwrap(), a.group_display_name.as_deref()))
        .collect();
    assert_eq!(
        names,
        [("g1", Some("Wi-Fi users")), ("g2", Some("Kiosks")), ("g1", Some("Wi-Fi users")), ("g3", None)]
    );
    assert_eq!(
        notes,
        [
            "group display names could not be read for g3 (404 Not Found); those assignments record the group id only"
        ]
    );
}

#[tokio::test]
async fn a_refused_group_probe_costs_one_request_and_one_note() {
    let (server, client) = unexpanded_list(json!([
        {"@odata.type": ROOT, "id": "r1", "displayName": "Root 1",
         "assignments": [group_assignment("a1", "g1"), group_assignment("a2", "g2")]}
    ]))
    .await;
    Mock::given(method("GET"))
        .and(path("/beta/groups/g1"))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let (snapshot, notes) = export(&client, &ExportOptions::new()).await.unwrap();
    assert!(batch_bodies(&server).await.is_empty());
    assert!(snapshot.entries()[0].assignments.iter().all(|a| a.group_display_name.is_none()));
    assert_eq!(
        notes,
        ["group display names could not be read (403 Forbidden); assignments record group ids only"]
    );
}
