//! Credentials: where the bearer token for each request comes from.
//!
//! A [`TokenCredential`] is asked for a token on every attempt; the client keeps the
//! answer in its own cache (see [`crate::GraphClient`]) until shortly before it expires,
//! so long runs survive token expiry without the credential doing work per request.
//!
//! Provided credentials:
//! - [`StaticToken`]: a fixed bearer token (tests, short scripts).
//! - [`ClientSecretCredential`]: the OAuth 2.0 client-credentials flow against Entra ID,
//!   also built from the Azure environment variables by [`EnvironmentCredential`].
//! - [`FnCredential`]: any async closure, for tokens obtained some other way.
//! - `AzureCredential` (feature `azure-identity`): any `azure_core` credential, such as
//!   managed identity or workload identity from `azure_identity`.

#[cfg(feature = "azure-identity")]
mod azure;
pub(crate) mod cache;
pub(crate) mod challenge;
mod client_secret;
mod env;
mod func;
mod secret;
mod static_token;

#[cfg(feature = "azure-identity")]
#[cfg_attr(docsrs, doc(cfg(feature = "azure-identity")))]
pub use azure::AzureCredential;
pub use client_secret::ClientSecretCredential;
pub use env::EnvironmentCredential;
pub use func::FnCredential;
pub use secret::Secret;
pub use static_token::StaticToken;

use std::{fmt, future::Future, pin::Pin, sync::Arc};

use chrono::{DateTime, Utc};

use crate::{cloud::NationalCloud, proxy::ProxyConfig, untrusted::Untrusted};

/// A boxed, `Send` future, as returned by [`TokenCredential::get_token`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An access token and when it stops being valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    /// The bearer token. Redacted in `Debug`.
    pub token: Secret,
    /// When the token expires; `None` means it never does (a static token).
    pub expires_on: Option<DateTime<Utc>>,
}

impl AccessToken {
    /// A token with a known expiry.
    pub fn new(token: impl Into<Secret>, expires_on: DateTime<Utc>) -> Self {
        AccessToken { token: token.into(), expires_on: Some(expires_on) }
    }

    /// A token that does not expire (as far as the client knows).
    pub fn non_expiring(token: impl Into<Secret>) -> Self {
        AccessToken { token: token.into(), expires_on: None }
    }
}

/// What the client asks a credential for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenRequest {
    /// OAuth scopes, e.g. `https://graph.microsoft.com/.default`.
    pub scopes: Vec<String>,
    /// A claims challenge from a `WWW-Authenticate` header (continuous access evaluation).
    pub claims: Option<String>,
    /// True when the cached token was rejected and a fresh one is required.
    pub force_refresh: bool,
}

impl TokenRequest {
    /// A request for the given scopes.
    pub fn new(scopes: Vec<String>) -> Self {
        TokenRequest { scopes, claims: None, force_refresh: false }
    }

    /// With a claims challenge (as given in `WWW-Authenticate`, usually base64).
    pub fn with_claims(mut self, claims: impl Into<String>) -> Self {
        self.claims = Some(claims.into());
        self
    }

    /// Marks the request as following a rejected token.
    pub fn with_force_refresh(mut self, force_refresh: bool) -> Self {
        self.force_refresh = force_refresh;
        self
    }
}

/// Why a credential could not produce a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The identity platform refused the request (`AADSTS…`).
    #[error("token request refused ({status}): {}{}", Untrusted(.error), describe_aadsts(.error_codes, .description))]
    Refused {
        /// HTTP status of the token endpoint.
        status: u16,
        /// OAuth error code, e.g. `invalid_client`.
        error: String,
        /// `error_description` (contains the AADSTS code and text).
        description: Option<String>,
        /// Numeric AADSTS codes.
        error_codes: Vec<u32>,
        /// `correlation_id` of the failed request, for support.
        correlation_id: Option<String>,
    },
    /// The credential is missing configuration (e.g. an environment variable).
    #[error("credential not configured: {0}")]
    NotConfigured(String),
    /// The token endpoint could not be reached or answered something unreadable.
    #[error("token endpoint: {message}")]
    Transport {
        /// What went wrong.
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// Any other credential failure (e.g. from an adapter).
    #[error("credential failed: {0}")]
    Other(String),
    /// The token endpoint answered an error that is not an OAuth error document (an HTML
    /// page from a proxy, an empty body). The status is kept with a short excerpt of the
    /// body, from which the client secret has been removed.
    #[error("token endpoint answered HTTP {status}: {}", Untrusted(.excerpt))]
    UnexpectedResponse {
        /// HTTP status of the token endpoint.
        status: u16,
        /// The start of the body (at most a few hundred characters), or `(empty body)`.
        excerpt: String,
    },
    /// A credential from another library (e.g. `azure_core`) failed.
    #[error("credential failed: {message}")]
    External {
        /// What went wrong, as the other library put it.
        message: String,
        /// The other library's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl AuthError {
    /// The HTTP status of the token endpoint, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            AuthError::Refused { status, .. } | AuthError::UnexpectedResponse { status, .. } => Some(*status),
            _ => None,
        }
    }
}

fn describe_aadsts(codes: &[u32], description: &Option<String>) -> String {
    match description {
        Some(d) => format!(" — {}", Untrusted(d)),
        None if !codes.is_empty() => format!(" (AADSTS{})", codes[0]),
        None => String::new(),
    }
}

/// What a [`GraphClient`](crate::GraphClient) tells its credential when it is built: the
/// settings a credential that did not choose its own should take (see
/// [`TokenCredential::for_client`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientSettings {
    cloud: Option<NationalCloud>,
    proxy: ProxyConfig,
}

impl ClientSettings {
    pub(crate) fn new(cloud: Option<NationalCloud>, proxy: ProxyConfig) -> Self {
        ClientSettings { cloud, proxy }
    }

    /// The client's national cloud; `None` when it talks to a custom base URL without
    /// naming a cloud (an emulator, a canary host).
    pub fn cloud(&self) -> Option<NationalCloud> {
        self.cloud
    }

    /// How the client reaches `https` origins; the token endpoint should follow the same
    /// rule.
    pub fn proxy(&self) -> &ProxyConfig {
        &self.proxy
    }
}

/// A source of bearer tokens for Microsoft Graph.
///
/// Implementations must be cheap to call concurrently; the client caches tokens and only
/// calls `get_token` when it has none, when the cached one is about to expire, or when the
/// service rejected it (`force_refresh`).
pub trait TokenCredential: Send + Sync + fmt::Debug {
    /// Obtain a token for `request.scopes`.
    fn get_token<'a>(&'a self, request: &'a TokenRequest) -> BoxFuture<'a, Result<AccessToken, AuthError>>;

    /// Secrets this credential holds besides the tokens it hands out (e.g. a client
    /// secret). The client removes them, like the token, from every error it builds from
    /// a response, in case a server echoes them. Default: none.
    fn redactions(&self) -> Vec<Secret> {
        Vec::new()
    }

    /// This credential as the client built with `settings` uses it, called once by
    /// [`GraphClientBuilder::build`](crate::GraphClientBuilder::build).
    ///
    /// A credential that signs in somewhere returns a copy that takes the client's cloud
    /// and proxy where it did not choose its own, or an error when its own choice
    /// contradicts the client's (a token for another cloud). The default, for credentials
    /// with nothing to adapt, is `Ok(None)`: the credential is used as it is.
    fn for_client(&self, settings: &ClientSettings) -> Result<Option<Arc<dyn TokenCredential>>, AuthError> {
        let _ = settings;
        Ok(None)
    }
}

impl<T: TokenCredential + ?Sized> TokenCredential for Arc<T> {
    fn get_token<'a>(&'a self, request: &'a TokenRequest) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        (**self).get_token(request)
    }

    fn redactions(&self) -> Vec<Secret> {
        (**self).redactions()
    }

    fn for_client(&self, settings: &ClientSettings) -> Result<Option<Arc<dyn TokenCredential>>, AuthError> {
        (**self).for_client(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_the_token_endpoint_is_shown_escaped() {
        let refused = AuthError::Refused {
            status: 400,
            error: "invalid_client\u{1b}[2J".into(),
            description: Some("AADSTS7000215: Invalid client secret.\r\nTrace ID: \u{202e}1".into()),
            error_codes: vec![7000215],
            correlation_id: None,
        };
        assert_eq!(
            refused.to_string(),
            r"token request refused (400): invalid_client\u{1b}[2J — AADSTS7000215: Invalid client secret.\r\nTrace ID: \u{202e}1"
        );
        let page = AuthError::UnexpectedResponse { status: 502, excerpt: "<html>\n<body>".into() };
        assert_eq!(page.to_string(), r"token endpoint answered HTTP 502: <html>\n<body>");
    }
}
