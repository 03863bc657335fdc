//! The one send path every call goes through, in this fixed order:
//!
//! 1. **per call** (here): origin check, a fresh `client-request-id` (kept for every
//!    attempt), the `graph.call` span, the call's deadline;
//! 2. **per attempt** (`attempt`): the client-wide throttle pause, the write-rate limiter
//!    (writes only), a token from the cache, the `graph.attempt` span, send, read the body
//!    (bounded, `response`), classify (a repeatable request whose success body is not
//!    JSON, and a DELETE finding the object gone after an unknown outcome, get a second
//!    look; a GET sent with a `BodyReader` has its body decoded there, once, rather than
//!    checked and decoded again by the caller);
//! 3. **between attempts** (`decision`): the retry decision (policy, hint, timed-out
//!    attempts, total wait, deadline, retry budget), a report on the `intune_graph::retry`
//!    tracing target, and the wait, through the injected [`AsyncSleep`]. Whether a request
//!    may be repeated is the request's own property ([`Repeat`], declared where it is
//!    built); the same decision serves callers that schedule their own attempts (the
//!    steps of a `$batch`).
//!
//! The last failure becomes the call's error in one place (`failure`), where what the
//! server sent is cleaned of the token and the credential's secrets. Resource handles build
//! an [`ApiRequest`]; this module owns everything after.

mod attempt;
mod budget;
mod decision;
mod failure;
mod rate_limit;
mod request;
mod response;
pub(crate) mod retry;
pub(crate) mod retry_after;
mod throttle;

#[cfg(test)]
mod fuzz_tests;

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU32, Ordering},
    },
    time::Duration,
};

use reqwest::header::HeaderValue;
use tokio::time::Instant;
use tracing::{Instrument, field::Empty};

use attempt::{Answer, Call};
pub use budget::RetryBudget;
use budget::TokenBucket;
pub(crate) use decision::{Decision, Judged, Tries};
use failure::ErrorContext;
pub use rate_limit::RateLimit;
use rate_limit::WriteLimiter;
pub(crate) use request::{ApiRequest, Repeat, is_write_method};
pub(crate) use response::{ApiRequestSummary, BodyReader, RawResponse};
pub use retry::RetryPolicy;
use throttle::ThrottleGate;

pub use crate::time::{AsyncSleep, SystemClock, TokioSleep, WallClock};
use crate::{auth::cache::TokenCache, error::Error, origin::GraphOrigin, redact::Redactor};

/// The optional, client-wide parts of the send path, set by the client builder.
#[derive(Clone, Debug)]
pub(crate) struct Resilience {
    /// The retry strategy.
    pub(crate) retry: RetryPolicy,
    /// Time limit of a whole call (`None`: bounded by the retry policy).
    pub(crate) deadline: Option<Duration>,
    /// Largest response body read.
    pub(crate) max_response_bytes: usize,
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
            retry: RetryPolicy::default(),
            deadline: None,
            max_response_bytes: 64 * 1024 * 1024,
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
    /// Removes the credential's secrets (and the token sent) from errors.
    redactor: Redactor,
}

/// A deadline: the instant it passes, and the configured limit it came from (for errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Deadline {
    pub(crate) at: Instant,
    pub(crate) limit: Duration,
}

impl Deadline {
    /// `limit` from now.
    pub(crate) fn from_now(limit: Duration) -> Self {
        Deadline { at: Instant::now() + limit, limit }
    }

    /// Whether a wait of `delay` from now would reach the deadline.
    pub(crate) fn reached_after(&self, delay: Duration) -> bool {
        Instant::now() + delay >= self.at
    }
}

/// How far a call has got, readable after its future was dropped by the deadline.
#[derive(Default)]
struct Progress {
    /// The attempt being made (1 for the first).
    attempt: AtomicU32,
    /// A request is on the wire (sent, or being sent) and its response not read yet.
    in_flight: AtomicBool,
}

impl Pipeline {
    pub(crate) fn new(
        http: reqwest::Client,
        origin: GraphOrigin,
        tokens: TokenCache,
        user_agent: HeaderValue,
        resilience: Resilience,
    ) -> Self {
        Pipeline {
            http,
            origin,
            user_agent,
            retry: resilience.retry,
            max_response_bytes: resilience.max_response_bytes,
            deadline: resilience.deadline,
            throttle: ThrottleGate::new(),
            budget: resilience.retry_budget.map(TokenBucket::new),
            writes: resilience.write_rate_limit.map(WriteLimiter::new),
            sleep: resilience.sleep,
            clock: resilience.clock,
            redactor: Redactor::new(tokens.secrets()),
            tokens,
        }
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
        self.send_until(request, self.deadline.map(Deadline::from_now))
    }

    /// Like [`send`](Self::send), bounded by `deadline` rather than a fresh one: a `$batch`
    /// sends its envelopes under the one deadline of the whole batch.
    #[allow(clippy::manual_async_fn)]
    pub(crate) fn send_until(
        &self,
        request: ApiRequest,
        deadline: Option<Deadline>,
    ) -> impl Future<Output = Result<RawResponse, Error>> + '_ {
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
            let call = Call {
                request: &request,
                client_request_id: &client_request_id,
                progress: &progress,
                deadline,
            };
            let attempts = self.attempts(&call).instrument(span.clone());
            let outcome = match deadline {
                None => attempts.await,
                // Boxed: the timer would otherwise widen every call's future, deadline or not.
                Some(deadline) => match Box::pin(tokio::time::timeout_at(deadline.at, attempts)).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(self.deadline_error(&call, deadline.limit)),
                },
            };
            record_call(&span, &progress, &outcome);
            let answer = outcome?;
            let redactor = match &answer.authorization {
                Some(authorization) => self.redactor.with_authorization(authorization),
                None => self.redactor.clone(),
            };
            Ok(RawResponse {
                status: answer.status,
                body: answer.body,
                decoded: answer.decoded,
                operation_hint: ApiRequestSummary {
                    client_request_id,
                    method: request.method,
                    url: request.url,
                    sent_body: request.body,
                    headers: answer.headers,
                    redactor,
                },
            })
        }
    }

    /// The error for a call cut short by its deadline: an unknown outcome when a create
    /// was on the wire, else [`Error::DeadlineExceeded`].
    fn deadline_error(&self, call: &Call<'_>, deadline: Duration) -> Error {
        let attempts = call.progress.attempt.load(Ordering::Relaxed);
        if !call.request.is_repeatable() && call.progress.in_flight.load(Ordering::Relaxed) {
            let context = ErrorContext {
                request: call.request,
                client_request_id: call.client_request_id,
                attempts,
                timeouts: 0,
                redactor: &self.redactor,
            };
            let mut unknown = context.outcome_unknown(None, None, None);
            unknown.deadline = Some(deadline);
            return unknown.into();
        }
        Error::DeadlineExceeded { operation: call.request.describe(), deadline, attempts }
    }
}

/// Records how the call ended on its span.
fn record_call(span: &tracing::Span, progress: &Progress, outcome: &Result<Answer, Error>) {
    span.record("attempts", progress.attempt.load(Ordering::Relaxed));
    match outcome {
        Ok(answer) => {
            span.record("status", answer.status.as_u16());
        }
        Err(error) => {
            if let Some(status) = error.status() {
                span.record("status", status.as_u16());
            }
            if let Some(id) = error.request_id() {
                span.record("request_id", id);
            }
            span.record("error", tracing::field::display(error_kind(error)));
            tracing::debug!(parent: span, error = %error, "call failed");
        }
    }
}

/// A new `client-request-id`: a random (version 4) UUID. Its bits come from the thread's
/// fast generator rather than the OS (`Uuid::new_v4` makes a `getrandom` syscall per call):
/// the id only has to be unique, not unpredictable.
fn new_client_request_id() -> Result<HeaderValue, Error> {
    let id = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    HeaderValue::from_str(id.hyphenated().encode_lower(&mut text)).map_err(|e| Error::Config(e.to_string()))
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
        Error::CreatedUnreadable(_) => "created_unreadable",
        Error::Auth(_) => "auth",
        Error::Origin(_) => "origin",
        Error::DeadlineExceeded { .. } => "deadline",
        Error::BodyTooLarge { .. } => "body_too_large",
        _ => "other",
    }
}
