//! A credential backed by an async closure, for tokens obtained some other way (a
//! secrets manager, another library, a test).

use std::{fmt, future::Future};

use super::{AccessToken, AuthError, BoxFuture, TokenCredential, TokenRequest};

/// A [`TokenCredential`] that calls an async closure.
///
/// The closure gets its own copy of the [`TokenRequest`], so it can move it into the
/// future it returns. The client caches what it returns; the closure runs only when a
/// token is needed.
///
/// ```
/// use intune_graph::auth::{AccessToken, FnCredential};
///
/// let credential = FnCredential::new(|_request| async {
///     let token = std::env::var("MY_TOKEN").unwrap_or_default();
///     Ok(AccessToken::new(token, chrono::Utc::now() + chrono::TimeDelta::minutes(30)))
/// });
/// ```
pub struct FnCredential<F> {
    f: F,
}

impl<F, Fut> FnCredential<F>
where
    F: Fn(TokenRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<AccessToken, AuthError>> + Send + 'static,
{
    /// Wraps `f`.
    pub fn new(f: F) -> Self {
        FnCredential { f }
    }
}

impl<F> fmt::Debug for FnCredential<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The closure may capture secrets; show nothing of it.
        f.write_str("FnCredential(..)")
    }
}

impl<F, Fut> TokenCredential for FnCredential<F>
where
    F: Fn(TokenRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<AccessToken, AuthError>> + Send + 'static,
{
    fn get_token<'a>(&'a self, request: &'a TokenRequest) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        Box::pin((self.f)(request.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_the_closure_with_the_request() {
        let credential = FnCredential::new(|request: TokenRequest| async move {
            assert_eq!(request.scopes, ["s/.default"]);
            Ok(AccessToken::non_expiring("tok"))
        });
        let token = credential.get_token(&TokenRequest::new(vec!["s/.default".into()])).await.unwrap();
        assert_eq!(token.token.expose(), "tok");
        assert_eq!(format!("{credential:?}"), "FnCredential(..)");
    }
}
