//! Timeouts and limits, each with its own clear error: connect timeout, per-attempt
//! timeout, the call's deadline, the response-size cap; and cancellation by dropping.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use crate::support::resilience::*;
use intune_graph::{AsyncSleep, Error, GraphClient, GraphClientBuilder, StatusCode, auth::BoxFuture};
use serde_json::Value;
use tokio::sync::Notify;
use wiremock::{MockServer, ResponseTemplate};

const ITEM: &str = "deviceManagement/deviceConfigurations/abc";

/// A client for `base` (recording its waits, never sleeping) with the options `with` sets.
fn client(base: &str, with: impl FnOnce(GraphClientBuilder) -> GraphClientBuilder) -> GraphClient {
    with(builder(base, &RecordingSleep::new())).build().unwrap()
}

/// A server that reads each request and never answers, and a client for it with the
/// options `with` sets.
async fn hanging(with: impl FnOnce(GraphClientBuilder) -> GraphClientBuilder) -> (RawServer, GraphClient) {
    let server = RawServer::start(Behaviour::Hang).await;
    let client = client(&server.base(), with);
    (server, client)
}

/// A wiremock server answering every GET of `ITEM` with `response`.
async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    when("GET", format!("/beta/{ITEM}")).respond_with(response).mount(&server).await;
    server
}

/// A listener whose accept queue is full: connecting to it hangs (SYNs are dropped).
async fn blackhole() -> (std::net::SocketAddr, tokio::net::TcpListener, tokio::net::TcpStream) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = socket.local_addr().unwrap();
    let listener = socket.listen(0).unwrap();
    let filler = tokio::net::TcpStream::connect(addr).await.unwrap();
    (addr, listener, filler)
}

#[tokio::test]
async fn connect_timeout_is_a_connect_transport_error_and_safe_to_retry_for_a_create() {
    let (addr, _listener, _filler) = blackhole().await;
    let client = client(&format!("http://{addr}"), |b| {
        b.connect_timeout(Duration::from_millis(150)).retry_policy(attempts(2))
    });
    let error = client.device_configurations().create(&scep_profile("p")).await.unwrap_err();
    let Error::Transport(transport) = &error else { panic!("expected Transport, got {error:?}") };
    assert!(transport.is_connect(), "{transport}");
    assert!(transport.is_timeout(), "{transport}");
    assert_eq!(transport.attempts, 2, "nothing was sent, so even a create is retried");
    assert!(error.to_string().contains("timed out"), "{error}");
}

#[tokio::test]
async fn per_attempt_timeout_retries_a_get_then_says_timed_out() {
    let (server, client) = hanging(|b| b.timeout(Duration::from_millis(150)).retry_policy(attempts(2))).await;
    let error = client.get_json::<Value>(ITEM).await.unwrap_err();
    let Error::Transport(transport) = &error else { panic!("expected Transport, got {error:?}") };
    assert!(transport.is_timeout(), "{transport}");
    assert!(!transport.is_connect());
    assert_eq!(transport.attempts, 2);
    assert_eq!(server.requests(), 2);
    assert!(
        error.to_string().contains("GET /beta/deviceManagement/deviceConfigurations/abc timed out"),
        "{error}"
    );
}

#[tokio::test]
async fn per_attempt_timeout_on_a_create_is_outcome_unknown_and_not_resent() {
    let (server, client) = hanging(|b| b.timeout(Duration::from_millis(150))).await;
    let error = client.device_configurations().create(&scep_profile("p")).await.unwrap_err();
    let Error::OutcomeUnknown(unknown) = &error else { panic!("expected OutcomeUnknown, got {error:?}") };
    assert!(unknown.transport.as_ref().is_some_and(|t| t.is_timeout()));
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn the_deadline_ends_a_hanging_get_with_deadline_exceeded() {
    let (_server, client) = hanging(|b| b.deadline(Duration::from_millis(200))).await;
    let error = client.get_json::<Value>(ITEM).await.unwrap_err();
    let Error::DeadlineExceeded { deadline, attempts, operation } = &error else { panic!("got {error:?}") };
    assert_eq!(*deadline, Duration::from_millis(200));
    assert_eq!(*attempts, 1);
    assert_eq!(operation, "GET /beta/deviceManagement/deviceConfigurations/abc");
}

#[tokio::test]
async fn the_deadline_cutting_a_create_in_flight_is_outcome_unknown() {
    let (server, client) = hanging(|b| b.deadline(Duration::from_millis(200))).await;
    let error = client.device_configurations().create(&scep_profile("p")).await.unwrap_err();
    let Error::OutcomeUnknown(unknown) = &error else { panic!("expected OutcomeUnknown, got {error:?}") };
    assert_eq!(unknown.deadline, Some(Duration::from_millis(200)));
    assert!(error.to_string().contains("deadline"), "{error}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_wait_that_would_pass_the_deadline_is_not_made() {
    let server = answering(ResponseTemplate::new(503).insert_header("retry-after", "30")).await;
    let sleep = RecordingSleep::new();
    let client = builder(&server.uri(), &sleep).deadline(Duration::from_secs(5)).build().unwrap();
    let error = client.get_json::<Value>(ITEM).await.unwrap_err();
    // The call ends at once with what it has, the 503, rather than sleeping into the deadline.
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(error.graph_error().unwrap().retry_after, Some(Duration::from_secs(30)));
    assert!(sleep.waits().is_empty());
}

#[tokio::test]
async fn a_body_over_the_limit_is_body_too_large_with_its_status() {
    let server =
        answering(ResponseTemplate::new(200).set_body_raw(vec![b' '; 4096], "application/json")).await;
    let client = client(&server.uri(), |b| b.max_response_bytes(1024));
    let error = client.get_json::<Value>(ITEM).await.unwrap_err();
    let Error::BodyTooLarge { status, limit } = &error else { panic!("got {error:?}") };
    assert_eq!((*status, *limit), (StatusCode::OK, 1024));
    assert_eq!(error.status(), Some(StatusCode::OK));
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_body_too_large_too() {
    let mut response = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_vec();
    for _ in 0..8 {
        response.extend_from_slice(b"200\r\n");
        response.extend_from_slice(&[b' '; 0x200]);
        response.extend_from_slice(b"\r\n");
    }
    response.extend_from_slice(b"0\r\n\r\n");
    let server = RawServer::start(Behaviour::Respond(response)).await;
    let client = client(&server.base(), |b| b.max_response_bytes(1024));
    let error = client.get_json::<Value>(ITEM).await.unwrap_err();
    assert!(matches!(error, Error::BodyTooLarge { status: StatusCode::OK, limit: 1024 }), "{error:?}");
}

#[tokio::test]
async fn a_huge_error_page_keeps_its_status_and_an_excerpt() {
    let page = format!("<html>{}</html>", "x".repeat(200_000));
    let server = answering(ResponseTemplate::new(403).set_body_raw(page, "text/html")).await;
    let client = client(&server.uri(), |b| b.max_response_bytes(1024));
    let error = client.get_json::<Value>(ITEM).await.unwrap_err();
    let graph = error.graph_error().expect("a Graph error, not BodyTooLarge");
    assert_eq!(graph.status, StatusCode::FORBIDDEN);
    assert!(graph.body_excerpt.starts_with("<html>xxx"));
}

/// A sleeper whose waits never end; says when one starts and when one is dropped.
#[derive(Debug, Default)]
struct Forever {
    started: Arc<Notify>,
    dropped: Arc<AtomicBool>,
}

struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl AsyncSleep for Forever {
    fn sleep(&self, _: Duration) -> BoxFuture<'static, ()> {
        self.started.notify_one();
        let guard = SetOnDrop(self.dropped.clone());
        Box::pin(async move {
            let _guard = guard;
            std::future::pending::<()>().await
        })
    }
}

#[tokio::test]
async fn dropping_the_future_cancels_the_wait_and_the_retries() {
    let server = answering(ResponseTemplate::new(503).insert_header("retry-after", "5")).await;
    let sleep = Arc::new(Forever::default());
    let client = intune_graph::GraphClient::builder()
        .base_url(format!("{}/beta", server.uri()))
        .bearer_token(TOKEN)
        .sleep_impl(sleep.clone())
        .build()
        .unwrap();
    let call = client.get_json::<Value>(ITEM);
    tokio::select! {
        _ = call => panic!("the call cannot finish: its retry wait never ends"),
        _ = sleep.started.notified() => {}
    }
    // `select!` dropped the call: its wait is gone and no retry will ever be sent.
    assert!(sleep.dropped.load(Ordering::SeqCst));
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
