//! The one retry decision: what a failed attempt leads to (a fresh token, another attempt
//! after a wait, or the end), for a single call and for a step of a batch alike. The
//! caller says what failed ([`Judged`]) and where the request stands ([`Tries`]); it
//! carries the decision out (a call sleeps, a batch schedules the step).

use std::time::Duration;

use reqwest::{StatusCode, header::HeaderMap};
use tokio::time::Instant;

use super::{
    Pipeline,
    budget::RetryKind,
    retry::{MAX_ATTEMPTS_CAP, StatusVerdict, classify_status, classify_transport},
    retry_after,
};

/// The tracing target of the retry reports (one event per retry, at `INFO`).
pub(crate) const RETRY_TARGET: &str = "intune_graph::retry";

/// What one attempt's answer was, as the retry decision needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Judged {
    pub(crate) verdict: StatusVerdict,
    /// The server's retry hint, when it gave one.
    pub(crate) hint: Option<Duration>,
    /// What a retry costs from the budget.
    pub(crate) kind: RetryKind,
    /// The attempt timed out.
    pub(crate) timeout: bool,
    /// The attempt may have been carried out although it failed (a 504, a transport
    /// failure after sending).
    pub(crate) may_have_happened: bool,
    /// The service answered 429.
    pub(crate) throttled: bool,
}

impl Judged {
    /// A transport failure (`repeatable`: the request may be sent again).
    pub(crate) fn transport(error: &reqwest::Error, repeatable: bool) -> Judged {
        Judged {
            verdict: classify_transport(error, repeatable),
            hint: None,
            kind: if error.is_timeout() { RetryKind::Timeout } else { RetryKind::Error },
            timeout: error.is_timeout(),
            may_have_happened: !error.is_connect() && !error.is_builder(),
            throttled: false,
        }
    }

    /// A success answer whose body is not what a read promises (cut by a gateway): repeated
    /// like a broken connection.
    pub(crate) fn broken_body() -> Judged {
        Judged {
            verdict: StatusVerdict::Retry,
            hint: None,
            kind: RetryKind::Error,
            timeout: false,
            may_have_happened: false,
            throttled: false,
        }
    }
}

/// Where one request (a call, or a batch step) stands across its attempts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tries {
    /// The attempt being made (1 for the first).
    pub(crate) attempt: u32,
    /// Time spent waiting for retries (and, for a call, throttle pauses).
    pub(crate) waited: Duration,
    /// Attempts that timed out.
    pub(crate) timeouts: u32,
    /// The one forced token refresh was made.
    pub(crate) refreshed: bool,
    /// What the last retry took from the budget, returned if the request succeeds.
    pub(crate) last_cost: Option<u32>,
    /// An earlier attempt may have been carried out.
    pub(crate) may_have_happened: bool,
}

impl Tries {
    pub(crate) fn new() -> Self {
        Tries {
            attempt: 1,
            waited: Duration::ZERO,
            timeouts: 0,
            refreshed: false,
            last_cost: None,
            may_have_happened: false,
        }
    }
}

/// What a failed attempt leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// A 401: force one token refresh and send again at once.
    Refresh,
    /// Send again after this wait.
    Retry(Duration),
    /// The failure is the answer, for this reason.
    Stop(&'static str),
}

impl Pipeline {
    /// Judges an answer's status for a request that is or is not `repeatable`, reading its
    /// retry hint in every form. A 429 with a hint pauses every task of the client,
    /// whether or not this request is retried.
    pub(crate) fn judge(&self, status: StatusCode, headers: &HeaderMap, repeatable: bool) -> Judged {
        let hint = (!status.is_success() && retry_after::has_hint(headers))
            .then(|| retry_after::parse_retry_after(headers, self.clock.now()))
            .flatten();
        let throttled = status == StatusCode::TOO_MANY_REQUESTS;
        if let (true, Some(h)) = (throttled, hint) {
            if h <= self.retry.max_retry_after {
                self.throttle.pause_for(h);
            }
        }
        Judged {
            verdict: classify_status(status, repeatable, hint.is_some()),
            hint,
            kind: if throttled && hint.is_some() { RetryKind::Throttled } else { RetryKind::Error },
            timeout: false,
            may_have_happened: status == StatusCode::GATEWAY_TIMEOUT,
            throttled,
        }
    }

    /// The retry decision for a failed attempt: one forced refresh after a 401, another
    /// attempt when the verdict allows it and the policy (attempts, hint, total wait,
    /// timed-out attempts), the `deadline` and the retry budget do. Updates `tries` for
    /// the next attempt and reports a retry on the `intune_graph::retry` target;
    /// `report` gives what is retried and what failed (e.g. `GET /path`, `HTTP 503`).
    pub(crate) fn decide(
        &self,
        tries: &mut Tries,
        judged: &Judged,
        deadline: Option<Instant>,
        report: impl FnOnce() -> (String, String),
    ) -> Decision {
        tries.timeouts += u32::from(judged.timeout);
        if judged.verdict == StatusVerdict::Unauthorized && !tries.refreshed {
            // One forced refresh: the cached token may have been revoked or expired early,
            // or the service asks for new claims (continuous access evaluation).
            tries.refreshed = true;
            tries.attempt += 1;
            return Decision::Refresh;
        }
        if judged.verdict != StatusVerdict::Retry {
            return Decision::Stop("not retryable");
        }
        if judged.timeout && tries.timeouts > self.retry.max_timeout_retries {
            return Decision::Stop("timed-out attempts exhausted");
        }
        let max_attempts = self.max_attempts();
        let delay = match self.retry_delay(tries.attempt, max_attempts, judged.hint, tries.waited, deadline) {
            Ok(delay) => delay,
            Err(reason) => return Decision::Stop(reason),
        };
        let Some(cost) = self.budget.as_ref().map_or(Some(0), |b| b.acquire(judged.kind)) else {
            return Decision::Stop("retry budget exhausted");
        };
        tries.last_cost = Some(cost);
        tries.may_have_happened |= judged.may_have_happened;
        tries.waited += delay;
        tries.attempt += 1;
        let (what, failed) = report();
        report_retry(&what, &failed, tries.attempt, max_attempts, delay, judged.throttled);
        Decision::Retry(delay)
    }

    /// Tells the retry budget a request succeeded (refunding its last retry, if any).
    pub(crate) fn succeeded(&self, tries: &Tries) {
        if let Some(budget) = &self.budget {
            budget.succeeded(tries.last_cost);
        }
    }

    /// Attempts in all, as configured and capped.
    pub(crate) fn max_attempts(&self) -> u32 {
        self.retry.max_attempts.clamp(1, MAX_ATTEMPTS_CAP)
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
}

/// Reports a retry as it happens: what failed, which attempt comes, and the wait. A root
/// event (no span), so a plain subscriber prints just the sentence; the fields `throttled`
/// (the service answered 429) and `wait_ms` let a program show throttle waits without
/// reading the sentence.
fn report_retry(what: &str, failed: &str, next: u32, max: u32, delay: Duration, throttled: bool) {
    tracing::info!(
        target: RETRY_TARGET,
        parent: None,
        throttled,
        wait_ms = duration_ms(delay),
        "{what}: {failed}; retrying (attempt {next} of {max}) in {:.1}s",
        delay.as_secs_f64()
    );
}

pub(crate) fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
