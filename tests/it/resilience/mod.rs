//! Retries, throttling, timeouts and reconcile under faults.

mod fuzz;
mod hardening;
mod reconcile;
mod retry;
mod soak;
mod throttle;
mod timeouts;
