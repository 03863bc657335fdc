//! A client-wide retry budget: a token bucket, as in the AWS SDKs' standard retry mode,
//! that stops retry storms when the service is failing rather than throttling.
//!
//! Every retry after a failure takes tokens (5; 10 after a timeout); every success gives
//! some back (a first-attempt success adds 1, a success after retries returns what its
//! last retry took). When the bucket cannot pay for a retry, the call ends with the error
//! it has instead of retrying: a burst of failures across many tasks then costs a bounded
//! number of extra requests.
//!
//! Retries after a `429` that carries `Retry-After` are **free**: the service is scheduling
//! the client explicitly, and the client-wide throttle pause already paces every task.
//! Charging them would turn ordinary Intune throttling during a bulk job into failures.

use std::sync::atomic::{AtomicU32, Ordering};

/// Settings of the client-wide retry budget (see
/// [`GraphClientBuilder::retry_budget`](crate::GraphClientBuilder::retry_budget)).
///
/// Default ([`RetryBudget::standard`]): 500 tokens, 5 per retry, 10 per retry after a
/// timeout, 1 back per first-attempt success.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryBudget {
    /// Tokens in a full bucket (the bucket starts full).
    pub capacity: u32,
    /// Tokens a retry takes.
    pub retry_cost: u32,
    /// Tokens a retry after a timeout takes.
    pub timeout_retry_cost: u32,
    /// Tokens a success on the first attempt gives back.
    pub success_reward: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::standard()
    }
}

impl RetryBudget {
    /// 500 tokens; 5 per retry, 10 per timeout retry; 1 back per first-attempt success.
    pub const fn standard() -> Self {
        RetryBudget { capacity: 500, retry_cost: 5, timeout_retry_cost: 10, success_reward: 1 }
    }

    /// A bucket of `capacity` tokens, otherwise standard.
    pub fn with_capacity(mut self, capacity: u32) -> Self {
        self.capacity = capacity;
        self
    }

    /// Sets the cost of a retry and of a retry after a timeout.
    pub fn with_costs(mut self, retry: u32, timeout_retry: u32) -> Self {
        self.retry_cost = retry;
        self.timeout_retry_cost = timeout_retry;
        self
    }
}

/// What a retry is paying for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryKind {
    /// After a 429 with a server hint: free.
    Throttled,
    /// After an error status or a transport failure.
    Error,
    /// After a timeout.
    Timeout,
}

/// The shared bucket. Lock-free: one atomic.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    settings: RetryBudget,
    tokens: AtomicU32,
}

impl TokenBucket {
    pub(crate) fn new(settings: RetryBudget) -> Self {
        TokenBucket { tokens: AtomicU32::new(settings.capacity), settings }
    }

    /// Takes the cost of a retry; `None` when the bucket cannot pay (no retry then).
    /// `Some(cost)` is what was taken, to be returned if the retry succeeds.
    pub(crate) fn acquire(&self, kind: RetryKind) -> Option<u32> {
        let cost = match kind {
            RetryKind::Throttled => return Some(0),
            RetryKind::Error => self.settings.retry_cost,
            RetryKind::Timeout => self.settings.timeout_retry_cost,
        };
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .ok()
            .map(|_| cost)
    }

    /// A call succeeded; `last_cost` is what its last retry took (`None`: no retry).
    pub(crate) fn succeeded(&self, last_cost: Option<u32>) {
        let refund = last_cost.unwrap_or(self.settings.success_reward);
        if refund == 0 {
            return;
        }
        let capacity = self.settings.capacity;
        let _ = self.tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
            (t < capacity).then(|| t.saturating_add(refund).min(capacity))
        });
    }

    /// Tokens left.
    #[cfg(test)]
    pub(crate) fn available(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_draw_down_and_successes_refill() {
        let bucket = TokenBucket::new(RetryBudget::standard().with_capacity(12));
        assert_eq!(bucket.acquire(RetryKind::Error), Some(5));
        assert_eq!(bucket.acquire(RetryKind::Error), Some(5));
        // 2 left: neither a retry nor a timeout retry can be paid for.
        assert_eq!(bucket.acquire(RetryKind::Error), None);
        assert_eq!(bucket.acquire(RetryKind::Timeout), None);
        // Throttling with a hint is free, even with an empty bucket.
        assert_eq!(bucket.acquire(RetryKind::Throttled), Some(0));
        assert_eq!(bucket.available(), 2);
        bucket.succeeded(Some(5));
        assert_eq!(bucket.available(), 7);
        bucket.succeeded(None);
        assert_eq!(bucket.available(), 8);
        for _ in 0..10 {
            bucket.succeeded(Some(5));
        }
        assert_eq!(bucket.available(), 12, "never above capacity");
    }

    #[test]
    fn timeouts_cost_more() {
        let bucket = TokenBucket::new(RetryBudget::standard());
        assert_eq!(bucket.acquire(RetryKind::Timeout), Some(10));
        assert_eq!(bucket.available(), 490);
    }
}
