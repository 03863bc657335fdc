//! `create_with` steps of a batch: a create whose outcome is unknown is reconciled as a
//! single `create_with` is (found: returned, not duplicated; absent: created again once),
//! against wiremock for the exact requests and against the emulator for what is stored.

use std::time::Duration;

use crate::support::resilience::*;
use intune_graph::{
    Error, StatusCode,
    api::{CreateOptions, Created},
    batch::StepValue,
    emulator::{Emulator, StepFault},
    models::{DeviceConfiguration, GraphEntity},
};
use serde_json::{Value, json};
use wiremock::{
    MockServer, ResponseTemplate,
    matchers::{body_json, query_param},
};

const BATCH: &str = "/beta/$batch";
const LOOKUP: &str = "displayName eq 'new one' and isof('microsoft.graph.iosScepCertificateProfile')";

fn reconcile() -> CreateOptions {
    CreateOptions::reconcile_by_display_name().settle_delay(Duration::ZERO)
}

fn created(value: Option<intune_graph::Result<StepValue>>) -> Created<DeviceConfiguration> {
    match value {
        Some(Ok(value)) => value.into_created().expect("a create_with step"),
        other => panic!("{other:?}"),
    }
}

/// A mock Graph whose `$batch` answers the step `create` with 504 and the step `plain`
/// with 201, and whose lookup by name and type finds `found`.
async fn server_with_unknown_create(found: Value) -> MockServer {
    let server = MockServer::start().await;
    let answer = json!({"responses": [
        {"id": "create", "status": 504,
         "body": {"error": {"code": "GatewayTimeout", "message": "m"}}},
        {"id": "plain", "status": 201, "body": created_body("p-1", "plain one")},
    ]});
    when("POST", BATCH).respond_with(ok_json(answer)).mount_once(&server).await;
    when("GET", COLLECTION)
        .and(query_param("$filter", LOOKUP))
        .respond_with(ok_json(json!({ "value": found })))
        .mount_once(&server)
        .await;
    server
}

/// Method, path and decoded query of every request the server saw.
async fn requests(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .map(|r| {
            let query: Vec<String> = r.url.query_pairs().map(|(k, v)| format!("{k}={v}")).collect();
            let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
            format!("{} {}{query}", r.method, r.url.path())
        })
        .collect()
}

fn lookup_request() -> String {
    format!("GET {COLLECTION}?$filter={LOOKUP}")
}

/// Asserts the requests of a batch whose create was reconciled: the batch, the lookup, then
/// `next` (what the reconcile sent after the lookup), and nothing else.
async fn assert_batch_lookup_then(server: &MockServer, next: String, why: &str) {
    assert_eq!(requests(server).await, [format!("POST {BATCH}"), lookup_request(), next], "{why}");
}

async fn send_two(server: &MockServer) -> (Created<DeviceConfiguration>, Created<DeviceConfiguration>) {
    let (client, _) = recording_client(server);
    let mut batch = client.batch();
    batch.create_with("create", &scep_profile("new one"), reconcile()).create_with(
        "plain",
        &scep_profile("plain one"),
        CreateOptions::new(),
    );
    let mut results = batch.send().await.unwrap();
    (created(results.take("create")), created(results.take("plain")))
}

#[tokio::test]
async fn a_batched_create_found_by_the_lookup_is_returned_not_sent_again() {
    let server = server_with_unknown_create(json!([created_body("n-1", "new one")])).await;
    object_read("n-1", "new one").mount_once(&server).await;
    let (create, plain) = send_two(&server).await;
    assert!(create.reconciled);
    assert_eq!(create.reposts, 0);
    assert_eq!(create.object.id(), Some("n-1"));
    assert!(!plain.reconciled);
    assert_eq!(plain.object.id(), Some("p-1"));
    let why = "looked up and read back; never posted again";
    assert_batch_lookup_then(&server, format!("GET {COLLECTION}/n-1"), why).await;
}

#[tokio::test]
async fn a_batched_create_the_lookup_does_not_find_is_sent_again_once() {
    let server = server_with_unknown_create(json!([])).await;
    let body: Value = serde_json::from_slice(&scep_profile("new one").to_write_json().unwrap()).unwrap();
    when("POST", COLLECTION)
        .and(body_json(&body))
        .respond_with(ResponseTemplate::new(201).set_body_json(created_body("n-2", "new one")))
        .mount_once(&server)
        .await;
    let (create, _) = send_two(&server).await;
    assert!(!create.reconciled);
    assert_eq!(create.reposts, 1);
    assert_eq!(create.object.id(), Some("n-2"));
    assert_batch_lookup_then(&server, format!("POST {COLLECTION}"), "not found: posted again, once").await;
}

#[tokio::test]
async fn a_batched_create_in_an_envelope_that_failed_as_a_whole_is_reconciled() {
    for envelope in [
        ResponseTemplate::new(504)
            .set_body_json(json!({"error": {"code": "GatewayTimeout", "message": "m"}})),
        ResponseTemplate::new(200).set_body_string("<html>gateway</html>"),
    ] {
        let server = MockServer::start().await;
        when("POST", BATCH).respond_with(envelope).mount_once(&server).await;
        when("GET", COLLECTION)
            .and(query_param("$filter", LOOKUP))
            .respond_with(found("n-3", "new one"))
            .mount_once(&server)
            .await;
        object_read("n-3", "new one").mount_once(&server).await;
        let (client, _) = recording_client(&server);
        let mut batch = client.batch();
        batch.create_with("create", &scep_profile("new one"), reconcile());
        let create = created(batch.send().await.unwrap().take("create"));
        assert!(create.reconciled && create.reposts == 0, "{create:?}");
        assert_eq!(create.object.id(), Some("n-3"));
        assert_batch_lookup_then(&server, format!("GET {COLLECTION}/n-3"), "found and read back").await;
    }
}

#[tokio::test]
async fn without_reconcile_a_batched_create_stays_unknown_and_bad_objects_are_refused_early() {
    let server = MockServer::start().await;
    let answer = json!({"responses": [{"id": "c", "status": 504}]});
    when("POST", BATCH).respond_with(ok_json(answer)).mount_once(&server).await;
    let (client, _) = recording_client(&server);
    let mut batch = client.batch();
    batch.create_with("c", &scep_profile("x"), CreateOptions::new());
    let error = batch.send().await.unwrap().take("c").unwrap().unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert_eq!(error.status(), Some(StatusCode::GATEWAY_TIMEOUT));

    // Reconcile by marker needs the marker in the description: refused before sending.
    let mut batch = client.batch();
    batch.get("a", "1").create_with("c", &scep_profile("x"), CreateOptions::reconcile_by_marker("run-1"));
    let error = batch.send().await.unwrap_err();
    assert!(matches!(error, Error::InvalidArgument { what: "object", .. }), "{error:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "only the first batch was sent");
}

/// Sends one `create_with` step named "p" through the emulator with `fault` on the step.
async fn through_emulator(fault: StepFault) -> (Created<DeviceConfiguration>, Vec<String>, usize) {
    let emulator = Emulator::new().start().await.unwrap();
    let sleep = RecordingSleep::new();
    let client = emulator_builder(&emulator, &sleep).build().unwrap();
    emulator.state().inject_step_fault("c", fault);
    let mut batch = client.batch();
    batch.create_with("c", &scep_profile("p"), reconcile());
    let created = created(batch.send().await.unwrap().take("c"));
    let stored = stored_names(&emulator);
    let served = emulator.state().requests();
    emulator.shutdown().await;
    (created, stored, served)
}

#[tokio::test]
async fn against_the_emulator_a_stored_create_is_found_and_a_lost_one_made_once() {
    let (created, stored, served) = through_emulator(StepFault::GatewayTimeout).await;
    assert!(created.reconciled && created.reposts == 0, "{created:?}");
    assert_eq!(created.object.display_name(), Some("p"));
    assert_eq!(stored, ["p"], "found, not duplicated");
    assert_eq!(served, 3, "the batch, the lookup, the read-back");

    let (created, stored, served) = through_emulator(StepFault::GatewayTimeoutUnprocessed).await;
    assert!(!created.reconciled && created.reposts == 1, "{created:?}");
    assert_eq!(stored, ["p"], "created again, once");
    assert_eq!(served, 3, "the batch, the lookup, the create");
}
