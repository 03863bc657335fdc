//! Building the HTTP request for one attempt, without IO, so it can be unit-tested.

use bytes::Bytes;
use reqwest::{
    Method,
    header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT},
};
use url::Url;

use super::response::{BodyReader, ReadBody};
use crate::odata::Query;

pub(crate) const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
pub(crate) const RETRY_ATTEMPT: HeaderName = HeaderName::from_static("retry-attempt");
const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");
/// Headers an attempt usually ends up with: the 5 or 6 set here plus the transport's.
const EXPECTED_HEADERS: usize = 10;

/// One logical call: what to send. Held as bytes so every attempt sends the same thing.
#[derive(Clone, Debug)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Option<Bytes>,
    /// Extra headers (e.g. `ConsistencyLevel`), sent on every attempt.
    pub(crate) headers: HeaderMap,
    /// Whether sending it again is safe, as declared where it was built.
    pub(crate) repeat: Repeat,
    /// How many slots of the write limiter each attempt takes: 1 for a write, 0 for a
    /// read, one per write step for a request that carries several (a `$batch` envelope).
    pub(crate) write_slots: u32,
    /// Decodes a GET's success body inside the attempt (see [`BodyReader`]); without it,
    /// the attempt only checks that the body is JSON.
    pub(crate) read: Option<ReadBody>,
}

/// Whether a request may be sent again after an attempt whose outcome is unknown (a 504,
/// a 5xx, a reset, a timeout). It is a property of what the request does, so it is
/// declared where the request is built, not read off its method: `POST …/{id}/assign`
/// replaces the whole assignment set and is as safe to repeat as a PUT, while a create
/// POST may create twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Sending it twice leaves the service as sending it once does (reads, PUT, PATCH,
    /// DELETE, whole-set actions, `$ref` writes).
    Safe,
    /// A second send may do it twice (a create): after an unknown outcome it is not re-sent.
    Once,
}

impl Repeat {
    /// What the method alone says (POST: [`Once`](Self::Once), anything else:
    /// [`Safe`](Self::Safe)), for requests whose meaning the crate does not know: the raw
    /// escape hatch and raw `$batch` steps.
    pub(crate) fn by_method(method: &Method) -> Repeat {
        if *method == Method::POST { Repeat::Once } else { Repeat::Safe }
    }
}

impl ApiRequest {
    /// A request to `url`, repeatable or not as `repeat` declares.
    pub(crate) fn new(method: Method, url: Url, repeat: Repeat) -> Self {
        let write_slots = u32::from(is_write_method(&method));
        ApiRequest { method, url, body: None, headers: HeaderMap::new(), repeat, write_slots, read: None }
    }

    /// A GET (always repeatable).
    pub(crate) fn get(url: Url) -> Self {
        ApiRequest::new(Method::GET, url, Repeat::Safe)
    }

    /// Takes `slots` write-limiter slots per attempt (a request carrying `slots` writes).
    pub(crate) fn with_write_slots(mut self, slots: u32) -> Self {
        self.write_slots = slots;
        self
    }

    /// Has the attempt that reads the success body decode it with `reader`; the caller
    /// takes the value with [`RawResponse::decode_read`](super::RawResponse::decode_read).
    pub(crate) fn reading<T>(mut self, reader: BodyReader<T>) -> Self {
        self.read = Some(reader.read);
        self
    }

    pub(crate) fn with_json_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// With the query's headers (e.g. `ConsistencyLevel: eventual` for `$count`/`$search`).
    pub(crate) fn with_query_headers(mut self, query: &Query) -> Self {
        for (name, value) in query.headers() {
            self.headers.insert(name.clone(), value.clone());
        }
        self
    }

    /// Whether sending it again is safe (see [`Repeat`]).
    pub(crate) fn is_repeatable(&self) -> bool {
        self.repeat == Repeat::Safe
    }

    /// `METHOD /path` for messages (no query: it may carry filter values).
    pub(crate) fn describe(&self) -> String {
        format!("{} {}", self.method, self.url.path())
    }
}

/// POST, PUT, PATCH and DELETE: what the write limiter counts.
pub(crate) fn is_write_method(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

/// The per-call constants every attempt carries.
pub(crate) struct AttemptHeaders<'a> {
    pub(crate) authorization: HeaderValue,
    pub(crate) client_request_id: &'a HeaderValue,
    pub(crate) user_agent: &'a HeaderValue,
    /// 1 for the first attempt.
    pub(crate) attempt: u32,
}

/// The request for one attempt.
pub(crate) fn build_attempt(request: &ApiRequest, headers: AttemptHeaders<'_>) -> reqwest::Request {
    let mut http = reqwest::Request::new(request.method.clone(), request.url.clone());
    let map = http.headers_mut();
    // Room for these headers and the ones the transport adds (`Host`, …) without growing.
    map.reserve(EXPECTED_HEADERS + request.headers.len());
    let mut authorization = headers.authorization;
    authorization.set_sensitive(true);
    map.insert(AUTHORIZATION, authorization);
    map.insert(ACCEPT, APPLICATION_JSON);
    map.insert(CLIENT_REQUEST_ID, headers.client_request_id.clone());
    map.insert(USER_AGENT, headers.user_agent.clone());
    if headers.attempt > 1 {
        map.insert(RETRY_ATTEMPT, HeaderValue::from(headers.attempt - 1));
    }
    for (name, value) in &request.headers {
        map.insert(name, value.clone());
    }
    if let Some(body) = &request.body {
        map.insert(CONTENT_TYPE, APPLICATION_JSON);
        *http.body_mut() = Some(body.clone().into());
    }
    http
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers<'a>(crid: &'a HeaderValue, ua: &'a HeaderValue, attempt: u32) -> AttemptHeaders<'a> {
        AttemptHeaders {
            authorization: HeaderValue::from_static("Bearer t0k3n"),
            client_request_id: crid,
            user_agent: ua,
            attempt,
        }
    }

    #[test]
    fn post_carries_body_and_headers() {
        let url =
            Url::parse("https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations").unwrap();
        let request =
            ApiRequest::new(Method::POST, url.clone(), Repeat::Once).with_json_body(&b"{\"a\":1}"[..]);
        let crid = HeaderValue::from_static("6f0c7f36-9f6c-4f51-9d36-2a3b2b1c0d11");
        let ua = HeaderValue::from_static("intune-graph/test");
        let http = build_attempt(&request, headers(&crid, &ua, 1));
        assert_eq!(http.method(), Method::POST);
        assert_eq!(http.url(), &url);
        let h = http.headers();
        assert_eq!(h[AUTHORIZATION], "Bearer t0k3n");
        assert!(h[AUTHORIZATION].is_sensitive());
        assert_eq!(h[CONTENT_TYPE], "application/json");
        assert_eq!(h[ACCEPT], "application/json");
        assert_eq!(h[CLIENT_REQUEST_ID], crid);
        assert_eq!(h[USER_AGENT], "intune-graph/test");
        assert!(h.get(RETRY_ATTEMPT).is_none());
        assert_eq!(http.body().and_then(|b| b.as_bytes()), Some(&b"{\"a\":1}"[..]));
        assert!(!request.is_repeatable());
        assert_eq!(request.write_slots, 1);
        assert!(!format!("{h:?}").contains("t0k3n"));
    }

    #[test]
    fn retries_say_which_attempt_and_get_has_no_body() {
        let url = Url::parse("https://graph.microsoft.com/beta/x?$top=5").unwrap();
        let request = ApiRequest::get(url);
        let crid = HeaderValue::from_static("id");
        let ua = HeaderValue::from_static("ua");
        let http = build_attempt(&request, headers(&crid, &ua, 3));
        assert_eq!(http.headers()[RETRY_ATTEMPT], "2");
        assert!(http.headers().get(CONTENT_TYPE).is_none());
        assert!(http.body().is_none());
        assert!(request.is_repeatable());
        assert_eq!(request.write_slots, 0);
        assert_eq!(request.describe(), "GET /beta/x");
    }
}
