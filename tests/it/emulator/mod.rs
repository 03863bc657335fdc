//! The Graph emulator over HTTP.

mod answers;
mod batch_steps;
mod crud;
mod directory;
mod faults;
mod harness;
mod list;
mod navigation;
mod references;
mod token;
mod wrong_answers;
