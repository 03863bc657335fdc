//! The one send path every call goes through, in this fixed order:
//!
//! 1. **per call**: origin check, a fresh `client-request-id` (kept for every attempt),
//!    the `graph.call` span, the call's deadline;
//! 2. **per attempt**: the client-wide throttle pause, the write-rate limiter (writes
//!    only), a token from the cache, the `graph.attempt` span, send, read the body
//!    (bounded), classify;
//! 3. **between attempts**: the retry decision (policy, hint, total wait, deadline, retry
//!    budget) and the wait, through the injected [`AsyncSleep`].
//!
//! Resource handles build an [`ApiRequest`]; this module owns everything after.

mod batch;
mod budget;
mod rate_limit;
mod request;
pub(crate) mod retry;
pub(crate) mod retry_after;
mod throttle;
mod time;

#[cfg(test)]
mod fuzz_tests;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU32, Ordering},
    },
    time::Duration,
};

use bytes::{Bytes, BytesMut};
use reqwest::{
    StatusCode,
    header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE},
};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::{Instrument, field::Empty};

pub use budget::RetryBudget;
pub(crate) use budget::RetryKind;
use budget::TokenBucket;
pub use rate_limit::RateLimit;
use rate_limit::WriteLimiter;
pub(crate) use request::{ApiRequest, Envelope};
use request::{AttemptHeaders, build_attempt};
pub use retry::RetryPolicy;
use retry::{MAX_ATTEMPTS_CAP, StatusVerdict, classify_status, classify_transport};
use throttle::ThrottleGate;
pub use time::{AsyncSleep, SystemClock, TokioSleep, WallClock};

use crate::{
    auth::cache::TokenCache,
    error::{DecodeError, Error, GraphError, OutcomeUnknown, TransportError, excerpt},
    origin::GraphOrigin,
};

/// The most of an error response's body that is read: enough for any Graph error
/// document and an excerpt of an HTML gateway page, never the whole of a huge one.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// A response with a success status, body read in full.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) operation_hint: ApiRequestSummary,
}

/// What a response needs to say about its request in errors.
#[derive(Clone, Debug)]
pub(crate) struct ApiRequestSummary {
    pub(crate) client_request_id: HeaderValue,
    pub(crate) method: reqwest::Method,
    /// Moved from the request, not copied: only a failed decode reads it.
    pub(crate) url: url::Url,
}

impl ApiRequestSummary {
    pub(crate) fn describe(&self) -> String {
        format!("{} {}", self.method, self.url.path())
    }

    fn client_request_id(&self) -> Option<String> {
        self.client_request_id.to_str().ok().map(str::to_owned)
    }
}

impl RawResponse {
    /// Decodes the body as `T`; on failure re-reads it to name the JSON path.
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        // One UTF-8 check of the whole body, then a `str` decode, which skips serde_json's
        // check of every string it copies (a quarter of a typed page decode). A body that is
        // not UTF-8 goes through `from_slice`, which reports the error as it always did.
        let decoded = match std::str::from_utf8(&self.body) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(&self.body),
        };
        decoded.map_err(|source| {
            let mut de = serde_json::Deserializer::from_slice(&self.body);
            let path = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) => e.path().to_string(),
                Ok(_) => String::from("."),
            };
            Error::from(DecodeError {
                status: self.status,
                operation: self.operation_hint.describe(),
                path,
                body_excerpt: excerpt(&self.body),
                client_request_id: self.operation_hint.client_request_id(),
                source,
            })
        })
    }
}

/// The optional, client-wide parts of the send path, set by the client builder.
#[derive(Clone, Debug)]
pub(crate) struct Resilience {
    /// The retry budget (`None`: retries are limited by the policy alone).
    pub(crate) retry_budget: Option<RetryBudget>,
    /// The write-rate limit (`None`: off).
    pub(crate) write_rate_limit: Option<RateLimit>,
    /// How waits are done.
    pub(crate) sleep: Arc<dyn AsyncSleep>,
    /// Wall-clock time for HTTP-date hints.
    pub(crate) clock: Arc<dyn WallClock>,
}

impl Default for Resilience {
    fn default() -> Self {
        Resilience {
            retry_budget: Some(RetryBudget::standard()),
            write_rate_limit: Some(RateLimit::intune_writes()),
            sleep: Arc::new(TokioSleep),
            clock: Arc::new(SystemClock),
        }
    }
}

/// Settings and shared state of the send path, fixed when the client is built.
#[derive(Debug)]
pub(crate) struct Pipeline {
    pub(crate) http: reqwest::Client,
    pub(crate) origin: GraphOrigin,
    pub(crate) tokens: TokenCache,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    pub(crate) deadline: Option<Duration>,
    pub(crate) throttle: ThrottleGate,
    budget: Option<TokenBucket>,
    writes: Option<WriteLimiter>,
    sleep: Arc<dyn AsyncSleep>,
    clock: Arc<dyn WallClock>,
}

/// How far a call has got, readable after its future was dropped by the deadline.
#[derive(Default)]
struct Progress {
    /// The attempt being made (1 for the first).
    attempt: AtomicU32,
    /// A request is on the wire (sent, or being sent) and its response not read yet.
    in_flight: AtomicBool,
}

/// The 401 handling of one call: one forced token refresh, with the claims challenge.
#[derive(Default)]
struct AuthRetry {
    force_refresh: bool,
    refreshed: bool,
    claims: Option<String>,
}

impl Pipeline {
    pub(crate) fn new(
        http: reqwest::Client,
        origin: GraphOrigin,
        tokens: TokenCache,
        user_agent: HeaderValue,
        retry: RetryPolicy,
        max_response_bytes: usize,
        deadline: Option<Duration>,
    ) -> Self {
        Pipeline {
            http,
            origin,
            tokens,
            user_agent,
            retry,
            max_response_bytes,
            deadline,
            throttle: ThrottleGate::new(),
            budget: None,
            writes: None,
            sleep: Arc::new(TokioSleep),
            clock: Arc::new(SystemClock),
        }
        .with_resilience(Resilience::default())
    }

    /// Replaces the retry budget, the write limiter, the sleeper and the clock.
    pub(crate) fn with_resilience(mut self, resilience: Resilience) -> Self {
        self.budget = resilience.retry_budget.map(TokenBucket::new);
        self.writes = resilience.write_rate_limit.map(WriteLimiter::new);
        self.sleep = resilience.sleep;
        self.clock = resilience.clock;
        self
    }

    /// Waits `duration` through the client's sleeper.
    pub(crate) async fn sleep(&self, duration: Duration) {
        if !duration.is_zero() {
            self.sleep.sleep(duration).await;
        }
    }

    /// Sends `request` with retries; returns the success response or the classified error.
    // An `async move` block rather than an `async fn`: an async fn's future keeps its
    // by-value argument twice (as argument and as local), and the request is large.
    #[allow(clippy::manual_async_fn)]
    pub(crate) fn send(&self, request: ApiRequest) -> impl Future<Output = Result<RawResponse, Error>> + '_ {
        async move {
            self.origin.check(&request.url)?;
            let client_request_id = new_client_request_id()?;
            let span = tracing::debug_span!(
                "graph.call",
                method = %request.method,
                path = request.url.path(),
                client_request_id = client_request_id.to_str().unwrap_or_default(),
                attempts = Empty,
                status = Empty,
                request_id = Empty,
                error = Empty,
            );
            let progress = Progress::default();
            let deadline_at = self.deadline.map(|d| Instant::now() + d);
            let call =
                self.attempts(&request, &client_request_id, &progress, deadline_at).instrument(span.clone());
            let outcome = match self.deadline {
                None => call.await,
                // Boxed: the timer would otherwise widen every call's future, deadline or not.
                Some(deadline) => match Box::pin(tokio::time::timeout(deadline, call)).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(self.deadline_error(&request, &client_request_id, deadline, &progress)),
                },
            };
            span.record("attempts", progress.attempt.load(Ordering::Relaxed));
            match &outcome {
                Ok((status, _)) => {
                    span.record("status", status.as_u16());
                }
                Err(error) => {
                    if let Some(status) = error.status() {
                        span.record("status", status.as_u16());
                    }
                    if let Some(id) = error.request_id() {
                        span.record("request_id", id);
                    }
                    span.record("error", tracing::field::display(error_kind(error)));
                    tracing::debug!(parent: &span, error = %error, "call failed");
                }
            }
            let (status, body) = outcome?;
            Ok(RawResponse {
                status,
                body,
                operation_hint: ApiRequestSummary {
                    client_request_id,
                    method: request.method,
                    url: request.url,
                },
            })
        }
    }

    async fn attempts(
        &self,
        request: &ApiRequest,
        client_request_id: &HeaderValue,
        progress: &Progress,
        deadline_at: Option<Instant>,
    ) -> Result<(StatusCode, Bytes), Error> {
        let idempotent = request.is_idempotent();
        let is_write = request.counts_as_write();
        let max_attempts = self.retry.max_attempts.clamp(1, MAX_ATTEMPTS_CAP);
        let mut attempt: u32 = 1;
        // Time spent waiting for this call (backoff, hints, throttle pauses).
        let mut waited = Duration::ZERO;
        let mut delay_before = Duration::ZERO;
        let mut auth = AuthRetry::default();
        // What the last retry took from the budget, returned if the call succeeds.
        let mut last_cost: Option<u32> = None;
        // Up to where (on the throttle gate's scale) this call's own retry wait reached.
        let mut covered_to: u64 = 0;
        loop {
            progress.attempt.store(attempt, Ordering::Relaxed);
            let gate_allowance = self.retry.max_total_wait.saturating_sub(waited);
            let mut paused = self.throttle.wait(&*self.sleep, gate_allowance, covered_to).await;
            waited += paused;
            let mut limited = Duration::ZERO;
            if let (true, Some(limiter)) = (is_write, &self.writes) {
                limited = limiter.reserve(Instant::now());
                if !limited.is_zero() {
                    let covered = self.throttle.point_after(limited);
                    self.sleep(limited).await;
                    // A 429 may have paused the client while this write waited its turn.
                    let gate_allowance = self.retry.max_total_wait.saturating_sub(waited);
                    let more = self.throttle.wait(&*self.sleep, gate_allowance, covered).await;
                    waited += more;
                    paused += more;
                }
            }
            // The claims challenge is answered once; later attempts use the cached token.
            let claims = auth.claims.take();
            let authorization = self.tokens.authorization(auth.force_refresh, claims.as_deref()).await?;
            auth.force_refresh = false;
            let http_request = build_attempt(
                request,
                AttemptHeaders { authorization, client_request_id, user_agent: &self.user_agent, attempt },
            );
            let span = tracing::debug_span!(
                "graph.attempt",
                attempt,
                delay_ms = duration_ms(delay_before + paused + limited),
                throttle_wait_ms = duration_ms(paused),
                rate_limit_wait_ms = duration_ms(limited),
                status = Empty,
                request_id = Empty,
                verdict = Empty,
            );
            // The request is handed to reqwest before the first await, so this call's future
            // does not keep a copy of it across the exchange (it is large and lives in every
            // request's future, which matters with many calls in flight).
            progress.in_flight.store(!idempotent, Ordering::Relaxed);
            let pending = self.http.execute(http_request);
            let exchange = self.exchange(pending).instrument(span.clone()).await;
            progress.in_flight.store(false, Ordering::Relaxed);
            let exchange = exchange?;

            let (verdict, hint, kind, failure) = match exchange {
                Exchange::Transport { error, status } => {
                    let verdict = classify_transport(&error, idempotent);
                    let kind = if error.is_timeout() { RetryKind::Timeout } else { RetryKind::Error };
                    tracing::debug!(parent: &span, error = %error, "transport failure");
                    (verdict, None, kind, Failure::Transport { error, status })
                }
                Exchange::Response { status, headers, body } => {
                    // A 2xx is a success whatever hint it carries: no header lookups for it.
                    let hint = (!status.is_success() && retry_after::has_hint(&headers))
                        .then(|| retry_after::parse_retry_after(&headers, self.clock.now()))
                        .flatten();
                    let verdict = classify_status(status, idempotent, hint.is_some());
                    span.record("status", status.as_u16());
                    if !span.is_disabled() {
                        if let Some(id) = headers.get("request-id").and_then(|v| v.to_str().ok()) {
                            span.record("request_id", id);
                        }
                    }
                    if verdict == StatusVerdict::Success {
                        span.record("verdict", tracing::field::debug(verdict));
                        if let Some(budget) = &self.budget {
                            budget.succeeded(last_cost);
                        }
                        return Ok((status, body));
                    }
                    let throttled = status == StatusCode::TOO_MANY_REQUESTS;
                    if let (true, Some(h)) = (throttled, hint) {
                        // Every task of this client waits, whether or not this call retries.
                        if h <= self.retry.max_retry_after {
                            self.throttle.pause_for(h);
                        }
                    }
                    let kind =
                        if throttled && hint.is_some() { RetryKind::Throttled } else { RetryKind::Error };
                    (verdict, hint, kind, Failure::Status { status, headers, body })
                }
            };
            span.record("verdict", tracing::field::debug(verdict));

            if verdict == StatusVerdict::Unauthorized && !auth.refreshed {
                // One forced refresh: the cached token may have been revoked or expired early,
                // or the service asks for new claims (continuous access evaluation).
                auth.refreshed = true;
                auth.force_refresh = true;
                if let Failure::Status { headers, .. } = &failure {
                    auth.claims = headers
                        .get(WWW_AUTHENTICATE)
                        .and_then(|v| v.to_str().ok())
                        .and_then(crate::auth::challenge::parse_claims_challenge);
                }
                delay_before = Duration::ZERO;
                attempt += 1;
                continue;
            }

            if verdict == StatusVerdict::Retry {
                match self.retry_delay(attempt, max_attempts, hint, waited, deadline_at) {
                    Err(reason) => tracing::debug!(parent: &span, reason, "not retrying"),
                    Ok(delay) => match self.budget.as_ref().map_or(Some(0), |b| b.acquire(kind)) {
                        None => {
                            tracing::debug!(parent: &span, reason = "retry budget exhausted", "not retrying")
                        }
                        Some(cost) => {
                            last_cost = Some(cost);
                            tracing::debug!(parent: &span, delay_ms = duration_ms(delay), "retrying");
                            covered_to = self.throttle.point_after(delay);
                            self.sleep(delay).await;
                            waited += delay;
                            delay_before = delay;
                            attempt += 1;
                            continue;
                        }
                    },
                }
            }

            return Err(match verdict {
                StatusVerdict::OutcomeUnknown => {
                    self.unknown_outcome(request, client_request_id, attempt, failure, hint)
                }
                _ => self.final_error(request, client_request_id, attempt, failure, hint),
            });
        }
    }

    /// The wait before the next attempt, or why there is none.
    fn retry_delay(
        &self,
        attempt: u32,
        max_attempts: u32,
        hint: Option<Duration>,
        waited: Duration,
        deadline_at: Option<Instant>,
    ) -> Result<Duration, &'static str> {
        if attempt >= max_attempts {
            return Err("attempts exhausted");
        }
        if hint.is_some_and(|h| h > self.retry.max_retry_after) {
            return Err("retry hint longer than max_retry_after");
        }
        let delay = self.retry.delay(attempt + 1, hint, fastrand::f64());
        if waited.saturating_add(delay) > self.retry.max_total_wait {
            return Err("the wait would exceed max_total_wait");
        }
        if deadline_at.is_some_and(|at| Instant::now() + delay >= at) {
            return Err("the wait would pass the call's deadline");
        }
        Ok(delay)
    }

    /// The error for a call cut short by its deadline: an unknown outcome when a create
    /// was on the wire, else [`Error::DeadlineExceeded`].
    fn deadline_error(
        &self,
        request: &ApiRequest,
        client_request_id: &HeaderValue,
        deadline: Duration,
        progress: &Progress,
    ) -> Error {
        let attempts = progress.attempt.load(Ordering::Relaxed);
        if !request.is_idempotent() && progress.in_flight.load(Ordering::Relaxed) {
            let mut unknown = self.outcome_unknown(request, client_request_id, None, None, None);
            unknown.deadline = Some(deadline);
            return unknown.into();
        }
        Error::DeadlineExceeded { operation: request.describe(), deadline, attempts }
    }

    /// Awaits one attempt's response and reads its body (bounded). A transport failure,
    /// including a success body that breaks off after the status arrived, is returned for
    /// classification.
    async fn exchange(
        &self,
        pending: impl Future<Output = Result<reqwest::Response, reqwest::Error>>,
    ) -> Result<Exchange, Error> {
        let mut response = match pending.await {
            Ok(response) => response,
            Err(e) => return Ok(Exchange::Transport { error: e.without_url(), status: None }),
        };
        let status = response.status();
        // Moved out, not cloned: reading the body does not need them.
        let headers = std::mem::take(response.headers_mut());
        if status.is_success() {
            match read_body(&mut response, self.max_response_bytes).await {
                Ok(body) => Ok(Exchange::Response { status, headers, body }),
                Err(BodyFailure::TooLarge) => {
                    Err(Error::BodyTooLarge { status, limit: self.max_response_bytes })
                }
                Err(BodyFailure::Transport(e)) => {
                    Ok(Exchange::Transport { error: e.without_url(), status: Some(status) })
                }
            }
        } else {
            // An error status is the answer, whatever happens to its body: keep the status
            // with as much of the body as arrives (within a small bound).
            let body = read_error_body(&mut response, self.max_response_bytes.min(ERROR_BODY_LIMIT)).await;
            Ok(Exchange::Response { status, headers, body })
        }
    }

    fn transport_failure(
        &self,
        request: &ApiRequest,
        client_request_id: &HeaderValue,
        attempts: u32,
        source: reqwest::Error,
        status: Option<StatusCode>,
    ) -> Error {
        if !request.is_idempotent() && !source.is_connect() && !source.is_redirect() && !source.is_builder() {
            return self.unknown_outcome(
                request,
                client_request_id,
                attempts,
                Failure::Transport { error: source, status },
                None,
            );
        }
        Error::from(TransportError {
            operation: request.describe(),
            client_request_id: client_request_id.to_str().ok().map(str::to_owned),
            attempts,
            source,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn graph_error(
        &self,
        request: &ApiRequest,
        client_request_id: &HeaderValue,
        attempts: u32,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        hint: Option<Duration>,
    ) -> GraphError {
        let mut error = GraphError::from_response(
            status,
            headers,
            body,
            request.describe(),
            client_request_id.to_str().ok(),
            hint,
        );
        error.attempts = attempts;
        error
    }

    fn final_error(
        &self,
        request: &ApiRequest,
        client_request_id: &HeaderValue,
        attempts: u32,
        failure: Failure,
        hint: Option<Duration>,
    ) -> Error {
        match failure {
            Failure::Transport { error, status } => {
                self.transport_failure(request, client_request_id, attempts, error, status)
            }
            Failure::Status { status, headers, body } => {
                self.graph_error(request, client_request_id, attempts, status, &headers, &body, hint).into()
            }
        }
    }

    fn unknown_outcome(
        &self,
        request: &ApiRequest,
        client_request_id: &HeaderValue,
        attempts: u32,
        failure: Failure,
        hint: Option<Duration>,
    ) -> Error {
        let unknown = match failure {
            Failure::Transport { error, status } => {
                self.outcome_unknown(request, client_request_id, status, None, Some(error))
            }
            Failure::Status { status, headers, body } => {
                let graph =
                    self.graph_error(request, client_request_id, attempts, status, &headers, &body, hint);
                self.outcome_unknown(request, client_request_id, Some(status), Some(Box::new(graph)), None)
            }
        };
        unknown.into()
    }

    fn outcome_unknown(
        &self,
        request: &ApiRequest,
        client_request_id: &HeaderValue,
        status: Option<StatusCode>,
        graph_error: Option<Box<GraphError>>,
        transport: Option<reqwest::Error>,
    ) -> OutcomeUnknown {
        OutcomeUnknown {
            operation: request.describe(),
            client_request_id: client_request_id.to_str().unwrap_or_default().to_owned(),
            body: request.body.clone().unwrap_or_default(),
            status,
            graph_error,
            transport,
            deadline: None,
        }
    }
}

enum Exchange {
    /// No usable response: nothing arrived, or a success body broke off (`status` then
    /// says which status had arrived).
    Transport {
        error: reqwest::Error,
        status: Option<StatusCode>,
    },
    Response {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
}

enum Failure {
    Transport { error: reqwest::Error, status: Option<StatusCode> },
    Status { status: StatusCode, headers: HeaderMap, body: Bytes },
}

enum BodyFailure {
    TooLarge,
    Transport(reqwest::Error),
}

/// The largest buffer `read_body` reserves up front from a `Content-Length`.
const PRESIZE_LIMIT: usize = 4 * 1024 * 1024;

/// Reads a success body in full, refusing one larger than `limit`.
async fn read_body(response: &mut reqwest::Response, limit: usize) -> Result<Bytes, BodyFailure> {
    let length = response.content_length();
    if length.is_some_and(|length| length > limit as u64) {
        return Err(BodyFailure::TooLarge);
    }
    // A small body usually arrives as one chunk: it is kept as it is, without a copy. Only a
    // second chunk starts a buffer, sized from `Content-Length` when there is one.
    let mut first: Option<Bytes> = None;
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyFailure::Transport)? {
        let read = first.as_ref().map_or(body.len(), Bytes::len);
        if read + chunk.len() > limit {
            return Err(BodyFailure::TooLarge);
        }
        if body.is_empty() && first.is_none() {
            first = Some(chunk);
            continue;
        }
        if let Some(first) = first.take() {
            // Trust `Content-Length` (already at most `limit`) for the first few MiB only.
            let expected = length.unwrap_or(0).min(PRESIZE_LIMIT as u64) as usize;
            body.reserve(expected.max(first.len() + chunk.len()));
            body.extend_from_slice(&first);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(first.unwrap_or_else(|| body.freeze()))
}

/// Reads at most `limit` bytes of an error body; a body that breaks off or runs longer is
/// cut where it stopped.
async fn read_error_body(response: &mut reqwest::Response, limit: usize) -> Bytes {
    let mut body = BytesMut::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = limit - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    body.freeze()
}

/// A new `client-request-id`: a random (version 4) UUID. Its bits come from the thread's
/// fast generator rather than the OS (`Uuid::new_v4` makes a `getrandom` syscall per call):
/// the id only has to be unique, not unpredictable.
fn new_client_request_id() -> Result<HeaderValue, Error> {
    let id = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    HeaderValue::from_str(id.hyphenated().encode_lower(&mut text)).map_err(|e| Error::Config(e.to_string()))
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A short, stable name of the error kind for the `error` field of the call span.
fn error_kind(error: &Error) -> &'static str {
    match error {
        Error::Graph(_) => "graph",
        Error::Validation(_) => "validation",
        Error::Decode(_) => "decode",
        Error::Transport(e) if e.is_timeout() => "timeout",
        Error::Transport(e) if e.is_connect() => "connect",
        Error::Transport(_) => "transport",
        Error::OutcomeUnknown(_) => "outcome_unknown",
        Error::Auth(_) => "auth",
        Error::Origin(_) => "origin",
        Error::DeadlineExceeded { .. } => "deadline",
        Error::BodyTooLarge { .. } => "body_too_large",
        _ => "other",
    }
}
