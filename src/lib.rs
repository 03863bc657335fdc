//! intune-graph — crate docs are written below once the API settles.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
mod client;
pub mod cloud;
pub mod error;
pub mod models;
pub mod origin;
mod pipeline;

#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;

pub use client::{DEFAULT_BASE_URL, GraphClient, GraphClientBuilder};
pub use error::{Error, Result};
pub use pipeline::RetryPolicy;
