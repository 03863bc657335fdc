//! A client-wide pause after the service throttles: when one request gets a 429 with a
//! retry hint, every request of the same client waits until then instead of hammering the
//! tenant's quota. A client is one app in one tenant, which is exactly the scope of
//! Intune's limits.
//!
//! Lock-free: the end of the pause is one atomic, only ever moved forward.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::time::{Duration, Instant};

use crate::time::AsyncSleep;

/// The instant until which requests wait, as nanoseconds after `origin` (0 = no pause).
#[derive(Debug)]
pub(crate) struct ThrottleGate {
    origin: Instant,
    paused_until: AtomicU64,
}

impl ThrottleGate {
    pub(crate) fn new() -> Self {
        ThrottleGate { origin: Instant::now(), paused_until: AtomicU64::new(0) }
    }

    fn nanos_after_origin(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.origin).as_nanos()).unwrap_or(u64::MAX)
    }

    /// Pauses every request until `delay` from now (never shortens a longer pause).
    pub(crate) fn pause_for(&self, delay: Duration) {
        // 0 means "no pause", so a pause always ends at 1 ns or later.
        let until = self.nanos_after_origin(Instant::now() + delay).max(1);
        self.paused_until.fetch_max(until, Ordering::AcqRel);
    }

    /// Whether a call that has slept up to `covered_to` (see [`wait`](Self::wait)) has a
    /// pause to wait out: the hot path, one load.
    pub(crate) fn is_paused(&self, covered_to: u64) -> bool {
        let until = self.paused_until.load(Ordering::Acquire);
        until != 0 && until > covered_to
    }

    /// How long the current pause still lasts.
    #[cfg(test)]
    pub(crate) fn remaining(&self) -> Duration {
        let until = self.paused_until.load(Ordering::Acquire);
        let now = self.nanos_after_origin(Instant::now());
        Duration::from_nanos(until.saturating_sub(now))
    }

    /// The point `delay` from now, for [`wait`](Self::wait)'s `covered_to`: a call that is
    /// about to sleep `delay` before its next attempt has waited out any pause ending
    /// before then.
    pub(crate) fn point_after(&self, delay: Duration) -> u64 {
        self.nanos_after_origin(Instant::now() + delay)
    }

    /// Waits out the current pause, but no longer than `at_most`. Returns how long it
    /// asked `sleep` to wait. `covered_to` is a point (from [`point_after`](Self::point_after))
    /// up to which the caller has already slept, or 0.
    ///
    /// It sleeps once for the remaining pause, then again only if another task extended
    /// the pause meanwhile (by the extension alone), so it ends even with a sleeper that
    /// does not really wait.
    pub(crate) async fn wait(&self, sleep: &dyn AsyncSleep, at_most: Duration, covered_to: u64) -> Duration {
        if !self.is_paused(covered_to) {
            // No pause was ever set, or this call slept past it.
            return Duration::ZERO;
        }
        let mut slept_to = self.nanos_after_origin(Instant::now()).max(covered_to);
        let mut waited = Duration::ZERO;
        loop {
            let until = self.paused_until.load(Ordering::Acquire);
            if until <= slept_to || waited >= at_most {
                return waited;
            }
            let step = Duration::from_nanos(until - slept_to).min(at_most - waited);
            sleep.sleep(step).await;
            waited += step;
            slept_to = until;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::TokioSleep;

    #[tokio::test(start_paused = true)]
    async fn requests_wait_for_the_longest_pause() {
        let gate = ThrottleGate::new();
        let forever = Duration::MAX;
        assert_eq!(gate.wait(&TokioSleep, forever, 0).await, Duration::ZERO);
        gate.pause_for(Duration::from_secs(5));
        gate.pause_for(Duration::from_secs(2));
        assert_eq!(gate.remaining(), Duration::from_secs(5));
        let waited = gate.wait(&TokioSleep, forever, 0).await;
        assert_eq!(waited, Duration::from_secs(5));
        assert_eq!(gate.wait(&TokioSleep, forever, 0).await, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_is_bounded() {
        let gate = ThrottleGate::new();
        gate.pause_for(Duration::from_secs(300));
        assert_eq!(gate.wait(&TokioSleep, Duration::from_secs(7), 0).await, Duration::from_secs(7));
    }

    /// A sleeper that returns at once: the gate must still terminate.
    #[derive(Debug)]
    struct Instant0;
    impl AsyncSleep for Instant0 {
        fn sleep(&self, _: Duration) -> crate::auth::BoxFuture<'static, ()> {
            Box::pin(async {})
        }
    }

    #[tokio::test]
    async fn ends_with_a_sleeper_that_does_not_wait() {
        let gate = ThrottleGate::new();
        gate.pause_for(Duration::from_secs(60));
        let waited = gate.wait(&Instant0, Duration::MAX, 0).await;
        assert!(waited > Duration::from_secs(59) && waited <= Duration::from_secs(60), "{waited:?}");
        // A call that has itself slept past the pause does not wait again.
        gate.pause_for(Duration::from_secs(60));
        let covered = gate.point_after(Duration::from_secs(61));
        assert_eq!(gate.wait(&Instant0, Duration::MAX, covered).await, Duration::ZERO);
    }
}
