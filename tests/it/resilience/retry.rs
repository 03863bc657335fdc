//! The retry loop against wiremock and tiny raw servers: every `Retry-After` form, the
//! caps, exhaustion, the create rules (never re-sent blindly), identical attempts, the
//! retry budget and the write-rate limiter. Waits are recorded by an injected sleeper,
//! never slept.

use std::time::Duration;

use crate::support::resilience::*;
use chrono::{DateTime, Utc};
use intune_graph::{Error, RateLimit, RetryBudget, RetryPolicy, StatusCode};
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate};

const ITEM: &str = "/beta/deviceManagement/deviceConfigurations/abc";

/// A backoff long enough that full jitter shows in the recorded waits.
const JITTER_BASE: Duration = Duration::from_secs(2);
const JITTER_CAP: Duration = Duration::from_secs(60);

fn ok_item() -> ResponseTemplate {
    ok_json(json!({"id": "abc"}))
}

fn graph_error(code: &str) -> Value {
    json!({"error": {"code": code, "message": "try later", "innerError": {"request-id": "r-1", "date": "2026-11-26T12:00:00"}}})
}

/// Serves `first` once, then 200; returns the recorded waits and the request count.
async fn get_after(first: ResponseTemplate, clock: Option<DateTime<Utc>>) -> (Vec<Duration>, usize) {
    let server = MockServer::start().await;
    when("GET", ITEM).respond_with(in_turn([first, ok_item()])).mount(&server).await;
    let sleep = RecordingSleep::new();
    let mut builder = builder(&server.uri(), &sleep);
    if let Some(now) = clock {
        builder = builder.wall_clock(std::sync::Arc::new(FixedClock(now)));
    }
    let client = builder.build().unwrap();
    let item: Value =
        client.get_json("deviceManagement/deviceConfigurations/abc").await.expect("retried to success");
    assert_eq!(item["id"], "abc");
    (sleep.waits(), server.received_requests().await.unwrap().len())
}

fn throttled(header: &str, value: &str) -> ResponseTemplate {
    ResponseTemplate::new(429).insert_header(header, value).set_body_json(graph_error("TooManyRequests"))
}

/// Every hint form, on a 429 or a 503, and the one wait it makes before the retry succeeds.
#[tokio::test]
async fn every_hint_form_is_waited_out_exactly() {
    let secs = Duration::from_secs;
    let ms = Duration::from_millis;
    let twice =
        ResponseTemplate::new(429).append_header("retry-after", "4").append_header("retry-after", "9");
    let cases = [
        ("integer seconds", throttled("retry-after", "7"), secs(7)),
        ("decimal seconds, rounded up", throttled("retry-after", "2.128"), ms(2128)),
        // Kiota Go truncates 0.249 to 0 s and retries at once; here it is waited for.
        ("decimal seconds, never truncated", throttled("retry-after", "0.2491"), ms(250)),
        ("retry-after-ms", throttled("retry-after-ms", "1500"), ms(1500)),
        ("x-ms-retry-after-ms", throttled("x-ms-retry-after-ms", "250"), ms(250)),
        ("duplicated values: the largest", throttled("retry-after", "3, 7"), secs(7)),
        ("a repeated header: the largest", twice, secs(9)),
        ("a 503's hint on a GET", ResponseTemplate::new(503).insert_header("retry-after", "3"), secs(3)),
    ];
    for (form, first, wait) in cases {
        let (waits, requests) = get_after(first, None).await;
        assert_eq!((waits, requests), (vec![wait], 2), "{form}");
    }
}

#[tokio::test]
async fn http_dates_are_read_against_the_injected_utc_clock() {
    let now = DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z").unwrap().with_timezone(&Utc);
    let (waits, _) = get_after(throttled("retry-after", "Thu, 26 Nov 2026 12:02:00 GMT"), Some(now)).await;
    assert_eq!(waits, [Duration::from_secs(120)]);
    // A date in the past means "now" (the tiny backoff is all that is waited).
    let (waits, requests) =
        get_after(throttled("retry-after", "Thu, 26 Nov 2026 11:00:00 GMT"), Some(now)).await;
    assert!(waits[0] <= Duration::from_millis(1), "{waits:?}");
    assert_eq!(requests, 2);
}

#[tokio::test]
async fn an_unreadable_hint_falls_back_to_backoff() {
    let server = MockServer::start().await;
    when("GET", ITEM)
        .respond_with(in_turn([throttled("retry-after", "soon, maybe"), ok_item()]))
        .mount(&server)
        .await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.uri(), &sleep)
        .retry_policy(RetryPolicy::default().with_backoff(JITTER_BASE, JITTER_CAP))
        .build()
        .unwrap();
    let _: Value = client.get_json("deviceManagement/deviceConfigurations/abc").await.expect("retried");
    let waits = sleep.waits();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] <= Duration::from_secs(2), "full jitter below the 2 s base: {waits:?}");
}

#[tokio::test]
async fn a_hint_longer_than_the_cap_ends_the_call_with_the_429() {
    let server = MockServer::start().await;
    when("GET", ITEM).respond_with(throttled("retry-after", "3600")).mount(&server).await;
    let (client, sleep) = recording_client(&server);
    let error = client.get_json::<Value>("deviceManagement/deviceConfigurations/abc").await.unwrap_err();
    let graph = error.graph_error().expect("a Graph error");
    assert_eq!(graph.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(graph.attempts, 1);
    assert_eq!(graph.retry_after, Some(Duration::from_secs(3600)));
    assert_eq!(graph.code.as_deref(), Some("TooManyRequests"));
    assert!(error.is_throttled());
    assert!(sleep.waits().is_empty(), "nothing waited for: {:?}", sleep.waits());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn exhaustion_returns_the_typed_graph_error_with_status_and_attempts() {
    let server = MockServer::start().await;
    when("GET", ITEM)
        .respond_with(ResponseTemplate::new(503).set_body_json(graph_error("ServiceUnavailable")))
        .mount(&server)
        .await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.uri(), &sleep)
        .retry_policy(RetryPolicy::default().with_max_attempts(4).with_backoff(JITTER_BASE, JITTER_CAP))
        .build()
        .unwrap();
    let error = client.get_json::<Value>("deviceManagement/deviceConfigurations/abc").await.unwrap_err();
    let Error::Graph(graph) = &error else { panic!("expected Error::Graph, got {error:?}") };
    assert_eq!(graph.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(graph.attempts, 4);
    assert_eq!(graph.code.as_deref(), Some("ServiceUnavailable"));
    assert_eq!(graph.request_id.as_deref(), Some("r-1"));
    assert!(error.to_string().contains("after 4 attempts"), "{error}");
    // Full jitter under 2 s, 4 s, 8 s.
    let waits = sleep.waits();
    assert_eq!(waits.len(), 3);
    for (wait, ceiling) in waits.iter().zip([2, 4, 8]) {
        assert!(*wait <= Duration::from_secs(ceiling), "{waits:?}");
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 4);
    let attempts: Vec<Option<&str>> =
        requests.iter().map(|r| r.headers.get("retry-attempt").map(|v| v.to_str().unwrap())).collect();
    assert_eq!(attempts, [None, Some("1"), Some("2"), Some("3")]);
}

#[tokio::test]
async fn an_empty_or_html_error_body_keeps_the_status() {
    let server = MockServer::start().await;
    when("GET", ITEM)
        .respond_with(
            ResponseTemplate::new(502).set_body_raw("<html><body>Bad gateway</body></html>", "text/html"),
        )
        .mount(&server)
        .await;
    let (client, _) = recording_client(&server);
    let error = client.get_json::<Value>("deviceManagement/deviceConfigurations/abc").await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::BAD_GATEWAY));
    assert!(error.graph_error().unwrap().body_excerpt.contains("Bad gateway"));
}

// ----- creates ---------------------------------------------------------------------------

#[tokio::test]
async fn post_503_without_retry_after_is_outcome_unknown_after_one_request() {
    let server = MockServer::start().await;
    when("POST", COLLECTION).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let (client, sleep) = recording_client(&server);
    let error = client.device_configurations().create(&scep_profile("p")).await.unwrap_err();
    let Error::OutcomeUnknown(unknown) = &error else { panic!("expected OutcomeUnknown, got {error:?}") };
    assert_eq!(unknown.status, Some(StatusCode::SERVICE_UNAVAILABLE));
    assert!(!unknown.body.is_empty(), "the exact body is kept for a manual re-send");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body, unknown.body.as_ref());
    assert_eq!(requests[0].headers["client-request-id"].to_str().unwrap(), unknown.client_request_id);
    assert!(sleep.waits().is_empty());
}

#[tokio::test]
async fn post_504_and_500_are_outcome_unknown() {
    for status in [504, 500, 502] {
        let server = MockServer::start().await;
        when("POST", COLLECTION).respond_with(ResponseTemplate::new(status)).mount(&server).await;
        let (client, _) = recording_client(&server);
        let error = client.device_configurations().create(&scep_profile("p")).await.unwrap_err();
        assert!(error.is_outcome_unknown(), "{status}: {error:?}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "{status}");
    }
}

#[tokio::test]
async fn post_is_retried_on_429_and_503_with_retry_after_sending_identical_attempts() {
    let server = MockServer::start().await;
    when("POST", COLLECTION)
        .respond_with(in_turn([
            throttled("retry-after", "1"),
            ResponseTemplate::new(503).insert_header("retry-after", "2"),
            ResponseTemplate::new(201).set_body_json(created_body("new-id", "p")),
        ]))
        .mount(&server)
        .await;
    let (client, sleep) = recording_client(&server);
    let created = client.device_configurations().create(&scep_profile("p")).await.expect("created");
    assert_eq!(created.base.id.as_deref(), Some("new-id"));
    assert_eq!(sleep.waits(), [Duration::from_secs(1), Duration::from_secs(2)]);

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    assert!(!requests[0].body.is_empty(), "never an empty retry body (corso #1778)");
    for r in &requests {
        assert_eq!(r.body, requests[0].body, "identical bytes on every attempt");
        assert_eq!(r.headers["client-request-id"], requests[0].headers["client-request-id"]);
        assert_eq!(r.headers["content-type"], "application/json", "never a lost content type (dotnet #435)");
        assert_eq!(r.headers["authorization"].to_str().unwrap(), format!("Bearer {TOKEN}"));
    }
    let attempts: Vec<Option<&str>> =
        requests.iter().map(|r| r.headers.get("retry-attempt").map(|v| v.to_str().unwrap())).collect();
    assert_eq!(attempts, [None, Some("1"), Some("2")]);
}

#[tokio::test]
async fn post_connection_reset_is_outcome_unknown() {
    let server = RawServer::start(Behaviour::Reset).await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.base(), &sleep).build().unwrap();
    let error = client.device_configurations().create(&scep_profile("p")).await.unwrap_err();
    let Error::OutcomeUnknown(unknown) = &error else { panic!("expected OutcomeUnknown, got {error:?}") };
    assert!(unknown.transport.is_some());
    assert_eq!(unknown.status, None);
    assert_eq!(server.requests(), 1, "not re-sent");
    assert!(sleep.waits().is_empty());
}

#[tokio::test]
async fn get_connection_reset_is_retried() {
    let server = RawServer::start(Behaviour::Reset).await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.base(), &sleep).retry_policy(attempts(3)).build().unwrap();
    let error = client.get_json::<Value>("deviceManagement/deviceConfigurations/abc").await.unwrap_err();
    let Error::Transport(transport) = &error else { panic!("expected Transport, got {error:?}") };
    assert_eq!(transport.attempts, 3);
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn post_connect_refused_is_retried_safely_then_a_transport_error() {
    let addr = refused_addr().await;
    let sleep = RecordingSleep::new();
    let client = builder(&format!("http://{addr}"), &sleep)
        .retry_policy(RetryPolicy::default().with_max_attempts(3).with_backoff(JITTER_BASE, JITTER_CAP))
        .build()
        .unwrap();
    let error = client.device_configurations().create(&scep_profile("p")).await.unwrap_err();
    let Error::Transport(transport) = &error else { panic!("expected Transport, got {error:?}") };
    assert!(transport.is_connect(), "{transport}");
    assert_eq!(transport.attempts, 3);
    assert_eq!(sleep.waits().len(), 2, "nothing reached a server, so the create was retried");
    assert!(transport.client_request_id.is_some());
}

#[tokio::test]
async fn a_401_refreshes_once_and_does_not_count_as_a_create_risk() {
    let server = MockServer::start().await;
    let created = ResponseTemplate::new(201).set_body_json(created_body("x", "p"));
    when("POST", COLLECTION)
        .respond_with(in_turn([ResponseTemplate::new(401), created]))
        .mount(&server)
        .await;
    let (client, _) = recording_client(&server);
    client.device_configurations().create(&scep_profile("p")).await.expect("created after one refresh");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

// ----- retry budget and write-rate limit ---------------------------------------------------

#[tokio::test]
async fn the_retry_budget_stops_retry_storms_across_calls() {
    let server = MockServer::start().await;
    when("GET", ITEM).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.uri(), &sleep)
        .retry_budget(Some(RetryBudget::standard().with_capacity(12)))
        .build()
        .unwrap();
    let attempts = |e: Error| e.graph_error().map(|g| g.attempts);
    // 12 tokens pay for two retries (5 each)...
    let first = client.get_json::<Value>("deviceManagement/deviceConfigurations/abc").await.unwrap_err();
    assert_eq!(attempts(first), Some(3));
    // ... and then the client stops retrying: 2 tokens left.
    let second = client.get_json::<Value>("deviceManagement/deviceConfigurations/abc").await.unwrap_err();
    assert_eq!(attempts(second), Some(1));
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn throttling_with_a_hint_does_not_spend_the_budget() {
    let server = MockServer::start().await;
    when("GET", ITEM).respond_with(throttled("retry-after", "1")).up_to_n_times(3).mount(&server).await;
    when("GET", ITEM).respond_with(ok_item()).mount(&server).await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.uri(), &sleep)
        .retry_budget(Some(RetryBudget::standard().with_capacity(0)))
        .build()
        .unwrap();
    let _: Value = client.get_json("deviceManagement/deviceConfigurations/abc").await.expect("429s retried");
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn the_write_rate_limit_spaces_writes_and_leaves_reads_alone() {
    let server = MockServer::start().await;
    when("POST", COLLECTION)
        .respond_with(ResponseTemplate::new(201).set_body_json(created_body("x", "p")))
        .mount(&server)
        .await;
    when("GET", ITEM).respond_with(ok_item()).mount(&server).await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.uri(), &sleep)
        .write_rate_limit(Some(RateLimit::new(2, Duration::from_secs(20))))
        .build()
        .unwrap();
    let configurations = client.device_configurations();
    for _ in 0..5 {
        let _: Value = client.get_json("deviceManagement/deviceConfigurations/abc").await.unwrap();
    }
    assert!(sleep.waits().is_empty(), "reads are not limited");
    configurations.create(&scep_profile("a")).await.unwrap();
    configurations.create(&scep_profile("b")).await.unwrap();
    assert!(sleep.waits().is_empty(), "a burst up to the limit goes at once");
    configurations.create(&scep_profile("c")).await.unwrap();
    let waits = sleep.waits();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] > Duration::from_secs(19) && waits[0] <= Duration::from_secs(20), "{waits:?}");
}

// ----- what may be repeated is the request's own property -----------------------------------

#[tokio::test]
async fn assign_is_repeated_after_503_and_504_like_a_put() {
    let server = MockServer::start().await;
    let assign = "/beta/deviceManagement/deviceConfigurations/abc/assign";
    let expected = json!({"assignments": [{"@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
        "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}}]});
    let assigned = ok_json(json!({"value": [
        {"id": "abc_g1", "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}}
    ]}));
    when("POST", assign)
        .and(wiremock::matchers::body_json(expected))
        .respond_with(in_turn([ResponseTemplate::new(503), ResponseTemplate::new(504), assigned]))
        .expect(3)
        .mount(&server)
        .await;
    let (client, sleep) = recording_client(&server);
    let target = intune_graph::models::AssignmentTarget::group("g1");
    let set = [intune_graph::models::DeviceConfigurationAssignment::new(target)];
    let got =
        client.device_configurations().assign("abc", &set).await.expect("assigned on the third attempt");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id.as_deref(), Some("abc_g1"));
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 3);
    assert_eq!(sleep.waits().len(), 2);
    let attempt = |i: usize| sent[i].headers.get("retry-attempt").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!((attempt(0), attempt(1), attempt(2)), (None, Some("1".into()), Some("2".into())));
}

#[tokio::test]
async fn a_raw_post_is_still_taken_for_a_create() {
    let server = MockServer::start().await;
    when("POST", ITEM).respond_with(ResponseTemplate::new(504)).mount_once(&server).await;
    let (client, sleep) = recording_client(&server);
    let error = client
        .request_json::<_, Value>(
            intune_graph::Method::POST,
            "deviceManagement/deviceConfigurations/abc",
            Some(&json!({})),
        )
        .await
        .unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert!(sleep.waits().is_empty());
}
