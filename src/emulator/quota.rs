//! Intune's device-configuration throttling limits, per app and per tenant,
//! in fixed windows of 20 s (scaled for tests).

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Throttling limits. The defaults are Intune's documented limits for device
/// configuration: per app per tenant 100 writes and 1000 requests per 20 s,
/// per tenant (all apps) 200 writes and 2000 requests per 20 s. "Writes" are
/// POST, PUT, PATCH and DELETE. The app is identified by the bearer token:
/// tokens issued by the token endpoint count as their client id; the static
/// token is an app of its own.
///
/// ```
/// use intune_graph::emulator::QuotaConfig;
/// // 20 s windows shrunk to 20 ms.
/// let quota = QuotaConfig { time_scale: 0.001, ..QuotaConfig::default() };
/// # let _ = quota;
/// ```
#[derive(Debug, Clone)]
pub struct QuotaConfig {
    /// Multiplies the 20 s window (1.0 = real time).
    pub time_scale: f64,
    /// Writes per window per app (default 100).
    pub app_writes: u32,
    /// Requests per window per app (default 1000).
    pub app_requests: u32,
    /// Writes per window for the tenant (default 200).
    pub tenant_writes: u32,
    /// Requests per window for the tenant (default 2000).
    pub tenant_requests: u32,
}

impl Default for QuotaConfig {
    fn default() -> Self {
        Self {
            time_scale: 1.0,
            app_writes: 100,
            app_requests: 1000,
            tenant_writes: 200,
            tenant_requests: 2000,
        }
    }
}

impl QuotaConfig {
    /// The default limits with the window scaled by `time_scale`.
    pub fn scaled(time_scale: f64) -> Self {
        Self { time_scale, ..Self::default() }
    }

    /// The window length: 20 s × `time_scale`, at least 1 ms.
    pub fn window(&self) -> Duration {
        Duration::try_from_secs_f64(20.0 * self.time_scale)
            .unwrap_or(Duration::ZERO)
            .max(Duration::from_millis(1))
    }
}

#[derive(Debug, Default)]
struct Window {
    start: Option<Instant>,
    requests: u32,
    writes: u32,
}

impl Window {
    fn roll(&mut self, now: Instant, len: Duration) {
        match self.start {
            Some(s) if now.duration_since(s) < len => {}
            _ => *self = Self { start: Some(now), requests: 0, writes: 0 },
        }
    }

    fn full(&self, is_write: bool, requests: u32, writes: u32) -> bool {
        self.requests >= requests || (is_write && self.writes >= writes)
    }

    fn remaining(&self, now: Instant, len: Duration) -> Duration {
        self.start.map_or(len, |s| (s + len).saturating_duration_since(now))
    }

    fn count(&mut self, is_write: bool) {
        self.requests += 1;
        if is_write {
            self.writes += 1;
        }
    }
}

/// Window counters per app and for the tenant.
#[derive(Debug, Default)]
pub(crate) struct QuotaState {
    apps: HashMap<String, Window>,
    tenant: Window,
}

impl QuotaState {
    /// Counts a request, or returns how long until the window resets.
    pub(crate) fn admit(
        &mut self,
        cfg: &QuotaConfig,
        app: &str,
        is_write: bool,
        now: Instant,
    ) -> Result<(), Duration> {
        let len = cfg.window();
        self.tenant.roll(now, len);
        let app_window = self.apps.entry(app.to_owned()).or_default();
        app_window.roll(now, len);
        let mut wait = None;
        if app_window.full(is_write, cfg.app_requests, cfg.app_writes) {
            wait = Some(app_window.remaining(now, len));
        }
        if self.tenant.full(is_write, cfg.tenant_requests, cfg.tenant_writes) {
            let w = self.tenant.remaining(now, len);
            wait = Some(wait.map_or(w, |x| x.max(w)));
        }
        if let Some(w) = wait {
            return Err(w.max(Duration::from_millis(1)));
        }
        app_window.count(is_write);
        self.tenant.count(is_write);
        Ok(())
    }
}

/// `Retry-After` in decimal seconds, e.g. `0.153`.
pub(crate) fn retry_after_value(wait: Duration) -> String {
    format!("{:.3}", wait.as_secs_f64().max(0.001))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_app_and_tenant() {
        let cfg = QuotaConfig {
            app_writes: 2,
            app_requests: 3,
            tenant_writes: 3,
            tenant_requests: 100,
            ..QuotaConfig::default()
        };
        let mut q = QuotaState::default();
        let t = Instant::now();
        assert!(q.admit(&cfg, "a", true, t).is_ok());
        assert!(q.admit(&cfg, "a", true, t).is_ok());
        assert!(q.admit(&cfg, "a", true, t).is_err());
        assert!(q.admit(&cfg, "a", false, t).is_ok());
        assert!(q.admit(&cfg, "a", false, t).is_err());
        assert!(q.admit(&cfg, "b", true, t).is_ok());
        // Tenant write limit (3) reached by a+b.
        let wait = q.admit(&cfg, "b", true, t);
        assert!(wait.is_err_and(|w| w <= Duration::from_secs(20)));
        let later = t + Duration::from_secs(21);
        assert!(q.admit(&cfg, "a", true, later).is_ok());
    }

    #[test]
    fn window_scales() {
        assert_eq!(QuotaConfig::scaled(0.01).window(), Duration::from_millis(200));
        assert_eq!(QuotaConfig::scaled(-1.0).window(), Duration::from_millis(1));
        assert_eq!(retry_after_value(Duration::from_millis(153)), "0.153");
    }
}
