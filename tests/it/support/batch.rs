//! What the `$batch` tests share: the envelope path, an answer of step responses, a SCEP
//! step body, a server answering every envelope, and the envelopes it received.

use std::sync::Arc;

use intune_graph::GraphClient;
use serde_json::{Value, json};
use wiremock::{MockServer, Respond, ResponseTemplate};

use super::mock::{ok_json, when};
use super::resilience::{RecordingSleep, recording_client};

pub const BATCH: &str = "/beta/$batch";

/// A `200` envelope answer holding `responses`.
pub fn answer(responses: Value) -> ResponseTemplate {
    ok_json(json!({ "responses": responses }))
}

/// An iOS SCEP profile `id`, as a step body.
pub fn scep(id: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "id": id, "displayName": format!("p {id}")})
}

/// A server answering `$batch` with `responder`, expected `times` times, and a client for it
/// that records its waits.
pub async fn serve(
    responder: impl Respond + 'static,
    times: u64,
) -> (MockServer, GraphClient, Arc<RecordingSleep>) {
    let server = MockServer::start().await;
    when("POST", BATCH).respond_with(responder).expect(times).mount(&server).await;
    let (client, sleep) = recording_client(&server);
    (server, client, sleep)
}

/// The envelopes `server` received, as JSON.
pub async fn bodies(server: &MockServer) -> Vec<Value> {
    let requests = server.received_requests().await.unwrap_or_default();
    requests.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
}

/// Step ids of an envelope body, in its order.
pub fn step_ids(envelope: &Value) -> Vec<String> {
    envelope["requests"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect()
}
