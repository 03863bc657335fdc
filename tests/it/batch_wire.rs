//! `$batch` against wiremock: the exact envelope (`dependsOn` spelled so, relative URLs,
//! Content-Type on bodies), results by key in the caller's order whatever the server's,
//! per-step retries (429 with and without `Retry-After`), the 424 cascade, unknown
//! outcomes of write steps, a chunk failing after others succeeded, the write limiter
//! counting steps, and validation before sending. Waits are recorded, never slept.

use std::time::Duration;

use crate::support::{batch::*, resilience::*};
use intune_graph::{
    Error, GraphClient, Method, RateLimit, RetryPolicy, StatusCode,
    batch::{Batch, BatchError, BatchResults, StepValue},
    models::{DeviceConfiguration, DeviceConfigurationPatch},
};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, ResponseTemplate, matchers::method};

fn graph_error(code: &str, request_id: &str) -> Value {
    json!({"error": {"code": code, "message": "m", "innerError": {"request-id": request_id, "date": "2026-11-27T10:00:00"}}})
}

#[tokio::test]
async fn the_envelope_is_exact_and_results_come_back_by_key_in_the_callers_order() {
    let server = MockServer::start().await;
    // Answers in another order than asked, ids in another case.
    when("POST", BATCH)
        .respond_with(answer(json!([
            {"id": "ROOT", "status": 404, "body": graph_error("ResourceNotFound", "r-1")},
            {"id": "missing", "status": 404, "headers": {"request-id": "h-2"}, "body": graph_error("ResourceNotFound", "r-2")},
            {"id": "patch", "status": 204},
            {"id": "profile", "status": 200, "body": scep("p1")}
        ])))
        .mount_once(&server)
        .await;
    let (client, sleep) = recording_client(&server);
    let patch =
        DeviceConfigurationPatch::new("#microsoft.graph.iosScepCertificateProfile").set("displayName", "n");
    let mut batch = client.batch();
    batch
        .get("profile", "p1")
        .get("missing", "p 2")
        .update("patch", "p1", &patch)
        .root_certificate("root", "s1");
    let results = batch.send().await.unwrap();

    let sent = &server.received_requests().await.unwrap()[0];
    assert_eq!(sent.headers["content-type"], "application/json");
    assert_eq!(sent.headers["authorization"], format!("Bearer {TOKEN}"));
    let body: Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(
        body,
        json!({"requests": [
            {"id": "profile", "method": "GET", "url": "/deviceManagement/deviceConfigurations/p1"},
            {"id": "missing", "method": "GET", "url": "/deviceManagement/deviceConfigurations/p%202"},
            {"id": "patch", "method": "PATCH", "url": "/deviceManagement/deviceConfigurations/p1",
             "headers": {"content-type": "application/json"},
             "body": {"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": "n"}},
            {"id": "root", "method": "GET",
             "url": "/deviceManagement/deviceConfigurations/s1/microsoft.graph.iosScepCertificateProfile/rootCertificate"}
        ]})
    );

    assert_eq!(results.keys().collect::<Vec<_>>(), ["profile", "missing", "patch", "root"]);
    let mut results = results;
    let profile = results.take("profile").unwrap().unwrap().into_configuration().unwrap();
    assert!(
        matches!(&profile, DeviceConfiguration::IosScepCertificate(p) if p.base.id.as_deref() == Some("p1"))
    );
    let missing = results.take("missing").unwrap().unwrap_err();
    assert_eq!(missing.status(), Some(StatusCode::NOT_FOUND));
    let graph = missing.graph_error().unwrap();
    assert_eq!(graph.code.as_deref(), Some("ResourceNotFound"));
    assert_eq!(graph.request_id.as_deref(), Some("r-2"));
    assert_eq!(graph.operation, "GET /beta/deviceManagement/deviceConfigurations/p%202");
    assert!(graph.client_request_id.is_some());
    assert!(matches!(results.take("patch").unwrap().unwrap(), StepValue::Updated(None)));
    // 404 for a root certificate is "none linked", as the single call says.
    assert_eq!(results.take("root").unwrap().unwrap().into_root_certificate().unwrap(), None);
    assert!(sleep.waits().is_empty());
}

#[tokio::test]
async fn depends_on_is_spelled_so_and_a_failed_step_fails_its_chain_with_424() {
    let (server, client, sleep) = serve(
        answer(json!([
            {"id": "c", "status": 424, "body": graph_error("FailedDependency", "r-c")},
            {"id": "a", "status": 400, "body": graph_error("BadRequest", "r-a")},
            {"id": "b", "status": 424, "body": graph_error("FailedDependency", "r-b")}
        ])),
        1,
    )
    .await;
    let mut batch = client.batch();
    batch
        .create("a", &scep_profile("one"))
        .raw(
            "b",
            Method::POST,
            "deviceManagement/deviceConfigurations/x/assign",
            Some(&json!({"assignments": []})),
        )
        .delete("c", "x")
        .depends_on("b", "a")
        .depends_on("c", "b");
    let mut results = batch.send().await.unwrap();
    let body = &bodies(&server).await[0];
    let steps = body["requests"].as_array().unwrap();
    assert!(steps[0].get("dependsOn").is_none());
    assert_eq!(steps[1]["dependsOn"], json!(["a"]));
    assert_eq!(steps[2]["dependsOn"], json!(["b"]));
    assert!(steps[1].get("depends_on").is_none());
    assert_eq!(steps[1]["url"], "/deviceManagement/deviceConfigurations/x/assign");
    assert_eq!(steps[1]["headers"], json!({"content-type": "application/json"}));
    assert_eq!(steps[1]["body"], json!({"assignments": []}));

    assert_eq!(results.take("a").unwrap().unwrap_err().status(), Some(StatusCode::BAD_REQUEST));
    for key in ["b", "c"] {
        let error = results.take(key).unwrap().unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::FAILED_DEPENDENCY), "{key}");
        assert_eq!(error.graph_error().unwrap().code.as_deref(), Some("FailedDependency"));
    }
    assert!(sleep.waits().is_empty(), "a 400 and its 424s are final: nothing waited for");
}

/// Answers the n-th envelope (0-based) with `answers[n]`.
fn in_turn(answers: Vec<ResponseTemplate>) -> impl Fn(&Request) -> ResponseTemplate + Send + Sync {
    let count = std::sync::atomic::AtomicUsize::new(0);
    move |_: &Request| {
        let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        answers.get(n).cloned().unwrap_or_else(|| ResponseTemplate::new(599))
    }
}

#[tokio::test]
async fn a_throttled_step_without_retry_after_goes_again_alone_after_backoff() {
    let (server, client, sleep) = serve(
        in_turn(vec![
            answer(json!([
                {"id": "1", "status": 429, "body": graph_error("TooManyRequests", "r")},
                {"id": "0", "status": 200, "body": scep("p1")}
            ])),
            answer(json!([{"id": "1", "status": 200, "body": scep("p2")}])),
        ]),
        2,
    )
    .await;
    let results = client.device_configurations().get_many(&["p1", "p2"]).await.unwrap();
    let ids: Vec<String> = results.into_iter().map(|r| r.unwrap().id().unwrap().to_owned()).collect();
    assert_eq!(ids, ["p1", "p2"]);
    let sent = bodies(&server).await;
    assert_eq!(step_ids(&sent[0]), ["0", "1"]);
    assert_eq!(step_ids(&sent[1]), ["1"], "only the throttled step goes again");
    // No hint: the backoff of the policy (at most 1 ms here), never a hint-sized wait.
    assert!(sleep.total() <= Duration::from_millis(1), "{:?}", sleep.waits());
}

#[tokio::test]
async fn a_throttled_step_waits_its_decimal_retry_after_and_pauses_the_client() {
    let (server, client, sleep) = serve(in_turn(vec![
            answer(json!([
                {"id": "0", "status": 429, "headers": {"Retry-After": "1.5"}, "body": graph_error("TooManyRequests", "r")}
            ])),
            answer(json!([{"id": "0", "status": 200, "body": {"value": [
                {"id": "p1_g1", "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}}
            ]}}])),
        ]), 2).await;
    let mut results = client.device_configurations().assignments_many(&["p1"]).await.unwrap();
    let assignments = results.remove(0).unwrap();
    assert_eq!(assignments.len(), 1);
    assert_eq!(assignments[0].id.as_deref(), Some("p1_g1"));
    // The step's own wait is its hint (1.5 s, less the few µs since it arrived).
    let first = sleep.waits()[0];
    assert!(first > Duration::from_millis(1400) && first <= Duration::from_millis(1500), "{first:?}");
    // The whole client was paused too: a single call made now waits at the throttle gate
    // (the recording sleeper lets no real time pass, so the pause is still on).
    let before = sleep.waits().len();
    Mock::given(method("GET")).respond_with(ok_json(scep("p9"))).mount(&server).await;
    client.device_configurations().get("p9").await.unwrap();
    let gate = sleep.waits()[before];
    assert!(gate > Duration::from_millis(1400) && gate <= Duration::from_millis(1500), "{:?}", sleep.waits());
}

#[tokio::test]
async fn a_chunk_failing_after_others_succeeded_keeps_their_results() {
    let server = MockServer::start().await;
    let first: Vec<Value> = (0..20)
        .map(|i| json!({"id": i.to_string(), "status": 200, "body": scep(&format!("p{i}"))}))
        .collect();
    when("POST", BATCH)
        .respond_with(in_turn(vec![
            answer(Value::Array(first)),
            ResponseTemplate::new(500).set_body_json(graph_error("InternalServerError", "r-500")),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    let (client, _) = recording_client(&server);
    let ids: Vec<String> = (0..25).map(|i| format!("p{i}")).collect();
    let results = client.device_configurations().get_many(&ids).await.unwrap();
    assert_eq!(results.len(), 25);
    for (i, result) in results.iter().enumerate() {
        match result {
            Ok(config) if i < 20 => assert_eq!(config.id(), Some(ids[i].as_str())),
            Err(error) if i >= 20 => {
                assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
                assert_eq!(error.request_id(), Some("r-500"));
            }
            other => panic!("step {i}: {other:?}"),
        }
    }
    let sent = bodies(&server).await;
    assert_eq!(step_ids(&sent[0]).len(), 20);
    assert_eq!(step_ids(&sent[1]), ["20", "21", "22", "23", "24"]);
}

#[tokio::test]
async fn a_write_step_with_an_unknown_outcome_is_never_sent_again() {
    let (server, client, sleep) = serve(
        answer(json!([
            {"id": "read", "status": 200, "body": scep("p1")},
            {"id": "create", "status": 504, "body": graph_error("GatewayTimeout", "r-504")}
        ])),
        1,
    )
    .await;
    let mut batch = client.batch();
    batch.create("create", &scep_profile("new one")).get("read", "p1");
    let mut results = batch.send().await.unwrap();
    let error = results.take("create").unwrap().unwrap_err();
    let Error::OutcomeUnknown(unknown) = &error else { panic!("{error:?}") };
    assert_eq!(unknown.status, Some(StatusCode::GATEWAY_TIMEOUT));
    assert_eq!(unknown.graph_error.as_ref().unwrap().request_id.as_deref(), Some("r-504"));
    let sent = bodies(&server).await;
    assert_eq!(serde_json::from_slice::<Value>(&unknown.body).unwrap(), sent[0]["requests"][0]["body"]);
    assert!(results.take("read").unwrap().is_ok());
    assert!(sleep.waits().is_empty(), "no retry was scheduled");
}

#[tokio::test]
async fn an_envelope_timing_out_makes_creates_unknown_and_retries_reads() {
    let (server, client, _sleep) = serve(
        in_turn(vec![
            ResponseTemplate::new(504).set_body_json(graph_error("GatewayTimeout", "r-504")),
            answer(json!([{"id": "read", "status": 200, "body": scep("p1")}])),
        ]),
        2,
    )
    .await;
    let (error, mut results) = create_and_read(&client).await;
    assert_eq!(error.status(), Some(StatusCode::GATEWAY_TIMEOUT));
    assert_eq!(results.take("read").unwrap().unwrap().into_configuration().unwrap().id(), Some("p1"));
    let sent = bodies(&server).await;
    assert_eq!(step_ids(&sent[0]), ["create", "read"]);
    assert_eq!(step_ids(&sent[1]), ["read"], "the create is never sent again");
}

#[tokio::test]
async fn the_write_limiter_counts_steps_not_envelopes() {
    let server = MockServer::start().await;
    let deleted: Vec<Value> = (0..5).map(|i| json!({"id": format!("d{i}"), "status": 204})).collect();
    when("POST", BATCH).respond_with(answer(Value::Array(deleted))).mount(&server).await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.uri(), &sleep).write_rate_limit(three_writes_per_20s()).build().unwrap();
    let mut batch = client.batch();
    for i in 0..5 {
        batch.delete(format!("d{i}"), &format!("x{i}"));
    }
    let results = batch.send().await.unwrap();
    assert!(results.into_iter().all(|(_, r)| matches!(r, Ok(StepValue::Deleted))));
    // Five write steps against three per 20 s: the envelope waited for the fifth slot.
    assert_eq!(sleep.waits().len(), 1, "{:?}", sleep.waits());
    assert!(sleep.waits()[0] > Duration::from_secs(19), "{:?}", sleep.waits());
}

#[tokio::test]
async fn broken_batches_are_refused_before_anything_is_sent() {
    let server = MockServer::start().await;
    let (client, _) = recording_client(&server);
    // The caller's mistakes: `InvalidArgument` naming the step, as for any call.
    let refused = |error: Error| match error {
        Error::InvalidArgument { what: "batch step", reason } => reason,
        other => panic!("{other:?}"),
    };

    type Case = (fn(&mut Batch), &'static str);
    let cases: [Case; 4] = [
        (
            |batch| {
                batch.get("Key", "a").get("kEY", "b");
            },
            "the key \"kEY\" is used twice (keys are compared case-insensitively)",
        ),
        (
            |batch| {
                batch.raw("abs", Method::GET, "https://graph.microsoft.com/beta/me", None::<&()>);
            },
            "\"abs\": the URL \"https://graph.microsoft.com/beta/me\" must be relative to the version root",
        ),
        (
            |batch| {
                batch.get("a", "1").get("b", "2").get("c", "3").depends_on("b", "a").depends_on("c", "a");
            },
            "\"b\" and \"c\" both depend on \"a\": dependencies must form chains (Graph runs a batch fully \
             in parallel or as chains, nothing in between)",
        ),
        (
            |batch| {
                batch.get("a", "1").depends_on("zzz", "a");
            },
            "\"zzz\" depends on \"a\", but there is no step \"zzz\"",
        ),
    ];
    for (build, reason) in cases {
        let mut batch = client.batch();
        build(&mut batch);
        assert_eq!(refused(batch.send().await.unwrap_err()), reason);
    }

    let mut batch = client.batch();
    batch.get("a", "1").get("b", "");
    assert!(matches!(batch.send().await.unwrap_err(), Error::InvalidArgument { what: "object id", .. }));

    let mut invalid = scep_profile("x");
    invalid.base.display_name = None;
    let mut batch = client.batch();
    batch.create("a", &invalid);
    assert!(matches!(batch.send().await.unwrap_err(), Error::Validation(_)));

    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_step_sent_again_shares_its_envelope_with_steps_not_sent_yet() {
    let server = MockServer::start().await;
    let mut first: Vec<Value> = (0..20)
        .map(|i| json!({"id": i.to_string(), "status": 200, "body": scep(&format!("p{i}"))}))
        .collect();
    first[3] = json!({"id": "3", "status": 503, "body": graph_error("ServiceUnavailable", "r")});
    when("POST", BATCH)
        .respond_with(in_turn(vec![
            answer(Value::Array(first)),
            answer(json!([
                {"id": "20", "status": 200, "body": scep("p20")},
                {"id": "3", "status": 200, "body": scep("p3")}
            ])),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    let sleep = RecordingSleep::new();
    // No backoff: the step is due again at once, alongside step 20 that was never sent.
    let no_backoff = RetryPolicy::default().with_backoff(Duration::ZERO, Duration::ZERO);
    let client = builder(&server.uri(), &sleep).retry_policy(no_backoff).build().unwrap();
    let ids: Vec<String> = (0..21).map(|i| format!("p{i}")).collect();
    let results = client.device_configurations().get_many(&ids).await.unwrap();
    let got: Vec<String> = results.into_iter().map(|r| r.unwrap().id().unwrap().to_owned()).collect();
    assert_eq!(got, ids);
    let sent = bodies(&server).await;
    assert_eq!(step_ids(&sent[1]), ["3", "20"]);
}

#[tokio::test]
async fn an_envelope_answer_that_is_not_a_batch_leaves_creates_unknown() {
    let (server, client, _sleep) =
        serve(ResponseTemplate::new(200).set_body_string("<html>gateway</html>"), 1).await;
    let (error, mut results) = create_and_read(&client).await;
    assert_eq!(error.status(), Some(StatusCode::OK));
    let Error::Batch(read) = results.take("read").unwrap().unwrap_err() else { panic!() };
    let BatchError::Envelope { key, source } = *read else { panic!("{read:?}") };
    assert_eq!(key, "read");
    assert!(matches!(&*source, Error::Decode(_)), "{source:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// Sends a create and a read of `p1` in one envelope; the create's error, which must be an
/// unknown outcome, and the results left.
async fn create_and_read(client: &GraphClient) -> (Error, BatchResults) {
    let mut batch = client.batch();
    batch.create("create", &scep_profile("new one")).get("read", "p1");
    let mut results = batch.send().await.unwrap();
    let error = results.take("create").unwrap().unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
    (error, results)
}

/// The write limit these tests hold envelopes to.
fn three_writes_per_20s() -> Option<RateLimit> {
    Some(RateLimit::new(3, Duration::from_secs(20)))
}

/// `n` read steps "r0".."r{n-1}" answered 200, as one envelope's answer.
fn reads_answered(n: usize) -> Vec<Value> {
    (0..n).map(|i| json!({"id": format!("r{i}"), "status": 200, "body": scep(&format!("p{i}"))})).collect()
}

fn assert_deadline_exceeded(error: &Error, limit: Duration, made: u32) {
    let Error::DeadlineExceeded { deadline, attempts, .. } = error else { panic!("{error:?}") };
    assert_eq!((*deadline, *attempts), (limit, made), "{error:?}");
}

#[tokio::test]
async fn the_deadline_covers_the_whole_batch_not_each_envelope() {
    // Each envelope alone is answered within the deadline; the two together are not.
    let limit = Duration::from_millis(1500);
    let second = json!([
        {"id": "c", "status": 201, "body": scep("new")},
        {"id": "r20", "status": 200, "body": scep("p20")},
        {"id": "d", "status": 204},
    ]);
    let server = MockServer::start().await;
    when("POST", BATCH)
        .respond_with(in_turn(vec![
            answer(Value::Array(reads_answered(20))).set_delay(Duration::from_secs(1)),
            answer(second).set_delay(Duration::from_secs(1)),
        ]))
        .mount(&server)
        .await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.uri(), &sleep).deadline(limit).build().unwrap();
    let mut batch = client.batch();
    for i in 0..20 {
        batch.get(format!("r{i}"), &format!("p{i}"));
    }
    batch.create("c", &scep_profile("new")).get("r20", "p20").delete("d", "old");
    let mut results = batch.send().await.unwrap();
    for i in 0..20 {
        assert!(results.take(&format!("r{i}")).unwrap().is_ok(), "the first envelope's results are kept");
    }
    // The second envelope was in flight when the batch's deadline passed: the create may
    // have run (unknown, saying why); the read and the delete did not finish.
    let error = results.take("c").unwrap().unwrap_err();
    let Error::OutcomeUnknown(unknown) = &error else { panic!("{error:?}") };
    assert_eq!(unknown.deadline, Some(limit));
    assert_deadline_exceeded(&results.take("r20").unwrap().unwrap_err(), limit, 1);
    assert_deadline_exceeded(&results.take("d").unwrap().unwrap_err(), limit, 1);
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(step_ids(&sent[1]), ["c", "r20", "d"]);
}

#[tokio::test]
async fn writes_the_deadline_leaves_no_time_for_are_never_sent_nor_unknown() {
    // Twenty reads go at once; the five creates after them would wait for the write
    // limiter (three per 20 s) past the 10 s deadline.
    let server = MockServer::start().await;
    when("POST", BATCH).respond_with(answer(Value::Array(reads_answered(20)))).mount_once(&server).await;
    let sleep = RecordingSleep::new();
    let limit = Duration::from_secs(10);
    let client = builder(&server.uri(), &sleep)
        .deadline(limit)
        .write_rate_limit(three_writes_per_20s())
        .build()
        .unwrap();
    let mut batch = client.batch();
    for i in 0..20 {
        batch.get(format!("r{i}"), &format!("p{i}"));
    }
    for i in 0..5 {
        batch.create(format!("c{i}"), &scep_profile(&format!("new {i}")));
    }
    let mut results = batch.send().await.unwrap();
    for i in 0..20 {
        assert!(results.take(&format!("r{i}")).unwrap().is_ok());
    }
    for i in 0..5 {
        assert_deadline_exceeded(&results.take(&format!("c{i}")).unwrap().unwrap_err(), limit, 0);
    }
    assert!(sleep.waits().is_empty(), "nothing was waited for: {:?}", sleep.waits());
    assert_eq!(step_ids(&bodies(&server).await[0]).len(), 20, "no create was sent");
}

#[tokio::test]
async fn a_step_retry_that_would_pass_the_deadline_is_not_made() {
    let server = MockServer::start().await;
    when("POST", BATCH)
        .respond_with(answer(json!([
            {"id": "0", "status": 200, "body": scep("p0")},
            {"id": "1", "status": 429, "headers": {"Retry-After": "30"},
             "body": graph_error("TooManyRequests", "r-429")},
        ])))
        .mount_once(&server)
        .await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.uri(), &sleep).deadline(Duration::from_secs(10)).build().unwrap();
    let results = client.device_configurations().get_many(&["p0", "p1"]).await.unwrap();
    assert_eq!(results[0].as_ref().unwrap().id(), Some("p0"));
    // As a single call: the 30 s wait would pass the 10 s deadline, so the step ends with
    // the error it has.
    let error = results[1].as_ref().unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS), "{error:?}");
    assert!(sleep.waits().is_empty(), "{:?}", sleep.waits());
}
