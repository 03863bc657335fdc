//! Observability: a span per call and per attempt with method, path (no query), status,
//! attempt, delay, request-id and client-request-id; never a token, never a query value.

use std::time::Duration;

use crate::capture::Buffer;
use crate::support::resilience::*;
use serde_json::{Value, json};
use tracing_subscriber::fmt::format::FmtSpan;
use wiremock::{MockServer, ResponseTemplate};

/// Captures this thread's events and closed spans at TRACE level until the guard drops.
/// The global subscriber is installed first (see `capture`), so no callsite stays silent.
fn capture_spans() -> (Buffer, tracing::subscriber::DefaultGuard) {
    crate::capture::global();
    let capture = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (capture, guard)
}

#[tokio::test]
async fn spans_per_call_and_attempt_carry_the_ids_and_never_the_token() {
    let server = MockServer::start().await;
    when("POST", COLLECTION)
        .respond_with(in_turn([
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .insert_header("request-id", "req-429"),
            ResponseTemplate::new(201)
                .insert_header("request-id", "req-201")
                .set_body_json(created_body("id-1", "p")),
        ]))
        .mount(&server)
        .await;
    let (capture, _guard) = capture_spans();
    let (client, sleep) = recording_client(&server);
    client.device_configurations().create(&scep_profile("p")).await.unwrap();
    assert_eq!(sleep.waits(), [Duration::from_secs(1)]);

    let out = capture.text();
    let crid = server.received_requests().await.unwrap()[0].headers["client-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    for needle in [
        "graph.call{",
        "method=POST",
        "path=\"/beta/deviceManagement/deviceConfigurations\"",
        &format!("client_request_id=\"{crid}\""),
        "graph.attempt{attempt=1",
        "status=429",
        "request_id=\"req-429\"",
        "graph.attempt{attempt=2 delay_ms=1000",
        "status=201",
        "request_id=\"req-201\"",
        "verdict=Retry",
        "verdict=Success",
        "attempts=2 status=201",
        "retrying delay_ms=1000",
        // The INFO retry report, with the fields a program shows throttle waits from.
        "in 1.0s throttled=true wait_ms=1000",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert!(!out.contains(TOKEN), "token leaked:\n{out}");
    assert!(!out.contains("Bearer"), "authorization leaked:\n{out}");
}

#[tokio::test]
async fn query_values_and_tokens_stay_out_of_failures_too() {
    let server = MockServer::start().await;
    when("GET", COLLECTION)
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"code": "BadRequest", "message": "no"}})),
        )
        .mount(&server)
        .await;
    let (capture, _guard) = capture_spans();
    let (client, sleep) = recording_client(&server);
    let error = client
        .get_json::<Value>("deviceManagement/deviceConfigurations?$filter=displayName%20eq%20'QUERY-SECRET'")
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    // A transport failure too (nothing listens there).
    let refused = refused_addr().await;
    let other = builder(&format!("http://{refused}"), &sleep)
        .retry_policy(intune_graph::RetryPolicy::none())
        .build()
        .unwrap();
    other
        .get_json::<Value>("deviceManagement/deviceConfigurations?$skiptoken=QUERY-SECRET")
        .await
        .unwrap_err();

    let out = capture.text();
    assert!(
        out.contains("status=400") && out.contains("error=graph") && out.contains("error=connect"),
        "{out}"
    );
    assert!(!out.contains("QUERY-SECRET"), "query value leaked:\n{out}");
    assert!(!out.contains(TOKEN), "token leaked:\n{out}");
    assert!(!error.to_string().contains("QUERY-SECRET"));
}

#[tokio::test]
async fn batch_steps_are_traced_by_the_client_and_the_emulator() {
    use intune_graph::emulator::{Emulator, StepFault};

    let (capture, _guard) = capture_spans();
    let emu = Emulator::new().token(TOKEN).start().await.unwrap();
    let ids: Vec<String> = (0..2)
        .map(|i| {
            emu.state().insert_raw(json!({
                "@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": format!("p{i}")
            }))
        })
        .collect();
    emu.state().inject_step_fault("1", StepFault::TooManyRequests { retry_after: Some("0.01".into()) });
    let sleep = RecordingSleep::new();
    let client = builder(emu.origin().as_str(), &sleep).build().unwrap();
    let configs = client.device_configurations().get_many(&ids).await.unwrap();
    assert!(configs.iter().all(Result::is_ok));
    let text = capture.text();
    let url = format!("url=/deviceManagement/deviceConfigurations/{}", ids[1]);
    // The emulator's view of each step, then the client's, with the throttled attempt.
    assert!(text.contains(&format!("emulator: batch step id=1 method=GET {url} status=429")), "{text}");
    assert!(text.contains("emulator: batch step id=0 method=GET"), "{text}");
    let client_step = |status, attempt, verdict| {
        format!("batch step key=1 method=GET {url} status={status} attempt={attempt} verdict={verdict}")
    };
    assert!(text.contains(&client_step(429, 1, "Retry")), "{text}");
    assert!(text.contains(&client_step(200, 2, "Success")), "{text}");
    assert!(text.contains("graph.batch{steps=2 writes=0}"), "{text}");
    // The step's retry is reported like a single call's, with the throttle-wait fields.
    let report = format!(
        "intune_graph::retry: batch step 1 (GET /deviceManagement/deviceConfigurations/{}): HTTP 429; retrying (attempt 2 of 6) in ",
        ids[1]
    );
    let line =
        text.lines().find(|l| l.contains(&report)).unwrap_or_else(|| panic!("no {report:?} in:\n{text}"));
    assert!(line.contains(" INFO ") && line.contains("throttled=true wait_ms="), "{line}");
    assert!(!text.contains(TOKEN), "the token never appears");
    emu.shutdown().await;
}
