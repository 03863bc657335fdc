//! A fixed bearer token, e.g. from `GRAPH_TOKEN` or a test.

use super::{AccessToken, AuthError, BoxFuture, Secret, TokenCredential, TokenRequest};

/// A bearer token that is used as is and never refreshed.
#[derive(Clone, Debug)]
pub struct StaticToken {
    token: Secret,
}

impl StaticToken {
    /// Wraps a token. An empty token is refused when the client is built.
    pub fn new(token: impl Into<Secret>) -> Self {
        StaticToken { token: token.into() }
    }

    /// True when the token is empty (the builder refuses such a credential).
    pub fn is_empty(&self) -> bool {
        self.token.is_empty()
    }
}

impl TokenCredential for StaticToken {
    fn get_token<'a>(&'a self, _request: &'a TokenRequest) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        let token = AccessToken::non_expiring(self.token.clone());
        Box::pin(async move {
            if token.token.is_empty() {
                return Err(AuthError::NotConfigured("the static token is empty".into()));
            }
            Ok(token)
        })
    }
}
