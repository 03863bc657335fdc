//! The parts of the send path a `$batch` step goes through one by one: the same retry
//! classification, hint parsing, client-wide throttle pause, write limiter and retry budget
//! as a single call. The envelope itself is sent with [`Pipeline::send`].

use std::time::Duration;

use reqwest::{StatusCode, header::HeaderMap};
use tokio::time::Instant;

use super::{
    Deadline, Pipeline, RetryKind,
    attempt::Retry,
    retry::{MAX_ATTEMPTS_CAP, StatusVerdict, classify_status},
    retry_after,
};

/// How one step's answer is to be handled, with the server's hint when it gave one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StepVerdict {
    pub(crate) verdict: StatusVerdict,
    pub(crate) hint: Option<Duration>,
}

impl Pipeline {
    /// Takes one write-limiter slot per write step; returns how long to wait before the
    /// envelope carrying them may go (zero when the limiter is off).
    pub(crate) fn reserve_write_steps(&self, writes: usize) -> Duration {
        let Some(limiter) = &self.writes else { return Duration::ZERO };
        let now = Instant::now();
        (0..writes).map(|_| limiter.reserve(now)).max().unwrap_or(Duration::ZERO)
    }

    /// Classifies a step's status as a single call's would be, reading its retry hint in
    /// every form the single path reads. A throttled step with a hint pauses the whole
    /// client, as a throttled call does.
    pub(crate) fn classify_step(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        idempotent: bool,
    ) -> StepVerdict {
        let hint = (!status.is_success() && retry_after::has_hint(headers))
            .then(|| retry_after::parse_retry_after(headers, self.clock.now()))
            .flatten();
        if let (StatusCode::TOO_MANY_REQUESTS, Some(h)) = (status, hint) {
            if h <= self.retry.max_retry_after {
                self.throttle.pause_for(h);
            }
        }
        StepVerdict { verdict: classify_status(status, idempotent, hint.is_some()), hint }
    }

    /// The wait before a step's next attempt and what it took from the retry budget, or
    /// why it is not retried. `waited` is what the step has waited so far; a wait that would
    /// pass the batch's `deadline` is not made.
    pub(crate) fn step_retry(
        &self,
        attempt: u32,
        hint: Option<Duration>,
        waited: Duration,
        kind: RetryKind,
        deadline: Option<Deadline>,
    ) -> Result<(Duration, u32), &'static str> {
        let max_attempts = self.retry.max_attempts.clamp(1, MAX_ATTEMPTS_CAP);
        let delay = self.retry_delay(attempt, max_attempts, hint, waited, deadline.map(|d| d.at))?;
        let cost = match &self.budget {
            None => 0,
            Some(budget) => budget.acquire(kind).ok_or("retry budget exhausted")?,
        };
        Ok((delay, cost))
    }

    /// Reports a step's retry as a single call's is reported: an `INFO` event on the
    /// `intune_graph::retry` target, with the `throttled` and `wait_ms` fields a program
    /// shows throttle waits from. `step` names the step (its key, method and path).
    pub(crate) fn report_step_retry(&self, step: &str, status: StatusCode, next: u32, delay: Duration) {
        let max = self.retry.max_attempts.clamp(1, MAX_ATTEMPTS_CAP);
        let retry = Retry { next, max, delay, throttled: status == StatusCode::TOO_MANY_REQUESTS };
        retry.report(step, &format!("HTTP {}", status.as_u16()));
    }

    /// Tells the retry budget a step succeeded (refunding its last retry, if any).
    pub(crate) fn step_succeeded(&self, last_cost: Option<u32>) {
        if let Some(budget) = &self.budget {
            budget.succeeded(last_cost);
        }
    }
}
