//! What the integration tests share: fixtures, wiremock helpers and matchers, what a
//! validation error names, plain HTTP to an emulator, and the resilience tools (a recording sleeper, a fixed clock, raw TCP servers).

pub mod batch;
pub mod decoded;
pub mod emulator;
pub mod fixtures;
pub mod mock;
pub mod problems;
pub mod resilience;
