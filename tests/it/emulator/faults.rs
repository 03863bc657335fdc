//! Emulator: fault injection (deterministic per seed, every kind observable)
//! and Intune's throttling quota.

use std::time::Duration;

use intune_graph::emulator::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator, FaultConfig, FaultKind, QuotaConfig, RunningEmulator,
};
use serde_json::{Value, json};

const DC: &str = "/deviceManagement/deviceConfigurations";

fn scep(name: &str) -> String {
    json!({
        "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
        "displayName": name,
    })
    .to_string()
}

fn url(emu: &RunningEmulator) -> String {
    format!("{}{DC}", emu.base_url())
}

async fn create(
    emu: &RunningEmulator,
    http: &reqwest::Client,
    name: &str,
) -> reqwest::Result<reqwest::Response> {
    http.post(url(emu))
        .bearer_auth(emu.token())
        .header("content-type", "application/json")
        .body(scep(name))
        .send()
        .await
}

fn header(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// Statuses (0 for a transport error) of `n` list requests.
/// A running emulator that injects `faults`.
async fn with_faults(faults: FaultConfig) -> RunningEmulator {
    Emulator::new().faults(faults).start().await.expect("start")
}

async fn statuses(emu: &RunningEmulator, n: usize) -> Vec<u16> {
    let http = reqwest::Client::new();
    let mut out = Vec::new();
    for _ in 0..n {
        let r = http.get(url(emu)).bearer_auth(emu.token()).send().await;
        out.push(r.map_or(0, |r| r.status().as_u16()));
    }
    out
}

#[tokio::test]
async fn faults_are_deterministic_per_seed() {
    let cfg = |seed| {
        FaultConfig::new(0.5, seed).with_kinds([
            FaultKind::TooManyRequestsDecimal,
            FaultKind::ServiceUnavailable,
            FaultKind::GatewayTimeout,
        ])
    };
    let run = |seed| async move {
        let emu = with_faults(cfg(seed)).await;
        let s = statuses(&emu, 24).await;
        (s, emu.state().faults_injected())
    };
    let (a, injected) = run(42).await;
    let (b, _) = run(42).await;
    let (c, _) = run(43).await;
    assert_eq!(a, b, "same seed, same faults");
    assert_ne!(a, c, "another seed, other faults");
    assert!(a.contains(&200) && a.iter().any(|s| *s != 200), "{a:?}");
    assert_eq!(a.iter().filter(|s| **s != 200).count(), injected);
    assert!(a.iter().all(|s| [200, 429, 503, 504].contains(s)), "{a:?}");
}

#[tokio::test]
async fn rate_zero_and_rate_one() {
    let emu = with_faults(FaultConfig::new(0.0, 1)).await;
    assert!(statuses(&emu, 10).await.iter().all(|s| *s == 200));
    assert_eq!(emu.state().faults_injected(), 0);

    let emu = with_faults(FaultConfig::new(1.0, 1).with_kinds([FaultKind::ServiceUnavailable])).await;
    assert!(statuses(&emu, 5).await.iter().all(|s| *s == 503));
    assert_eq!(emu.state().fault_count(FaultKind::ServiceUnavailable), 5);

    // Authentication comes first; the token endpoint is never faulted.
    let http = reqwest::Client::new();
    let r = http.get(url(&emu)).send().await.expect("send");
    assert_eq!(r.status(), 401);
    let r = http
        .post(emu.token_url("t"))
        .body(format!(
            "grant_type=client_credentials&client_id={DEFAULT_CLIENT_ID}&client_secret={DEFAULT_CLIENT_SECRET}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
        ))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    assert_eq!(emu.state().fault_count(FaultKind::ServiceUnavailable), 5);
}

#[tokio::test]
async fn writes_only_spares_reads() {
    let emu = with_faults(FaultConfig {
        writes_only: true,
        ..FaultConfig::new(1.0, 9).with_kinds([FaultKind::TooManyRequestsSeconds])
    })
    .await;
    assert!(statuses(&emu, 5).await.iter().all(|s| *s == 200));
    let r = create(&emu, &reqwest::Client::new(), "x").await.expect("send");
    assert_eq!(r.status(), 429);
    assert!(emu.state().is_empty());
}

#[tokio::test]
async fn throttling_and_unavailable_faults_are_not_processed() {
    let emu =
        with_faults(FaultConfig { retry_after: Duration::from_millis(200), ..FaultConfig::default() }).await;
    let http = reqwest::Client::new();
    let cases = [
        (FaultKind::TooManyRequestsSeconds, 429, Some("1")),
        (FaultKind::TooManyRequestsDecimal, 429, Some("0.2")),
        (FaultKind::ServiceUnavailableRetryAfter, 503, Some("1")),
        (FaultKind::ServiceUnavailable, 503, None),
    ];
    for (kind, status, retry_after) in cases {
        emu.state().inject_fault(kind);
        let r = create(&emu, &http, "x").await.expect("send");
        assert_eq!(r.status().as_u16(), status, "{kind:?}");
        assert_eq!(header(&r, "retry-after").as_deref(), retry_after, "{kind:?}");
        assert!(header(&r, "request-id").is_some());
        let body: Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("json");
        assert!(body["error"]["code"].is_string());
        assert!(body["error"]["innerError"]["request-id"].is_string());
        assert_eq!(emu.state().fault_count(kind), 1, "{kind:?}");
    }

    emu.state().inject_fault(FaultKind::TooManyRequestsHttpDate);
    let r = create(&emu, &http, "x").await.expect("send");
    assert_eq!(r.status(), 429);
    let date = header(&r, "retry-after").expect("retry-after");
    assert!(date.ends_with(" GMT"), "{date}");
    let at = chrono::DateTime::parse_from_rfc2822(&date).expect("HTTP-date");
    let wait = at.timestamp() - chrono::Utc::now().timestamp();
    assert!((0..=2).contains(&wait), "{date} is {wait} s away");

    assert!(emu.state().is_empty(), "nothing was processed");
    assert_eq!(emu.state().faults_injected(), 5);

    // The next request is normal again.
    let r = create(&emu, &http, "ok").await.expect("send");
    assert_eq!(r.status(), 201);
    assert_eq!(emu.state().len(), 1);
}

#[tokio::test]
async fn gateway_timeout_happens_after_processing() {
    let emu = Emulator::new().start().await.expect("start");
    emu.state().inject_fault(FaultKind::GatewayTimeout);
    let r = create(&emu, &reqwest::Client::new(), "maybe").await.expect("send");
    assert_eq!(r.status(), 504);
    assert_eq!(emu.state().len(), 1, "the create happened");
    assert_eq!(emu.state().fault_count(FaultKind::GatewayTimeout), 1);
}

#[tokio::test]
async fn connection_resets_before_and_after_processing() {
    let emu = Emulator::new().start().await.expect("start");
    let http = reqwest::Client::new();

    emu.state().inject_fault(FaultKind::ResetBeforeProcessing);
    let err = create(&emu, &http, "before").await.expect_err("reset");
    assert!(!err.is_status(), "{err:?}");
    assert!(emu.state().is_empty(), "nothing stored");

    emu.state().inject_fault(FaultKind::ResetAfterProcessing);
    let err = create(&emu, &http, "after").await.expect_err("reset");
    assert!(!err.is_status(), "{err:?}");
    assert_eq!(emu.state().len(), 1, "stored although the client saw a reset");
    assert_eq!(emu.state().objects()[0]["displayName"], "after");

    assert_eq!(emu.state().fault_count(FaultKind::ResetBeforeProcessing), 1);
    assert_eq!(emu.state().fault_count(FaultKind::ResetAfterProcessing), 1);
    let r = create(&emu, &http, "fine").await.expect("recovers");
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn truncated_bodies() {
    let emu = Emulator::new().start().await.expect("start");
    let http = reqwest::Client::new();

    emu.state().inject_fault(FaultKind::TruncatedBody);
    let r = create(&emu, &http, "cut").await.expect("head arrives");
    assert_eq!(r.status(), 201);
    let declared: usize = header(&r, "content-length").and_then(|v| v.parse().ok()).expect("content-length");
    assert!(declared > 100);
    assert!(r.bytes().await.is_err(), "the body never completes");
    assert_eq!(emu.state().len(), 1);

    emu.state().inject_fault(FaultKind::TruncatedJson);
    let r = create(&emu, &http, "cut json").await.expect("response");
    assert_eq!(r.status(), 201);
    let declared: usize = header(&r, "content-length").and_then(|v| v.parse().ok()).expect("content-length");
    let bytes = r.bytes().await.expect("complete HTTP message");
    assert_eq!(bytes.len(), declared);
    assert!(bytes.starts_with(b"{\"@odata.context\":"));
    assert!(serde_json::from_slice::<Value>(&bytes).is_err(), "JSON is cut");
    assert_eq!(emu.state().len(), 2);

    // A bodiless response (DELETE → 204) is reset instead.
    let id = emu.state().objects()[0]["id"].as_str().expect("id").to_owned();
    emu.state().inject_fault(FaultKind::TruncatedBody);
    let r = http.delete(format!("{}/{id}", url(&emu))).bearer_auth(emu.token()).send().await;
    assert!(r.is_err());
    assert_eq!(emu.state().len(), 1, "the delete happened");
    assert_eq!(emu.state().fault_count(FaultKind::TruncatedBody), 2);
    assert_eq!(emu.state().fault_count(FaultKind::TruncatedJson), 1);
}

#[tokio::test]
async fn slow_responses() {
    let emu = with_faults(FaultConfig { delay: Duration::from_millis(800), ..FaultConfig::default() }).await;
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(100)).build().expect("client");
    emu.state().inject_fault(FaultKind::SlowResponse);
    let err = create(&emu, &impatient, "slow").await.expect_err("times out");
    assert!(err.is_timeout(), "{err:?}");

    emu.state().inject_fault(FaultKind::SlowResponse);
    let r = create(&emu, &reqwest::Client::new(), "slow but fine").await.expect("completes");
    assert_eq!(r.status(), 201);
    assert_eq!(emu.state().fault_count(FaultKind::SlowResponse), 2);
}

#[tokio::test]
async fn quota_throttles_writes_per_app_with_retry_after() {
    let emu = Emulator::new()
        .quota(QuotaConfig {
            time_scale: 0.05, // 20 s → 1 s
            app_writes: 3,
            ..QuotaConfig::default()
        })
        .start()
        .await
        .expect("start");
    let http = reqwest::Client::new();
    for i in 0..3 {
        let r = create(&emu, &http, &format!("w{i}")).await.expect("send");
        assert_eq!(r.status(), 201);
    }
    let r = create(&emu, &http, "over").await.expect("send");
    assert_eq!(r.status(), 429);
    let wait: f64 = header(&r, "retry-after").and_then(|v| v.parse().ok()).expect("decimal Retry-After");
    assert!(wait > 0.0 && wait <= 1.0, "{wait}");
    let body: Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("json");
    assert_eq!(body["error"]["code"], "TooManyRequests");
    assert_eq!(emu.state().throttled(), 1);
    assert_eq!(emu.state().len(), 3);

    // Reads are still allowed; another app (an issued token) has its own budget.
    let r = http.get(url(&emu)).bearer_auth(emu.token()).send().await.expect("send");
    assert_eq!(r.status(), 200);
    let token: Value = serde_json::from_slice(
        &http
            .post(emu.token_url("t"))
            .body(format!(
                "grant_type=client_credentials&client_id={DEFAULT_CLIENT_ID}&client_secret={DEFAULT_CLIENT_SECRET}&scope=api%3A%2F%2Fx%2F.default"
            ))
            .send()
            .await
            .expect("token")
            .bytes()
            .await
            .expect("body"),
    )
    .expect("json");
    let other = token["access_token"].as_str().expect("token");
    let r = http.post(url(&emu)).bearer_auth(other).body(scep("other app")).send().await.expect("send");
    assert_eq!(r.status(), 201);

    // After the window the first app may write again.
    tokio::time::sleep(Duration::from_secs_f64(wait) + Duration::from_millis(50)).await;
    let r = create(&emu, &http, "later").await.expect("send");
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn quota_request_limit_counts_reads() {
    let emu = Emulator::new()
        .quota(QuotaConfig { time_scale: 1.0, app_requests: 4, ..QuotaConfig::default() })
        .start()
        .await
        .expect("start");
    let s = statuses(&emu, 6).await;
    assert_eq!(s, [200, 200, 200, 200, 429, 429]);
    assert_eq!(emu.state().throttled(), 2);
}
