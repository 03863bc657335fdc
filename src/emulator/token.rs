//! The Entra ID client-credentials token endpoint
//! (`POST /{tenant}/oauth2/v2.0/token`) and bearer-token checks for `/beta`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;

use super::clock;
use super::errors::{RequestIds, graph_error};
use super::state::Shared;
use super::wire;

/// The app key under which the static token is throttled.
const STATIC_APP: &str = "static-token";
const AAD_JSON: &str = "application/json; charset=utf-8";

struct Issued {
    app: String,
    expires: Instant,
}

/// Tokens issued by the endpoint.
#[derive(Default)]
pub(crate) struct TokenStore {
    issued: HashMap<String, Issued>,
}

impl TokenStore {
    /// Issues a new random token for `app`.
    pub(crate) fn issue(&mut self, app: &str, lifetime: Duration, now: Instant) -> String {
        // Forget tokens that expired more than ten minutes ago.
        self.issued.retain(|_, t| now.saturating_duration_since(t.expires) < Duration::from_secs(600));
        let token = format!("emu.{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        self.issued.insert(token.clone(), Issued { app: app.to_owned(), expires: now + lifetime });
        token
    }
}

/// The outcome of checking a request's `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Auth {
    /// Accepted; the app key for throttling.
    App(String),
    /// No bearer token.
    Missing,
    /// A token the emulator does not know.
    Invalid,
    /// An issued token past its lifetime.
    Expired,
}

/// Checks `Authorization: Bearer <token>`.
pub(crate) fn authenticate(shared: &Shared, headers: &HeaderMap) -> Auth {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Auth::Missing;
    };
    let Ok(value) = value.to_str() else {
        return Auth::Invalid;
    };
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Auth::Missing,
    };
    if token.is_empty() {
        return Auth::Missing;
    }
    if token == shared.config.token {
        return Auth::App(STATIC_APP.to_owned());
    }
    let tokens = shared.tokens();
    match tokens.issued.get(token) {
        Some(t) if Instant::now() < t.expires => Auth::App(t.app.clone()),
        Some(_) => Auth::Expired,
        None => Auth::Invalid,
    }
}

/// The 401 for a rejected token, with `WWW-Authenticate: Bearer …`.
pub(crate) fn unauthorized(auth: &Auth, ids: &RequestIds) -> Response {
    let (message, challenge) = match auth {
        Auth::Expired => (
            "Lifetime validation failed, the token is expired.",
            "Bearer realm=\"\", error=\"invalid_token\"",
        ),
        Auth::Invalid => ("Access token validation failure.", "Bearer realm=\"\", error=\"invalid_token\""),
        _ => ("Access token is empty.", "Bearer realm=\"\""),
    };
    let mut resp = graph_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message, ids);
    resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    resp
}

#[derive(Serialize)]
struct TokenBody<'a> {
    token_type: &'a str,
    expires_in: u64,
    ext_expires_in: u64,
    access_token: &'a str,
}

#[derive(Serialize)]
struct AadError<'a> {
    error: &'a str,
    error_description: String,
    error_codes: [u32; 1],
    timestamp: &'a str,
    trace_id: &'a str,
    correlation_id: &'a str,
    error_uri: String,
}

struct AadFailure {
    status: StatusCode,
    error: &'static str,
    code: u32,
    text: String,
}

fn fail(status: StatusCode, error: &'static str, code: u32, text: impl Into<String>) -> AadFailure {
    AadFailure { status, error, code, text: text.into() }
}

fn missing(param: &str) -> AadFailure {
    fail(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900_144,
        format!("The request body must contain the following parameter: '{param}'."),
    )
}

fn with_no_store(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store, no-cache"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// `POST /{tenant}/oauth2/v2.0/token` (client credentials, secret in the
/// form body). Any tenant segment is accepted.
pub(crate) async fn endpoint(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> =
        url::form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    match issue(&shared, &tenant, &form) {
        Ok((token, lifetime)) => {
            let secs = lifetime.as_secs();
            let body = TokenBody {
                token_type: "Bearer",
                expires_in: secs,
                ext_expires_in: secs,
                access_token: &token,
            };
            with_no_store(wire::json_response_typed(StatusCode::OK, wire::to_vec(&body), AAD_JSON))
        }
        Err(f) => {
            let now = clock::aad_timestamp(chrono::Utc::now());
            let trace = uuid::Uuid::new_v4().to_string();
            let correlation = headers
                .get("client-request-id")
                .and_then(|v| v.to_str().ok())
                .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
            let body = AadError {
                error: f.error,
                error_description: format!(
                    "AADSTS{}: {} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {now}",
                    f.code, f.text
                ),
                error_codes: [f.code],
                timestamp: &now,
                trace_id: &trace,
                correlation_id: &correlation,
                error_uri: format!("https://login.microsoftonline.com/error?code={}", f.code),
            };
            with_no_store(wire::json_response_typed(f.status, wire::to_vec(&body), AAD_JSON))
        }
    }
}

fn issue(shared: &Shared, tenant: &str, form: &[(String, String)]) -> Result<(String, Duration), AadFailure> {
    let get = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let grant = get("grant_type").ok_or_else(|| missing("grant_type"))?;
    if grant != "client_credentials" {
        return Err(fail(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70_003,
            format!("The app requested an unsupported grant type '{grant}'."),
        ));
    }
    let client_id = get("client_id").ok_or_else(|| missing("client_id"))?;
    let cfg = &shared.config;
    if client_id != cfg.client_id {
        return Err(fail(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700_016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory \
                 '{tenant}'. This can happen if the application has not been installed by the \
                 administrator of the tenant or consented to by any user in the tenant."
            ),
        ));
    }
    let Some(secret) = get("client_secret") else {
        return Err(fail(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7_000_218,
            "The request body must contain the following parameter: 'client_assertion' or \
             'client_secret'.",
        ));
    };
    if secret != cfg.client_secret {
        return Err(fail(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7_000_215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is \
                 the client secret value, not the client secret ID, for a secret added to app \
                 '{client_id}'."
            ),
        ));
    }
    let scope = get("scope").ok_or_else(|| missing("scope"))?;
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    if scopes.len() != 1 || !scopes.iter().all(|s| s.ends_with("/.default")) {
        return Err(fail(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70_011,
            format!(
                "The provided request must include a 'scope' input parameter. The provided value \
                 for the input parameter 'scope' is not valid. The scope {scope} is not valid. \
                 Client credential flows must have a scope value with /.default suffixed to the \
                 resource identifier (application ID URI)."
            ),
        ));
    }
    let lifetime = cfg.token_lifetime;
    let token = shared.tokens().issue(client_id, lifetime, Instant::now());
    shared.counters.tokens_issued.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok((token, lifetime))
}
