//! A client-wide pause after the service throttles: when one request gets a 429 with a
//! retry hint, every request of the same client waits until then instead of hammering the
//! tenant's quota.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::time::{Duration, Instant};

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

    /// Pauses every request until `delay` from now (never shortens a longer pause).
    pub(crate) fn pause_for(&self, delay: Duration) {
        let until = (Instant::now() + delay).saturating_duration_since(self.origin);
        let nanos = u64::try_from(until.as_nanos()).unwrap_or(u64::MAX).max(1);
        self.paused_until.fetch_max(nanos, Ordering::AcqRel);
    }

    /// Waits out the current pause, if any. Returns how long it waited.
    pub(crate) async fn wait(&self) -> Duration {
        let start = Instant::now();
        loop {
            let nanos = self.paused_until.load(Ordering::Acquire);
            if nanos == 0 {
                return Duration::ZERO;
            }
            let until = self.origin + Duration::from_nanos(nanos);
            if until <= Instant::now() {
                return start.elapsed();
            }
            tokio::time::sleep_until(until).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_wait_for_the_longest_pause() {
        let gate = ThrottleGate::new();
        assert_eq!(gate.wait().await, Duration::ZERO);
        gate.pause_for(Duration::from_secs(5));
        gate.pause_for(Duration::from_secs(2));
        let waited = gate.wait().await;
        assert_eq!(waited, Duration::from_secs(5));
        assert_eq!(gate.wait().await, Duration::ZERO);
    }
}
