//! The attempts of one call: per attempt (throttle pause, write limiter, token, send,
//! read, classify), then between attempts (the retry decision and the wait).

use std::{sync::atomic::Ordering, time::Duration};

use bytes::Bytes;
use reqwest::{
    Method, StatusCode,
    header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE},
};
use tokio::time::Instant;
use tracing::{Instrument, Span, field::Empty};

use super::{
    Pipeline, Progress,
    budget::RetryKind,
    failure::{ErrorContext, Failure},
    request::{ApiRequest, AttemptHeaders, build_attempt},
    response::{Decoded, Exchange, ReadBody, exchange},
    retry::{MAX_ATTEMPTS_CAP, StatusVerdict, classify_status, classify_transport},
    retry_after,
};
use crate::{error::Error, redact::Redactor};

/// The tracing target of the retry reports (one event per retry, at `INFO`).
pub(super) const RETRY_TARGET: &str = "intune_graph::retry";

/// One call, as its attempts see it.
pub(super) struct Call<'a> {
    pub(super) request: &'a ApiRequest,
    pub(super) client_request_id: &'a HeaderValue,
    pub(super) progress: &'a Progress,
    pub(super) deadline_at: Option<Instant>,
}

impl Call<'_> {
    fn is_write(&self) -> bool {
        self.request.counts_as_write()
    }
}

/// A success answer, with the token it was sent with (to redact decode errors).
pub(super) struct Answer {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
    /// The body decoded by the request's reader, when it has one and the body decoded.
    pub(super) decoded: Option<Decoded>,
    pub(super) authorization: Option<HeaderValue>,
}

/// Where a call stands between attempts.
struct AttemptState {
    /// The attempt being made (1 for the first).
    attempt: u32,
    /// Time spent waiting for this call (backoff, hints, throttle pauses).
    waited: Duration,
    /// The retry wait before this attempt.
    delay_before: Duration,
    /// The 401 handling: one forced refresh, with the claims challenge.
    force_refresh: bool,
    refreshed: bool,
    claims: Option<String>,
    /// What the last retry took from the budget, returned if the call succeeds.
    last_cost: Option<u32>,
    /// Up to where (on the throttle gate's scale) this call's own retry wait reached.
    covered_to: u64,
    /// Attempts that timed out.
    timeouts: u32,
    /// An earlier attempt may have been carried out (a 504, a reset, a timeout).
    may_have_happened: bool,
    /// The `Authorization` sent on the current attempt.
    authorization: Option<HeaderValue>,
}

/// The waits before one attempt.
#[derive(Default)]
struct Waits {
    /// The client-wide throttle pause.
    paused: Duration,
    /// The write-rate limiter.
    limited: Duration,
}

/// How an attempt that did not succeed ended.
struct Failed {
    verdict: StatusVerdict,
    hint: Option<Duration>,
    kind: RetryKind,
    failure: Failure,
}

/// How an attempt ended.
enum Attempted {
    /// The call's answer.
    Answered(Answer),
    /// A failure to decide on.
    Failed(Failed),
}

/// What the call does after a failed attempt.
enum Next {
    Attempt,
    Stop(&'static str),
}

impl Pipeline {
    /// Makes attempts until one succeeds or the retry decision says stop.
    pub(super) async fn attempts(&self, call: &Call<'_>) -> Result<Answer, Error> {
        let max_attempts = self.retry.max_attempts.clamp(1, MAX_ATTEMPTS_CAP);
        let mut state = AttemptState::new();
        loop {
            call.progress.attempt.store(state.attempt, Ordering::Relaxed);
            let waits = self.wait_turn(call, &state).await;
            state.waited += waits.paused;
            let claims = state.claims.take();
            let authorization = self.tokens.authorization(state.force_refresh, claims.as_deref()).await?;
            state.force_refresh = false;
            state.authorization = Some(authorization.clone());
            let span = attempt_span(&state, &waits);
            let exchange = self.send_attempt(call, &state, authorization, &span).await?;
            let failed = match self.classify(call, &mut state, exchange, &span) {
                Attempted::Answered(answer) => return Ok(answer),
                Attempted::Failed(failed) => failed,
            };
            match self.next(call, &mut state, &failed, max_attempts, &span).await {
                Next::Attempt => continue,
                Next::Stop(reason) => tracing::debug!(parent: &span, reason, "not retrying"),
            }
            let redactor = self.redactor_for(&state);
            let context = ErrorContext {
                request: call.request,
                client_request_id: call.client_request_id,
                attempts: state.attempt,
                timeouts: state.timeouts,
                redactor: &redactor,
            };
            return Err(context.error(failed.failure, failed.verdict, failed.hint));
        }
    }

    /// Waits for the client-wide throttle pause and, for a write, for the write limiter.
    async fn wait_turn(&self, call: &Call<'_>, state: &AttemptState) -> Waits {
        let allowance = |waited: Duration| self.retry.max_total_wait.saturating_sub(waited);
        let mut waits = Waits {
            paused: self.throttle.wait(&*self.sleep, allowance(state.waited), state.covered_to).await,
            ..Waits::default()
        };
        if let (true, Some(limiter)) = (call.is_write(), &self.writes) {
            waits.limited = limiter.reserve(Instant::now());
            if !waits.limited.is_zero() {
                let covered = self.throttle.point_after(waits.limited);
                self.sleep(waits.limited).await;
                // A 429 may have paused the client while this write waited its turn.
                let more =
                    self.throttle.wait(&*self.sleep, allowance(state.waited + waits.paused), covered).await;
                waits.paused += more;
            }
        }
        waits
    }

    /// Sends one attempt and reads its answer.
    async fn send_attempt(
        &self,
        call: &Call<'_>,
        state: &AttemptState,
        authorization: HeaderValue,
        span: &Span,
    ) -> Result<Exchange, Error> {
        let headers = AttemptHeaders {
            authorization,
            client_request_id: call.client_request_id,
            user_agent: &self.user_agent,
            attempt: state.attempt,
        };
        let http_request = build_attempt(call.request, headers);
        // The request is handed to reqwest before the first await, so this call's future
        // does not keep a copy of it across the exchange (it is large and lives in every
        // request's future, which matters with many calls in flight).
        call.progress.in_flight.store(!call.request.is_idempotent(), Ordering::Relaxed);
        let pending = self.http.execute(http_request);
        let exchange = exchange(pending, self.max_response_bytes).instrument(span.clone()).await;
        call.progress.in_flight.store(false, Ordering::Relaxed);
        exchange
    }

    /// Turns an attempt's exchange into the call's answer, or into a failure to decide on.
    fn classify(
        &self,
        call: &Call<'_>,
        state: &mut AttemptState,
        exchange: Exchange,
        span: &Span,
    ) -> Attempted {
        let (status, headers, body) = match exchange {
            Exchange::Transport { error, status } => {
                return transport_failed(call, state, error, status, span);
            }
            Exchange::Response { status, headers, body } => (status, headers, body),
        };
        // A 2xx is a success whatever hint it carries: no header lookups for it.
        let hint = (!status.is_success() && retry_after::has_hint(&headers))
            .then(|| retry_after::parse_retry_after(&headers, self.clock.now()))
            .flatten();
        span.record("status", status.as_u16());
        if !span.is_disabled() {
            if let Some(id) = headers.get("request-id").and_then(|v| v.to_str().ok()) {
                span.record("request_id", self.redactor_for(state).text(id).as_ref());
            }
        }
        let (verdict, decoded) = match second_look(call, state, status, &body, span) {
            Ok(looked) => looked,
            Err(error) => {
                span.record("verdict", tracing::field::debug(StatusVerdict::Retry));
                let failure = Failure::Undecodable { status, body, error };
                let (verdict, kind) = (StatusVerdict::Retry, RetryKind::Error);
                return Attempted::Failed(Failed { verdict, hint: None, kind, failure });
            }
        };
        let verdict =
            verdict.unwrap_or_else(|| classify_status(status, call.request.is_idempotent(), hint.is_some()));
        span.record("verdict", tracing::field::debug(verdict));
        if verdict == StatusVerdict::Success {
            if let Some(budget) = &self.budget {
                budget.succeeded(state.last_cost);
            }
            let authorization = state.authorization.take();
            return Attempted::Answered(Answer { status, headers, body, decoded, authorization });
        }
        let throttled = status == StatusCode::TOO_MANY_REQUESTS;
        if let (true, Some(h)) = (throttled, hint) {
            // Every task of this client waits, whether or not this call retries.
            if h <= self.retry.max_retry_after {
                self.throttle.pause_for(h);
            }
        }
        let kind = if throttled && hint.is_some() { RetryKind::Throttled } else { RetryKind::Error };
        Attempted::Failed(Failed { verdict, hint, kind, failure: Failure::Status { status, headers, body } })
    }

    /// Decides whether to make another attempt, and waits for it.
    async fn next(
        &self,
        call: &Call<'_>,
        state: &mut AttemptState,
        failed: &Failed,
        max_attempts: u32,
        span: &Span,
    ) -> Next {
        if failed.verdict == StatusVerdict::Unauthorized && !state.refreshed {
            // One forced refresh: the cached token may have been revoked or expired early,
            // or the service asks for new claims (continuous access evaluation).
            state.refreshed = true;
            state.force_refresh = true;
            if let Failure::Status { headers, .. } = &failed.failure {
                state.claims = headers
                    .get(WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(crate::auth::challenge::parse_claims_challenge);
            }
            state.delay_before = Duration::ZERO;
            state.attempt += 1;
            return Next::Attempt;
        }
        if failed.verdict != StatusVerdict::Retry {
            return Next::Stop("not retryable");
        }
        if failed.failure.is_timeout() && state.timeouts > self.retry.max_timeout_retries {
            return Next::Stop("timed-out attempts exhausted");
        }
        let delay = match self.retry_delay(
            state.attempt,
            max_attempts,
            failed.hint,
            state.waited,
            call.deadline_at,
        ) {
            Ok(delay) => delay,
            Err(reason) => return Next::Stop(reason),
        };
        let Some(cost) = self.budget.as_ref().map_or(Some(0), |b| b.acquire(failed.kind)) else {
            return Next::Stop("retry budget exhausted");
        };
        state.last_cost = Some(cost);
        state.may_have_happened |= failed.failure.may_have_happened();
        tracing::debug!(parent: span, delay_ms = duration_ms(delay), "retrying");
        report_retry(call.request, &failed.failure, state.attempt + 1, max_attempts, delay);
        state.covered_to = self.throttle.point_after(delay);
        self.sleep(delay).await;
        state.waited += delay;
        state.delay_before = delay;
        state.attempt += 1;
        Next::Attempt
    }

    /// Removes the token sent on the current attempt and the credential's secrets.
    fn redactor_for(&self, state: &AttemptState) -> Redactor {
        match &state.authorization {
            Some(authorization) => self.redactor.with_authorization(authorization),
            None => self.redactor.clone(),
        }
    }

    /// The wait before the next attempt, or why there is none.
    pub(super) fn retry_delay(
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
}

impl AttemptState {
    fn new() -> Self {
        AttemptState {
            attempt: 1,
            waited: Duration::ZERO,
            delay_before: Duration::ZERO,
            force_refresh: false,
            refreshed: false,
            claims: None,
            last_cost: None,
            covered_to: 0,
            timeouts: 0,
            may_have_happened: false,
            authorization: None,
        }
    }
}

/// A transport failure, counted when it timed out.
fn transport_failed(
    call: &Call<'_>,
    state: &mut AttemptState,
    error: reqwest::Error,
    status: Option<StatusCode>,
    span: &Span,
) -> Attempted {
    let verdict = classify_transport(&error, call.request.is_idempotent());
    let kind = if error.is_timeout() { RetryKind::Timeout } else { RetryKind::Error };
    state.timeouts += u32::from(error.is_timeout());
    tracing::debug!(parent: span, error = %error, "transport failure");
    span.record("verdict", tracing::field::debug(verdict));
    Attempted::Failed(Failed { verdict, hint: None, kind, failure: Failure::Transport { error, status } })
}

/// What the status alone does not say: a read whose success body is not JSON (`Err`: it
/// is repeated like a broken connection; a write never is), and a DELETE that finds the
/// object gone after an attempt with an unknown outcome (`Some(Success)`: that attempt
/// deleted it). `Ok((None, _))`: the status decides. A read's body comes back decoded
/// when its request has a reader.
fn second_look(
    call: &Call<'_>,
    state: &AttemptState,
    status: StatusCode,
    body: &Bytes,
    span: &Span,
) -> Result<(Option<StatusVerdict>, Option<Decoded>), serde_json::Error> {
    let method = &call.request.method;
    if status.is_success() && *method == Method::GET {
        return match read_success_body(call.request.read, body) {
            Ok(decoded) => Ok((None, decoded)),
            Err(error) => {
                tracing::debug!(parent: span, error = %error, "the success body is not JSON");
                Err(error)
            }
        };
    }
    if status == StatusCode::NOT_FOUND && *method == Method::DELETE && state.may_have_happened {
        tracing::info!(
            target: RETRY_TARGET,
            parent: None,
            "{}: already gone after retry (an earlier attempt's outcome was unknown; it had deleted it)",
            call.request.describe()
        );
        return Ok((Some(StatusVerdict::Success), None));
    }
    Ok((None, None))
}

/// A read's success body: decoded by `read` when the request has one, else only checked
/// to be JSON. `Err` when it is not JSON. A body that is JSON but not of the expected
/// shape is answered undecoded (retrying cannot change it; the caller's decode names the
/// path), unless it is also broken further on.
fn read_success_body(read: Option<ReadBody>, body: &Bytes) -> Result<Option<Decoded>, serde_json::Error> {
    let Some(read) = read else { return check_json(body).map(|()| None) };
    // "No content": not for the reader, and not a reason to retry.
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    match read(body) {
        Ok(decoded) => Ok(Some(decoded)),
        // The typed decode stops at the first value of the wrong shape, before the end.
        Err(error) if error.classify() == serde_json::error::Category::Data => {
            check_json(body).map(|()| None)
        }
        Err(error) => Err(error),
    }
}

/// The `graph.attempt` span.
fn attempt_span(state: &AttemptState, waits: &Waits) -> Span {
    tracing::debug_span!(
        "graph.attempt",
        attempt = state.attempt,
        delay_ms = duration_ms(state.delay_before + waits.paused + waits.limited),
        throttle_wait_ms = duration_ms(waits.paused),
        rate_limit_wait_ms = duration_ms(waits.limited),
        status = Empty,
        request_id = Empty,
        verdict = Empty,
    )
}

/// Checks that a success body is JSON (an empty body is a valid "no content").
fn check_json(body: &Bytes) -> Result<(), serde_json::Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    serde_json::from_slice::<serde::de::IgnoredAny>(body).map(drop)
}

/// Reports a retry as it happens: what failed, which attempt comes, and the wait. A root
/// event (no span), so a plain subscriber prints just the sentence; the fields `throttled`
/// (the service answered 429) and `wait_ms` let a program show throttle waits without
/// reading the sentence.
fn report_retry(request: &ApiRequest, failure: &Failure, next: u32, max: u32, delay: Duration) {
    let retry = Retry { next, max, delay, throttled: failure.is_throttled() };
    retry.report(&request.describe(), &failure.describe());
}

/// A retry about to be made, as reported; `$batch` steps report theirs the same way.
pub(super) struct Retry {
    /// The attempt that comes (2 for the first retry) and the most there may be.
    pub(super) next: u32,
    pub(super) max: u32,
    /// The wait before it.
    pub(super) delay: Duration,
    /// The service answered 429.
    pub(super) throttled: bool,
}

impl Retry {
    /// Reports the retry of `what` (e.g. `GET /path`) after `failed` (e.g. `HTTP 503`).
    pub(super) fn report(&self, what: &str, failed: &str) {
        tracing::info!(
            target: RETRY_TARGET,
            parent: None,
            throttled = self.throttled,
            wait_ms = duration_ms(self.delay),
            "{what}: {failed}; retrying (attempt {} of {}) in {:.1}s",
            self.next,
            self.max,
            self.delay.as_secs_f64()
        );
    }
}

pub(super) fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
