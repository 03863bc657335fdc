//! The `intune` command, run as a process against emulators started in this test binary.

mod support;

mod emulator;
mod errors;
mod files;
mod hardening;
mod iac;
mod read;
mod tenants;
mod walkthrough;
mod write;
