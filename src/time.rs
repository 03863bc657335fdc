//! Injectable time: how the client waits, and what wall-clock time it is.
//!
//! Every wait of the send path (backoff, `Retry-After`, the client-wide throttle pause, the
//! write-rate limiter, the settle delay before a reconcile lookup) goes through one
//! [`AsyncSleep`]; HTTP-date retry hints and token expiry are read against one
//! [`WallClock`]. Tests replace them to run retry logic without really waiting, and can
//! record every wait.
//!
//! Timeouts (per attempt, connect, and the call's deadline) are not waits and keep using
//! tokio's timer, so `#[tokio::test(start_paused = true)]` can drive them.

use std::{fmt, time::Duration};

use chrono::{DateTime, Utc};

use crate::auth::BoxFuture;

/// How the client waits between attempts. The default is [`TokioSleep`].
///
/// ```
/// use std::time::Duration;
/// use intune_graph::{AsyncSleep, auth::BoxFuture};
///
/// /// Waits a hundredth of the time asked (for load tests against an emulator).
/// #[derive(Debug)]
/// struct Fast;
/// impl AsyncSleep for Fast {
///     fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
///         Box::pin(tokio::time::sleep(duration / 100))
///     }
/// }
/// ```
pub trait AsyncSleep: Send + Sync + fmt::Debug + 'static {
    /// A future that completes after `duration` (or sooner, in tests). Dropping it must
    /// cancel the wait.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Where the client reads wall-clock time (UTC): for `Retry-After` HTTP dates and for the
/// token cache's expiry checks. The default is [`SystemClock`].
pub trait WallClock: Send + Sync + fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// Waits with `tokio::time::sleep` (so tokio's paused test clock applies).
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleep;

impl AsyncSleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// The system clock (`chrono::Utc::now`).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl WallClock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
