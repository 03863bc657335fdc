//! The escape hatch: any Graph path, typed or raw JSON, through the same send path (origin
//! check, token, throttle gate, retries, error classification) as the typed handles.

use bytes::Bytes;
use reqwest::{Method, StatusCode};
use serde::{Serialize, de::DeserializeOwned};
use url::Url;

use super::is_empty_body;
use crate::{
    GraphClient,
    error::{Error, Result},
    odata::{ItemStream, PageStream, Query},
    pipeline::{ApiRequest, RawResponse, Repeat},
};

/// A success response of [`GraphClient::request_raw`], body read in full.
#[derive(Debug)]
pub struct RawGraphResponse {
    inner: RawResponse,
}

impl RawGraphResponse {
    /// The HTTP status (always a success status; errors are [`Error::Graph`]).
    pub fn status(&self) -> StatusCode {
        self.inner.status
    }

    /// The body as received (empty for a `204`).
    pub fn body(&self) -> &Bytes {
        &self.inner.body
    }

    /// The body, taken out.
    pub fn into_body(self) -> Bytes {
        self.inner.body
    }

    /// Decodes the body as `T` (an empty body reads as JSON `null`, so `()` and
    /// `Option<_>` accept a `204`).
    ///
    /// # Errors
    /// [`Error::Decode`], naming the JSON path that failed.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        decode_or_null(&self.inner)
    }
}

impl GraphClient {
    /// Sends a request with an optional JSON body to any Graph path and decodes the JSON
    /// response.
    ///
    /// `path_or_url` is either relative to the base URL (`deviceManagement/…`; a leading
    /// `/` is ignored; it may carry a query string) or an absolute URL, which must have the
    /// Graph origin (otherwise [`Error::Origin`], and nothing is sent). An empty response
    /// body (`204`) decodes as JSON `null`, so use `()` or `Option<_>` for `T` when none is
    /// expected.
    ///
    /// ```no_run
    /// # async fn run(client: intune_graph::GraphClient) -> intune_graph::Result<()> {
    /// use reqwest::Method;
    /// use serde_json::{Value, json};
    ///
    /// let overview: Value = client
    ///     .request_json(Method::GET, "deviceManagement/deviceConfigurations/abc/deviceStatusOverview", None::<&()>)
    ///     .await?;
    /// let () = client
    ///     .request_json(Method::PATCH, "deviceManagement/deviceConfigurations/abc", Some(&json!({
    ///         "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
    ///         "passwordRequired": true
    ///     })))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an unusable path; [`Error::Origin`]; [`Error::Encode`];
    /// [`Error::Graph`]; [`Error::Decode`]; [`Error::OutcomeUnknown`] for a POST whose
    /// outcome is unknown (POSTs are not retried blindly).
    pub async fn request_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path_or_url: &str,
        body: Option<&B>,
    ) -> Result<T> {
        let body = body.map(|b| serde_json::to_vec(b).map(Bytes::from)).transpose().map_err(Error::Encode)?;
        let response = self.send(self.raw_request(method, path_or_url, body)?).await?;
        decode_or_null(&response)
    }

    /// `GET` of any Graph path, decoded as `T` (see [`request_json`](Self::request_json)).
    ///
    /// # Errors
    /// As [`request_json`](Self::request_json).
    pub async fn get_json<T: DeserializeOwned>(&self, path_or_url: &str) -> Result<T> {
        self.request_json::<(), T>(Method::GET, path_or_url, None).await
    }

    /// Sends a request with optional body bytes (sent as `application/json`) to any Graph
    /// path and returns the status and body as received.
    ///
    /// # Errors
    /// As [`request_json`](Self::request_json), without the decoding.
    pub async fn request_raw(
        &self,
        method: Method,
        path_or_url: &str,
        body: Option<Bytes>,
    ) -> Result<RawGraphResponse> {
        let inner = self.send(self.raw_request(method, path_or_url, body)?).await?;
        Ok(RawGraphResponse { inner })
    }

    /// Every page of any Graph collection, decoded as `T` (see [`PageStream`]).
    pub fn list_pages<T: DeserializeOwned>(&self, path_or_url: &str, query: &Query) -> PageStream<T> {
        let first = self.resolve(path_or_url).map(|mut url| {
            query.apply(&mut url);
            url
        });
        PageStream::new(self.clone(), first, query)
    }

    /// Every item of any Graph collection, decoded as `T` (see [`ItemStream`]).
    pub fn list_items<T: DeserializeOwned>(&self, path_or_url: &str, query: &Query) -> ItemStream<T> {
        self.list_pages(path_or_url, query).items()
    }

    pub(crate) fn raw_request(
        &self,
        method: Method,
        path_or_url: &str,
        body: Option<Bytes>,
    ) -> Result<ApiRequest> {
        // The escape hatch cannot know what the request does: a POST is taken for a create.
        let repeat = Repeat::by_method(&method);
        let mut request = ApiRequest::new(method, self.resolve(path_or_url)?, repeat);
        request.body = body;
        Ok(request)
    }

    /// An absolute URL as given (the pipeline checks its origin), or a path joined to the
    /// base URL.
    pub(crate) fn resolve(&self, path_or_url: &str) -> Result<Url> {
        match Url::parse(path_or_url) {
            Ok(url) => Ok(url),
            Err(url::ParseError::RelativeUrlWithoutBase) => self.url(path_or_url.trim_start_matches('/')),
            Err(e) => Err(Error::invalid("path", format!("not a usable path or URL: {e}"))),
        }
    }
}

/// Decodes the body, reading an empty one as `null`.
pub(crate) fn decode_or_null<T: DeserializeOwned>(response: &RawResponse) -> Result<T> {
    if is_empty_body(&response.body) {
        let null = RawResponse {
            decoded: None,
            status: response.status,
            body: Bytes::from_static(b"null"),
            operation_hint: response.operation_hint.clone(),
        };
        return null.decode();
    }
    response.decode()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> GraphClient {
        GraphClient::builder().bearer_token("t").build().unwrap()
    }

    #[test]
    fn paths_and_urls() {
        let c = client();
        let r = c.raw_request(Method::GET, "deviceManagement/x?$top=1", None).unwrap();
        assert_eq!(r.url.as_str(), "https://graph.microsoft.com/beta/deviceManagement/x?$top=1");
        let r = c.raw_request(Method::GET, "//deviceManagement/x", None).unwrap();
        assert_eq!(r.url.as_str(), "https://graph.microsoft.com/beta/deviceManagement/x");
        let r = c.raw_request(Method::GET, "https://evil.example/beta/x", None).unwrap();
        assert_eq!(r.url.host_str(), Some("evil.example"), "kept as given; the pipeline refuses it");
        let r = c.raw_request(Method::POST, "x", Some(Bytes::from_static(b"{}"))).unwrap();
        assert_eq!(r.body.as_deref(), Some(&b"{}"[..]));
        assert!(matches!(
            c.raw_request(Method::GET, "http://[::1", None),
            Err(Error::InvalidArgument { what: "path", .. })
        ));
    }
}
