//! [`GraphClientBuilder`]: every setting of a [`GraphClient`], checked once in `build()`.

use std::{fmt, sync::Arc, time::Duration};

use reqwest::header::HeaderValue;
use url::Url;

use super::{GraphClient, Inner};
use crate::{
    auth::{ClientSettings, Secret, StaticToken, TokenCredential, cache::TokenCache},
    cloud::{NationalCloud, scope_for},
    error::{Error, Result},
    origin::{GraphOrigin, redirect_policy},
    pipeline::{
        AsyncSleep, AttemptLimits, Pipeline, RateLimit, Resilience, RetryBudget, RetryPolicy, WallClock,
    },
    proxy::{self, ProxyConfig},
};

/// Configures a [`GraphClient`]. A credential is required; everything else has defaults.
#[must_use]
pub struct GraphClientBuilder {
    base_url: Option<String>,
    cloud: Option<NationalCloud>,
    credential: Option<Arc<dyn TokenCredential>>,
    scopes: Option<Vec<String>>,
    timeout: Duration,
    read_timeout: Duration,
    connect_timeout: Duration,
    user_agent: Option<String>,
    validate: bool,
    http: Option<reqwest::Client>,
    /// `None` until set: then [`ProxyConfig::Environment`], and a given `http` client is
    /// not in conflict with it.
    proxy: Option<ProxyConfig>,
    /// Retry policy, deadline, budget, rate limit, body limit, sleeper and clock: handed to
    /// the send path as one value.
    resilience: Resilience,
}

impl Default for GraphClientBuilder {
    fn default() -> Self {
        GraphClientBuilder {
            base_url: None,
            cloud: None,
            credential: None,
            scopes: None,
            timeout: Duration::from_secs(50),
            read_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: None,
            validate: true,
            http: None,
            proxy: None,
            resilience: Resilience::default(),
        }
    }
}

impl fmt::Debug for GraphClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphClientBuilder")
            .field("base_url", &self.base_url)
            .field("cloud", &self.cloud)
            .field("credential", &self.credential)
            .field("timeout", &self.timeout)
            .field("read_timeout", &self.read_timeout)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

impl GraphClientBuilder {
    /// A custom Graph base URL (e.g. the emulator's). Plain `http` is accepted only for
    /// loopback addresses. Overrides the cloud's URL; the token scope follows the URL's host
    /// unless [`scopes`](Self::scopes) is set.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The national cloud: sets the base URL, the token scope and the sign-in authority
    /// together. A credential that did not choose its own authority (such as
    /// [`EnvironmentCredential`](crate::auth::EnvironmentCredential) without
    /// `AZURE_AUTHORITY_HOST` or `GRAPH_CLOUD`) signs in at this cloud; one built for
    /// another cloud makes [`build`](Self::build) fail.
    pub fn cloud(mut self, cloud: NationalCloud) -> Self {
        self.cloud = Some(cloud);
        self
    }

    /// Where tokens come from (required).
    pub fn credential(mut self, credential: impl TokenCredential + 'static) -> Self {
        self.credential = Some(Arc::new(credential));
        self
    }

    /// A credential already shared elsewhere.
    pub fn shared_credential(mut self, credential: Arc<dyn TokenCredential>) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Shorthand for a [`StaticToken`] credential.
    pub fn bearer_token(self, token: impl Into<Secret>) -> Self {
        self.credential(StaticToken::new(token))
    }

    /// Token scopes; default `https://<graph host>/.default`.
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Time limit of one attempt, body included (default 50 s). With the idle-read
    /// timeout and [`RetryPolicy::max_timeout_retries`] (2), a server that never answers,
    /// or drips its answer, fails a call within 3 minutes.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time limit without a byte arriving while an attempt waits for its response or reads
    /// its body (default 30 s): a silent server fails the attempt early.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Time limit for connecting (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time limit of a whole call, retries and waits included (default: none, bounded by
    /// the retry policy).
    ///
    /// A retry whose wait would pass the deadline is not made: the call ends with the error
    /// it has. Reaching the deadline ends the call with [`Error::DeadlineExceeded`], or with
    /// [`Error::OutcomeUnknown`] when a create was in flight. Measured with tokio's clock.
    ///
    /// A [`$batch`](crate::batch) is one call: the deadline covers its whole
    /// [`send`](crate::batch::Batch::send), every envelope and wait included, and a step
    /// not finished by then ends with [`Error::DeadlineExceeded`] (a create whose envelope
    /// was in flight, with [`Error::OutcomeUnknown`]).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.resilience.deadline = Some(deadline);
        self
    }

    /// The client-wide retry budget (default [`RetryBudget::standard`]: 500 tokens, 5 per
    /// retry, 10 per retry after a timeout, 1 back per first-attempt success). It stops
    /// retry storms when the service fails: once spent, calls return their error instead of
    /// retrying. Retries after a 429 with `Retry-After` are free. `None` turns it off.
    pub fn retry_budget(mut self, budget: Option<RetryBudget>) -> Self {
        self.resilience.retry_budget = budget;
        self
    }

    /// The client-side limit on writes (POST, PUT, PATCH, DELETE attempts, retries
    /// included). Default [`RateLimit::intune_writes`]: 95 per 20 s, just under Intune's
    /// 100 writes per 20 s per app per tenant. Bursts below it go out at once; above it,
    /// writes wait on the client instead of drawing 429s. `None` turns it off (no cost
    /// at all on the send path then).
    pub fn write_rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.resilience.write_rate_limit = limit;
        self
    }

    /// How the client waits between attempts (default [`TokioSleep`](crate::TokioSleep)).
    /// Tests inject a sleeper that records waits without waiting; load tests against an
    /// emulator can scale time down.
    pub fn sleep_impl(mut self, sleep: Arc<dyn AsyncSleep>) -> Self {
        self.resilience.sleep = sleep;
        self
    }

    /// Where wall-clock time comes from, for `Retry-After` HTTP dates and token expiry
    /// (default [`SystemClock`](crate::SystemClock)).
    pub fn wall_clock(mut self, clock: Arc<dyn WallClock>) -> Self {
        self.resilience.clock = clock;
        self
    }

    /// The retry strategy (see [`RetryPolicy`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.resilience.retry = policy;
        self
    }

    /// The `User-Agent`; default `intune-graph/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Send objects without validating them first (validation is on by default).
    pub fn skip_validation(mut self) -> Self {
        self.validate = false;
        self
    }

    /// Largest response body read (default 64 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.resilience.max_response_bytes = limit;
        self
    }

    /// Use this reqwest client instead of the built-in one.
    ///
    /// What that gives up: [`timeout`](Self::timeout), [`read_timeout`](Self::read_timeout)
    /// and [`connect_timeout`](Self::connect_timeout) are settings of the built-in client, so
    /// yours apply instead; and the built-in redirect policy, which follows a redirect only
    /// within the Graph origin, so your client must not follow redirects on its own. Its
    /// proxy settings are its own too (reqwest reads `HTTP_PROXY` and `ALL_PROXY` for every
    /// scheme unless told `no_proxy()`), so [`proxy`](Self::proxy) and
    /// [`no_proxy`](Self::no_proxy) cannot be combined with it. Retries, the throttle gate
    /// and the origin check of every request and `@odata.nextLink` still apply.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Reach an `https` Graph (and the token endpoint of a
    /// [`ClientSecretCredential`](crate::auth::ClientSecretCredential)) through this proxy,
    /// e.g. `http://proxy.corp:3128`; it may carry `user:password@`. The environment is then
    /// ignored. A plain-http (loopback) base URL is never reached through a proxy.
    ///
    /// Without this or [`no_proxy`](Self::no_proxy), the proxy comes from the environment
    /// as [`ProxyConfig::Environment`] says: `HTTPS_PROXY` or `ALL_PROXY` (and the
    /// lower-case forms), minus `NO_PROXY`, for `https` origins only; `HTTP_PROXY` is never
    /// used.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(ProxyConfig::Url(url.into()));
        self
    }

    /// No proxy at all, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = Some(ProxyConfig::Direct);
        self
    }

    /// Builds the client; fails on a missing credential, an unusable base URL or proxy, a
    /// credential for another cloud, or a proxy set together with an
    /// [`http_client`](Self::http_client).
    pub fn build(self) -> Result<GraphClient> {
        let credential = self.credential.ok_or_else(|| {
            Error::Config("a credential is required (e.g. .bearer_token(..) or .credential(..))".into())
        })?;
        let cloud = self.cloud.unwrap_or(NationalCloud::Global);
        let base_url = match &self.base_url {
            Some(text) => Url::parse(text.trim_end_matches('/'))
                .map_err(|e| Error::Config(format!("base URL {text:?}: {e}")))?,
            None => cloud.graph_base_url(),
        };
        let base_url = Url::parse(base_url.as_str().trim_end_matches('/'))
            .map_err(|e| Error::Config(format!("base URL: {e}")))?;
        let origin = GraphOrigin::new(&base_url)?;
        let scopes = match (self.scopes, &self.base_url) {
            (Some(scopes), _) => scopes,
            (None, Some(_)) => vec![scope_for(&base_url)],
            (None, None) => vec![cloud.scope()],
        };
        let user_agent =
            self.user_agent.unwrap_or_else(|| concat!("intune-graph/", env!("CARGO_PKG_VERSION")).into());
        let user_agent =
            HeaderValue::try_from(user_agent).map_err(|e| Error::Config(format!("user agent: {e}")))?;
        let mut resilience = self.resilience;
        let proxy_set = self.proxy.is_some();
        let proxy = self.proxy.unwrap_or_default();
        let http = match self.http {
            Some(_) if proxy_set => {
                return Err(Error::Config(
                    "proxy settings apply to the built-in HTTP client: set the proxy on the client \
                     given to http_client(..) instead"
                        .into(),
                ));
            }
            Some(http) => http,
            None => {
                // The attempt's `timeout` and `read_timeout` are kept by the send path, with
                // one timer per attempt where reqwest would arm three (pipeline/timer.rs).
                let limits = AttemptLimits { timeout: self.timeout, read_timeout: self.read_timeout };
                resilience.attempt_limits = Some(limits);
                let builder = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .redirect(redirect_policy(origin.clone()))
                    .referer(false);
                proxy::configure(builder, &proxy, &base_url)
                    .map_err(Error::Config)?
                    .build()
                    .map_err(|e| Error::Config(format!("HTTP client: {e}")))?
            }
        };
        // A custom base URL without a cloud names no cloud to hold a credential to.
        let client_cloud = self.cloud.or(self.base_url.is_none().then_some(cloud));
        let settings = ClientSettings::new(client_cloud, proxy);
        let credential = credential
            .for_client(&settings)
            .map_err(|e| Error::Config(format!("credential: {e}")))?
            .unwrap_or(credential);
        let credential_debug = format!("{credential:?}");
        let tokens = TokenCache::new(credential, scopes).with_clock(resilience.clock.clone());
        let pipeline = Pipeline::new(http, origin, tokens, user_agent, resilience);
        Ok(GraphClient {
            inner: Arc::new(Inner { pipeline, base_url, validate: self.validate, credential_debug }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::EnvironmentCredential;
    use crate::client::GraphClient;

    fn env_credential(extra: &[(&'static str, &'static str)]) -> crate::auth::ClientSecretCredential {
        let base = [("AZURE_TENANT_ID", "t"), ("AZURE_CLIENT_ID", "c"), ("AZURE_CLIENT_SECRET", "s3cret")];
        let vars: Vec<(&str, &str)> = base.iter().chain(extra).copied().collect();
        EnvironmentCredential::from_lookup(|name| {
            vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        })
        .unwrap()
    }

    #[test]
    fn the_clients_cloud_decides_where_an_environment_credential_signs_in() {
        let client = GraphClient::builder()
            .cloud(NationalCloud::UsGov)
            .credential(env_credential(&[]))
            .build()
            .unwrap();
        let debug = format!("{client:?}");
        assert!(debug.contains(r#"authority: \"https://login.microsoftonline.us/\""#), "{debug}");
        assert_eq!(client.base_url().as_str(), "https://graph.microsoft.us/beta");
        assert!(!debug.contains("s3cret"), "{debug}");

        // GRAPH_CLOUD means the same as on the CLI: a credential for that cloud only.
        let usgov = env_credential(&[("GRAPH_CLOUD", "usgov")]);
        let err = GraphClient::builder().credential(usgov.clone()).build().unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("signs in to the usgov cloud")), "{err}");
        assert!(GraphClient::builder().cloud(NationalCloud::UsGov).credential(usgov).build().is_ok());
    }

    #[test]
    fn a_proxy_setting_and_a_given_http_client_do_not_mix() {
        let builder = || GraphClient::builder().bearer_token("t").http_client(reqwest::Client::new());
        for builder in [builder().proxy("http://proxy.corp:3128"), builder().no_proxy()] {
            let err = builder.build().unwrap_err();
            assert!(matches!(&err, Error::Config(m) if m.contains("http_client")), "{err}");
        }
        assert!(builder().build().is_ok());
        let err = GraphClient::builder().bearer_token("t").proxy("http://u:pw@[::1").build().unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: the proxy given by GraphClientBuilder::proxy is not a usable URL"
        );
        let client = GraphClient::builder().bearer_token("t").proxy("http://proxy.corp:3128").build();
        assert!(client.is_ok());
    }
}
