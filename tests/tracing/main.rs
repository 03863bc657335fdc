//! Tests of what is traced, in their own test binary: they install a process-wide tracing
//! subscriber (see `capture`), and it must not see the other integration tests.

mod capture;
// The integration tests' support, of which this binary uses only a part (re-exports too).
#[allow(dead_code, unused_imports)]
#[path = "../it/support/mod.rs"]
mod support;

mod auth_redaction;
mod redaction_client;
mod resilience_tracing;
