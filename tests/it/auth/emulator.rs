//! The client-credentials flow against the crate's own emulator (a real token endpoint
//! on 127.0.0.1), end to end with the token cache's rules applied by the credential.

use chrono::Utc;
use intune_graph::auth::{AuthError, ClientSecretCredential, Secret, TokenCredential, TokenRequest};
use intune_graph::cloud::scope_for;
use intune_graph::emulator::{Emulator, RunningEmulator};

/// App `app-1` of tenant `contoso.onmicrosoft.com` with `secret`, at the emulator's
/// token endpoint.
fn credential(emulator: &RunningEmulator, secret: &str) -> ClientSecretCredential {
    ClientSecretCredential::new("contoso.onmicrosoft.com", "app-1", Secret::new(secret))
        .unwrap()
        .authority_host(emulator.origin())
        .unwrap()
}

#[tokio::test]
async fn fetches_a_token_the_emulator_accepts() {
    let emulator = Emulator::new().client_credentials("app-1", "emu-secret").start().await.unwrap();
    let credential = credential(&emulator, "emu-secret");
    assert_eq!(credential.token_url(), &emulator.token_url("contoso.onmicrosoft.com"));
    let request = TokenRequest::new(vec![scope_for(&emulator.base_url())]);
    let token = credential.get_token(&request).await.unwrap();
    assert!(!token.token.is_empty());
    assert!(token.expires_on.unwrap() > Utc::now());

    // The token opens /beta.
    let response = reqwest::Client::new()
        .get(format!("{}/deviceManagement/deviceConfigurations", emulator.base_url()))
        .bearer_auth(token.token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_wrong_secret_is_refused() {
    let emulator = Emulator::new().client_credentials("app-1", "emu-secret").start().await.unwrap();
    let credential = credential(&emulator, "wrong-secret");
    let err =
        credential.get_token(&TokenRequest::new(vec![scope_for(&emulator.base_url())])).await.unwrap_err();
    assert!(matches!(err, AuthError::Refused { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("wrong-secret"));
    emulator.shutdown().await;
}
