//! Secrets and tokens never show in Debug, Display, errors or tracing output.

use std::time::Duration;

use chrono::Utc;
use intune_graph::auth::{
    AccessToken, AuthError, ClientSecretCredential, EnvironmentCredential, FnCredential, Secret, StaticToken,
    TokenCredential, TokenRequest,
};
use url::Url;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::mock::in_turn;

const SECRET: &str = "cLiEnT-sEcReT~value.42";
const TOKEN: &str = "eyJhbGciOi.ACCESS-TOKEN-payload.sig";
const TOKEN_PATH: &str = "/tenant-1/oauth2/v2.0/token";

/// Fails if `text` contains the secret, the token, or a long-enough piece of either.
#[track_caller]
fn assert_clean(text: &str) {
    // Also the form-encoded secret (`~` becomes `%7E`) and pieces free of special characters.
    let encoded: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
    for needle in [SECRET, &encoded, "cLiEnT-sEcReT", "value.42", TOKEN, "ACCESS-TOKEN"] {
        assert!(!text.contains(needle), "found {needle:?} in:\n{text}");
    }
}

fn credential(server: &MockServer) -> ClientSecretCredential {
    ClientSecretCredential::new("tenant-1", "client-1", Secret::new(SECRET))
        .unwrap()
        .authority_host(Url::parse(&server.uri()).unwrap())
        .unwrap()
        .retry_base_delay(Duration::from_millis(1))
}

fn request() -> TokenRequest {
    let mut r = TokenRequest::new(vec!["https://graph.microsoft.com/.default".into()]);
    r.claims = Some("e30".into());
    r
}

#[test]
fn debug_of_every_public_auth_type_is_redacted() {
    crate::capture::global();
    let secret = Secret::new(SECRET);
    assert_clean(&format!("{secret:?} {secret}"));
    let token = AccessToken::new(TOKEN, Utc::now());
    assert_clean(&format!("{token:?}"));
    assert_clean(&format!("{:?}", AccessToken::non_expiring(Secret::new(TOKEN))));
    assert_clean(&format!("{:?}", StaticToken::new(TOKEN)));
    let c = ClientSecretCredential::new("tenant-1", "client-1", SECRET).unwrap();
    let debug = format!("{c:?}");
    assert_clean(&debug);
    assert!(debug.contains("client-1") && debug.contains("[redacted]"), "{debug}");
    let f = FnCredential::new(move |_| {
        let token = token.clone();
        async move { Ok(token) }
    });
    assert_clean(&format!("{f:?}"));
    // EnvironmentCredential has no values; what it builds is a ClientSecretCredential.
    let c = EnvironmentCredential::from_lookup(|name| {
        Some(if name == "AZURE_CLIENT_SECRET" { SECRET.into() } else { "x".into() })
    })
    .unwrap();
    assert_clean(&format!("{c:?}"));
}

#[test]
fn every_auth_error_variant_is_clean() {
    let errors = [
        AuthError::Refused {
            status: 401,
            error: "invalid_client".into(),
            description: Some("AADSTS7000215: Invalid client secret provided.".into()),
            error_codes: vec![7000215],
            correlation_id: Some("c".into()),
        },
        AuthError::NotConfigured("missing".into()),
        AuthError::Transport { message: "down".into(), source: None },
        AuthError::Other("other".into()),
        AuthError::UnexpectedResponse { status: 502, excerpt: "<html>".into() },
        AuthError::External { message: "ext".into(), source: "inner".into() },
    ];
    for e in &errors {
        assert_clean(&format!("{e} {e:?}"));
    }
}

#[tokio::test]
async fn errors_from_an_echoing_endpoint_do_not_carry_the_secret() {
    crate::capture::global();
    // A misbehaving endpoint (or proxy) that echoes the request body back in its error.
    let encoded: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
    let cases = [
        ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": format!("bad {SECRET}"),
            "error_description": format!("client_secret={encoded} was {SECRET}"),
            "correlation_id": SECRET,
        })),
        ResponseTemplate::new(400)
            .set_body_string(format!("grant_type=client_credentials&client_secret={encoded}")),
        ResponseTemplate::new(400).set_body_string(format!("<pre>{SECRET}</pre>")),
    ];
    for response in cases {
        let server = MockServer::start().await;
        Mock::given(path(TOKEN_PATH)).respond_with(response).mount(&server).await;
        let err = credential(&server).get_token(&request()).await.unwrap_err();
        assert_clean(&format!("{err} {err:?}"));
    }
    // Transport errors (nothing listening) carry the URL, never the body.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = ClientSecretCredential::new("tenant-1", "client-1", SECRET)
        .unwrap()
        .authority_host(Url::parse(&format!("http://127.0.0.1:{port}")).unwrap())
        .unwrap()
        .max_attempts(1)
        .get_token(&request())
        .await
        .unwrap_err();
    assert_clean(&format!("{err} {err:?}"));
    assert_clean(&crate::capture::global().text());
}

#[tokio::test]
async fn trace_output_of_token_fetches_is_clean() {
    crate::capture::global();
    let server = MockServer::start().await;
    let token = serde_json::json!({"token_type": "Bearer", "expires_in": 3599, "access_token": TOKEN});
    let refused =
        serde_json::json!({"error": "invalid_client", "error_description": format!("echo {SECRET}")});
    Mock::given(path(TOKEN_PATH))
        .respond_with(in_turn([
            ResponseTemplate::new(503).set_body_string(format!("echo {SECRET}")),
            ResponseTemplate::new(200).set_body_json(token),
            ResponseTemplate::new(401).set_body_json(refused),
        ]))
        .mount(&server)
        .await;
    let c = credential(&server);
    let token = c.get_token(&request()).await.unwrap();
    assert_eq!(token.token.expose(), TOKEN);
    c.get_token(&request()).await.unwrap_err();

    let output = crate::capture::global().text();
    assert!(output.contains("requesting token"), "nothing was traced:\n{output}");
    assert!(output.contains("retrying"), "{output}");
    assert_clean(&output);
}
