//! When to try again, and how long to wait: classification apart from strategy.
//!
//! Classification answers "may this response or failure be retried, and did the server
//! give a hint?" from the status, the method's idempotency and the hint alone.
//! [`RetryPolicy`] owns the strategy: attempts, backoff with full jitter, caps.

use std::time::Duration;

use reqwest::StatusCode;

/// The retry strategy of a client.
///
/// Defaults: 6 attempts in all, full-jitter exponential backoff from 2 s capped at 60 s,
/// server hints (`Retry-After` in every form) honoured up to 330 s, at most 10 minutes
/// of waiting per call, and at most 2 retries after attempts that timed out (with the
/// client's default timeouts, a server that never answers fails a read within 3 minutes). The wait before a retry is the larger of the hint and the jittered
/// backoff, so it is never shorter than the service asked for.
///
/// What is retried: 429, 503, 504 and transport failures (connect errors, timeouts,
/// resets) for requests that may be repeated (reads, PUT, PATCH, DELETE, `assign`, `$ref`
/// writes: declared where each request is built, not read off its method); for a create
/// (and a raw POST) only 429, 503 with a retry hint, and failures to connect, because
/// anything else may have created the object (see
/// [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown)). A 401 is retried once with a
/// fresh token. The client-wide [`RetryBudget`](crate::RetryBudget) can stop retries
/// earlier.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries). Capped at 20.
    pub max_attempts: u32,
    /// First backoff step when the server gives no hint.
    pub base_delay: Duration,
    /// Largest backoff step.
    pub max_delay: Duration,
    /// The longest server hint that is waited for; a longer one ends the call with the error.
    pub max_retry_after: Duration,
    /// Most time spent waiting between attempts of one call.
    pub max_total_wait: Duration,
    /// How many times an attempt that timed out (no byte within the idle-read timeout, or
    /// past the attempt's time limit) is retried; the next timeout ends the call.
    pub max_timeout_retries: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(330),
            max_total_wait: Duration::from_secs(600),
            max_timeout_retries: 2,
        }
    }
}

/// Hard cap on attempts, whatever is configured.
pub(crate) const MAX_ATTEMPTS_CAP: u32 = 20;

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..Default::default() }
    }

    /// Sets the number of attempts in all (1–20).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.clamp(1, MAX_ATTEMPTS_CAP);
        self
    }

    /// Sets the backoff steps used without a server hint.
    pub fn with_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max.max(base);
        self
    }

    /// Sets the most waiting per call.
    pub fn with_max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// Sets how many times a timed-out attempt is retried (default 2).
    pub fn with_max_timeout_retries(mut self, retries: u32) -> Self {
        self.max_timeout_retries = retries;
        self
    }

    /// Sets the longest server hint that is honoured.
    pub fn with_max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The wait before attempt `next_attempt` (2 for the first retry): full jitter
    /// `U(0, min(max, base·2^(n−2)))`, but never less than the server's hint.
    ///
    /// Taking the larger of the two keeps tasks that were throttled together from all
    /// coming back at the instant the hint ends.
    pub(crate) fn delay(&self, next_attempt: u32, hint: Option<Duration>, random_unit: f64) -> Duration {
        let exponent = next_attempt.saturating_sub(2).min(30);
        let ceiling = self.base_delay.saturating_mul(1u32 << exponent).min(self.max_delay);
        let backoff = ceiling.mul_f64(if random_unit.is_nan() { 0.0 } else { random_unit.clamp(0.0, 1.0) });
        hint.map_or(backoff, |hint| hint.max(backoff))
    }
}

/// What a response status means for the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StatusVerdict {
    /// 2xx.
    Success,
    /// 401: refresh the token once and try again.
    Unauthorized,
    /// The service did not process the request; trying again is safe.
    Retry,
    /// A create may have happened; it must not be re-sent blindly.
    OutcomeUnknown,
    /// A final answer.
    Fail,
}

/// Classifies a status for a request that may or may not be repeated.
///
/// A request that may not (a create) is retried only when the service says it was not
/// processed: 429, or 503 with a retry hint. A 504 or another 5xx on it leaves the outcome
/// unknown.
pub(crate) fn classify_status(status: StatusCode, idempotent: bool, has_hint: bool) -> StatusVerdict {
    match status.as_u16() {
        200..=299 => StatusVerdict::Success,
        401 => StatusVerdict::Unauthorized,
        429 => StatusVerdict::Retry,
        503 if idempotent || has_hint => StatusVerdict::Retry,
        504 if idempotent => StatusVerdict::Retry,
        500..=599 if !idempotent => StatusVerdict::OutcomeUnknown,
        _ => StatusVerdict::Fail,
    }
}

/// What a transport failure means for the call.
///
/// A connect failure means nothing reached the server: safe for every method. A refused
/// redirect (another origin, too many hops) or a request that could not be built is final.
/// Anything else (a timeout, a reset, a response that broke off) is retried for a request
/// that may be repeated and leaves a create's outcome unknown.
pub(crate) fn classify_transport(error: &reqwest::Error, idempotent: bool) -> StatusVerdict {
    if error.is_redirect() || error.is_builder() {
        StatusVerdict::Fail
    } else if error.is_connect() || idempotent {
        StatusVerdict::Retry
    } else {
        StatusVerdict::OutcomeUnknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_are_retried_only_when_not_processed() {
        let s = StatusCode::from_u16;
        assert_eq!(classify_status(s(429).unwrap(), false, false), StatusVerdict::Retry);
        assert_eq!(classify_status(s(503).unwrap(), false, true), StatusVerdict::Retry);
        assert_eq!(classify_status(s(503).unwrap(), false, false), StatusVerdict::OutcomeUnknown);
        assert_eq!(classify_status(s(504).unwrap(), false, true), StatusVerdict::OutcomeUnknown);
        assert_eq!(classify_status(s(500).unwrap(), false, false), StatusVerdict::OutcomeUnknown);
        assert_eq!(classify_status(s(400).unwrap(), false, false), StatusVerdict::Fail);
        assert_eq!(classify_status(s(201).unwrap(), false, false), StatusVerdict::Success);
    }

    #[test]
    fn idempotent_requests_retry_429_503_504_only() {
        let s = |c| StatusCode::from_u16(c).unwrap();
        for code in [429, 503, 504] {
            assert_eq!(classify_status(s(code), true, false), StatusVerdict::Retry, "{code}");
        }
        for code in [400, 403, 404, 409, 500, 502] {
            assert_eq!(classify_status(s(code), true, false), StatusVerdict::Fail, "{code}");
        }
        assert_eq!(classify_status(s(401), true, false), StatusVerdict::Unauthorized);
        assert_eq!(classify_status(s(204), true, false), StatusVerdict::Success);
    }

    #[test]
    fn backoff_is_full_jitter_capped_and_hints_win() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(2, None, 1.0), Duration::from_secs(2));
        assert_eq!(p.delay(3, None, 1.0), Duration::from_secs(4));
        assert_eq!(p.delay(4, None, 0.5), Duration::from_secs(4));
        assert_eq!(p.delay(20, None, 1.0), Duration::from_secs(60));
        assert_eq!(p.delay(3, None, 0.0), Duration::ZERO);
        assert_eq!(p.delay(3, None, f64::NAN), Duration::ZERO);
        assert_eq!(p.delay(2, Some(Duration::from_millis(2128)), 0.0), Duration::from_millis(2128));
        // Never less than the hint; jitter may add to a short one.
        assert_eq!(p.delay(2, Some(Duration::from_millis(200)), 0.5), Duration::from_secs(1));
        assert_eq!(p.delay(2, Some(Duration::from_secs(315)), 1.0), Duration::from_secs(315));
    }

    #[test]
    fn attempts_are_capped() {
        assert_eq!(RetryPolicy::default().with_max_attempts(100).max_attempts, MAX_ATTEMPTS_CAP);
        assert_eq!(RetryPolicy::default().with_max_attempts(0).max_attempts, 1);
    }
}
