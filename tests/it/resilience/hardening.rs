//! What hostile servers get out of the client: reflected secrets stay out of errors, a
//! retried DELETE that finds the object gone succeeds, an unreadable answer to a create
//! says the object was probably created, a silent server fails a call in bounded time, and
//! reads survive cut bodies.

use std::{sync::Arc, time::Duration};

use crate::support::resilience::*;
use futures_util::TryStreamExt;
use intune_graph::{
    Error, RetryPolicy, StatusCode,
    api::CreateOptions,
    auth::{AccessToken, AuthError, BoxFuture, Secret, TokenCredential, TokenRequest},
    emulator::{Emulator, FaultConfig},
    models::{AssignmentTarget, DeviceConfigurationAssignment},
    odata::Query,
};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::method};

const SECRET: &str = "client-s3cret~value";

/// A credential holding a client secret besides its token, as `ClientSecretCredential` does.
#[derive(Debug)]
struct WithSecret;

impl TokenCredential for WithSecret {
    fn get_token<'a>(&'a self, _: &'a TokenRequest) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        Box::pin(async { Ok(AccessToken::non_expiring(TOKEN)) })
    }

    fn redactions(&self) -> Vec<Secret> {
        vec![Secret::new(SECRET)]
    }
}

/// Answers with `status`, echoing the request's `Authorization` (and the client secret, as
/// a server reflecting a token request would) into the body and the `request-id` header.
struct Reflect {
    status: u16,
    body: fn(&str) -> String,
}

impl Respond for Reflect {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let echoed = format!("{auth} client_secret={SECRET}");
        ResponseTemplate::new(self.status)
            .insert_header("request-id", echoed.as_str())
            .insert_header("content-type", "application/json")
            .set_body_string((self.body)(&echoed))
    }
}

fn assert_clean(error: &Error) {
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains(TOKEN), "the token leaked: {text}");
        assert!(!text.contains(SECRET), "the secret leaked: {text}");
        assert!(text.contains("[redacted]"), "{text}");
    }
}

async fn reflecting_get(status: u16, body: fn(&str) -> String) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(Reflect { status, body }).mount(&server).await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.uri(), &sleep).credential(WithSecret).build().unwrap();
    client.device_configurations().get("p1").await.expect_err("the answer is an error")
}

#[tokio::test]
async fn a_reflected_token_and_secret_never_reach_an_error_body_or_header() {
    let error = reflecting_get(400, |echoed| {
        json!({"error": {"code": "BadRequest", "message": format!("you sent {echoed}"),
            "innerError": {"request-id": echoed, "client-request-id": echoed}}})
        .to_string()
    })
    .await;
    assert_eq!(error.status(), Some(StatusCode::BAD_REQUEST));
    let graph = error.graph_error().unwrap();
    assert_eq!(graph.message.as_deref(), Some("you sent Bearer [redacted] client_secret=[redacted]"));
    assert_eq!(graph.request_id.as_deref(), Some("Bearer [redacted] client_secret=[redacted]"));
    assert_clean(&error);

    // An HTML page quoting it, and only the header.
    let error = reflecting_get(502, |echoed| format!("<html>{echoed}</html>")).await;
    assert_eq!(
        error.graph_error().unwrap().body_excerpt,
        "<html>Bearer [redacted] client_secret=[redacted]</html>"
    );
    assert_clean(&error);
    let error = reflecting_get(403, |_| String::new()).await;
    assert_eq!(error.request_id(), Some("Bearer [redacted] client_secret=[redacted]"));
    assert_clean(&error);
}

#[tokio::test]
async fn a_reflected_token_in_a_success_body_that_does_not_decode_is_redacted() {
    // The value is rejected by serde, whose message quotes it.
    let error = reflecting_get(200, |echoed| {
        json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "id": "p1", "version": echoed})
            .to_string()
    })
    .await;
    let Error::Decode(decode) = &error else { panic!("expected Error::Decode, got {error:?}") };
    assert_eq!(decode.path, "version");
    assert!(decode.source.to_string().contains("Bearer [redacted]"), "{}", decode.source);
    assert_clean(&error);
}

/// Deletes `p1` from a server answering `first` once and `then` after; returns the result
/// and how many requests were made.
async fn delete_answered(
    first: ResponseTemplate,
    then: ResponseTemplate,
) -> (intune_graph::Result<()>, usize) {
    let server = MockServer::start().await;
    let item = format!("{COLLECTION}/p1");
    when("DELETE", item).respond_with(in_turn([first, then])).mount(&server).await;
    let (client, _) = recording_client(&server);
    let result = client.device_configurations().delete("p1").await;
    (result, server.received_requests().await.unwrap().len())
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"error": {"code": "ResourceNotFound"}}))
}

#[tokio::test]
async fn a_delete_retried_after_a_504_that_finds_the_object_gone_succeeds() {
    let (result, requests) = delete_answered(ResponseTemplate::new(504), not_found()).await;
    result.expect("the first attempt had deleted it");
    assert_eq!(requests, 2);
}

#[tokio::test]
async fn a_delete_answered_404_at_once_is_not_found() {
    let (result, requests) = delete_answered(not_found(), not_found()).await;
    assert!(result.unwrap_err().is_not_found());
    assert_eq!(requests, 1);
    // A 503 (not processed) then 404 is no proof: still not found.
    let (result, requests) = delete_answered(ResponseTemplate::new(503), not_found()).await;
    assert!(result.unwrap_err().is_not_found());
    assert_eq!(requests, 2);
}

/// Creates `profile("p")` against a server answering the POST with `response`.
async fn create_answered(response: ResponseTemplate) -> (Error, Vec<u8>, String) {
    let server = MockServer::start().await;
    when("POST", COLLECTION).respond_with(response).mount_once(&server).await;
    let (client, _) = recording_client(&server);
    let error = client.device_configurations().create(&scep_profile("p")).await.unwrap_err();
    let requests = server.received_requests().await.unwrap();
    let sent = &requests[0];
    let crid = sent.headers.get("client-request-id").unwrap().to_str().unwrap().to_owned();
    (error, sent.body.clone(), crid)
}

#[tokio::test]
async fn a_create_accepted_with_an_unreadable_answer_says_so() {
    let html = ResponseTemplate::new(201).set_body_raw("<html>ok</html>", "text/html");
    let cases = [
        (ResponseTemplate::new(200), 200, ""),
        (ResponseTemplate::new(201), 201, ""),
        (ResponseTemplate::new(202).set_body_string("  "), 202, ""),
        (ResponseTemplate::new(201).set_body_json(json!([{"id": "x"}])), 201, r#"[{"id":"x"}]"#),
        (html, 201, "<html>ok</html>"),
    ];
    for (response, status, excerpt) in cases {
        let (error, sent_body, crid) = create_answered(response.insert_header("request-id", "rid-1")).await;
        let Error::CreatedUnreadable(unreadable) = &error else { panic!("{status}: got {error:?}") };
        assert_eq!(unreadable.status.as_u16(), status);
        assert_eq!(unreadable.request_id.as_deref(), Some("rid-1"));
        assert_eq!(unreadable.client_request_id, crid);
        assert_eq!(unreadable.body_excerpt, excerpt);
        assert_eq!(unreadable.body.as_ref(), sent_body.as_slice());
        assert_eq!(unreadable.operation, format!("POST {COLLECTION}"));
        assert!(error.is_outcome_unknown());
        assert_eq!(error.request_id(), Some("rid-1"));
        assert!(error.to_string().contains("the service accepted the create (HTTP "), "{error}");
    }
}

#[tokio::test]
async fn reconcile_resolves_an_unreadable_create_by_finding_the_object() {
    let server = MockServer::start().await;
    when("POST", COLLECTION).respond_with(ResponseTemplate::new(201)).mount_once(&server).await;
    when("GET", COLLECTION).respond_with(found("id-1", "p")).mount(&server).await;
    object_read("id-1", "p").mount(&server).await;
    let (client, _) = recording_client(&server);
    let options = CreateOptions::reconcile_by_display_name().settle_delay(Duration::ZERO);
    let created = client.device_configurations().create_with(&scep_profile("p"), options).await.unwrap();
    assert!(created.reconciled);
    assert_eq!(created.object.base.id.as_deref(), Some("id-1"));
    server.verify().await;
}

#[tokio::test]
async fn a_silent_server_fails_a_read_after_three_timed_out_attempts() {
    let server = RawServer::start(Behaviour::Hang).await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.base(), &sleep).read_timeout(Duration::from_millis(100)).build().unwrap();
    let error = client.device_configurations().get("p1").await.unwrap_err();
    let Error::Transport(transport) = &error else { panic!("expected Error::Transport, got {error:?}") };
    assert!(transport.is_timeout(), "{error}");
    assert_eq!((transport.attempts, transport.timeouts), (3, 3));
    assert_eq!(server.requests(), 3, "two retries after timeouts, not six attempts");
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("GET {COLLECTION}/p1 timed out after 3 attempt(s) (timed out 3 times)")),
        "{text}"
    );
    // A create is not retried after a timeout: its outcome is unknown.
    let error = client.device_configurations().create(&scep_profile("p")).await.unwrap_err();
    assert!(matches!(error, Error::OutcomeUnknown(_)), "{error:?}");
    assert_eq!(server.requests(), 4);
}

#[tokio::test]
async fn timeout_retries_are_configurable_and_a_dripping_server_is_cut_too() {
    // Headers at once, then one body byte every 50 ms: the idle-read timeout never fires,
    // the attempt's time limit does.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let requests = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let _ = read_request(&mut stream).await;
                let head =
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
                let _ = stream.write_all(head.as_bytes()).await;
                loop {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if stream.write_all(b" ").await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let sleep = RecordingSleep::new();
    let client = builder(&format!("http://{addr}"), &sleep)
        .read_timeout(Duration::from_secs(5))
        .timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::default()
                .with_backoff(Duration::from_millis(1), Duration::from_millis(1))
                .with_max_timeout_retries(1),
        )
        .build()
        .unwrap();
    let error = client.device_configurations().get("p1").await.unwrap_err();
    let Error::Transport(transport) = &error else { panic!("expected Error::Transport, got {error:?}") };
    assert_eq!((transport.attempts, transport.timeouts), (2, 2), "{error}");
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(RetryPolicy::default().max_timeout_retries, 2);
    let defaults = format!("{:?}", intune_graph::GraphClient::builder());
    assert!(defaults.contains("timeout: 50s, read_timeout: 30s"), "{defaults}");
}

/// Answers `count` GETs of `at` (every one when `None`) with a 200 and `body`, and expects
/// that many.
async fn answer_get(server: &MockServer, at: &str, body: impl Into<Vec<u8>>, count: Option<u64>) {
    let mock = when("GET", at)
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.into(), "application/json"));
    let mock = match count {
        Some(n) => mock.up_to_n_times(n).expect(n),
        None => mock.expect(1),
    };
    mock.mount(server).await;
}

#[tokio::test]
async fn a_cut_json_read_is_retried_until_it_reads_whole() {
    let server = MockServer::start().await;
    let item = format!("{COLLECTION}/id-1");
    let whole = created_body("id-1", "p").to_string();
    let cut = whole[..whole.len() / 2].to_owned();
    answer_get(&server, &item, cut.clone(), Some(2)).await;
    answer_get(&server, &item, whole, None).await;
    let (client, sleep) = recording_client(&server);
    let object = client.device_configurations().get("id-1").await.unwrap();
    assert_eq!(object.id(), Some("id-1"));
    assert_eq!(sleep.waits().len(), 2);
    server.verify().await;

    // When the retries run out, the decode error is kept.
    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(cut.clone(), "application/json"))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server.uri(), &sleep)
        .retry_policy(RetryPolicy::default().with_max_attempts(2))
        .build()
        .unwrap();
    let error = client.device_configurations().get("id-1").await.unwrap_err();
    let Error::Decode(decode) = &error else { panic!("expected Error::Decode, got {error:?}") };
    assert!(decode.source.is_eof(), "{}", decode.source);
    assert_eq!(decode.body_excerpt, cut);
    server.verify().await;
}

/// A read that is JSON of the wrong shape is answered at once: fetching it again would not
/// change it. One that is also cut further on is fetched again, although the first problem
/// the typed decode meets is the shape.
#[tokio::test]
async fn a_read_of_the_wrong_shape_is_not_fetched_again_unless_it_is_also_cut() {
    let server = MockServer::start().await;
    let item = format!("{COLLECTION}/id-1");
    let wrong = r##"{"@odata.type":"#microsoft.graph.iosScepCertificateProfile","id":"id-1","keySize":5,"displayName":"p"}"##;
    answer_get(&server, &item, wrong, None).await;
    let page = r##"{"value":[{"@odata.type":"#microsoft.graph.iosScepCertificateProfile","id":"id-1","keySize":5}]}"##;
    answer_get(&server, COLLECTION, page, None).await;
    let (client, sleep) = recording_client(&server);
    let configurations = client.device_configurations();
    for error in
        [configurations.get("id-1").await.unwrap_err(), configurations.list(&Query::new()).await.unwrap_err()]
    {
        let Error::Decode(decode) = &error else { panic!("expected Error::Decode, got {error:?}") };
        assert!(decode.source.is_data(), "{}", decode.source);
        assert!(decode.path.ends_with("keySize"), "{}", decode.path);
    }
    assert_eq!(sleep.waits(), Vec::<Duration>::new());
    server.verify().await;

    server.reset().await;
    answer_get(&server, &item, &wrong[..wrong.len() - 8], Some(1)).await;
    answer_get(&server, &item, created_body("id-1", "p").to_string(), None).await;
    let object = client.device_configurations().get("id-1").await.unwrap();
    assert_eq!(object.display_name(), Some("p"));
    assert_eq!(sleep.waits().len(), 1);
    server.verify().await;
}

#[tokio::test]
async fn a_create_answered_with_cut_json_is_not_sent_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(r#"{"id":"x","#, "application/json"))
        .mount_once(&server)
        .await;
    let (client, _) = recording_client(&server);
    let error = client.device_configurations().create(&scep_profile("p")).await.unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_under_half_faults_returns_every_object() {
    for seed in 1..=5 {
        let emulator =
            Emulator::new().page_size(5).faults(FaultConfig::new(0.5, seed)).start().await.unwrap();
        for i in 0..100 {
            emulator.state().insert_raw(json!({
                "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
                "displayName": format!("p{i:03}"),
            }));
        }
        let sleep = RecordingSleep::new();
        // With half of all requests failing, a page fails all of the default 6 attempts
        // once in 64 tries; reads may be repeated freely, so this listing allows 12.
        let policy = RetryPolicy::default()
            .with_backoff(Duration::from_millis(1), Duration::from_millis(1))
            .with_max_attempts(12);
        let client = emulator_builder(&emulator, &sleep).retry_policy(policy).build().unwrap();
        let items: Vec<_> = client
            .device_configurations()
            .list_all(&Query::new().top(5))
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_eq!(items.len(), 100, "seed {seed}");
        assert!(emulator.state().faults_injected() > 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assignments_are_set_under_a_fifth_of_faults_of_every_kind() {
    // `assign` replaces the whole set: a 503, a 504 after processing, a reset or a cut
    // answer is followed by the same request again, and the set ends as asked, once.
    let mut faults = 0;
    for seed in 1..=3 {
        let emulator = Emulator::new().faults(FaultConfig::new(0.2, seed)).start().await.unwrap();
        let ids: Vec<String> = (0..20)
            .map(|i| {
                emulator.state().insert_raw(json!({
                    "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
                    "displayName": format!("p{i:02}"),
                }))
            })
            .collect();
        let sleep = RecordingSleep::new();
        let client = emulator_builder(&emulator, &sleep).build().unwrap();
        let configs = client.device_configurations();
        const EXCLUDED: &str = "0e0e0e0e-0000-4000-8000-000000000000";
        for (i, id) in ids.iter().enumerate() {
            let group = format!("{i:08x}-0000-4000-8000-000000000000");
            let set = [
                DeviceConfigurationAssignment::new(AssignmentTarget::group(group.clone())),
                DeviceConfigurationAssignment::new(AssignmentTarget::exclude_group(EXCLUDED)),
            ];
            configs.assign(id, &set).await.unwrap_or_else(|e| panic!("seed {seed}, {id}: {e}"));
            let stored = emulator.state().assignments(id).unwrap();
            let groups: Vec<&str> = stored.iter().map(|a| a["target"]["groupId"].as_str().unwrap()).collect();
            assert_eq!(groups, [group.as_str(), EXCLUDED], "seed {seed}, {id}");
        }
        faults += emulator.state().faults_injected();
    }
    assert!(faults >= 6, "{faults} faults in 60 assigns and their retries");
}
