//! A client-side write-rate limiter: at most `max_requests` writes (POST, PUT, PATCH,
//! DELETE attempts, retries included) in any window of `per`.
//!
//! Intune publishes 100 writes per 20 s per app per tenant for device configurations
//! (200 per tenant for all apps). A client is one app in one tenant, so the default
//! ([`RateLimit::intune_writes`]) keeps each client just under that: 95 writes per 20 s.
//! Below the limit it costs nothing (a burst of up to 95 writes goes out at once); above
//! it, writes wait their turn on the client instead of collecting 429s that would pause
//! reads too. It cannot see other processes using the same app registration; the 429
//! handling covers those.
//!
//! Implemented as a sliding log of reserved send times: each write reserves the earliest
//! time at which the window allows it, then sleeps until then. Reserving instead of
//! re-checking after the sleep keeps it correct with an injected sleeper that does not
//! really wait. A cancelled call keeps its reservation (the slot is simply not used).

use std::{collections::VecDeque, sync::Mutex, time::Duration};

use tokio::time::Instant;

/// A rate: at most `max_requests` in any window of `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed in one window (at least 1).
    pub max_requests: u32,
    /// The window (more than zero).
    pub per: Duration,
}

impl RateLimit {
    /// `max_requests` per `per`; `max_requests` is raised to 1 and `per` to 1 ms if lower.
    pub fn new(max_requests: u32, per: Duration) -> Self {
        RateLimit { max_requests: max_requests.max(1), per: per.max(Duration::from_millis(1)) }
    }

    /// 95 writes per 20 s: just under Intune's 100 writes per 20 s per app per tenant.
    pub const fn intune_writes() -> Self {
        RateLimit { max_requests: 95, per: Duration::from_secs(20) }
    }
}

/// The shared limiter of one client.
#[derive(Debug)]
pub(crate) struct WriteLimiter {
    limit: RateLimit,
    /// Reserved send times, oldest first, at most `max_requests` of them.
    slots: Mutex<VecDeque<Instant>>,
}

impl WriteLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        let limit = RateLimit::new(limit.max_requests, limit.per);
        let capacity = usize::try_from(limit.max_requests).unwrap_or(usize::MAX).min(4096);
        WriteLimiter { limit, slots: Mutex::new(VecDeque::with_capacity(capacity)) }
    }

    /// Reserves the next send time; returns how long to wait for it (zero: go now).
    pub(crate) fn reserve(&self, now: Instant) -> Duration {
        let max = usize::try_from(self.limit.max_requests).unwrap_or(usize::MAX);
        let mut slots = self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let at = match slots.front() {
            Some(oldest) if slots.len() >= max => now.max(*oldest + self.limit.per),
            _ => now,
        };
        if slots.len() >= max {
            slots.pop_front();
        }
        // Reservations never go backwards: `now` and the oldest slot only move forward.
        let at = slots.back().map_or(at, |last| at.max(*last));
        slots.push_back(at);
        at.saturating_duration_since(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_up_to_the_limit_then_waits_for_the_window() {
        let limiter = WriteLimiter::new(RateLimit::new(3, Duration::from_secs(20)));
        let t0 = Instant::now();
        assert_eq!(limiter.reserve(t0), Duration::ZERO);
        assert_eq!(limiter.reserve(t0 + Duration::from_secs(1)), Duration::ZERO);
        assert_eq!(limiter.reserve(t0 + Duration::from_secs(2)), Duration::ZERO);
        // The 4th write in the window waits until the 1st leaves it.
        assert_eq!(limiter.reserve(t0 + Duration::from_secs(3)), Duration::from_secs(17));
        // The 5th waits for the 2nd, although nobody has really waited yet.
        assert_eq!(limiter.reserve(t0 + Duration::from_secs(3)), Duration::from_secs(18));
        // Long after, no wait.
        assert_eq!(limiter.reserve(t0 + Duration::from_secs(100)), Duration::ZERO);
    }

    #[test]
    fn no_window_ever_holds_more_than_the_limit() {
        let limit = RateLimit::new(5, Duration::from_secs(2));
        let limiter = WriteLimiter::new(limit);
        let t0 = Instant::now();
        let mut sent = Vec::new();
        for i in 0..40u64 {
            let now = t0 + Duration::from_millis(i * 37);
            sent.push(now + limiter.reserve(now));
        }
        for (i, a) in sent.iter().enumerate() {
            let in_window = sent[i..].iter().filter(|b| **b < *a + limit.per).count();
            assert!(in_window <= 5, "window starting at send {i} holds {in_window}");
        }
    }

    #[test]
    fn intune_default_is_just_under_the_published_limit() {
        let l = RateLimit::intune_writes();
        assert!(l.max_requests < 100);
        assert_eq!(l.per, Duration::from_secs(20));
        assert_eq!(RateLimit::new(0, Duration::ZERO), RateLimit::new(1, Duration::from_millis(1)));
    }
}
