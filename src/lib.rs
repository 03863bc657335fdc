//! A typed, async client for Intune device configuration on Microsoft Graph **beta**.
//!
//! Its first job is the iOS SCEP certificate profile: build one with
//! [`models::IosScepCertificateProfile::builder`], create it with
//! [`api::DeviceConfigurations::create`], and get back the `201 Created` object as a typed
//! value.
//!
//! ```no_run
//! use intune_graph::{GraphClient, models::*};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = GraphClient::builder().bearer_token("eyJ0eXAi...").build()?;
//! let profile = IosScepCertificateProfile::builder()
//!     .display_name("iOS SCEP - Corporate Wi-Fi")
//!     .scep_server_url("https://ndes.contoso.com/certsrv/mscep/mscep.dll")
//!     .key_usage(KeyUsages::DIGITAL_SIGNATURE | KeyUsages::KEY_ENCIPHERMENT)
//!     .key_size(KeySize::Size2048)
//!     .subject_name_format(AppleSubjectNameFormat::CommonNameAsEmail)
//!     .validity(1, CertificateValidityPeriodScale::Years)
//!     .renewal_threshold_percentage(20)
//!     .build()?;
//! let created = client.device_configurations().create(&profile).await?;
//! assert!(created.base.id.is_some());
//! # Ok(()) }
//! ```
//!
//! # What it guarantees
//! - **Lossless models** of the current beta schema: unknown enum values, flag members,
//!   properties and `@odata.type`s are kept and written back verbatim; explicit nulls too.
//! - **Clean write bodies**: `@odata.type` and writable fields only.
//! - **One send path** for every call: origin check, throttle gate, cached token, bounded
//!   retries that honour `Retry-After` and never re-send a create whose outcome is unknown,
//!   and errors that always keep the HTTP status.
//! - **No leaked secrets**: tokens and client secrets are redacted everywhere.
//!
//! # Features
//! - `rustls` (default): TLS through rustls. `native-tls`: the platform's TLS instead.
//! - `http2` (default): HTTP/2 when the server offers it over TLS; without it, HTTP/1.1 only.
//! - `emulator`: the `emulator` module, an in-process Graph endpoint for tests and demos.
//! - `azure-identity`: use any `azure_core` credential (managed identity, workload identity,
//!   Azure CLI, client certificate) through `auth::AzureCredential`.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
// Items of private modules say `pub(crate)`: what is `pub` is the public API.
#![warn(unreachable_pub)]
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod batch;
mod client;
pub mod cloud;
pub mod error;
pub mod models;
pub mod odata;
pub mod origin;
mod pipeline;
pub mod proxy;
mod redact;
pub mod tenant;
mod time;
pub mod untrusted;

// Not API: parsers reachable by the `fuzz/` targets, behind a feature only they enable.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod __fuzz {
    pub use crate::fuzzing::*;
}
#[cfg(feature = "fuzzing")]
mod fuzzing;

#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;

pub use bytes::Bytes;
pub use client::{DEFAULT_BASE_URL, GraphClient, GraphClientBuilder};
pub use cloud::NationalCloud;
pub use error::{Error, Result};
pub use odata::{Page, Query};
pub use pipeline::{AsyncSleep, RateLimit, RetryBudget, RetryPolicy, SystemClock, TokioSleep, WallClock};
pub use proxy::ProxyConfig;
pub use reqwest::{Method, StatusCode, header};
pub use url::Url;

/// The README's Rust examples, compiled and run as doc tests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Fails to compile if the shared types stop being `Send + Sync`.
#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<GraphClient>();
    check::<Error>();
    check::<ProxyConfig>();
    check::<api::DeviceConfigurations>();
    check::<batch::Batch>();
    check::<batch::BatchResults>();
    check::<models::IosScepCertificateProfile>();
    check::<models::DeviceConfiguration>();
    check::<tenant::TenantError>();
    check::<tenant::Snapshot>();
    check::<tenant::Plan>();
}
