//! Fault injection: throttling, unavailability, timeouts, resets, truncated
//! bodies and slow responses on `/beta` routes, deterministic per seed.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::Timelike;
use futures_core::Stream;

use super::clock;
use super::conn::ConnKill;
use super::errors::{RequestIds, graph_error};

/// A kind of injected fault. "Processed" means the request took effect (for
/// a create: the object is stored) although the client sees a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// 429 with `Retry-After` in whole seconds (the configured hint rounded
    /// up). Not processed.
    TooManyRequestsSeconds,
    /// 429 with `Retry-After` in decimal seconds (e.g. `0.2`). Not processed.
    TooManyRequestsDecimal,
    /// 429 with `Retry-After` as an HTTP-date (IMF-fixdate, rounded up to the
    /// next whole second). Not processed.
    TooManyRequestsHttpDate,
    /// 503 with `Retry-After` in whole seconds. Not processed.
    ServiceUnavailableRetryAfter,
    /// 503 without `Retry-After`. Not processed.
    ServiceUnavailable,
    /// 504 **after** the request was processed (the outcome a client cannot
    /// know: the create happened).
    GatewayTimeout,
    /// The connection is reset before the request is processed (nothing
    /// stored, no response).
    ResetBeforeProcessing,
    /// The request is processed, then the connection is reset without a
    /// response.
    ResetAfterProcessing,
    /// The request is processed; the status line, headers (with the full
    /// `Content-Length`) and half of the body are sent, then the connection
    /// is dropped. Bodiless responses (204) get a reset instead.
    TruncatedBody,
    /// The request is processed; a complete HTTP response is sent whose JSON
    /// body is cut in half (`Content-Length` matches the cut body).
    /// Bodiless responses (204) get a reset instead.
    TruncatedJson,
    /// The response is delayed by [`FaultConfig::delay`], then the request is
    /// processed normally.
    SlowResponse,
}

impl FaultKind {
    /// Every kind, in declaration order.
    pub const ALL: [FaultKind; 11] = [
        Self::TooManyRequestsSeconds,
        Self::TooManyRequestsDecimal,
        Self::TooManyRequestsHttpDate,
        Self::ServiceUnavailableRetryAfter,
        Self::ServiceUnavailable,
        Self::GatewayTimeout,
        Self::ResetBeforeProcessing,
        Self::ResetAfterProcessing,
        Self::TruncatedBody,
        Self::TruncatedJson,
        Self::SlowResponse,
    ];

    /// Position in [`FaultKind::ALL`].
    pub(crate) fn index(self) -> usize {
        Self::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// Random fault injection settings. Deterministic: the same seed and the
/// same sequence of requests give the same faults (requests arriving
/// concurrently are drawn in arrival order).
///
/// ```
/// use intune_graph::emulator::{FaultConfig, FaultKind};
/// let faults = FaultConfig {
///     rate: 0.3,
///     seed: 42,
///     kinds: vec![FaultKind::TooManyRequestsDecimal, FaultKind::GatewayTimeout],
///     ..FaultConfig::default()
/// };
/// # let _ = faults;
/// ```
#[derive(Debug, Clone)]
pub struct FaultConfig {
    /// Probability (0..=1) that an eligible `/beta` request gets a fault.
    pub rate: f64,
    /// Seed for the fault sequence.
    pub seed: u64,
    /// Kinds to choose from (uniformly); empty means all of [`FaultKind::ALL`].
    pub kinds: Vec<FaultKind>,
    /// The retry hint sent with 429 and 503 (default 200 ms; the whole-second
    /// and HTTP-date forms round it up).
    pub retry_after: Duration,
    /// The delay of [`FaultKind::SlowResponse`] (default 300 ms).
    pub delay: Duration,
    /// Only POST, PUT, PATCH and DELETE requests are eligible.
    pub writes_only: bool,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            rate: 0.0,
            seed: 0,
            kinds: Vec::new(),
            retry_after: Duration::from_millis(200),
            delay: Duration::from_millis(300),
            writes_only: false,
        }
    }
}

impl FaultConfig {
    /// Faults of every kind at `rate`, seeded with `seed`.
    pub fn new(rate: f64, seed: u64) -> Self {
        Self { rate, seed, ..Self::default() }
    }

    /// Restricts the kinds drawn.
    pub fn with_kinds(mut self, kinds: impl IntoIterator<Item = FaultKind>) -> Self {
        self.kinds = kinds.into_iter().collect();
        self
    }
}

/// The seeded generator and the queue of explicitly injected faults.
pub(crate) struct FaultState {
    rng: fastrand::Rng,
    queue: VecDeque<FaultKind>,
}

impl FaultState {
    pub(crate) fn new(seed: u64) -> Self {
        Self { rng: fastrand::Rng::with_seed(seed), queue: VecDeque::new() }
    }

    /// Queues a fault for the next `/beta` request (ahead of random draws).
    pub(crate) fn push(&mut self, kind: FaultKind) {
        self.queue.push_back(kind);
    }

    /// The fault for the next request, if any.
    pub(crate) fn draw(&mut self, cfg: Option<&FaultConfig>, is_write: bool) -> Option<FaultKind> {
        if let Some(kind) = self.queue.pop_front() {
            return Some(kind);
        }
        let cfg = cfg?;
        if (cfg.writes_only && !is_write) || cfg.rate.is_nan() || cfg.rate <= 0.0 {
            return None;
        }
        let kinds: &[FaultKind] = if cfg.kinds.is_empty() { &FaultKind::ALL } else { &cfg.kinds };
        // Always draw both numbers so the sequence depends only on the seed
        // and the number of eligible requests.
        let roll = self.rng.f64();
        let pick = self.rng.usize(..kinds.len());
        (roll < cfg.rate).then(|| kinds[pick])
    }
}

fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn with_retry_after(mut resp: Response, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// The `Retry-After` value a fault sends, in the fault's form (`None`: no header).
fn retry_after_text(kind: FaultKind, retry_after: Duration) -> Option<String> {
    match kind {
        FaultKind::TooManyRequestsSeconds | FaultKind::ServiceUnavailableRetryAfter => {
            Some(whole_seconds(retry_after).to_string())
        }
        FaultKind::TooManyRequestsDecimal => {
            let text = format!("{:.3}", retry_after.as_secs_f64());
            let text = text.trim_end_matches('0').trim_end_matches('.');
            Some(if text.is_empty() { "0".into() } else { text.into() })
        }
        FaultKind::TooManyRequestsHttpDate => {
            // IMF-fixdate has whole seconds: round the target time up.
            let wait =
                chrono::Duration::from_std(retry_after).unwrap_or_else(|_| chrono::Duration::seconds(1));
            let target = chrono::Utc::now() + wait;
            let target = if target.nanosecond() > 0 { target + chrono::Duration::seconds(1) } else { target };
            Some(clock::http_date(target))
        }
        _ => None,
    }
}

/// The answer of a fault that refuses the request unprocessed (the 429 and 503 kinds).
pub(crate) fn refusal(kind: FaultKind, retry_after: Duration, ids: &RequestIds) -> Option<Response> {
    let resp = match kind {
        FaultKind::TooManyRequestsSeconds
        | FaultKind::TooManyRequestsDecimal
        | FaultKind::TooManyRequestsHttpDate => graph_error(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests. Retry after the interval given in the Retry-After header.",
            ids,
        ),
        FaultKind::ServiceUnavailableRetryAfter | FaultKind::ServiceUnavailable => graph_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please retry later.",
            ids,
        ),
        _ => return None,
    };
    Some(match retry_after_text(kind, retry_after) {
        Some(value) => with_retry_after(resp, &value),
        None => resp,
    })
}

/// The 504 a gateway sends after the request was processed.
pub(crate) fn gateway_timeout(ids: &RequestIds) -> Response {
    graph_error(
        StatusCode::GATEWAY_TIMEOUT,
        "GatewayTimeout",
        "The gateway did not receive a timely response from the upstream service.",
        ids,
    )
}

/// Runs the request through `next` with the fault applied.
pub(crate) async fn apply(
    kind: FaultKind,
    cfg: &FaultConfig,
    ids: &RequestIds,
    kill: Option<ConnKill>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(resp) = refusal(kind, cfg.retry_after, ids) {
        return resp;
    }
    match kind {
        FaultKind::GatewayTimeout => {
            let _ = next.run(req).await;
            gateway_timeout(ids)
        }
        FaultKind::ResetBeforeProcessing => reset(kill),
        FaultKind::ResetAfterProcessing => {
            let _ = next.run(req).await;
            reset(kill)
        }
        FaultKind::TruncatedBody | FaultKind::TruncatedJson => {
            let resp = next.run(req).await;
            truncate(resp, kind == FaultKind::TruncatedBody, kill).await
        }
        FaultKind::SlowResponse => {
            tokio::time::sleep(cfg.delay).await;
            next.run(req).await
        }
        // Answered by `refusal` above.
        FaultKind::TooManyRequestsSeconds
        | FaultKind::TooManyRequestsDecimal
        | FaultKind::TooManyRequestsHttpDate
        | FaultKind::ServiceUnavailableRetryAfter
        | FaultKind::ServiceUnavailable => next.run(req).await,
    }
}

/// Aborts the connection. Without a kill handle (the router embedded in
/// another server) a response whose body fails at once makes hyper drop the
/// connection; the status line may already have been written then.
fn reset(kill: Option<ConnKill>) -> Response {
    match kill {
        Some(k) => {
            k.kill();
            let mut resp = Response::new(Body::empty());
            *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            resp
        }
        None => Response::new(Body::from_stream(CutStream::new(Bytes::new()))),
    }
}

async fn truncate(resp: Response, drop_connection: bool, kill: Option<ConnKill>) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    if bytes.is_empty() {
        return reset(kill);
    }
    let cut = bytes.slice(..bytes.len() / 2);
    if drop_connection {
        parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
        Response::from_parts(parts, Body::from_stream(CutStream::new(cut)))
    } else {
        parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(cut.len()));
        Response::from_parts(parts, Body::from(cut))
    }
}

/// Yields one chunk, waits briefly (so hyper flushes it), then fails.
struct CutStream {
    chunk: Option<Bytes>,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl CutStream {
    fn new(chunk: Bytes) -> Self {
        Self { chunk: (!chunk.is_empty()).then_some(chunk), pause: None }
    }
}

impl Stream for CutStream {
    type Item = Result<Bytes, io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(chunk) = self.chunk.take() {
            self.pause = Some(Box::pin(tokio::time::sleep(Duration::from_millis(20))));
            return Poll::Ready(Some(Ok(chunk)));
        }
        if let Some(pause) = self.pause.as_mut() {
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
        Poll::Ready(Some(Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "emulator fault: body truncated",
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_per_seed() {
        let cfg = FaultConfig::new(0.5, 7);
        let run = || {
            let mut s = FaultState::new(cfg.seed);
            (0..50).map(|_| s.draw(Some(&cfg), true)).collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        assert!(a.iter().any(Option::is_some) && a.iter().any(Option::is_none));
        let mut other = FaultState::new(8);
        let b: Vec<_> = (0..50).map(|_| other.draw(Some(&cfg), true)).collect();
        assert_ne!(a, b);
    }

    #[test]
    fn queue_first_and_writes_only() {
        let cfg = FaultConfig { writes_only: true, ..FaultConfig::new(1.0, 1) };
        let mut s = FaultState::new(1);
        s.push(FaultKind::SlowResponse);
        assert_eq!(s.draw(Some(&cfg), false), Some(FaultKind::SlowResponse));
        assert_eq!(s.draw(Some(&cfg), false), None);
        assert!(s.draw(Some(&cfg), true).is_some());
        assert_eq!(s.draw(None, true), None);
    }

    #[test]
    fn seconds_round_up() {
        assert_eq!(whole_seconds(Duration::from_millis(200)), 1);
        assert_eq!(whole_seconds(Duration::ZERO), 0);
        assert_eq!(whole_seconds(Duration::from_secs(2)), 2);
    }
}
