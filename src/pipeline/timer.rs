//! The time limits of one attempt, kept by one timer.
//!
//! An attempt may take at most `timeout` (default 50 s), and may wait at most
//! `read_timeout` (default 30 s) for the next byte, from the request going out to the end
//! of its body. reqwest can keep both limits itself, but with three timers per request (the
//! whole request, the wait for the response head, the body's idle timer), each entered into
//! tokio's shared timer wheel under its lock and taken out again, and the idle timer reading
//! the clock and re-arming on every chunk. Here one timer keeps both: it is set for the
//! nearer limit, and what arrives only notes the time. When the timer fires, the limits are
//! checked as they stand then: a limit that has passed ends the attempt, otherwise the timer
//! moves on to the next one. A silent server is cut after `read_timeout`, one that drips its
//! answer after `timeout`.

use std::{
    fmt, io,
    pin::{Pin, pin},
    task::{Context, Poll, Waker},
    time::Duration,
};

use bytes::Bytes;
use http_body::{Body as _, Frame};
use tokio::time::{Instant, Sleep};

/// The time limits of every attempt (the builder's `timeout` and `read_timeout`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AttemptLimits {
    /// The whole attempt, body included.
    pub(crate) timeout: Duration,
    /// The longest wait for the response head, and then for each part of the body.
    pub(crate) read_timeout: Duration,
}

/// A limit an attempt passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Passed {
    /// The attempt's whole time (`timeout`).
    Timeout(Duration),
    /// No byte within `read_timeout`.
    ReadTimeout(Duration),
}

impl fmt::Display for Passed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Passed::Timeout(limit) => write!(f, "the attempt took longer than its time limit ({limit:?})"),
            Passed::ReadTimeout(limit) => write!(f, "nothing arrived within the read timeout ({limit:?})"),
        }
    }
}

impl Passed {
    /// The `reqwest::Error` that reports this timeout: a body error whose source is an
    /// `io::Error` of kind `TimedOut`, so `is_timeout()` holds, as for reqwest's own.
    ///
    /// The crate's errors carry a `reqwest::Error` for every transport failure
    /// (`TransportError::source`, `OutcomeUnknown::transport`), and reqwest has no public
    /// constructor for one; it does turn the error of a body it reads into its own. `None`
    /// only if reqwest stopped doing so (a test holds it to it).
    pub(super) fn into_error(self) -> Option<reqwest::Error> {
        let error = io::Error::new(io::ErrorKind::TimedOut, self.to_string());
        let mut body = reqwest::Body::wrap(Failing(Some(error)));
        match Pin::new(&mut body).poll_frame(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Some(Err(error))) => Some(error),
            _ => None,
        }
    }
}

/// A body whose first frame is its error.
struct Failing(Option<io::Error>);

impl http_body::Body for Failing {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        Poll::Ready(self.0.take().map(Err))
    }
}

/// Where an attempt stands against its limits.
#[derive(Clone, Copy, Debug)]
struct Clock {
    limits: AttemptLimits,
    /// When the attempt's whole time is up.
    ends_at: Instant,
    /// When something last arrived (or the attempt started).
    last_read: Instant,
}

impl Clock {
    /// When the nearer limit passes.
    fn next(&self) -> Instant {
        self.ends_at.min(after(self.last_read, self.limits.read_timeout))
    }

    /// The limit that has passed at `now`, or when the nearer one will.
    fn check(&self, now: Instant) -> Result<Instant, Passed> {
        if now >= self.ends_at {
            return Err(Passed::Timeout(self.limits.timeout));
        }
        if now >= after(self.last_read, self.limits.read_timeout) {
            return Err(Passed::ReadTimeout(self.limits.read_timeout));
        }
        Ok(self.next())
    }
}

/// `start + limit`, or a time that never comes for a limit too large to add.
fn after(start: Instant, limit: Duration) -> Instant {
    // What tokio's own `sleep` does with such a limit: about 30 years.
    start.checked_add(limit).unwrap_or_else(|| start + Duration::from_secs(86_400 * 365 * 30))
}

/// The limits of one attempt with their timer, started when the request goes out.
/// Without limits (a caller's own HTTP client, which keeps its own), it only waits.
pub(super) struct AttemptTimer {
    clock: Option<Clock>,
}

impl AttemptTimer {
    /// The attempt's limits from now on, and the one timer that keeps them, set for the
    /// nearer one. The timer is entered into tokio's timer wheel when first polled.
    pub(super) fn start(limits: Option<AttemptLimits>) -> (AttemptTimer, Option<Sleep>) {
        let clock = limits.map(|limits| {
            let now = Instant::now();
            Clock { limits, ends_at: after(now, limits.timeout), last_read: now }
        });
        let sleep = clock.as_ref().map(|clock| tokio::time::sleep_until(clock.next()));
        (AttemptTimer { clock }, sleep)
    }

    /// Waits for `future` (the response head, a part of the body), unless a limit passes
    /// first; what it brings counts as a read.
    pub(super) async fn guard<F: Future>(
        &mut self,
        mut sleep: Pin<&mut Option<Sleep>>,
        future: F,
    ) -> Result<F::Output, Passed> {
        let mut future = pin!(future);
        std::future::poll_fn(|cx| self.poll_guard(sleep.as_mut(), future.as_mut(), cx)).await
    }

    fn poll_guard<F: Future>(
        &mut self,
        sleep: Pin<&mut Option<Sleep>>,
        future: Pin<&mut F>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<F::Output, Passed>> {
        // The future first: what is ready is taken even at the limit, as reqwest does.
        if let Poll::Ready(output) = future.poll(cx) {
            if let Some(clock) = &mut self.clock {
                clock.last_read = Instant::now();
            }
            return Poll::Ready(Ok(output));
        }
        let (Some(clock), Some(mut sleep)) = (&self.clock, sleep.as_pin_mut()) else {
            return Poll::Pending;
        };
        // Fired: a limit has passed, or something arrived since the timer was set and the
        // timer moves on (re-polled, so it wakes this task when the new time comes).
        while sleep.as_mut().poll(cx).is_ready() {
            match clock.check(Instant::now()) {
                Ok(next) => sleep.as_mut().reset(next),
                Err(passed) => return Poll::Ready(Err(passed)),
            }
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use std::future::pending;

    use super::*;

    const LIMITS: AttemptLimits =
        AttemptLimits { timeout: Duration::from_secs(50), read_timeout: Duration::from_secs(30) };

    #[tokio::test(start_paused = true)]
    async fn a_silent_attempt_ends_at_the_read_timeout() {
        let start = Instant::now();
        let (mut timer, sleep) = AttemptTimer::start(Some(LIMITS));
        let mut sleep = pin!(sleep);
        let passed = timer.guard(sleep.as_mut(), pending::<()>()).await;
        assert_eq!(passed, Err(Passed::ReadTimeout(Duration::from_secs(30))));
        assert_eq!(start.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn reads_move_the_idle_limit_until_the_whole_time_is_up() {
        let start = Instant::now();
        let (mut timer, sleep) = AttemptTimer::start(Some(LIMITS));
        let mut sleep = pin!(sleep);
        // A part every 20 s: never idle for 30 s.
        for _ in 0..2 {
            let part = timer.guard(sleep.as_mut(), tokio::time::sleep(Duration::from_secs(20))).await;
            assert_eq!(part, Ok(()));
        }
        let passed = timer.guard(sleep.as_mut(), tokio::time::sleep(Duration::from_secs(20))).await;
        assert_eq!(passed, Err(Passed::Timeout(Duration::from_secs(50))));
        assert_eq!(start.elapsed(), Duration::from_secs(50));
    }

    #[tokio::test(start_paused = true)]
    async fn what_is_ready_is_taken_and_no_limits_only_wait() {
        let (mut timer, sleep) = AttemptTimer::start(Some(LIMITS));
        let mut sleep = pin!(sleep);
        assert_eq!(timer.guard(sleep.as_mut(), async { 7 }).await, Ok(7));

        let (mut timer, sleep) = AttemptTimer::start(None);
        assert!(sleep.is_none());
        let mut sleep = pin!(sleep);
        let start = Instant::now();
        let slow = tokio::time::sleep(Duration::from_secs(3600));
        assert_eq!(timer.guard(sleep.as_mut(), slow).await, Ok(()));
        assert_eq!(start.elapsed(), Duration::from_secs(3600));
    }

    #[tokio::test(start_paused = true)]
    async fn zero_and_huge_limits() {
        let zero = AttemptLimits { timeout: Duration::ZERO, read_timeout: Duration::MAX };
        let (mut timer, sleep) = AttemptTimer::start(Some(zero));
        let mut sleep = pin!(sleep);
        assert_eq!(timer.guard(sleep.as_mut(), pending::<()>()).await, Err(Passed::Timeout(Duration::ZERO)));
    }

    #[test]
    fn the_error_is_a_reqwest_timeout_that_says_which_limit() {
        let error = Passed::ReadTimeout(Duration::from_millis(100)).into_error().expect("an error");
        assert!(error.is_timeout() && error.is_body(), "{error:?}");
        assert!(!error.is_connect() && !error.is_builder() && !error.is_redirect());
        let source = std::error::Error::source(&error).expect("a source").to_string();
        assert_eq!(source, "nothing arrived within the read timeout (100ms)");
        let error = Passed::Timeout(Duration::from_secs(50)).into_error().expect("an error");
        assert!(error.is_timeout(), "{error:?}");
        assert_eq!(
            std::error::Error::source(&error).expect("a source").to_string(),
            "the attempt took longer than its time limit (50s)"
        );
    }
}
