//! The integration tests, as one test binary: linking reqwest, axum and wiremock once
//! instead of once per file is what keeps the test build short.
//!
//! One module per area; `support` holds the fixtures and mock helpers they share.
//! Tests that install a global tracing subscriber live in `tests/tracing/`, the tests of
//! the `intune` command in `tests/cli/`.

mod support;

mod auth;
mod batch_emulator;
mod batch_reconcile;
mod batch_rules;
mod batch_wire;
mod create;
mod emulator;
mod errors;
mod examples_run;
mod models;
mod resilience;
mod surface;
mod tenant;
mod validation;
