//! Proxy variables never carry a secret off the configured origin.
//!
//! This binary sets the process's proxy variables, so it holds this one test only: no
//! other test in the same process can race the environment.

use std::sync::{Arc, Mutex};

use intune_graph::{GraphClient, auth::ClientSecretCredential};
use tokio::{io::AsyncReadExt, net::TcpListener};
use url::Url;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_string_contains, header, method, path},
};

const SECRET: &str = "proxy-test-client-secret";
const TOKEN: &str = "proxy-test-access-token";

/// A listener standing in for a proxy: it records every byte it is sent and answers nothing.
async fn proxy_listener() -> (String, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                sink.lock().unwrap().extend_from_slice(b"<connection>");
                let mut buffer = [0u8; 4096];
                while let Ok(n @ 1..) = stream.read(&mut buffer).await {
                    sink.lock().unwrap().extend_from_slice(&buffer[..n]);
                }
            });
        }
    });
    (address, seen)
}

#[tokio::test]
async fn proxy_variables_never_reach_a_plain_http_origin_or_its_token_endpoint() {
    let (proxy, seen) = proxy_listener().await;
    for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"] {
        // SAFETY: this binary runs this single test; no other thread reads the environment
        // while it is changed (the runtime's workers do not read it).
        unsafe { std::env::set_var(name, &proxy) };
    }
    for name in ["NO_PROXY", "no_proxy"] {
        // SAFETY: as above.
        unsafe { std::env::remove_var(name) };
    }

    let login = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/contoso.onmicrosoft.com/oauth2/v2.0/token"))
        .and(body_string_contains(SECRET))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "token_type": "Bearer", "expires_in": 3599, "access_token": TOKEN,
        })))
        .expect(1)
        .mount(&login)
        .await;
    let graph = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/beta/deviceManagement/deviceConfigurations/p1"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "id": "p1", "displayName": "root",
        })))
        .expect(2)
        .mount(&graph)
        .await;

    let credential = ClientSecretCredential::new("contoso.onmicrosoft.com", "app", SECRET)
        .unwrap()
        .authority_host(Url::parse(&login.uri()).unwrap())
        .unwrap();
    let client = GraphClient::builder()
        .base_url(format!("{}/beta", graph.uri()))
        .credential(credential)
        .build()
        .unwrap();
    let profile = client.device_configurations().get("p1").await.unwrap();
    assert_eq!(profile.id(), Some("p1"));

    // An explicit proxy does not apply to a plain-http origin either.
    let explicit = GraphClient::builder()
        .base_url(format!("{}/beta", graph.uri()))
        .bearer_token(TOKEN)
        .proxy(proxy.as_str())
        .build()
        .unwrap();
    explicit.device_configurations().get("p1").await.unwrap();
    let seen = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    assert_eq!(seen, "", "the proxy was reached");
}
