//! The client-credentials flow against a local token endpoint (wiremock on 127.0.0.1).

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use intune_graph::auth::{
    AuthError, ClientSecretCredential, EnvironmentCredential, TokenCredential, TokenRequest,
};
use intune_graph::cloud::NationalCloud;
use url::Url;
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, Times};

use crate::support::mock::{MountOnce, in_turn, ok_json, when};

const TENANT: &str = "contoso.onmicrosoft.com";
const CLIENT: &str = "11111111-2222-3333-4444-555555555555";
const SECRET: &str = "Sec~ret.Value_with+special/chars=";
const TOKEN_PATH: &str = "/contoso.onmicrosoft.com/oauth2/v2.0/token";
const SCOPE: &str = "https://graph.microsoft.com/.default";

fn credential(server: &MockServer) -> ClientSecretCredential {
    ClientSecretCredential::new(TENANT, CLIENT, SECRET)
        .unwrap()
        .authority_host(Url::parse(&server.uri()).unwrap())
        .unwrap()
        .retry_base_delay(Duration::from_millis(1))
}

fn request() -> TokenRequest {
    TokenRequest::new(vec![SCOPE.into()])
}

fn form(request: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body).into_owned().collect()
}

/// A token endpoint answering every request with `answer`, asked `calls` times (`0..`: any
/// number).
async fn token_endpoint(answer: impl Respond + 'static, calls: impl Into<Times>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN_PATH)).respond_with(answer).expect(calls).mount(&server).await;
    server
}

fn token_body(expires_in: serde_json::Value) -> ResponseTemplate {
    ok_json(serde_json::json!({
        "token_type": "Bearer",
        "expires_in": expires_in,
        "ext_expires_in": 3599,
        "access_token": "eyJ0eXAi.access.token",
    }))
}

#[tokio::test]
async fn posts_the_client_credentials_form() {
    let server = MockServer::start().await;
    when("POST", TOKEN_PATH)
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(token_body(3599.into()))
        .mount_once(&server)
        .await;
    let before = Utc::now();
    let mut req = TokenRequest::new(vec![SCOPE.into(), "offline_access".into()]);
    req.claims = None;
    let token = credential(&server).get_token(&req).await.unwrap();
    assert_eq!(token.token.expose(), "eyJ0eXAi.access.token");
    let expires = token.expires_on.unwrap();
    assert!(expires >= before + TimeDelta::seconds(3599) && expires <= Utc::now() + TimeDelta::seconds(3599));

    let received = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        form(received),
        [
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            ("client_id".to_owned(), CLIENT.to_owned()),
            ("client_secret".to_owned(), SECRET.to_owned()),
            ("scope".to_owned(), format!("{SCOPE} offline_access")),
        ]
    );
    assert!(received.headers.get("authorization").is_none());
}

#[tokio::test]
async fn expires_in_may_be_a_string_and_claims_are_sent_as_json() {
    let server = token_endpoint(token_body("3599".into()), 0..).await;
    let mut req = request();
    // base64 of {"access_token":{"nbf":{"essential":true}}}, as Graph sends it.
    req.claims = Some("eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZX19fQ==".into());
    let token = credential(&server).get_token(&req).await.unwrap();
    assert!(token.expires_on.unwrap() > Utc::now() + TimeDelta::seconds(3500));
    let received = &server.received_requests().await.unwrap()[0];
    let claims = form(received).into_iter().find(|(k, _)| k == "claims").map(|(_, v)| v);
    assert_eq!(claims.as_deref(), Some(r#"{"access_token":{"nbf":{"essential":true}}}"#));
}

#[tokio::test]
async fn oauth_errors_become_refused_with_all_fields() {
    let refusal = ResponseTemplate::new(401).set_body_json(serde_json::json!({
        "error": "invalid_client",
        "error_description": "AADSTS7000215: Invalid client secret provided.",
        "error_codes": [7000215],
        "timestamp": "2026-11-26 13:00:00Z",
        "trace_id": "tr",
        "correlation_id": "corr-1",
    }));
    let server = token_endpoint(refusal, 1).await; // a refusal is not retried
    let err = credential(&server).get_token(&request()).await.unwrap_err();
    match &err {
        AuthError::Refused { status, error, description, error_codes, correlation_id } => {
            assert_eq!(*status, 401);
            assert_eq!(error, "invalid_client");
            assert_eq!(description.as_deref(), Some("AADSTS7000215: Invalid client secret provided."));
            assert_eq!(error_codes, &[7000215]);
            assert_eq!(correlation_id.as_deref(), Some("corr-1"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.status(), Some(401));
    assert!(err.to_string().contains("AADSTS7000215"), "{err}");
}

#[tokio::test]
async fn non_json_errors_keep_status_and_excerpt() {
    let server = token_endpoint(
        ResponseTemplate::new(403).set_body_string("<html><body>Forbidden by proxy</body></html>"),
        0..,
    )
    .await;
    let err = credential(&server).get_token(&request()).await.unwrap_err();
    match &err {
        AuthError::UnexpectedResponse { status: 403, excerpt } => {
            assert!(excerpt.contains("Forbidden by proxy"))
        }
        other => panic!("{other:?}"),
    }
    // An empty body still says what happened.
    let server = token_endpoint(ResponseTemplate::new(404), 0..).await;
    let err = credential(&server).get_token(&request()).await.unwrap_err();
    assert_eq!(err.to_string(), "token endpoint answered HTTP 404: (empty body)");
}

#[tokio::test]
async fn transient_failures_are_retried() {
    let server = token_endpoint(
        in_turn([
            ResponseTemplate::new(429).insert_header("retry-after", "0"),
            ResponseTemplate::new(503).set_body_string("busy"),
            token_body(3599.into()),
        ]),
        0..,
    )
    .await;
    let token = credential(&server).get_token(&request()).await.unwrap();
    assert_eq!(token.token.expose(), "eyJ0eXAi.access.token");
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3);
    // Every attempt sends the same bytes.
    assert!(received.iter().all(|r| r.body == received[0].body));
}

#[tokio::test]
async fn retries_stop_after_three_attempts() {
    let unavailable = ResponseTemplate::new(500).set_body_json(serde_json::json!({
        "error": "temporarily_unavailable",
        "error_description": "AADSTS50196: try later",
    }));
    let server = token_endpoint(unavailable, 3).await;
    let err = credential(&server).get_token(&request()).await.unwrap_err();
    assert!(matches!(err, AuthError::Refused { status: 500, .. }), "{err:?}");
}

#[tokio::test]
async fn attempts_are_configurable() {
    let server = token_endpoint(ResponseTemplate::new(502), 1).await;
    let err = credential(&server).max_attempts(1).get_token(&request()).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
}

#[tokio::test]
async fn a_long_retry_after_is_not_waited_out() {
    let server = token_endpoint(ResponseTemplate::new(429).insert_header("retry-after", "120"), 1).await;
    let err = credential(&server).get_token(&request()).await.unwrap_err();
    assert_eq!(err.status(), Some(429));
}

#[tokio::test]
async fn connection_errors_are_retried_then_reported() {
    // Bind and drop a listener to get a local port with nothing behind it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let credential = ClientSecretCredential::new(TENANT, CLIENT, SECRET)
        .unwrap()
        .authority_host(Url::parse(&format!("http://127.0.0.1:{port}")).unwrap())
        .unwrap()
        .retry_base_delay(Duration::from_millis(1));
    let err = credential.get_token(&request()).await.unwrap_err();
    assert!(matches!(err, AuthError::Transport { .. }), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn malformed_success_bodies_are_errors() {
    for body in [
        serde_json::json!({"access_token": "t"}),
        serde_json::json!({"access_token": "t", "expires_in": 60, "token_type": "pop"}),
        serde_json::json!({"expires_in": 60}),
    ] {
        let server = token_endpoint(ok_json(body.clone()), 1).await;
        let err = credential(&server).get_token(&request()).await.unwrap_err();
        assert!(matches!(err, AuthError::Transport { .. }), "{body}: {err:?}");
    }
}

#[tokio::test]
async fn redirects_are_not_followed_by_the_default_client() {
    let foreign = MockServer::start().await;
    let redirect = ResponseTemplate::new(307).insert_header("location", format!("{}/steal", foreign.uri()));
    let server = token_endpoint(redirect, 0..).await;
    let err = credential(&server).get_token(&request()).await.unwrap_err();
    assert_eq!(err.status(), Some(307));
    assert!(foreign.received_requests().await.unwrap().is_empty(), "the secret went to another host");
}

#[test]
fn empty_or_invalid_inputs_are_refused() {
    let err = ClientSecretCredential::new("", " ", "").unwrap_err();
    assert_eq!(
        err.to_string(),
        "credential not configured: tenant ID, client ID, client secret must not be empty"
    );
    let err = ClientSecretCredential::new("t", "c", "").unwrap_err();
    assert_eq!(err.to_string(), "credential not configured: client secret must not be empty");
    for tenant in ["../evil", "a/b", "tenant?x=1", "t#", "t e"] {
        assert!(ClientSecretCredential::new(tenant, "c", "s").is_err(), "{tenant}");
    }
}

#[test]
fn authority_hosts_follow_the_origin_rule() {
    let c = ClientSecretCredential::new(TENANT, CLIENT, SECRET).unwrap();
    assert_eq!(c.authority().as_str(), "https://login.microsoftonline.com/");
    assert_eq!(
        c.token_url().as_str(),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
    for bad in
        ["http://login.example.com/", "https://u:p@login.example.com/", "https://login.example.com/?x=1"]
    {
        let err = c.clone().authority_host(Url::parse(bad).unwrap()).unwrap_err();
        assert!(matches!(err, AuthError::NotConfigured(_)), "{bad}: {err:?}");
    }
    for (cloud, host) in [
        (NationalCloud::UsGov, "login.microsoftonline.us"),
        (NationalCloud::UsGovDod, "login.microsoftonline.us"),
        (NationalCloud::China, "login.chinacloudapi.cn"),
    ] {
        let c = c.clone().with_cloud(cloud);
        assert_eq!(c.token_url().host_str(), Some(host));
        assert_eq!(c.token_url().path(), "/contoso.onmicrosoft.com/oauth2/v2.0/token");
    }
}

#[test]
fn environment_lookup() {
    let vars = [
        ("AZURE_TENANT_ID", TENANT),
        ("AZURE_CLIENT_ID", CLIENT),
        ("AZURE_CLIENT_SECRET", SECRET),
        ("AZURE_AUTHORITY_HOST", "https://login.chinacloudapi.cn/"),
    ];
    let get = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
    let c = EnvironmentCredential::from_lookup(get).unwrap();
    assert_eq!(c.tenant_id(), TENANT);
    assert_eq!(c.authority().host_str(), Some("login.chinacloudapi.cn"));

    let err = EnvironmentCredential::from_lookup(|name| (name == "AZURE_CLIENT_ID").then(|| "c".into()))
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("AZURE_TENANT_ID") && message.contains("AZURE_CLIENT_SECRET"), "{message}");
    assert!(!message.contains("AZURE_CLIENT_ID"), "{message}");

    let bad = |value: &'static str| {
        move |name: &str| match name {
            "AZURE_AUTHORITY_HOST" => Some(value.to_owned()),
            _ => Some("x".to_owned()),
        }
    };
    for value in ["http://login.example.com", "https://", "https://u:p@login.example.com"] {
        let err = EnvironmentCredential::from_lookup(bad(value)).unwrap_err();
        assert!(err.to_string().contains("AZURE_AUTHORITY_HOST"), "{value}: {err}");
    }
}
