//! The `azure_core` adapter, with a fake `azure_core` credential.
#![cfg(feature = "azure-identity")]

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use azure_core::credentials::{self, TokenRequestOptions};
use azure_core::time::OffsetDateTime;
use chrono::DateTime;
use intune_graph::auth::{AuthError, AzureCredential, TokenCredential, TokenRequest};

/// Answers with a fixed token or an error, recording the scopes it was asked for.
#[derive(Debug)]
struct Fake {
    fail: bool,
    scopes: Mutex<Vec<Vec<String>>>,
}

// `azure_core::credentials::TokenCredential` is an `#[async_trait]` trait; this is the
// signature the macro would generate, written out so the tests need no extra crate.
impl credentials::TokenCredential for Fake {
    fn get_token<'life0, 'life1, 'life2, 'life3, 'async_trait>(
        &'life0 self,
        scopes: &'life1 [&'life2 str],
        _options: Option<TokenRequestOptions<'life3>>,
    ) -> Pin<Box<dyn Future<Output = azure_core::Result<credentials::AccessToken>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        'life3: 'async_trait,
        Self: 'async_trait,
    {
        self.scopes.lock().unwrap().push(scopes.iter().map(|s| s.to_string()).collect());
        let result = if self.fail {
            Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Credential,
                "managed identity unavailable",
            ))
        } else {
            let expires = OffsetDateTime::from_unix_timestamp_nanos(1_900_000_000_123_456_789).unwrap();
            Ok(credentials::AccessToken::new("azure-token-value", expires))
        };
        Box::pin(async move { result })
    }
}

fn adapter(fail: bool) -> (Arc<Fake>, AzureCredential) {
    let fake = Arc::new(Fake { fail, scopes: Mutex::default() });
    (fake.clone(), AzureCredential::new(fake))
}

#[tokio::test]
async fn converts_token_and_expiry() {
    let (fake, credential) = adapter(false);
    let mut request = TokenRequest::new(vec!["https://graph.microsoft.us/.default".into()]);
    request.claims = Some("e30".into()); // cannot be forwarded; still yields a token
    let token = credential.get_token(&request).await.unwrap();
    assert_eq!(token.token.expose(), "azure-token-value");
    assert_eq!(token.expires_on, Some(DateTime::from_timestamp(1_900_000_000, 123_456_789).unwrap()));
    assert_eq!(*fake.scopes.lock().unwrap(), [vec!["https://graph.microsoft.us/.default".to_owned()]]);
    assert!(!format!("{credential:?}").contains("azure-token-value"));
}

#[tokio::test]
async fn errors_keep_their_source() {
    let (_, credential) = adapter(true);
    let err = credential.get_token(&TokenRequest::new(vec!["s".into()])).await.unwrap_err();
    assert!(matches!(err, AuthError::External { .. }), "{err:?}");
    assert!(err.to_string().contains("managed identity unavailable"), "{err}");
    let source = std::error::Error::source(&err).unwrap();
    assert!(source.downcast_ref::<azure_core::Error>().is_some());
}
