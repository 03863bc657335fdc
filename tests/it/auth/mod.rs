//! Credentials and token flows.

mod azure;
mod client_secret;
mod emulator;
mod flow;
