//! The bearer token never shows: not in `Debug` of the client, its builder or the
//! credential types, not in any error a create can produce, not in tracing output.

use std::time::Duration;

use intune_graph::{
    Error, GraphClient, RetryPolicy,
    auth::{Secret, StaticToken},
    models::IosScepCertificateProfile,
};
use wiremock::{MockServer, ResponseTemplate};

const TOKEN: &str = "tok-SECRET-123";
use crate::support::fixtures::COLLECTION;
use crate::support::fixtures::SEED_RESPONSE;
use crate::support::mock::{in_turn, when};

fn profile() -> IosScepCertificateProfile {
    crate::support::fixtures::scep_profile("iOS SCEP")
}

fn assert_hidden(what: &str, text: &str) {
    assert!(!text.contains(TOKEN), "{what} shows the token: {text}");
    assert!(!text.contains("SECRET-123"), "{what} shows part of the token: {text}");
}

#[test]
fn debug_of_client_builder_and_credentials_never_shows_the_token() {
    crate::capture::global();
    let builder = GraphClient::builder().base_url("http://127.0.0.1:9/beta").bearer_token(TOKEN);
    let builder_debug = format!("{builder:?}");
    assert_hidden("builder {:?}", &builder_debug);
    assert!(builder_debug.contains("StaticToken"), "{builder_debug}");
    assert_hidden("builder {:#?}", &format!("{builder:#?}"));

    let client = builder.build().unwrap();
    let client_debug = format!("{client:?}");
    assert_hidden("client {:?}", &client_debug);
    assert!(client_debug.contains("127.0.0.1:9"), "{client_debug}");
    assert_hidden("client {:#?}", &format!("{client:#?}"));
    assert_hidden("device_configurations {:?}", &format!("{:?}", client.device_configurations()));

    let explicit = GraphClient::builder()
        .base_url("http://127.0.0.1:9/beta")
        .credential(StaticToken::new(TOKEN))
        .build()
        .unwrap();
    assert_hidden("client with a StaticToken credential", &format!("{explicit:?}"));

    let token = StaticToken::new(TOKEN);
    assert_hidden("StaticToken {:?}", &format!("{token:?}"));
    assert_hidden("StaticToken {:#?}", &format!("{token:#?}"));

    let secret = Secret::new(TOKEN);
    assert_eq!(format!("{secret:?}"), "Secret([redacted])");
    assert_eq!(format!("{secret}"), "[redacted]");
    assert_eq!(secret.expose(), TOKEN, "the value is still there, just not shown");
}

/// Every error of the create error tests, produced again and printed every way.
#[tokio::test]
async fn no_error_of_a_create_shows_the_token() {
    crate::capture::global();
    let intune_message = serde_json::json!({
        "_version": 3,
        "Message": "An error has occurred - Operation ID (for customer support): 8a3c1b2d-4e5f-4a6b-9c7d-0e1f2a3b4c5d - Activity ID: 1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
        "CustomApiErrorPhrase": "",
        "RetryAfter": null,
        "ErrorSourceService": "",
        "HttpHeaders": "{}"
    })
    .to_string();
    let json =
        |status: u16, body: String| ResponseTemplate::new(status).set_body_raw(body, "application/json");
    let mut bad_key_size: serde_json::Value = serde_json::from_str(SEED_RESPONSE).unwrap();
    bad_key_size["keySize"] = serde_json::json!(5);
    let scenarios: Vec<(&str, ResponseTemplate)> = vec![
        (
            "graph 400",
            json(
                400,
                r#"{"error":{"code":"BadRequest","message":"Invalid keySize","innerError":{"request-id":"r","client-request-id":"c","date":"2025-01-22T19:17:04"}}}"#.into(),
            ),
        ),
        ("intune 400", json(400, serde_json::json!({"error": {"code": "BadRequest", "message": intune_message}}).to_string())),
        ("html 502", ResponseTemplate::new(502).set_body_raw("<html><body>Bad Gateway</body></html>", "text/html")),
        ("empty 503", ResponseTemplate::new(503)),
        ("404", json(404, r#"{"error":{"code":"ResourceNotFound","message":"Not found"}}"#.into())),
        ("504", json(504, r#"{"error":{"code":"GatewayTimeout","message":"timed out"}}"#.into())),
        ("undecodable 201", json(201, bad_key_size.to_string())),
        ("truncated 201", json(201, SEED_RESPONSE[..200].to_owned())),
    ];

    let mut errors: Vec<(String, Error)> = Vec::new();
    for (name, response) in scenarios {
        let server = crate::support::fixtures::answering_create(response).await;
        let client = GraphClient::builder()
            .base_url(server.uri() + "/beta")
            .bearer_token(TOKEN)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let err = client.device_configurations().create(&profile()).await.expect_err(name);
        // The token did reach the server: it is the client's output that hides it.
        let sent = server.received_requests().await.unwrap();
        assert_eq!(sent[0].headers.get("authorization").unwrap(), format!("Bearer {TOKEN}").as_str());
        errors.push((name.to_owned(), err));
    }

    // Refused before sending, and a request that could not connect at all.
    let client =
        GraphClient::builder().base_url("http://127.0.0.1:1/beta").bearer_token(TOKEN).build().unwrap();
    let invalid = IosScepCertificateProfile::default();
    errors.push(("validation".into(), client.device_configurations().create(&invalid).await.unwrap_err()));
    let client = GraphClient::builder()
        .base_url("http://127.0.0.1:1/beta")
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy::none())
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    errors.push(("connect".into(), client.device_configurations().create(&profile()).await.unwrap_err()));

    assert_eq!(errors.len(), 10);
    for (name, err) in &errors {
        assert_hidden(&format!("{name}: Display"), &err.to_string());
        assert_hidden(&format!("{name}: Debug"), &format!("{err:?}"));
        assert_hidden(&format!("{name}: alternate Debug"), &format!("{err:#?}"));
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            assert_hidden(&format!("{name}: source"), &cause.to_string());
            assert_hidden(&format!("{name}: source Debug"), &format!("{cause:?}"));
            source = cause.source();
        }
    }
}

/// Everything the client traces at TRACE level during a create (a throttled attempt, its
/// retry and a refused create) names the client-request-id and never the token; nor does
/// whatever the other tests of this file traced before the check.
#[tokio::test]
async fn tracing_output_has_the_client_request_id_but_not_the_token() {
    let captured = crate::capture::global();

    let server = MockServer::start().await;
    let refused = r#"{"error":{"code":"BadRequest","message":"no"}}"#;
    when("POST", COLLECTION)
        .respond_with(in_turn([
            ResponseTemplate::new(429).insert_header("Retry-After", "0"),
            ResponseTemplate::new(201).set_body_raw(SEED_RESPONSE, "application/json"),
            ResponseTemplate::new(400).set_body_raw(refused, "application/json"),
        ]))
        .expect(3)
        .mount(&server)
        .await;
    let client = GraphClient::builder()
        .base_url(server.uri() + "/beta")
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .unwrap();

    client.device_configurations().create(&profile()).await.expect("429 then 201");
    let err = client.device_configurations().create(&profile()).await.expect_err("400");
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 3);
    let output = captured.text();
    assert!(!output.is_empty(), "the client traces its calls");
    assert_hidden("tracing output", &output);
    for request in &sent {
        let crid = request.headers.get("client-request-id").unwrap().to_str().unwrap();
        assert!(output.contains(crid), "client-request-id {crid} is traced:\n{output}");
    }
    assert!(output.contains(err.client_request_id().unwrap()));
    server.verify().await;
}
