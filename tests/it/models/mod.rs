//! The models: enums, flag sets, JSON round trips and the profiles that use certificates.

mod certificate_users;
mod enums;
mod restore;
mod roundtrip;
