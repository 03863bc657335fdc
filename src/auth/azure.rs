//! Any `azure_core` credential (managed identity, workload identity, Azure CLI, client
//! certificate, … from `azure_identity`) as a [`TokenCredential`].

use std::{fmt, sync::Arc};

use chrono::DateTime;

use super::{AccessToken, AuthError, BoxFuture, Secret, TokenCredential, TokenRequest};

/// Adapts an [`azure_core::credentials::TokenCredential`].
///
/// ```ignore
/// let credential = AzureCredential::new(azure_identity::ManagedIdentityCredential::new(None)?);
/// ```
///
/// `azure_core` 1.x cannot be asked for claims or a forced refresh
/// (`TokenRequestOptions` has no such fields), so a claims challenge or a rejected token
/// leads to a plain `get_token` call; `azure_identity` credentials refresh their own cache
/// 5 minutes before expiry.
#[derive(Clone)]
pub struct AzureCredential {
    inner: Arc<dyn azure_core::credentials::TokenCredential>,
}

impl AzureCredential {
    /// Wraps `credential`. `azure_identity` constructors return `Arc<Credential>`, which
    /// converts to the `Arc<dyn TokenCredential>` taken here.
    pub fn new(credential: Arc<dyn azure_core::credentials::TokenCredential>) -> Self {
        AzureCredential { inner: credential }
    }

    /// The wrapped credential.
    pub fn inner(&self) -> &Arc<dyn azure_core::credentials::TokenCredential> {
        &self.inner
    }
}

impl fmt::Debug for AzureCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The inner credential's Debug is the other library's business; do not vouch for it.
        f.write_str("AzureCredential(..)")
    }
}

impl TokenCredential for AzureCredential {
    fn get_token<'a>(&'a self, request: &'a TokenRequest) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            if request.claims.is_some() {
                tracing::debug!(
                    "azure_core credentials cannot take a claims challenge; requesting a plain token"
                );
            }
            let scopes: Vec<&str> = request.scopes.iter().map(String::as_str).collect();
            let token = self
                .inner
                .get_token(&scopes, None)
                .await
                .map_err(|e| AuthError::External { message: e.to_string(), source: Box::new(e) })?;
            // Through the Unix timestamp, so this crate needs no `time` dependency.
            let expires_on = token.expires_on;
            let expires_on = DateTime::from_timestamp(expires_on.unix_timestamp(), expires_on.nanosecond())
                .ok_or_else(|| {
                AuthError::Other("the azure_core token's expiry is out of range".into())
            })?;
            Ok(AccessToken::new(Secret::new(token.token.secret()), expires_on))
        })
    }
}
