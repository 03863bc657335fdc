//! What reading a tenant costs: the references come with one expanded listing (or, when the
//! service refuses it, through `$batch`, 20 per round trip), and so do the assignments a
//! list did not expand and the group names: never one GET per object.

use crate::support::resilience::*;
use intune_graph::{
    GraphClient,
    emulator::Emulator,
    models::DeviceConfiguration,
    tenant::{ExportOptions, ObjectKey, ReferenceValue, TenantReader, export},
};
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate, matchers::query_param};

const ROOT: &str = "#microsoft.graph.iosTrustedRootCertificate";
const SCEP: &str = "#microsoft.graph.iosScepCertificateProfile";
const LIST: &str = "/beta/deviceManagement/deviceConfigurations";

#[tokio::test]
async fn an_export_reads_the_references_of_45_profiles_in_one_listing() {
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
    // One list page, then one listing of the SCEP profiles' ids with their roots expanded;
    // no `$batch`. One GET per profile would be 46 requests.
    assert_eq!(
        (state.requests() - requests, state.batches() - batches, state.batch_steps() - steps),
        (2, 0, 0)
    );
    assert!(notes.is_empty(), "{notes:?}");
    let root_key = ObjectKey::new(ROOT, "Root");
    let scep_entries: Vec<_> = snapshot.entries().iter().filter(|e| e.key.odata_type == SCEP).collect();
    assert_eq!(scep_entries.len(), 45);
    for entry in scep_entries {
        let i: usize = entry.key.display_name.trim_start_matches("SCEP ").parse().unwrap();
        let expected = ReferenceValue::One((i % 3 != 0).then(|| root_key.clone()));
        assert_eq!(entry.references["rootCertificate"], expected, "{}", entry.key.display_name);
    }
}

#[tokio::test]
async fn references_the_service_will_not_expand_are_read_through_batch() {
    let server = MockServer::start().await;
    let scep = |n: usize| json!({"@odata.type": SCEP, "id": format!("s{n}"), "displayName": format!("SCEP {n}"), "assignments": []});
    when("GET", LIST)
        .and(query_param("$expand", "assignments"))
        .respond_with(ok_json(json!({"value": (0..25).map(scep).collect::<Vec<_>>()})))
        .mount_once(&server)
        .await;
    when("GET", LIST)
        .and(query_param("$expand", "microsoft.graph.iosScepCertificateProfile/rootCertificate"))
        .and(query_param("$select", "id"))
        .and(query_param("$filter", "isof('microsoft.graph.iosScepCertificateProfile')"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": {"code": "BadRequest", "message": "Parsing OData Select and Expand failed"}}),
        ))
        .mount_once(&server)
        .await;
    when("POST", "/beta/$batch")
        .respond_with(|request: &wiremock::Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            let responses: Vec<Value> = body["requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|step| json!({"id": step["id"], "status": 200, "body": {"@odata.type": ROOT, "id": "r1", "displayName": "Root"}}))
                .collect();
            ok_json(json!({"responses": responses}))
        })
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server.uri(), &RecordingSleep::new()).build().unwrap();
    let objects = TenantReader::new(&client).read().await.unwrap();
    let bodies = batch_bodies(&server).await;
    assert_eq!(bodies.iter().map(|b| b["requests"].as_array().unwrap().len()).collect::<Vec<_>>(), [20, 5]);
    assert_eq!(
        bodies[0]["requests"][0],
        json!({"id": "0", "method": "GET", "url": "/deviceManagement/deviceConfigurations/s0/microsoft.graph.iosScepCertificateProfile/rootCertificate"})
    );
    assert!(objects.iter().all(|o| o.references["rootCertificate"] == ["r1"]));
}

/// A list whose objects carry no expanded assignments, and a client for the server.
async fn unexpanded_list(objects: Value) -> (MockServer, GraphClient) {
    let server = MockServer::start().await;
    when("GET", LIST)
        .and(query_param("$expand", "assignments"))
        .respond_with(ok_json(json!({ "value": objects })))
        .mount_once(&server)
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
    when("POST", "/beta/$batch")
        .respond_with(ok_json(json!({"responses": [
            {"id": "0", "status": 200, "body": {"value": [group_assignment("a1", "g1")]}}
        ]})))
        .mount_once(&server)
        .await;
    let objects = TenantReader::new(&client).read().await.unwrap();
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
    when("GET", "/beta/groups/g1")
        .and(query_param("$select", "id,displayName"))
        .respond_with(ok_json(json!({"displayName": "Wi-Fi users"})))
        .mount_once(&server)
        .await;
    when("POST", "/beta/$batch")
        .respond_with(ok_json(json!({"responses": [
            {"id": "1", "status": 404, "body": {"error": {"code": "Request_ResourceNotFound", "message": "gone"}}},
            {"id": "0", "status": 200, "body": {"displayName": "Kiosks"}}
        ]})))
        .mount_once(&server)
        .await;
    let (snapshot, notes) = export(&client, &ExportOptions::new()).await.unwrap();
    assert_eq!(
        batch_bodies(&server).await,
        [json!({"requests": [
            {"id": "0", "method": "GET", "url": "/groups/g2?$select=id,displayName"},
            {"id": "1", "method": "GET", "url": "/groups/g3?$select=id,displayName"}
        ]})]
    );
    let names: Vec<(&str, Option<&str>)> = snapshot
        .entries()
        .iter()
        .flat_map(|e| e.assignments.iter().flatten())
        .map(|a| (a.group_id().unwrap(), a.group_display_name.as_deref()))
        .collect();
    assert_eq!(
        names,
        [("g1", Some("Wi-Fi users")), ("g2", Some("Kiosks")), ("g1", Some("Wi-Fi users")), ("g3", None)]
    );
    assert_eq!(
        notes,
        [
            "group names could not be read for g3 (not found); those files hold the id only, which another tenant does not have"
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
    when("GET", "/beta/groups/g1")
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}),
        ))
        .mount_once(&server)
        .await;
    let (snapshot, notes) = export(&client, &ExportOptions::new()).await.unwrap();
    assert!(batch_bodies(&server).await.is_empty());
    assert!(snapshot.entries()[0].assignments.iter().flatten().all(|a| a.group_display_name.is_none()));
    assert_eq!(
        notes,
        [
            "group names could not be read for g1, g2 (HTTP 403); those files hold the id only, which another tenant does not have"
        ]
    );
}
