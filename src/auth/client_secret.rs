//! The OAuth 2.0 client-credentials flow against Entra ID (app-only tokens).
//!
//! One POST to `{authority}/{tenant}/oauth2/v2.0/token`. The request body holds the client
//! secret, so it is built once, kept only in memory, never logged, and the token
//! endpoint's error texts are scrubbed of it before they reach an error value.

use std::{
    fmt,
    sync::{Arc, OnceLock},
    time::Duration,
};

use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use reqwest::{StatusCode, header};
use url::Url;

use super::challenge::claims_json;
use super::{AccessToken, AuthError, BoxFuture, ClientSettings, Secret, TokenCredential, TokenRequest};
use crate::{cloud::NationalCloud, origin::GraphOrigin, proxy::ProxyConfig};

/// Attempts per token request, including the first.
const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// First backoff step; doubled per attempt, with jitter.
const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(500);
/// A longer Retry-After than this is not waited out: the error is returned instead, since
/// the caller is blocked on the token.
const MAX_HONOURED_RETRY_AFTER: Duration = Duration::from_secs(30);
/// Token responses are a few KiB; anything bigger is not a token response.
const MAX_BODY: usize = 256 * 1024;
/// Characters of a non-JSON error body kept in the error.
const EXCERPT_CHARS: usize = 300;

/// App-only tokens from Entra ID with a client ID and client secret.
///
/// ```no_run
/// # async fn demo() -> Result<(), intune_graph::auth::AuthError> {
/// use intune_graph::auth::{ClientSecretCredential, Secret, TokenCredential, TokenRequest};
/// use intune_graph::cloud::NationalCloud;
///
/// let credential = ClientSecretCredential::new(
///     "contoso.onmicrosoft.com",
///     "00000000-0000-0000-0000-000000000000",
///     Secret::new(std::env::var("CLIENT_SECRET").unwrap_or_default()),
/// )?
/// .with_cloud(NationalCloud::UsGov);
/// let token = credential
///     .get_token(&TokenRequest::new(vec![NationalCloud::UsGov.scope()]))
///     .await?;
/// # Ok(()) }
/// ```
///
/// Transient failures (connection errors, timeouts, 429 and 5xx answers) are retried up
/// to three attempts in total with a short jittered backoff that honours `Retry-After`.
///
/// Given to a [`GraphClient`](crate::GraphClient), a credential that did not choose its
/// authority ([`with_cloud`](Self::with_cloud), [`authority_host`](Self::authority_host))
/// signs in at the client's cloud, and one built with a cloud other than the client's is
/// refused by `build()`. Its token requests follow the client's
/// [proxy setting](crate::ProxyConfig) unless it was given its own
/// [`http_client`](Self::http_client); on its own it follows
/// [`ProxyConfig::Environment`](crate::ProxyConfig::Environment). An `http` (loopback)
/// authority is never reached through a proxy.
#[derive(Clone)]
pub struct ClientSecretCredential {
    tenant_id: String,
    client_id: String,
    secret: Secret,
    authority: Url,
    /// What chose `authority`, so a client knows whether it may set it.
    authority_choice: AuthorityChoice,
    token_url: Url,
    /// How the default HTTP client reaches an https authority.
    proxy: ProxyConfig,
    /// True when the caller gave the HTTP client: then nothing here configures it.
    http_given: bool,
    http: OnceLock<reqwest::Client>,
    max_attempts: u32,
    base_delay: Duration,
}

impl ClientSecretCredential {
    /// A credential for `client_id` in `tenant_id` (a GUID or a domain such as
    /// `contoso.onmicrosoft.com`) against the global cloud's authority.
    ///
    /// Empty values are refused, naming every one that is empty; so is a tenant ID with
    /// characters other than letters, digits, `-` and `.`.
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Result<Self, AuthError> {
        let (tenant_id, client_id, secret) = (tenant_id.into(), client_id.into(), client_secret.into());
        let empty: Vec<&str> = [
            ("tenant ID", tenant_id.trim().is_empty()),
            ("client ID", client_id.trim().is_empty()),
            ("client secret", secret.is_empty()),
        ]
        .into_iter()
        .filter_map(|(name, empty)| empty.then_some(name))
        .collect();
        if !empty.is_empty() {
            return Err(AuthError::NotConfigured(format!("{} must not be empty", empty.join(", "))));
        }
        // The tenant becomes a path segment of the token URL; Entra ID tenants are GUIDs or
        // DNS names, so anything else is a mistake (and could redirect the request).
        if !tenant_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
            return Err(AuthError::NotConfigured(format!(
                "tenant ID {tenant_id:?} is invalid: use the directory's GUID or domain name"
            )));
        }
        let authority = NationalCloud::Global.authority_host();
        let token_url = token_url(&authority, &tenant_id);
        Ok(ClientSecretCredential {
            tenant_id,
            client_id,
            secret,
            authority,
            authority_choice: AuthorityChoice::Default,
            token_url,
            proxy: ProxyConfig::Environment,
            http_given: false,
            http: OnceLock::new(),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay: DEFAULT_BASE_DELAY,
        })
    }

    /// Uses the sign-in authority of `cloud` (e.g. `https://login.microsoftonline.us/`).
    ///
    /// Pair it with the same cloud on the client, so the token's audience matches the Graph
    /// host.
    pub fn with_cloud(self, cloud: NationalCloud) -> Self {
        self.with_authority(cloud.authority_host(), AuthorityChoice::Cloud(cloud))
    }

    /// Uses another sign-in authority, e.g. a local emulator. `https` is required, except
    /// for loopback hosts; user info, a query or a fragment are refused.
    pub fn authority_host(self, authority: Url) -> Result<Self, AuthError> {
        // The authority receives the client secret: the same rule as for the token applies.
        GraphOrigin::new(&authority)
            .map_err(|e| AuthError::NotConfigured(format!("authority host {authority}: {e}")))?;
        Ok(self.with_authority(authority, AuthorityChoice::Custom))
    }

    fn with_authority(mut self, authority: Url, choice: AuthorityChoice) -> Self {
        self.token_url = token_url(&authority, &self.tenant_id);
        self.authority = authority;
        self.authority_choice = choice;
        self
    }

    /// Sends token requests with `client` instead of a default one.
    ///
    /// The default client follows no redirects (a 307 would re-post the secret elsewhere)
    /// and times out after 10 s connecting or 30 s in total; a client passed here should
    /// do the same.
    pub fn http_client(self, client: reqwest::Client) -> Self {
        let http = OnceLock::new();
        let _ = http.set(client);
        ClientSecretCredential { http, http_given: true, ..self }
    }

    /// Attempts per token request, including the first (default 3, at least 1, at most 10).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.clamp(1, 10);
        self
    }

    /// The first backoff step between attempts (default 500 ms; doubled per attempt, with
    /// jitter, and never shorter than the endpoint's `Retry-After`).
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The tenant ID.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The application (client) ID.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The sign-in authority, e.g. `https://login.microsoftonline.com/`.
    pub fn authority(&self) -> &Url {
        &self.authority
    }

    /// The token endpoint, `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> &Url {
        &self.token_url
    }

    fn http(&self) -> Result<&reqwest::Client, AuthError> {
        if let Some(client) = self.http.get() {
            return Ok(client);
        }
        // Built on first use, so a credential given its own client never builds one.
        let builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30));
        let client = crate::proxy::configure(builder, &self.proxy, &self.token_url)
            .map_err(|message| AuthError::NotConfigured(format!("token endpoint: {message}")))?
            .build()
            .map_err(|e| AuthError::Transport {
                message: "could not build the HTTP client for the token endpoint".into(),
                source: Some(Box::new(e)),
            })?;
        Ok(self.http.get_or_init(|| client))
    }

    fn form(&self, request: &TokenRequest) -> Bytes {
        let scopes: Vec<&str> = request.scopes.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        let scope = scopes.join(" ");
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &self.client_id)
            .append_pair("client_secret", self.secret.expose())
            .append_pair("scope", &scope);
        if let Some(claims) = request.claims.as_deref().filter(|c| !c.trim().is_empty()) {
            form.append_pair("claims", &claims_json(claims));
        }
        Bytes::from(form.finish())
    }

    async fn fetch(&self, request: &TokenRequest) -> Result<AccessToken, AuthError> {
        if request.scopes.iter().all(|s| s.trim().is_empty()) {
            return Err(AuthError::NotConfigured("a token request needs at least one scope".into()));
        }
        let http = self.http()?;
        let body = self.form(request);
        let mut attempt = 1;
        loop {
            tracing::debug!(
                tenant = %self.tenant_id,
                client_id = %self.client_id,
                scopes = ?request.scopes,
                claims = request.claims.is_some(),
                attempt,
                "requesting token"
            );
            let (error, retry_after) = match self.attempt(http, body.clone()).await {
                Outcome::Done(result) => return result,
                Outcome::Transient { error, retry_after } => (error, retry_after),
            };
            let retry_after = retry_after.unwrap_or_default();
            if attempt >= self.max_attempts || retry_after > MAX_HONOURED_RETRY_AFTER {
                return Err(error);
            }
            let delay = backoff(self.base_delay, attempt).max(retry_after);
            tracing::debug!(%error, attempt, delay_ms = delay.as_millis() as u64, "token request failed; retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, http: &reqwest::Client, body: Bytes) -> Outcome {
        // Expiry counts from before the request left, so it errs on the early side.
        let sent_at = Utc::now();
        let response = http
            .post(self.token_url.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(body)
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => return Outcome::transport(e, "could not reach the token endpoint"),
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = match read_limited(response).await {
            Ok(body) => body,
            Err(e) => return Outcome::transport(e, "could not read the token endpoint's answer"),
        };
        tracing::debug!(status = status.as_u16(), bytes = body.len(), "token endpoint answered");
        if status.is_success() {
            return Outcome::Done(parse_token(&body, status, sent_at));
        }
        let error = parse_error(&body, status, &self.secret);
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            Outcome::Transient { error, retry_after }
        } else {
            Outcome::Done(Err(error))
        }
    }
}

impl TokenCredential for ClientSecretCredential {
    fn get_token<'a>(&'a self, request: &'a TokenRequest) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        Box::pin(self.fetch(request))
    }

    fn redactions(&self) -> Vec<Secret> {
        vec![self.secret.clone()]
    }

    fn for_client(&self, settings: &ClientSettings) -> Result<Option<Arc<dyn TokenCredential>>, AuthError> {
        let mut adopted = match (self.authority_choice, settings.cloud()) {
            (AuthorityChoice::Default, Some(cloud)) => self.clone().with_cloud(cloud),
            // L4 and L5 share one authority; the scope, which the client decides, differs.
            (AuthorityChoice::Cloud(own), Some(cloud)) if own.login_host() != cloud.login_host() => {
                return Err(AuthError::NotConfigured(format!(
                    "the credential signs in to the {own} cloud but the client talks to the {cloud} \
                     cloud's Graph; give both the same cloud"
                )));
            }
            _ => self.clone(),
        };
        if !adopted.http_given {
            adopted.proxy = settings.proxy().clone();
            // Built again on first use, with the client's proxy.
            adopted.http = OnceLock::new();
        }
        Ok(Some(Arc::new(adopted)))
    }
}

/// What chose a credential's sign-in authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AuthorityChoice {
    /// Nobody: the global cloud's, until a client says otherwise.
    Default,
    /// [`ClientSecretCredential::with_cloud`].
    Cloud(NationalCloud),
    /// [`ClientSecretCredential::authority_host`]: an explicit host, kept as it is.
    Custom,
}

impl fmt::Debug for ClientSecretCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecretCredential")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.secret)
            .field("authority", &self.authority.as_str())
            .finish_non_exhaustive()
    }
}

enum Outcome {
    Done(Result<AccessToken, AuthError>),
    Transient { error: AuthError, retry_after: Option<Duration> },
}

impl Outcome {
    fn transport(e: reqwest::Error, message: &str) -> Outcome {
        let error = AuthError::Transport { message: message.into(), source: Some(Box::new(e)) };
        Outcome::Transient { error, retry_after: None }
    }
}

fn token_url(authority: &Url, tenant_id: &str) -> Url {
    let mut url = authority.clone();
    url.set_query(None);
    url.set_fragment(None);
    // http(s) URLs always have path segments; `push` percent-encodes, so the tenant can
    // only ever be one segment.
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().extend([tenant_id, "oauth2", "v2.0", "token"]);
    }
    url
}

/// `base * 2^(attempt-1)`, scaled by a random factor in [0.5, 1) so that many clients
/// whose tokens expire together do not retry in lockstep.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1 << (attempt - 1).min(16));
    exp.mul_f64(0.5 + fastrand::f64() * 0.5)
}

/// `Retry-After` in seconds (integer or decimal, rounded up) or `retry-after-ms`. HTTP
/// dates fall back to the backoff; garbage is ignored.
fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    let value = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    if let Some(ms) = value("retry-after-ms").and_then(|v| v.parse::<u64>().ok()) {
        return Some(Duration::from_millis(ms));
    }
    let secs = value("retry-after")?.parse::<f64>().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs(secs.ceil().min(86_400.0) as u64))
}

async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_BODY - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == MAX_BODY {
            break;
        }
    }
    Ok(body)
}

fn parse_token(body: &[u8], status: StatusCode, sent_at: DateTime<Utc>) -> Result<AccessToken, AuthError> {
    // Field by field with our own messages: serde's type errors can quote values, and the
    // value here may be a token.
    let unreadable = |what: &str| AuthError::Transport {
        message: format!("token endpoint answered HTTP {} with {what}", status.as_u16()),
        source: None,
    };
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| unreadable("a body that is not JSON"))?;
    let token = match json.get("access_token") {
        Some(serde_json::Value::String(t)) if !t.is_empty() => t,
        _ => return Err(unreadable("no access_token")),
    };
    if let Some(kind) = json.get("token_type") {
        if !kind.as_str().is_some_and(|k| k.eq_ignore_ascii_case("bearer")) {
            return Err(unreadable("a token_type other than Bearer"));
        }
    }
    let expires_in =
        json.get("expires_in").and_then(seconds).ok_or_else(|| unreadable("no valid expires_in"))?;
    let expires_on = TimeDelta::try_seconds(expires_in)
        .and_then(|d| sent_at.checked_add_signed(d))
        .ok_or_else(|| unreadable("an out-of-range expires_in"))?;
    Ok(AccessToken::new(token.as_str(), expires_on))
}

/// A whole number of seconds given as a JSON number or a numeric string (Entra ID's v1
/// endpoints send strings).
fn seconds(value: &serde_json::Value) -> Option<i64> {
    let n = match value {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (0.0..1e12).contains(&n).then_some(n as i64)
}

fn parse_error(body: &[u8], status: StatusCode, secret: &Secret) -> AuthError {
    let json = serde_json::from_slice::<serde_json::Value>(body).ok();
    let error = json.as_ref().and_then(|j| j.get("error")?.as_str());
    let (Some(json), Some(error)) = (json.as_ref(), error) else {
        return AuthError::UnexpectedResponse { status: status.as_u16(), excerpt: excerpt(body, secret) };
    };
    let text = |key: &str| json.get(key).and_then(|v| v.as_str()).map(|s| scrub(s, secret));
    AuthError::Refused {
        status: status.as_u16(),
        error: scrub(error, secret),
        description: text("error_description"),
        error_codes: json
            .get("error_codes")
            .and_then(|v| v.as_array())
            .map(|codes| codes.iter().filter_map(|c| u32::try_from(c.as_u64()?).ok()).collect())
            .unwrap_or_default(),
        correlation_id: text("correlation_id"),
    }
}

/// The start of a body, printable, without the secret.
fn excerpt(body: &[u8], secret: &Secret) -> String {
    let text = String::from_utf8_lossy(body);
    if text.trim().is_empty() {
        return "(empty body)".into();
    }
    // Scrub before cutting, so a cut cannot leave a recognizable part of the secret.
    let clean: String =
        scrub(text.trim(), secret).chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    match clean.char_indices().nth(EXCERPT_CHARS) {
        Some((i, _)) => format!("{}…", &clean[..i]),
        None => clean,
    }
}

/// Removes the secret, raw or form-encoded, in case an endpoint echoes the request.
fn scrub(text: &str, secret: &Secret) -> String {
    let raw = secret.expose();
    if raw.is_empty() {
        return text.to_owned();
    }
    let encoded: String = url::form_urlencoded::byte_serialize(raw.as_bytes()).collect();
    let mut out = text.replace(raw, "[redacted]");
    if encoded != raw {
        out = out.replace(&encoded, "[redacted]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential() -> ClientSecretCredential {
        ClientSecretCredential::new("t", "c", Secret::new("s3cret")).unwrap()
    }

    fn adopted(
        credential: &ClientSecretCredential,
        cloud: Option<NationalCloud>,
    ) -> Result<String, AuthError> {
        let settings = ClientSettings::new(cloud, ProxyConfig::Direct);
        let adopted = credential.for_client(&settings)?.expect("a client secret credential adapts");
        Ok(format!("{adopted:?}"))
    }

    #[test]
    fn a_credential_without_its_own_authority_takes_the_clients_cloud() {
        let debug = adopted(&credential(), Some(NationalCloud::UsGov)).unwrap();
        assert!(debug.contains(r#"authority: "https://login.microsoftonline.us/""#), "{debug}");
        let debug = adopted(&credential(), Some(NationalCloud::China)).unwrap();
        assert!(debug.contains(r#"authority: "https://login.chinacloudapi.cn/""#), "{debug}");
        // A custom base URL names no cloud: the default stays.
        let debug = adopted(&credential(), None).unwrap();
        assert!(debug.contains(r#"authority: "https://login.microsoftonline.com/""#), "{debug}");
    }

    #[test]
    fn a_credential_for_another_cloud_is_refused_and_a_custom_authority_is_kept() {
        let usgov = credential().with_cloud(NationalCloud::UsGov);
        let err = adopted(&usgov, Some(NationalCloud::Global)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "credential not configured: the credential signs in to the usgov cloud but the client \
             talks to the global cloud's Graph; give both the same cloud"
        );
        // L4 and L5 share the authority.
        assert!(adopted(&usgov, Some(NationalCloud::UsGovDod)).is_ok());
        let custom = credential().authority_host(Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
        let debug = adopted(&custom, Some(NationalCloud::China)).unwrap();
        assert!(debug.contains(r#"authority: "http://127.0.0.1:9/""#), "{debug}");
    }

    #[test]
    fn token_url_joins_segments() {
        let cases = [
            ("https://login.microsoftonline.com/", "https://login.microsoftonline.com/t/oauth2/v2.0/token"),
            ("https://login.microsoftonline.com", "https://login.microsoftonline.com/t/oauth2/v2.0/token"),
            ("http://127.0.0.1:9000/emu/", "http://127.0.0.1:9000/emu/t/oauth2/v2.0/token"),
        ];
        for (authority, expected) in cases {
            assert_eq!(token_url(&Url::parse(authority).unwrap(), "t").as_str(), expected);
        }
    }

    #[test]
    fn seconds_accepts_numbers_and_numeric_strings() {
        use serde_json::json;
        assert_eq!(seconds(&json!(3599)), Some(3599));
        assert_eq!(seconds(&json!("3599")), Some(3599));
        assert_eq!(seconds(&json!(" 60 ")), Some(60));
        assert_eq!(seconds(&json!(59.9)), Some(59));
        assert_eq!(seconds(&json!(-1)), None);
        assert_eq!(seconds(&json!("soon")), None);
        assert_eq!(seconds(&json!(null)), None);
        assert_eq!(seconds(&json!(1e300)), None);
    }

    #[test]
    fn retry_after_forms() {
        let h = |name: &'static str, v: &'static str| {
            let mut m = header::HeaderMap::new();
            m.insert(name, header::HeaderValue::from_static(v));
            retry_after(&m)
        };
        assert_eq!(h("retry-after", "2"), Some(Duration::from_secs(2)));
        assert_eq!(h("retry-after", "1.2"), Some(Duration::from_secs(2)));
        assert_eq!(h("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(h("retry-after", "-3"), None);
        assert_eq!(h("retry-after-ms", "250"), Some(Duration::from_millis(250)));
        assert_eq!(retry_after(&header::HeaderMap::new()), None);
    }

    #[test]
    fn backoff_grows_and_stays_bounded() {
        let base = Duration::from_millis(100);
        for attempt in 1..=3 {
            let d = backoff(base, attempt);
            let full = base * (1 << (attempt - 1));
            assert!(d >= full / 2 && d < full, "{attempt}: {d:?}");
        }
        assert!(backoff(base, 40) <= base * (1 << 16));
    }

    #[test]
    fn scrub_removes_raw_and_encoded_secret() {
        let secret = Secret::new("a+b/c=d~e");
        let text = "got client_secret=a%2Bb%2Fc%3Dd%7Ee and a+b/c=d~e";
        let clean = scrub(text, &secret);
        assert_eq!(clean, "got client_secret=[redacted] and [redacted]");
    }

    #[test]
    fn excerpt_is_short_printable_and_clean() {
        let secret = Secret::new("hunter2");
        let body = format!("<html>\r\n{}hunter2</html>", "x".repeat(1000));
        let e = excerpt(body.as_bytes(), &secret);
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
        assert!(!e.contains('\n') && !e.contains("hunter2"));
        assert_eq!(excerpt(b"  ", &secret), "(empty body)");
        // A secret echoed just after the cut is removed before cutting.
        let body = format!("{}hunter2", "y".repeat(EXCERPT_CHARS - 3));
        assert!(!excerpt(body.as_bytes(), &secret).contains("hun"));
    }

    #[test]
    fn parse_token_rejects_odd_answers_without_quoting_them() {
        let at = Utc::now();
        let ok = parse_token(
            br#"{"token_type":"Bearer","expires_in":"3599","access_token":"tok"}"#,
            StatusCode::OK,
            at,
        )
        .unwrap();
        assert_eq!(ok.token.expose(), "tok");
        assert_eq!(ok.expires_on, Some(at + TimeDelta::seconds(3599)));
        for body in [
            &br#"{"access_token":"tok-abc"}"#[..],
            br#"{"access_token":"tok-abc","expires_in":"x"}"#,
            br#"{"access_token":"tok-abc","expires_in":60,"token_type":"pop"}"#,
            br#"{"access_token":"","expires_in":60}"#,
            br#"{"access_token":7,"expires_in":60}"#,
            br#"tok-abc"#,
        ] {
            let err = parse_token(body, StatusCode::OK, at).unwrap_err();
            assert!(!format!("{err} {err:?}").contains("tok-abc"), "{err:?}");
        }
    }
}
