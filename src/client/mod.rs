//! [`GraphClient`]: one per tenant and app; cheap to clone and share across tasks.

mod builder;
pub(crate) mod raw;

use std::{fmt, future::Future, sync::Arc};

use bytes::Bytes;
use url::Url;

pub use builder::GraphClientBuilder;

use crate::{
    api::DeviceConfigurations,
    error::{Error, Result},
    pipeline::{ApiRequest, Pipeline, RawResponse},
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
    /// The send path, with every resilience setting of the builder.
    pipeline: Pipeline,
    base_url: Url,
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

    /// Sends `request` through the one send path: origin check, throttle gate, token,
    /// retries and error classification. Every handle and the raw escape hatch call this.
    pub(crate) fn send(&self, request: ApiRequest) -> impl Future<Output = Result<RawResponse>> + Send + '_ {
        self.inner.pipeline.send(request)
    }

    /// The send path itself, for `$batch`, which drives each step through the pipeline's
    /// per-step rules (classification, throttle gate, write limiter, retry budget).
    pub(crate) fn pipeline(&self) -> &Pipeline {
        &self.inner.pipeline
    }

    /// Waits `duration` through the client's sleeper (so tests that inject one see it).
    pub(crate) async fn sleep(&self, duration: std::time::Duration) {
        self.inner.pipeline.sleep(duration).await;
    }

    /// `{base}/{segment}/…`, each segment percent-encoded as one path segment.
    pub(crate) fn segments_url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base_url.clone();
        // An http(s) URL always has path segments (GraphOrigin refused anything else).
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// `{base}/{path}`: `path` is relative to the base URL, without a leading slash.
    pub(crate) fn url(&self, path: &str) -> Result<Url> {
        let base = self.inner.base_url.as_str();
        Url::parse(&format!("{base}/{path}"))
            .map_err(|e| Error::invalid("path", format!("not a usable path {path:?}: {e}")))
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

/// A 204, or a 200 without content.
pub(crate) fn is_empty_body(body: &Bytes) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}
