//! Emulator: the client-credentials token endpoint and issued-token expiry.

use std::time::Duration;

use intune_graph::emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, Emulator, RunningEmulator,
};
use serde_json::Value;

const DC: &str = "/deviceManagement/deviceConfigurations";
const SCOPE: &str = "https://graph.microsoft.com/.default";

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

async fn post_token(emu: &RunningEmulator, body: String) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = reqwest::Client::new()
        .post(emu.token_url(DEFAULT_TENANT_ID))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("client-request-id", "corr-1")
        .body(body)
        .send()
        .await
        .expect("token request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = serde_json::from_slice(&resp.bytes().await.expect("body")).expect("json");
    (status, headers, body)
}

async fn list_status(emu: &RunningEmulator, token: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{}{DC}", emu.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("list");
    let status = resp.status().as_u16();
    let body = serde_json::from_slice(&resp.bytes().await.expect("body")).unwrap_or(Value::Null);
    (status, body)
}

fn creds<'a>(id: &'a str, secret: &'a str, grant: &'a str, scope: &'a str) -> String {
    form(&[("grant_type", grant), ("client_id", id), ("client_secret", secret), ("scope", scope)])
}

#[tokio::test]
async fn issues_tokens_accepted_by_beta() {
    let emu = Emulator::new().start().await.expect("start");
    assert_eq!(emu.token_url("t1").as_str(), format!("{}t1/oauth2/v2.0/token", emu.origin()));
    assert_eq!(emu.client_id(), DEFAULT_CLIENT_ID);
    assert_eq!(emu.client_secret(), DEFAULT_CLIENT_SECRET);

    let (status, headers, body) =
        post_token(&emu, creds(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, "client_credentials", SCOPE)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["ext_expires_in"], 3600);
    let token = body["access_token"].as_str().expect("token").to_owned();
    assert!(token.len() > 20);
    assert!(headers.contains_key("request-id"));
    assert_eq!(headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store, no-cache"));
    assert_eq!(emu.state().tokens_issued(), 1);

    assert_eq!(list_status(&emu, &token).await.0, 200);
    let (status, body) = list_status(&emu, "emu.forged").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");

    // A second token is different and also accepted.
    let (_, _, body) =
        post_token(&emu, creds(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, "client_credentials", SCOPE)).await;
    let second = body["access_token"].as_str().expect("token");
    assert_ne!(second, token);
    assert_eq!(list_status(&emu, second).await.0, 200);
    assert_eq!(emu.state().tokens_issued(), 2);
}

#[tokio::test]
async fn rejects_bad_requests_like_entra_id() {
    let emu = Emulator::new().client_credentials("app-1", "s3cret").start().await.expect("start");
    let cases = [
        (creds("app-1", "wrong", "client_credentials", SCOPE), 401, "invalid_client", 7_000_215),
        (creds("app-1", "s3cret", "password", SCOPE), 400, "unsupported_grant_type", 70_003),
        (
            creds("app-1", "s3cret", "client_credentials", "https://graph.microsoft.com/User.Read"),
            400,
            "invalid_scope",
            70_011,
        ),
        (creds("other-app", "s3cret", "client_credentials", SCOPE), 400, "unauthorized_client", 700_016),
        (
            form(&[("grant_type", "client_credentials"), ("client_secret", "s3cret"), ("scope", SCOPE)]),
            400,
            "invalid_request",
            900_144,
        ),
        (
            form(&[("grant_type", "client_credentials"), ("client_id", "app-1"), ("scope", SCOPE)]),
            401,
            "invalid_client",
            7_000_218,
        ),
        (String::from("{\"json\": true}"), 400, "invalid_request", 900_144),
    ];
    for (body, status, error, code) in cases {
        let (got, _, json) = post_token(&emu, body.clone()).await;
        assert_eq!(got, status, "{body}: {json}");
        assert_eq!(json["error"], error, "{body}");
        assert_eq!(json["error_codes"], serde_json::json!([code]));
        let description = json["error_description"].as_str().expect("description");
        assert!(description.starts_with(&format!("AADSTS{code}: ")), "{description}");
        assert!(description.contains("Trace ID: ") && description.contains("Correlation ID: corr-1"));
        assert!(json["trace_id"].is_string() && json["timestamp"].is_string());
        assert_eq!(json["correlation_id"], "corr-1");
    }
    assert_eq!(emu.state().tokens_issued(), 0);

    let (status, _, body) = post_token(&emu, creds("app-1", "s3cret", "client_credentials", SCOPE)).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn issued_tokens_expire() {
    // 2.5 s: `expires_in` rounds down to 2, and a first list slowed down by a loaded CI
    // machine still comes before the expiry (at 900 ms it once did not).
    let emu = Emulator::new().token_lifetime(Duration::from_millis(2500)).start().await.expect("start");
    let (_, _, body) =
        post_token(&emu, creds(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, "client_credentials", SCOPE)).await;
    assert_eq!(body["expires_in"], 2, "whole seconds, rounded down");
    let token = body["access_token"].as_str().expect("token").to_owned();
    assert_eq!(list_status(&emu, &token).await.0, 200);

    tokio::time::sleep(Duration::from_millis(2600)).await;
    let (status, body) = list_status(&emu, &token).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(body["error"]["message"], "Lifetime validation failed, the token is expired.");
    // The static token never expires.
    assert_eq!(list_status(&emu, emu.token()).await.0, 200);
}
