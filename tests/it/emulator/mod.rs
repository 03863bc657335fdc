//! The Graph emulator over HTTP.

mod crud;
mod faults;
mod list;
mod navigation;
mod token;
