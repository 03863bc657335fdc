//! How a create fails: Graph and Intune error bodies, gateway pages, empty bodies, success
//! bodies that do not decode, creates whose outcome is unknown, and the one safe retry.

use crate::support::fixtures;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use intune_graph::{
    Error, GraphClient, RetryPolicy,
    models::{DeviceConfiguration, IosScepCertificateProfile},
};
use wiremock::{MockServer, Request, ResponseTemplate};

use crate::support::fixtures::SEED_RESPONSE;
const TOKEN: &str = "tok-errors-42";
use crate::support::fixtures::COLLECTION;
use crate::support::mock::{in_turn, when};
const OPERATION: &str = "POST /beta/deviceManagement/deviceConfigurations";

fn profile() -> IosScepCertificateProfile {
    fixtures::scep_profile("iOS SCEP")
}

fn client(server: &MockServer, retry: RetryPolicy) -> GraphClient {
    GraphClient::builder()
        .base_url(server.uri() + "/beta")
        .bearer_token(TOKEN)
        .retry_policy(retry)
        .build()
        .unwrap()
}

async fn create(server: &MockServer, retry: RetryPolicy) -> Error {
    client(server, retry).device_configurations().create(&profile()).await.expect_err("the create fails")
}

fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

/// What an error keeps of an ASCII body: its first 512 bytes, trimmed, and `…` when cut.
fn excerpt_of(body: &str) -> String {
    if body.len() > 512 { format!("{}…", body[..512].trim()) } else { body.trim().to_owned() }
}

fn sent_client_request_id(request: &Request) -> String {
    request.headers.get("client-request-id").unwrap().to_str().unwrap().to_owned()
}

#[tokio::test]
async fn graph_json_error_keeps_every_field() {
    let body = r##"{
      "error": {
        "code": "BadRequest",
        "message": "Property 'keySize' has an invalid value.",
        "target": "keySize",
        "details": [
          {"code": "InvalidValue", "message": "size512 is not a keySize", "target": "keySize"},
          {"code": "Hint"}
        ],
        "innerError": {
          "@odata.type": "#microsoft.graph.InnerError",
          "request-id": "3d8a5c1e-7b2f-4e90-a6d4-1c2b3a4d5e6f",
          "client-request-id": "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
          "date": "2025-01-22T19:17:04",
          "extra": {"nested": true}
        }
      }
    }"##;
    let server =
        fixtures::answering_create(json(400, body).insert_header("request-id", "header-request-id")).await;
    let err = create(&server, RetryPolicy::none()).await;

    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(!err.is_not_found() && !err.is_throttled() && !err.is_outcome_unknown());
    assert_eq!(
        err.request_id(),
        Some("3d8a5c1e-7b2f-4e90-a6d4-1c2b3a4d5e6f"),
        "innerError wins over the header"
    );
    assert_eq!(err.client_request_id(), Some("9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"));
    let Error::Graph(e) = &err else { panic!("expected Error::Graph, got {err:?}") };
    assert_eq!(e.status.as_u16(), 400);
    assert_eq!(e.operation, OPERATION);
    assert_eq!(e.code.as_deref(), Some("BadRequest"));
    assert_eq!(e.message.as_deref(), Some("Property 'keySize' has an invalid value."));
    assert_eq!(e.target.as_deref(), Some("keySize"));
    assert_eq!(e.details.len(), 2);
    assert_eq!(e.details[0].code.as_deref(), Some("InvalidValue"));
    assert_eq!(e.details[0].message.as_deref(), Some("size512 is not a keySize"));
    assert_eq!(e.details[0].target.as_deref(), Some("keySize"));
    assert_eq!((e.details[1].code.as_deref(), e.details[1].message.as_deref()), (Some("Hint"), None));
    let date = e.date.expect("innerError.date is parsed");
    assert_eq!(date.to_utc(), Utc.with_ymd_and_hms(2025, 1, 22, 19, 17, 4).unwrap());
    assert_eq!(date.as_datetime().offset().local_minus_utc(), 0);
    assert_eq!(e.intune, None);
    assert_eq!(e.retry_after, None);
    assert_eq!(e.attempts, 1);
    assert_eq!(e.body_excerpt, excerpt_of(body));
    assert_eq!(e.display_message(), "Property 'keySize' has an invalid value.");
    assert_eq!(
        err.to_string(),
        "POST /beta/deviceManagement/deviceConfigurations failed with HTTP 400 Bad Request BadRequest: \
         Property 'keySize' has an invalid value. [request-id 3d8a5c1e-7b2f-4e90-a6d4-1c2b3a4d5e6f] \
         [client-request-id 9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a]"
    );
    server.verify().await;
}

const OPERATION_ID: &str = "8a3c1b2d-4e5f-4a6b-9c7d-0e1f2a3b4c5d";
const ACTIVITY_ID: &str = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b";

fn intune_message(retry_after: serde_json::Value) -> String {
    serde_json::json!({
        "_version": 3,
        "Message": format!("An error has occurred - Operation ID (for customer support): {OPERATION_ID} - Activity ID: {ACTIVITY_ID} - Url: https://fef.msub02.manage.microsoft.com/DeviceConfiguration_2611/StatelessDeviceConfigurationFEService/deviceManagement/deviceConfigurations?api-version=5025-01-01 - CustomApiErrorPhrase: "),
        "CustomApiErrorPhrase": "InvalidScepServerUrl",
        "RetryAfter": retry_after,
        "ErrorSourceService": "DeviceConfiguration",
        "HttpHeaders": "{\"x-ms-correlation\":\"abc\"}"
    })
    .to_string()
}

#[tokio::test]
async fn intune_json_inside_message_is_parsed() {
    for (retry_after, expected_retry_after) in
        [(serde_json::Value::Null, None), (serde_json::json!(30), Some("30"))]
    {
        let message = intune_message(retry_after);
        let body = serde_json::json!({
            "error": {
                "code": "BadRequest",
                "message": message,
                "innerError": {
                    "date": "2026-08-21T14:03:27",
                    "request-id": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
                    "client-request-id": "0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9"
                }
            }
        });
        let server = fixtures::answering_create(json(400, &body.to_string())).await;
        let err = create(&server, RetryPolicy::none()).await;

        let e = err.graph_error().expect("a Graph error");
        assert_eq!(e.status.as_u16(), 400);
        assert_eq!(e.code.as_deref(), Some("BadRequest"));
        assert_eq!(e.message.as_deref(), Some(message.as_str()), "message is kept as sent");
        let intune = e.intune.as_ref().expect("the Intune document is parsed");
        assert_eq!(intune.version, Some(3));
        let inner_message = intune.message.as_deref().unwrap();
        assert!(inner_message.starts_with("An error has occurred - Operation ID (for customer support): "));
        assert_eq!(intune.operation_id.as_deref(), Some(OPERATION_ID));
        assert_eq!(intune.activity_id.as_deref(), Some(ACTIVITY_ID));
        assert_eq!(intune.custom_api_error_phrase.as_deref(), Some("InvalidScepServerUrl"));
        assert_eq!(intune.retry_after.as_deref(), expected_retry_after);
        assert_eq!(intune.error_source_service.as_deref(), Some("DeviceConfiguration"));
        assert_eq!(e.display_message(), inner_message);
        assert_eq!(e.request_id.as_deref(), Some("5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"));
        assert_eq!(e.date.unwrap().to_utc(), Utc.with_ymd_and_hms(2026, 8, 21, 14, 3, 27).unwrap());
        let text = err.to_string();
        assert!(text.contains(OPERATION_ID) && text.contains("HTTP 400"), "{text}");
        server.verify().await;
    }
}

/// A gateway's HTML page: no Graph JSON at all, the status and the start of the page are
/// kept. On a POST a 502 leaves the outcome unknown, so it is not re-sent.
#[tokio::test]
async fn html_502_keeps_status_and_excerpt() {
    let html = format!(
        "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>{}</p></body></html>\n",
        "The upstream server returned an invalid response. ".repeat(12)
    );
    assert!(html.len() > 512);
    let server = fixtures::answering_create(
        ResponseTemplate::new(502).set_body_raw(html.clone(), "text/html; charset=utf-8"),
    )
    .await;
    let err = create(&server, RetryPolicy::default()).await;

    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert!(err.is_outcome_unknown(), "{err:?}");
    let e = err.graph_error().expect("the response is described");
    assert_eq!(e.status.as_u16(), 502);
    assert_eq!((e.code.as_deref(), e.message.as_deref(), e.intune.as_ref()), (None, None, None));
    assert_eq!(e.body_excerpt, format!("{}…", &html[..512]));
    assert_eq!(e.body_excerpt, excerpt_of(&html));
    let sent = sent_client_request_id(&requests(&server).await[0]);
    assert_eq!(e.client_request_id.as_deref(), Some(sent.as_str()), "falls back to the id that was sent");
    let text = err.to_string();
    assert!(text.contains("502") && text.contains("<title>502 Bad Gateway</title>"), "{text}");
    server.verify().await;
}

/// The excerpt of a non-ASCII body ends at a character boundary, as documented, rather than
/// with a replacement character for half a character.
#[tokio::test]

async fn excerpt_of_a_non_ascii_body_is_cut_at_a_character_boundary() {
    let body = format!("{}é and more text after the cut", "x".repeat(511));
    let server = fixtures::answering_create(
        ResponseTemplate::new(502).set_body_raw(body, "text/plain; charset=utf-8"),
    )
    .await;
    let err = create(&server, RetryPolicy::none()).await;

    let e = err.graph_error().expect("the response is described");
    assert_eq!(e.body_excerpt, format!("{}…", "x".repeat(511)));
    server.verify().await;
}

#[tokio::test]
async fn empty_503_keeps_the_status() {
    let server = fixtures::answering_create(ResponseTemplate::new(503)).await;
    let err = create(&server, RetryPolicy::none()).await;

    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    let e = err.graph_error().expect("the response is described");
    assert_eq!(e.body_excerpt, "");
    assert_eq!(e.code, None);
    let text = err.to_string();
    assert!(text.contains("HTTP 503 Service Unavailable (empty body)"), "{text}");
    server.verify().await;
}

/// A 503 that promises a retry is a plain Graph error once retries are used up.
#[tokio::test]
async fn empty_503_with_retry_after_and_no_retries_left_is_a_graph_error() {
    let server =
        fixtures::answering_create(ResponseTemplate::new(503).insert_header("Retry-After", "0")).await;
    let err = create(&server, RetryPolicy::none()).await;

    let Error::Graph(e) = &err else { panic!("expected Error::Graph, got {err:?}") };
    assert_eq!(e.status.as_u16(), 503);
    assert_eq!(e.retry_after, Some(Duration::ZERO));
    assert_eq!(e.attempts, 1);
    server.verify().await;
}

#[tokio::test]
async fn not_found_is_recognised() {
    let body = r#"{"error":{"code":"No method match route template","message":"No OData route exists that match template ~/singleton/navigation with http verb POST for request /DeviceConfiguration_2611/StatelessDeviceConfigurationFEService/deviceManagement/deviceConfigurations.","innerError":{"date":"2026-08-21T14:03:27","request-id":"r-1","client-request-id":"c-1"}}}"#;
    let server = fixtures::answering_create(json(404, body)).await;
    let err = create(&server, RetryPolicy::default()).await;

    assert!(err.is_not_found());
    assert!(matches!(err, Error::Graph(_)), "{err:?}");
    assert_eq!(err.graph_error().unwrap().code.as_deref(), Some("No method match route template"));
    server.verify().await;
}

#[tokio::test]
async fn undecodable_201_names_the_json_path() {
    let mut response: serde_json::Value = serde_json::from_str(SEED_RESPONSE).unwrap();
    response["keySize"] = serde_json::json!(5);
    let server = fixtures::answering_create(json(201, &response.to_string())).await;
    let err = create(&server, RetryPolicy::default()).await;

    let sent = sent_client_request_id(&requests(&server).await[0]);
    let Error::Decode(e) = &err else { panic!("expected Error::Decode, got {err:?}") };
    assert_eq!(e.status.as_u16(), 201);
    assert_eq!(e.path, "keySize");
    assert_eq!(e.operation, OPERATION);
    assert_eq!(e.client_request_id.as_deref(), Some(sent.as_str()));
    assert!(e.body_excerpt.starts_with(r#"{"@odata.type":"#), "{}", e.body_excerpt);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(201));
    let text = err.to_string();
    assert!(text.contains("HTTP 201") && text.contains("`keySize`"), "{text}");
    server.verify().await;
}

/// The polymorphic model names the path too, whether `@odata.type` comes first (as Graph
/// writes it) or later (buffered decode).
async fn polymorphic_decode_path(body: &str) -> String {
    let server = fixtures::answering_create(json(201, body)).await;
    let err = client(&server, RetryPolicy::none())
        .device_configurations()
        .create(&DeviceConfiguration::from(profile()))
        .await
        .expect_err("the 201 does not decode");
    server.verify().await;
    match err {
        Error::Decode(e) => {
            assert_eq!(e.status.as_u16(), 201);
            e.path
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn undecodable_201_names_the_json_path_for_the_polymorphic_model() {
    let mut response: serde_json::Value = serde_json::from_str(SEED_RESPONSE).unwrap();
    response["keySize"] = serde_json::json!(5);
    assert_eq!(polymorphic_decode_path(&response.to_string()).await, "keySize");
}

#[tokio::test]
async fn undecodable_201_names_the_field_when_odata_type_comes_late() {
    // Raw strings: `json!` would sort the keys and put `@odata.type` first.
    // Entries after a late `@odata.type` decode straight from the input and keep their path.
    let after = r##"{"id":"0deb8dbf-8dbf-0deb-bf8d-eb0dbf8deb0d","@odata.type":"#microsoft.graph.iosScepCertificateProfile","keySize":5}"##;
    assert_eq!(polymorphic_decode_path(after).await, "keySize");
}

#[test]
fn entries_held_before_a_late_odata_type_name_their_key() {
    // Entries before the type were held as values; the error names the key in its message.
    let before = r##"{"id":"0deb8dbf-8dbf-0deb-bf8d-eb0dbf8deb0d","keySize":5,"@odata.type":"#microsoft.graph.iosScepCertificateProfile"}"##;
    let err = serde_json::from_str::<DeviceConfiguration>(before).unwrap_err();
    assert!(err.to_string().starts_with("keySize: invalid type: integer `5`"), "{err}");
}

#[tokio::test]
async fn truncated_201_is_a_decode_error() {
    let truncated = &SEED_RESPONSE[..SEED_RESPONSE.find("\"keySize\"").unwrap() + 12];
    let server = fixtures::answering_create(json(201, truncated)).await;
    let err = create(&server, RetryPolicy::default()).await;

    let Error::Decode(e) = &err else { panic!("expected Error::Decode, got {err:?}") };
    assert_eq!(e.status.as_u16(), 201);
    assert!(e.source.is_eof(), "{}", e.source);
    assert_eq!(e.body_excerpt, excerpt_of(truncated));
    server.verify().await;
}

/// A 504 on a create: the object may exist. It is not re-sent, even with the default
/// retry policy, and the error carries what is needed to reconcile.
#[tokio::test]
async fn gateway_timeout_on_create_is_outcome_unknown_and_not_resent() {
    let server = fixtures::answering_create(json(
        504,
        r#"{"error":{"code":"GatewayTimeout","message":"The gateway timed out."}}"#,
    ))
    .await;
    let err = create(&server, RetryPolicy::default()).await;

    let sent = requests(&server).await;
    assert_eq!(sent.len(), 1, "exactly one request");
    let crid = sent_client_request_id(&sent[0]);
    assert!(err.is_outcome_unknown());
    assert_eq!(err.client_request_id(), Some(crid.as_str()));
    let Error::OutcomeUnknown(unknown) = &err else { panic!("expected Error::OutcomeUnknown, got {err:?}") };
    assert_eq!(unknown.client_request_id, crid);
    assert_eq!(unknown.body.as_ref(), sent[0].body.as_slice(), "the exact bytes sent");
    assert_eq!(unknown.operation, OPERATION);
    assert_eq!(unknown.status.map(|s| s.as_u16()), Some(504));
    let graph = unknown.graph_error.as_ref().expect("the 504 body is described");
    assert_eq!(graph.code.as_deref(), Some("GatewayTimeout"));
    assert!(unknown.transport.is_none());
    let text = err.to_string();
    assert!(text.contains(&crid) && text.contains("504"), "{text}");
    server.verify().await;
}

/// 429, or 503 with Retry-After: the service says it did not process the create, so it is
/// sent again — the same id, the same bytes, and `retry-attempt: 1`.
#[tokio::test]
async fn throttled_create_is_retried_once_with_the_same_request() {
    for status in [429u16, 503] {
        let server = MockServer::start().await;
        let throttled = json(status, r#"{"error":{"code":"TooManyRequests","message":"Slow down"}}"#)
            .insert_header("Retry-After", "0");
        when("POST", COLLECTION)
            .respond_with(in_turn([throttled, json(201, SEED_RESPONSE)]))
            .expect(2)
            .mount(&server)
            .await;

        // The default policy with a short backoff, so the jitter added to the hint is small.
        let retry = RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5));
        let created = client(&server, retry)
            .device_configurations()
            .create(&profile())
            .await
            .unwrap_or_else(|e| panic!("{status} then 201 succeeds: {e}"));
        assert_eq!(created.base.id.as_deref(), Some("0deb8dbf-8dbf-0deb-bf8d-eb0dbf8deb0d"));

        let sent = requests(&server).await;
        assert_eq!(sent.len(), 2, "{status}: exactly two requests");
        assert!(sent[0].headers.get("retry-attempt").is_none());
        assert_eq!(sent[1].headers.get("retry-attempt").map(|v| v.to_str().unwrap()), Some("1"));
        assert_eq!(sent_client_request_id(&sent[0]), sent_client_request_id(&sent[1]));
        assert_eq!(sent[0].body, sent[1].body, "identical body bytes");
        assert_eq!(sent[0].headers.get("authorization"), sent[1].headers.get("authorization"));
        server.verify().await;
    }
}

#[tokio::test]
async fn request_ids_echoed_in_errors_are_capped() {
    let server = MockServer::start().await;
    let long = "r".repeat(5000);
    let body = format!(
        r#"{{"error":{{"code":"Bad","message":"no","innerError":{{"client-request-id":"{}"}}}}}}"#,
        "c".repeat(5000)
    );
    when("POST", COLLECTION)
        .respond_with(json(400, &body).insert_header("request-id", long.as_str()))
        .mount(&server)
        .await;
    let error = create(&server, RetryPolicy::none()).await;
    assert_eq!(error.request_id(), Some(format!("{}…", "r".repeat(128)).as_str()));
    assert_eq!(error.client_request_id(), Some(format!("{}…", "c".repeat(128)).as_str()));
    assert!(error.to_string().len() < 400, "{error}");
}

#[tokio::test]
async fn server_text_in_an_error_is_shown_escaped_and_kept_as_sent() {
    // A newline forges a log line, ESC [2J clears a terminal, U+202E turns `exe.jpg` around.
    let message =
        "Forbidden\n2026-11-27T10:00:00Z INFO intune: all profiles created \u{1b}[2J \u{202e}gpj.exe";
    let body = serde_json::json!({
        "error": {
            "code": "Bad\rRequest",
            "message": message,
            "innerError": { "client-request-id": "id\u{2066}0000" }
        }
    });
    let server = fixtures::answering_create(json(400, &body.to_string())).await;
    let error = create(&server, RetryPolicy::none()).await;
    let graph = error.graph_error().expect("a Graph error");
    assert_eq!(graph.code.as_deref(), Some("Bad\rRequest"));
    assert_eq!(graph.message.as_deref(), Some(message));
    assert_eq!(graph.client_request_id.as_deref(), Some("id\u{2066}0000"));
    assert_eq!(
        error.to_string(),
        format!(
            r"{OPERATION} failed with HTTP 400 Bad Request Bad\rRequest: Forbidden\n2026-11-27T10:00:00Z INFO intune: all profiles created \u{{1b}}[2J \u{{202e}}gpj.exe [client-request-id id\u{{2066}}0000]"
        )
    );
    server.verify().await;
}
