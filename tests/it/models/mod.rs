//! The models: enums, flag sets and JSON round trips.

mod enums;
mod restore;
mod roundtrip;
