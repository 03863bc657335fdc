//! Helpers shared by the `resilience_*` tests: an injected sleeper that records waits
//! without waiting, a fixed wall clock, and tiny raw TCP servers for what wiremock cannot
//! do (reset a connection, hang, refuse).

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, Utc};
use intune_graph::{AsyncSleep, GraphClient, GraphClientBuilder, RetryPolicy, WallClock, auth::BoxFuture};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Records every wait and returns at once.
#[derive(Debug, Default)]
pub struct RecordingSleep {
    waits: Mutex<Vec<Duration>>,
}

impl RecordingSleep {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }

    pub fn total(&self) -> Duration {
        self.waits().iter().sum()
    }
}

impl AsyncSleep for RecordingSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.waits.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

/// A wall clock stopped at one instant.
#[derive(Debug)]
pub struct FixedClock(pub DateTime<Utc>);

impl WallClock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

pub const TOKEN: &str = "s3cr3t-t0ken-value";

/// The path every create and list in these tests goes to.
pub use super::fixtures::{COLLECTION, scep_profile};
pub use super::mock::{MountOnce, in_turn, ok_json, when};

/// A client for `base` (`http://127.0.0.1:port`, without `/beta`) that records its waits
/// instead of waiting, with no write-rate limit and a tiny backoff (so a recorded wait
/// after a hint is the hint itself).
pub fn builder(base: &str, sleep: &Arc<RecordingSleep>) -> GraphClientBuilder {
    GraphClient::builder()
        .base_url(format!("{}/beta", base.trim_end_matches('/')))
        .bearer_token(TOKEN)
        .sleep_impl(sleep.clone())
        .write_rate_limit(None)
        .retry_policy(RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(1)))
}

/// At most `n` attempts, with the tiny backoff of [`builder`].
pub fn attempts(n: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(n)
        .with_backoff(Duration::from_millis(1), Duration::from_millis(1))
}

/// A client for the wiremock `server`, built by [`builder`], and the sleeper recording its
/// waits.
pub fn recording_client(server: &MockServer) -> (GraphClient, Arc<RecordingSleep>) {
    let sleep = RecordingSleep::new();
    (builder(&server.uri(), &sleep).build().unwrap(), sleep)
}

/// The JSON a 201 for `scep_profile(name)` might carry.
pub fn created_body(id: &str, name: &str) -> serde_json::Value {
    serde_json::json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations/$entity",
        "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
        "id": id,
        "displayName": name,
        "createdDateTime": "2026-11-26T13:00:00.1234567Z",
        "lastModifiedDateTime": "2026-11-26T13:00:00.1234567Z",
        "version": 1,
        "keySize": "size2048",
        "keyUsage": "keyEncipherment,digitalSignature",
        "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"]
    })
}

/// The read of object `id` of the collection, answered with `created_body(id, name)`: what
/// a reconcile reads once its lookup found the object.
pub fn object_read(id: &str, name: &str) -> Mock {
    when("GET", format!("{COLLECTION}/{id}")).respond_with(ok_json(created_body(id, name)))
}

/// A lookup's answer: a listing of the one object `created_body(id, name)`.
pub fn found(id: &str, name: &str) -> ResponseTemplate {
    ok_json(serde_json::json!({ "value": [created_body(id, name)] }))
}

/// Reads one HTTP/1.1 request (head and `Content-Length` body) from `stream`.
pub async fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return buf;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return buf,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// What a raw server does with each request.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Read the request, then reset the connection (RST, no response).
    Reset,
    /// Read the request, then never answer (keeps the socket open).
    Hang,
    /// Answer with these exact bytes, then close.
    Respond(Vec<u8>),
}

/// A raw HTTP server on 127.0.0.1; counts the requests it read.
pub struct RawServer {
    pub addr: SocketAddr,
    pub requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    pub async fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let count = requests.clone();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((mut stream, _)) = listener.accept().await {
                let request = read_request(&mut stream).await;
                if request.is_empty() {
                    continue;
                }
                count.fetch_add(1, Ordering::SeqCst);
                match &behaviour {
                    Behaviour::Reset => {
                        let _ = stream.set_zero_linger();
                        drop(stream);
                    }
                    Behaviour::Hang => held.push(stream),
                    Behaviour::Respond(bytes) => {
                        let _ = stream.write_all(bytes).await;
                        let _ = stream.shutdown().await;
                    }
                }
            }
        });
        RawServer { addr, requests, task }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An address on which nothing listens (connections are refused).
pub async fn refused_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

/// A client for a running emulator, recording waits like [`builder`].
pub fn emulator_builder(
    emulator: &intune_graph::emulator::RunningEmulator,
    sleep: &Arc<RecordingSleep>,
) -> GraphClientBuilder {
    builder(emulator.origin().as_str(), sleep).bearer_token(emulator.token().to_owned())
}

/// Display names of the stored objects, in creation order.
pub fn stored_names(emulator: &intune_graph::emulator::RunningEmulator) -> Vec<String> {
    emulator
        .state()
        .objects()
        .iter()
        .map(|o| o["displayName"].as_str().unwrap_or_default().to_owned())
        .collect()
}
