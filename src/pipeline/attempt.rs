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
    Deadline, Pipeline, Progress,
    decision::{Decision, Judged, RETRY_TARGET, Tries, duration_ms},
    failure::{ErrorContext, Failure},
    request::{ApiRequest, AttemptHeaders, build_attempt},
    response::{Decoded, Exchange, ReadBody, exchange},
    retry::StatusVerdict,
};
use crate::{error::Error, redact::Redactor};

/// One call, as its attempts see it.
pub(super) struct Call<'a> {
    pub(super) request: &'a ApiRequest,
    pub(super) client_request_id: &'a HeaderValue,
    pub(super) progress: &'a Progress,
    pub(super) deadline: Option<Deadline>,
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
    /// Attempts, waits, timeouts, the refresh made: what the retry decision reads.
    tries: Tries,
    /// The retry wait before this attempt.
    delay_before: Duration,
    /// The 401 handling: one forced refresh, with the claims challenge.
    force_refresh: bool,
    claims: Option<String>,
    /// Up to where (on the throttle gate's scale) this call's own retry wait reached.
    covered_to: u64,
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
    judged: Judged,
    failure: Failure,
}

/// How an attempt ended.
enum Attempted {
    /// The call's answer.
    Answered(Answer),
    /// A failure to decide on.
    Failed(Failed),
}

impl Pipeline {
    /// Makes attempts until one succeeds or the retry decision says stop.
    pub(super) async fn attempts(&self, call: &Call<'_>) -> Result<Answer, Error> {
        let mut state = AttemptState::new();
        loop {
            call.progress.attempt.store(state.tries.attempt, Ordering::Relaxed);
            let Some(waits) = self.wait_turn(call, &state).await else {
                // The write limiter's wait would pass the deadline: not sent, nothing happened.
                let deadline = call.deadline.map(|d| d.limit).unwrap_or_default();
                let attempts = state.tries.attempt - 1;
                return Err(Error::DeadlineExceeded {
                    operation: call.request.describe(),
                    deadline,
                    attempts,
                });
            };
            state.tries.waited += waits.paused;
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
            match self.next(call, &mut state, &failed, &span).await {
                None => continue,
                Some(reason) => tracing::debug!(parent: &span, reason, "not retrying"),
            }
            let redactor = self.redactor_for(&state);
            let context = ErrorContext {
                request: call.request,
                client_request_id: call.client_request_id,
                attempts: state.tries.attempt,
                timeouts: state.tries.timeouts,
                redactor: &redactor,
            };
            return Err(context.error(failed.failure, failed.judged.verdict, failed.judged.hint));
        }
    }

    /// Waits for the client-wide throttle pause and, for a write, for the write limiter
    /// (one slot per write the request carries); `None` when the limiter's wait would
    /// pass the call's deadline (the request is then not sent).
    async fn wait_turn(&self, call: &Call<'_>, state: &AttemptState) -> Option<Waits> {
        let allowance = |waited: Duration| self.retry.max_total_wait.saturating_sub(waited);
        let waited = state.tries.waited;
        let mut waits = Waits {
            paused: self.throttle.wait(&*self.sleep, allowance(waited), state.covered_to).await,
            ..Waits::default()
        };
        let slots = call.request.write_slots;
        if let (true, Some(limiter)) = (slots > 0, &self.writes) {
            let now = Instant::now();
            waits.limited = (0..slots).map(|_| limiter.reserve(now)).max().unwrap_or_default();
            if call.deadline.is_some_and(|d| d.reached_after(waits.limited)) {
                return None;
            }
            if !waits.limited.is_zero() {
                let covered = self.throttle.point_after(waits.limited);
                self.sleep(waits.limited).await;
                // A 429 may have paused the client while this write waited its turn.
                let more = self.throttle.wait(&*self.sleep, allowance(waited + waits.paused), covered).await;
                waits.paused += more;
            }
        }
        Some(waits)
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
            attempt: state.tries.attempt,
        };
        let http_request = build_attempt(call.request, headers);
        // The request is handed to reqwest before the first await, so this call's future
        // does not keep a copy of it across the exchange (it is large and lives in every
        // request's future, which matters with many calls in flight).
        call.progress.in_flight.store(!call.request.is_repeatable(), Ordering::Relaxed);
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
                return transport_failed(call, error, status, span);
            }
            Exchange::Response { status, headers, body } => (status, headers, body),
        };
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
                return Attempted::Failed(Failed { judged: Judged::broken_body(), failure });
            }
        };
        let mut judged = self.judge(status, &headers, call.request.is_repeatable());
        if let Some(verdict) = verdict {
            judged.verdict = verdict;
        }
        span.record("verdict", tracing::field::debug(judged.verdict));
        if judged.verdict == StatusVerdict::Success {
            self.succeeded(&state.tries);
            let authorization = state.authorization.take();
            return Attempted::Answered(Answer { status, headers, body, decoded, authorization });
        }
        Attempted::Failed(Failed { judged, failure: Failure::Status { status, headers, body } })
    }

    /// Decides whether to make another attempt, and waits for it; `Some(reason)` when
    /// there is none.
    async fn next(
        &self,
        call: &Call<'_>,
        state: &mut AttemptState,
        failed: &Failed,
        span: &Span,
    ) -> Option<&'static str> {
        let report = || (call.request.describe(), failed.failure.describe());
        match self.decide(&mut state.tries, &failed.judged, call.deadline.map(|d| d.at), report) {
            Decision::Refresh => {
                state.force_refresh = true;
                if let Failure::Status { headers, .. } = &failed.failure {
                    state.claims = headers
                        .get(WWW_AUTHENTICATE)
                        .and_then(|v| v.to_str().ok())
                        .and_then(crate::auth::challenge::parse_claims_challenge);
                }
                state.delay_before = Duration::ZERO;
                None
            }
            Decision::Retry(delay) => {
                tracing::debug!(parent: span, delay_ms = duration_ms(delay), "retrying");
                state.covered_to = self.throttle.point_after(delay);
                self.sleep(delay).await;
                state.delay_before = delay;
                None
            }
            Decision::Stop(reason) => Some(reason),
        }
    }

    /// Removes the token sent on the current attempt and the credential's secrets.
    fn redactor_for(&self, state: &AttemptState) -> Redactor {
        match &state.authorization {
            Some(authorization) => self.redactor.with_authorization(authorization),
            None => self.redactor.clone(),
        }
    }
}

impl AttemptState {
    fn new() -> Self {
        AttemptState {
            tries: Tries::new(),
            delay_before: Duration::ZERO,
            force_refresh: false,
            claims: None,
            covered_to: 0,
            authorization: None,
        }
    }
}

/// A transport failure, counted when it timed out.
fn transport_failed(
    call: &Call<'_>,
    error: reqwest::Error,
    status: Option<StatusCode>,
    span: &Span,
) -> Attempted {
    let judged = Judged::transport(&error, call.request.is_repeatable());
    tracing::debug!(parent: span, error = %error, "transport failure");
    span.record("verdict", tracing::field::debug(judged.verdict));
    Attempted::Failed(Failed { judged, failure: Failure::Transport { error, status } })
}

/// What the status alone does not say: a repeatable request (a read, a PUT, PATCH or
/// DELETE, an `assign`) whose success body is not JSON (`Err`: it is repeated like a
/// broken connection; a create never is), and a DELETE that finds the object gone after an
/// attempt with an unknown outcome (`Some(Success)`: that attempt deleted it).
/// `Ok((None, _))`: the status decides. A read's body comes back decoded when its request
/// has a reader.
fn second_look(
    call: &Call<'_>,
    state: &AttemptState,
    status: StatusCode,
    body: &Bytes,
    span: &Span,
) -> Result<(Option<StatusVerdict>, Option<Decoded>), serde_json::Error> {
    let method = &call.request.method;
    if status.is_success() && call.request.is_repeatable() {
        return match read_success_body(call.request.read, body) {
            Ok(decoded) => Ok((None, decoded)),
            Err(error) => {
                tracing::debug!(parent: span, error = %error, "the success body is not JSON");
                Err(error)
            }
        };
    }
    if status == StatusCode::NOT_FOUND && *method == Method::DELETE && state.tries.may_have_happened {
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
        attempt = state.tries.attempt,
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
