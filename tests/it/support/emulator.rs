//! Plain HTTP to a running emulator, for the tests that send it bodies the client would not.

use intune_graph::emulator::RunningEmulator;
use reqwest::Method;
use serde_json::Value;

/// Sends `body` as JSON to `path` (under the emulator's base URL) with its token; the
/// status and the JSON answer (`Null` when the answer is not JSON).
pub async fn send_json(emu: &RunningEmulator, method: Method, path: &str, body: &[u8]) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", emu.base_url()))
        .bearer_auth(emu.token())
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
