//! Throttle awareness across the client: one task's 429 pauses the others.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::support::mock::{in_turn, ok_json, when};
use crate::support::resilience::TOKEN;
use intune_graph::{AsyncSleep, GraphClient, auth::BoxFuture};
use serde_json::{Value, json};
use tokio::sync::Notify;
use wiremock::{MockServer, ResponseTemplate};

/// Records waits; the first one blocks until `release` is notified (and says so on
/// `first_started`), every other returns at once.
#[derive(Debug, Default)]
struct HoldFirst {
    waits: Mutex<Vec<(String, Duration)>>,
    first_started: Notify,
    release: Arc<Notify>,
}

impl AsyncSleep for HoldFirst {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        let mut waits = self.waits.lock().unwrap();
        let task = tokio::task::try_id().map(|id| id.to_string()).unwrap_or_default();
        waits.push((task, duration));
        if waits.len() == 1 {
            self.first_started.notify_one();
            let release = self.release.clone();
            return Box::pin(async move { release.notified().await });
        }
        Box::pin(async {})
    }
}

#[tokio::test]
async fn one_tasks_429_pauses_the_other_tasks_of_the_client() {
    let server = MockServer::start().await;
    let throttled = ResponseTemplate::new(429).insert_header("retry-after", "7");
    let a = ok_json(json!({"a": 1}));
    when("GET", "/beta/a").respond_with(in_turn([throttled, a])).mount(&server).await;
    when("GET", "/beta/b").respond_with(ok_json(json!({"b": 1}))).mount(&server).await;

    let sleep = Arc::new(HoldFirst::default());
    let client = GraphClient::builder()
        .base_url(format!("{}/beta", server.uri()))
        .bearer_token(TOKEN)
        .sleep_impl(sleep.clone())
        .build()
        .unwrap();

    // Task A is throttled and waits out its 7 s (held here until B is done).
    let a = tokio::spawn({
        let client = client.clone();
        async move { client.get_json::<Value>("a").await }
    });
    sleep.first_started.notified().await;

    // Task B has not been throttled itself, but must wait for A's pause before sending.
    let b = tokio::spawn({
        let client = client.clone();
        async move { client.get_json::<Value>("b").await }
    });
    let b_result = b.await.unwrap();
    assert_eq!(b_result.unwrap(), json!({"b": 1}));
    let waits = sleep.waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert_eq!(waits[0].1, Duration::from_secs(7), "A's retry wait is the hint");
    assert_ne!(waits[0].0, waits[1].0, "the second wait is B's");
    assert!(
        waits[1].1 > Duration::from_secs(6) && waits[1].1 <= Duration::from_secs(7),
        "B waited out A's pause: {waits:?}"
    );

    sleep.release.notify_one();
    assert_eq!(a.await.unwrap().unwrap(), json!({"a": 1}));
    // A sent twice, B once, and B did not collect a 429 of its own.
    let requests = server.received_requests().await.unwrap();
    let paths: Vec<&str> = requests.iter().map(|r| r.url.path()).collect();
    assert_eq!(paths.iter().filter(|p| **p == "/beta/a").count(), 2);
    assert_eq!(paths.iter().filter(|p| **p == "/beta/b").count(), 1);
    // Nobody waited again after the pause.
    assert_eq!(sleep.waits.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_pause_is_not_shared_between_clients() {
    let server = MockServer::start().await;
    let throttled = ResponseTemplate::new(429).insert_header("retry-after", "1");
    let a = ok_json(json!({}));
    when("GET", "/beta/a").respond_with(in_turn([throttled, a])).mount(&server).await;
    let sleep = crate::support::resilience::RecordingSleep::new();
    let one = crate::support::resilience::builder(&server.uri(), &sleep).build().unwrap();
    let two = crate::support::resilience::builder(&server.uri(), &sleep).build().unwrap();
    one.get_json::<Value>("a").await.unwrap();
    let before = sleep.waits().len();
    two.get_json::<Value>("a").await.unwrap();
    assert_eq!(sleep.waits().len(), before, "another client (another tenant) is not paused");
}
