//! The whole client-credentials flow through `GraphClient` against the emulator's token
//! endpoint: tokens are fetched, cached, refreshed ahead of expiry, and a token the service
//! rejects is replaced once, mid-run, without failing the call.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use chrono::{DateTime, TimeDelta, Utc};
use intune_graph::{
    GraphClient, Query, WallClock,
    auth::{ClientSecretCredential, Secret},
    emulator::{Emulator, RunningEmulator},
};

/// A wall clock the test moves by hand.
#[derive(Debug)]
struct ManualClock {
    start: DateTime<Utc>,
    offset_seconds: AtomicI64,
}

impl ManualClock {
    fn new() -> Arc<Self> {
        Arc::new(ManualClock { start: Utc::now(), offset_seconds: AtomicI64::new(0) })
    }

    fn advance(&self, seconds: i64) {
        self.offset_seconds.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl WallClock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.start + TimeDelta::seconds(self.offset_seconds.load(Ordering::SeqCst))
    }
}

fn client(emulator: &RunningEmulator, clock: Arc<ManualClock>) -> GraphClient {
    let credential =
        ClientSecretCredential::new("contoso.onmicrosoft.com", "app-1", Secret::new("emu-secret"))
            .unwrap()
            .authority_host(emulator.origin())
            .unwrap();
    GraphClient::builder()
        .base_url(emulator.base_url().as_str())
        .credential(credential)
        .wall_clock(clock)
        .build()
        .unwrap()
}

async fn list_once(client: &GraphClient) {
    client.device_configurations().list(&Query::new()).await.expect("the listing succeeds");
}

#[tokio::test]
async fn tokens_are_cached_and_refreshed_before_they_expire() {
    let emulator = Emulator::new().client_credentials("app-1", "emu-secret").start().await.unwrap();
    let clock = ManualClock::new();
    let client = client(&emulator, clock.clone());

    for _ in 0..5 {
        list_once(&client).await;
    }
    assert_eq!(emulator.state().tokens_issued(), 1, "one token serves every request while it is fresh");

    // 56 minutes later the hour-long token has less than the 5-minute margin left: the
    // client fetches a new one before sending, so the service never sees a stale token.
    clock.advance(56 * 60);
    list_once(&client).await;
    assert_eq!(emulator.state().tokens_issued(), 2);
    list_once(&client).await;
    assert_eq!(emulator.state().tokens_issued(), 2);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_token_the_service_rejects_is_replaced_once_mid_run() {
    // Tokens live one second at the emulator, but the client's clock stands still, so its
    // cache believes the token is fresh: only the service's 401 can tell it otherwise.
    let emulator = Emulator::new()
        .client_credentials("app-1", "emu-secret")
        .token_lifetime(std::time::Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let client = client(&emulator, ManualClock::new());
    list_once(&client).await;
    assert_eq!(emulator.state().tokens_issued(), 1);
    let requests_before = emulator.state().requests();

    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    list_once(&client).await;
    assert_eq!(emulator.state().tokens_issued(), 2, "the 401 forced exactly one refresh");
    // The rejected GET, the token request, and the GET that succeeded.
    assert_eq!(emulator.state().requests() - requests_before, 3);
    emulator.shutdown().await;
}
