//! [`GraphClient`]: one per tenant and app; cheap to clone and share across tasks.

use std::{fmt, sync::Arc, time::Duration};

use reqwest::header::HeaderValue;
use url::Url;

use crate::{
    api::DeviceConfigurations,
    auth::{Secret, StaticToken, TokenCredential, cache::TokenCache},
    cloud::{NationalCloud, scope_for},
    error::{Error, Result},
    origin::{GraphOrigin, redirect_policy},
    pipeline::{AsyncSleep, Pipeline, RateLimit, Resilience, RetryBudget, RetryPolicy, WallClock},
};

/// The default base URL: Microsoft Graph beta in the global cloud.
pub const DEFAULT_BASE_URL: &str = "https://graph.microsoft.com/beta";

/// A Microsoft Graph client for Intune device configuration.
///
/// `Clone` is cheap (an `Arc` inside); clone it into tasks rather than wrapping it again.
/// Every call goes through one send path: the origin check (the token only ever goes to
/// the configured Graph origin), the client-wide throttle gate, a cached token, retries that
/// never duplicate a create, and error classification that keeps the HTTP status.
///
/// ```no_run
/// # async fn run() -> intune_graph::Result<()> {
/// use intune_graph::{GraphClient, auth::StaticToken};
///
/// let client = GraphClient::builder().credential(StaticToken::new("eyJ0eXAi...")).build()?;
/// let configurations = client.device_configurations();
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<Inner>,
}

struct Inner {
    pipeline: Pipeline,
    base_url: Url,
    /// `{base}/deviceManagement/deviceConfigurations`, parsed once: every create and list
    /// starts from it, and parsing per call was the largest cost of the send path.
    device_configurations_url: Url,
    validate: bool,
    credential_debug: String,
}

impl GraphClient {
    /// Starts configuring a client.
    pub fn builder() -> GraphClientBuilder {
        GraphClientBuilder::default()
    }

    /// The Graph base URL, e.g. `https://graph.microsoft.com/beta` (no trailing slash).
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The `deviceManagement/deviceConfigurations` collection.
    pub fn device_configurations(&self) -> DeviceConfigurations {
        DeviceConfigurations::new(self.clone())
    }

    /// Whether objects are validated before they are sent.
    pub(crate) fn validates(&self) -> bool {
        self.inner.validate
    }

    pub(crate) fn pipeline(&self) -> &Pipeline {
        &self.inner.pipeline
    }

    /// The `deviceConfigurations` collection URL.
    pub(crate) fn device_configurations_url(&self) -> &Url {
        &self.inner.device_configurations_url
    }

    /// `{base}/{path}`: `path` is relative to the base URL, without a leading slash.
    pub(crate) fn url(&self, path: &str) -> Result<Url> {
        let base = self.inner.base_url.as_str();
        Url::parse(&format!("{base}/{path}")).map_err(|e| Error::Config(format!("bad URL for {path:?}: {e}")))
    }
}

impl fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphClient")
            .field("base_url", &self.inner.base_url.as_str())
            .field("credential", &self.inner.credential_debug)
            .field("validate", &self.inner.validate)
            .field("retry", &self.inner.pipeline.retry)
            .finish_non_exhaustive()
    }
}

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
    retry: RetryPolicy,
    deadline: Option<Duration>,
    max_response_bytes: usize,
    http: Option<reqwest::Client>,
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
            retry: RetryPolicy::default(),
            deadline: None,
            max_response_bytes: 64 * 1024 * 1024,
            http: None,
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

    /// The national cloud: sets the base URL and the token scope together.
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
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
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
        self.retry = policy;
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
        self.max_response_bytes = limit;
        self
    }

    /// Use this reqwest client. It must not follow redirects on its own: the built-in
    /// client follows them only within the Graph origin. Its own timeouts apply: the
    /// builder's `timeout`, `read_timeout` and `connect_timeout` are not used.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client; fails on a missing credential or an unusable base URL.
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
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .read_timeout(self.read_timeout)
                .connect_timeout(self.connect_timeout)
                .redirect(redirect_policy(origin.clone()))
                .referer(false)
                .build()
                .map_err(|e| Error::Config(format!("HTTP client: {e}")))?,
        };
        let credential_debug = format!("{credential:?}");
        let tokens = TokenCache::new(credential, scopes).with_clock(self.resilience.clock.clone());
        let pipeline = Pipeline::new(
            http,
            origin,
            tokens,
            user_agent,
            self.retry,
            self.max_response_bytes,
            self.deadline,
        )
        .with_resilience(self.resilience);
        let device_configurations_url =
            Url::parse(&format!("{}/deviceManagement/deviceConfigurations", base_url.as_str()))
                .map_err(|e| Error::Config(format!("base URL: {e}")))?;
        Ok(GraphClient {
            inner: Arc::new(Inner {
                pipeline,
                base_url,
                device_configurations_url,
                validate: self.validate,
                credential_debug,
            }),
        })
    }
}
