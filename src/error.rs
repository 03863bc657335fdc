//! Errors: what the service refused, what was refused before sending, and what failed on
//! the way. The HTTP status is never lost, whatever the body looks like.

use std::{fmt, time::Duration};

use bytes::Bytes;
use reqwest::{StatusCode, header::HeaderMap};
use serde::Deserialize;

use crate::{
    auth::AuthError,
    models::{Timestamp, ValidationError},
    untrusted::Untrusted,
};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Longest body excerpt kept in an error.
pub(crate) const EXCERPT_LEN: usize = 512;

/// Most characters of a request id kept in an error: Graph's are 36-character GUIDs, and a
/// hostile server must not make an error line as long as it likes.
pub(crate) const ID_LEN: usize = 128;

/// Everything that can go wrong in a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Graph answered with an error status.
    #[error(transparent)]
    Graph(Box<GraphError>),
    /// The object was refused before anything was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// Graph answered with success but the body could not be decoded.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The request could not be sent or its response not read.
    #[error(transparent)]
    Transport(Box<TransportError>),
    /// A create may or may not have happened (timeout, connection reset, 504 or 5xx
    /// without a retry promise). It was not re-sent, to avoid a duplicate.
    #[error(transparent)]
    OutcomeUnknown(Box<OutcomeUnknown>),
    /// The service accepted a create (2xx) but its answer could not be read (empty, an
    /// array, an HTML page): the object was most likely created. Check before sending it
    /// again, or let `create_with` reconcile.
    #[error(transparent)]
    CreatedUnreadable(Box<CreatedUnreadable>),
    /// No token could be obtained.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A request would have carried the token somewhere other than the Graph origin.
    #[error(transparent)]
    Origin(#[from] crate::origin::OriginError),
    /// Paging stopped: a repeated `@odata.nextLink` or the page cap.
    #[error("paging stopped: {0}")]
    Paging(String),
    /// The whole call ran past its deadline (including retries).
    #[error("{operation} did not finish within {deadline:?} (after {attempts} attempt(s))")]
    DeadlineExceeded {
        /// What was being done.
        operation: String,
        /// The configured deadline.
        deadline: Duration,
        /// Attempts made.
        attempts: u32,
    },
    /// A response body was larger than the configured limit.
    #[error("response body exceeds the limit of {limit} bytes (status {status})")]
    BodyTooLarge {
        /// HTTP status of the response.
        status: StatusCode,
        /// The limit in bytes.
        limit: usize,
    },
    /// The client was set up wrongly (the builder's input: credential, base URL, proxy,
    /// cloud). Fix the setup; no call can succeed with this client.
    #[error("configuration: {0}")]
    Config(String),
    /// An argument to one call was refused before anything was sent (an id, a query
    /// option, a path, an object that cannot be reconciled). The client itself is fine.
    #[error("invalid {what}: {reason}")]
    InvalidArgument {
        /// Which argument, e.g. `object id`, `query`, `path`.
        what: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A request body could not be encoded.
    #[error("could not encode the request body: {0}")]
    Encode(#[source] serde_json::Error),
    /// A `$batch` step's envelope failed as a whole, or the service's answer did not answer
    /// the step exactly once. (A batch refused before sending is
    /// [`InvalidArgument`](Self::InvalidArgument).) [`status`](Self::status),
    /// [`request_id`](Self::request_id) and the other accessors answer from the envelope's
    /// error.
    #[error(transparent)]
    Batch(Box<crate::batch::BatchError>),
}

impl From<crate::batch::BatchError> for Error {
    fn from(error: crate::batch::BatchError) -> Self {
        Error::Batch(Box::new(error))
    }
}

impl Error {
    /// An [`Error::InvalidArgument`]: `what` was refused because of `reason`.
    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Error {
        Error::InvalidArgument { what, reason: reason.into() }
    }

    /// The error a batch step's failed envelope carries, for a step that failed with its
    /// whole envelope ([`BatchError::Envelope`](crate::batch::BatchError::Envelope)); the
    /// error itself otherwise. The accessors below answer from it, as reqwest's `is_*`
    /// walk the source chain.
    fn innermost(&self) -> &Error {
        let mut error = self;
        while let Error::Batch(batch) = error {
            match &**batch {
                crate::batch::BatchError::Envelope { source, .. } => error = source,
                _ => break,
            }
        }
        error
    }

    /// The HTTP status, when a response was received (for a batch step whose envelope
    /// failed, the envelope's).
    pub fn status(&self) -> Option<StatusCode> {
        match self.innermost() {
            Error::Graph(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::BodyTooLarge { status, .. } => Some(*status),
            Error::OutcomeUnknown(e) => e.status,
            Error::CreatedUnreadable(e) => Some(e.status),
            _ => None,
        }
    }

    /// The Graph error, when the service answered with one (for a batch step whose
    /// envelope failed, the envelope's).
    pub fn graph_error(&self) -> Option<&GraphError> {
        match self.innermost() {
            Error::Graph(e) => Some(e),
            Error::OutcomeUnknown(e) => e.graph_error.as_deref(),
            _ => None,
        }
    }

    /// True for 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// True for 429 (throttled).
    pub fn is_throttled(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// True for a create whose outcome is unknown, or that was accepted with an answer
    /// that could not be read: either way, check before sending it again.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self.innermost(), Error::OutcomeUnknown(_) | Error::CreatedUnreadable(_))
    }

    /// The `client-request-id` sent with the failed call, when one was sent (for a batch
    /// step whose envelope failed, the envelope's).
    pub fn client_request_id(&self) -> Option<&str> {
        match self.innermost() {
            Error::Graph(e) => e.client_request_id.as_deref(),
            Error::Decode(e) => e.client_request_id.as_deref(),
            Error::Transport(e) => e.client_request_id.as_deref(),
            Error::OutcomeUnknown(e) => Some(&e.client_request_id),
            Error::CreatedUnreadable(e) => Some(&e.client_request_id),
            _ => None,
        }
    }

    /// The service's `request-id`, when a response carried one (for a batch step whose
    /// envelope failed, the envelope's).
    pub fn request_id(&self) -> Option<&str> {
        match self.innermost() {
            Error::CreatedUnreadable(e) => e.request_id.as_deref(),
            _ => self.graph_error().and_then(|e| e.request_id.as_deref()),
        }
    }
}

/// An error status from Graph with everything the response said about it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct GraphError {
    /// HTTP status.
    pub status: StatusCode,
    /// What was being done, e.g. `POST /deviceManagement/deviceConfigurations`.
    pub operation: String,
    /// `error.code` (Intune uses PascalCase or free text, e.g. `BadRequest`).
    pub code: Option<String>,
    /// `error.message` as sent (for Intune often a JSON document in a string).
    pub message: Option<String>,
    /// `error.target`.
    pub target: Option<String>,
    /// `error.details`.
    pub details: Vec<ErrorDetail>,
    /// `innerError.request-id`, or the `request-id` response header.
    pub request_id: Option<String>,
    /// `innerError.client-request-id`, or the one this client sent.
    pub client_request_id: Option<String>,
    /// `innerError.date` (no offset is normal and read as UTC).
    pub date: Option<Timestamp>,
    /// The server's retry hint (`Retry-After` and friends), when present.
    pub retry_after: Option<Duration>,
    /// Intune's JSON-inside-`message`, when `message` was one.
    pub intune: Option<IntuneMessage>,
    /// The start of the body, always kept (useful for HTML gateway pages).
    pub body_excerpt: String,
    /// How many attempts were made before giving up.
    pub attempts: u32,
}

/// One entry of `error.details`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// Detail code.
    #[serde(default)]
    pub code: Option<String>,
    /// Detail message.
    #[serde(default)]
    pub message: Option<String>,
    /// Detail target.
    #[serde(default)]
    pub target: Option<String>,
}

/// The JSON document Intune puts inside `error.message`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct IntuneMessage {
    /// `_version`.
    pub version: Option<i64>,
    /// `Message`: the human text (contains the operation and activity ids).
    pub message: Option<String>,
    /// `CustomApiErrorPhrase`.
    pub custom_api_error_phrase: Option<String>,
    /// `RetryAfter`, as sent.
    pub retry_after: Option<String>,
    /// `ErrorSourceService`.
    pub error_source_service: Option<String>,
    /// The `Operation ID` found in `Message`.
    pub operation_id: Option<String>,
    /// The `Activity ID` found in `Message`.
    pub activity_id: Option<String>,
}

impl GraphError {
    /// Builds the error from a response, whatever its body: Graph JSON, Intune
    /// JSON-in-message, HTML from a gateway, or nothing at all.
    pub(crate) fn from_response(
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        operation: String,
        sent_client_request_id: Option<&str>,
        retry_after: Option<Duration>,
    ) -> Self {
        let parsed = serde_json::from_slice::<ErrorEnvelope>(body).ok().and_then(|e| e.error);
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (code, message, target, details, inner) = match parsed {
            Some(e) => (
                e.code,
                e.message,
                e.target,
                e.details.unwrap_or_default(),
                e.inner_error.unwrap_or_default(),
            ),
            None => (None, None, None, Vec::new(), InnerError::default()),
        };
        let intune = message.as_deref().and_then(IntuneMessage::parse);
        GraphError {
            status,
            operation,
            code,
            message,
            target,
            details,
            request_id: inner.request_id.or_else(|| header("request-id")).map(|id| capped_id(&id)),
            client_request_id: inner
                .client_request_id
                .or_else(|| header("client-request-id"))
                .or_else(|| sent_client_request_id.map(str::to_owned))
                .map(|id| capped_id(&id)),
            date: inner.date.as_deref().and_then(|d| Timestamp::parse(d).ok()),
            retry_after,
            intune,
            body_excerpt: excerpt(body),
            attempts: 1,
        }
    }

    /// The most readable message: Intune's inner `Message`, else `error.message`, else the
    /// body excerpt.
    pub fn display_message(&self) -> &str {
        self.intune
            .as_ref()
            .and_then(|i| i.message.as_deref())
            .or(self.message.as_deref())
            .unwrap_or(&self.body_excerpt)
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Everything but the operation and status was written by the server.
        write!(f, "{} failed with HTTP {}", self.operation, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {}", Untrusted(code))?;
        }
        let message = self.display_message();
        if !message.is_empty() {
            write!(f, ": {}", Untrusted(message))?;
        } else {
            f.write_str(" (empty body)")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request-id {}]", Untrusted(id))?;
        }
        if let Some(id) = &self.client_request_id {
            write!(f, " [client-request-id {}]", Untrusted(id))?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for GraphError {}

impl IntuneMessage {
    fn parse(message: &str) -> Option<Self> {
        let trimmed = message.trim_start();
        if !trimmed.starts_with('{') {
            return None;
        }
        #[derive(Deserialize)]
        struct Raw {
            #[serde(rename = "_version")]
            version: Option<i64>,
            #[serde(rename = "Message")]
            message: Option<String>,
            #[serde(rename = "CustomApiErrorPhrase")]
            custom_api_error_phrase: Option<String>,
            #[serde(rename = "RetryAfter")]
            retry_after: Option<serde_json::Value>,
            #[serde(rename = "ErrorSourceService")]
            error_source_service: Option<String>,
        }
        let raw: Raw = serde_json::from_str(trimmed).ok()?;
        let find_id = |label: &str| {
            let text = raw.message.as_deref()?;
            let start = text.find(label)? + label.len();
            let id: String = text[start..]
                .trim_start_matches([':', ' '])
                .chars()
                .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
                .collect();
            (!id.is_empty()).then_some(id)
        };
        Some(IntuneMessage {
            version: raw.version,
            operation_id: find_id("Operation ID (for customer support)").or_else(|| find_id("Operation ID")),
            activity_id: find_id("Activity ID"),
            message: raw.message.clone(),
            custom_api_error_phrase: raw.custom_api_error_phrase.filter(|s| !s.is_empty()),
            retry_after: raw.retry_after.filter(|v| !v.is_null()).map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            }),
            error_source_service: raw.error_source_service.filter(|s| !s.is_empty()),
        })
    }
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: Option<String>,
    message: Option<String>,
    target: Option<String>,
    details: Option<Vec<ErrorDetail>>,
    #[serde(rename = "innerError", alias = "innererror")]
    inner_error: Option<InnerError>,
}

#[derive(Default, Deserialize)]
struct InnerError {
    #[serde(rename = "request-id", alias = "requestId")]
    request_id: Option<String>,
    #[serde(rename = "client-request-id", alias = "clientRequestId")]
    client_request_id: Option<String>,
    date: Option<String>,
}

/// A success response whose body did not decode into the expected type.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// What was being done.
    pub operation: String,
    /// JSON path of the failure, e.g. `value[3].keySize`.
    pub path: String,
    /// The start of the body.
    pub body_excerpt: String,
    /// The `client-request-id` sent.
    pub client_request_id: Option<String>,
    /// The serde error.
    pub source: serde_json::Error,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: could not decode the HTTP {} response at `{}`: {} (body starts: {:?})",
            self.operation,
            self.status,
            Untrusted(&self.path),
            Untrusted(&self.source.to_string()),
            self.body_excerpt
        )
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A request that could not be sent, or whose response could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransportError {
    /// What was being done.
    pub operation: String,
    /// The `client-request-id` sent.
    pub client_request_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// How many of the attempts timed out.
    pub timeouts: u32,
    /// The underlying error.
    pub source: reqwest::Error,
}

impl TransportError {
    /// True when the failure was a timeout.
    pub fn is_timeout(&self) -> bool {
        self.source.is_timeout()
    }

    /// True when no connection could be made (the request was not sent).
    pub fn is_connect(&self) -> bool {
        self.source.is_connect()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_timeout() {
            "timed out"
        } else if self.is_connect() {
            "could not connect"
        } else {
            "failed in transport"
        };
        write!(f, "{} {kind} after {} attempt(s)", self.operation, self.attempts)?;
        match self.timeouts {
            0 => {}
            1 => f.write_str(" (timed out once)")?,
            n => write!(f, " (timed out {n} times)")?,
        }
        write!(f, ": {}", self.source)?;
        let mut cause = std::error::Error::source(&self.source);
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A create that may or may not have been carried out.
///
/// Keep [`client_request_id`](Self::client_request_id) to ask support, and
/// [`body`](Self::body) to re-send it yourself once you have checked that the object does
/// not exist — or let the client reconcile (see the README).
#[derive(Debug)]
#[non_exhaustive]
pub struct OutcomeUnknown {
    /// What was being done.
    pub operation: String,
    /// The `client-request-id` sent on every attempt.
    pub client_request_id: String,
    /// The exact body that was sent.
    pub body: Bytes,
    /// The status, when one was received: a 504 or another 5xx; or a 2xx whose body broke
    /// off (the create happened, but its response was lost).
    pub status: Option<StatusCode>,
    /// The Graph error, when a response was received.
    pub graph_error: Option<Box<GraphError>>,
    /// The transport error, when none was received.
    pub transport: Option<reqwest::Error>,
    /// The call's deadline, when that is what cut the create short while it was in flight.
    pub deadline: Option<Duration>,
}

impl fmt::Display for OutcomeUnknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: outcome unknown, not re-sent to avoid a duplicate (client-request-id {})",
            self.operation, self.client_request_id
        )?;
        if let Some(e) = &self.graph_error {
            write!(f, ": {e}")?;
        } else if let Some(e) = &self.transport {
            write!(f, ": {e}")?;
        } else if let Some(d) = self.deadline {
            write!(f, ": the call's deadline of {d:?} passed while the request was in flight")?;
        }
        Ok(())
    }
}

impl std::error::Error for OutcomeUnknown {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match (&self.graph_error, &self.transport) {
            (Some(e), _) => Some(e.as_ref()),
            (None, Some(e)) => Some(e),
            _ => None,
        }
    }
}

/// A create the service accepted (2xx) whose answer is not a JSON object: empty, an
/// array, an HTML page. The object was most likely created, so sending the create again
/// would probably make a duplicate; look for it first (or use `create_with` with
/// reconcile, which does).
#[derive(Debug)]
#[non_exhaustive]
pub struct CreatedUnreadable {
    /// The success status (e.g. `201`).
    pub status: StatusCode,
    /// What was being done.
    pub operation: String,
    /// The response's `request-id`, when it had one.
    pub request_id: Option<String>,
    /// The `client-request-id` sent.
    pub client_request_id: String,
    /// The start of the body (possibly empty).
    pub body_excerpt: String,
    /// The exact body that was sent.
    pub body: Bytes,
    /// Why the body could not be read.
    pub source: serde_json::Error,
}

impl fmt::Display for CreatedUnreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: the service accepted the create (HTTP {}) but its answer could not be read ({}); \
             the object was probably created: check before sending it again",
            self.operation,
            self.status,
            Untrusted(&self.source.to_string())
        )?;
        if !self.body_excerpt.is_empty() {
            write!(f, " (body starts: {:?})", self.body_excerpt)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request-id {}]", Untrusted(id))?;
        }
        write!(f, " [client-request-id {}]", self.client_request_id)
    }
}

impl std::error::Error for CreatedUnreadable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A request id as shown in errors: at most [`ID_LEN`] characters.
fn capped_id(id: &str) -> String {
    crate::origin::truncate(id.trim(), ID_LEN)
}

/// The start of a body as text: at most [`EXCERPT_LEN`] bytes of text (plus `…` when
/// the body goes on), cut at a character boundary. The cap is on the text, not the body:
/// each invalid byte reads as a 3-byte U+FFFD, so 512 bytes of binary would otherwise
/// make 1.5 KB of text; and a character cut in half is dropped, never shown as U+FFFD.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let mut out = String::with_capacity(EXCERPT_LEN.min(body.len()));
    let mut complete = true;
    for chunk in body.utf8_chunks() {
        let valid = chunk.valid();
        let room = EXCERPT_LEN - out.len();
        if valid.len() > room {
            let end = (0..=room).rev().find(|&i| valid.is_char_boundary(i)).unwrap_or(0);
            out.push_str(&valid[..end]);
            complete = false;
            break;
        }
        out.push_str(valid);
        if !chunk.invalid().is_empty() {
            if out.len() + char::REPLACEMENT_CHARACTER.len_utf8() > EXCERPT_LEN {
                complete = false;
                break;
            }
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
    let mut out = out.trim().to_owned();
    if !complete {
        out.push('…');
    }
    out
}

// Each boxed detail converts into its variant, so `?` works on them.
macro_rules! from_boxed {
    ($($detail:ident => $variant:ident),+ $(,)?) => {$(
        impl From<$detail> for Error {
            fn from(e: $detail) -> Self {
                Error::$variant(Box::new(e))
            }
        }
    )+};
}

from_boxed! {
    GraphError => Graph,
    DecodeError => Decode,
    TransportError => Transport,
    CreatedUnreadable => CreatedUnreadable,
    OutcomeUnknown => OutcomeUnknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_envelope_answers_for_its_steps() {
        let mut headers = HeaderMap::new();
        headers.insert("request-id", reqwest::header::HeaderValue::from_static("req-7"));
        let graph = GraphError::from_response(
            StatusCode::NOT_FOUND,
            &headers,
            br#"{"error":{"code":"NotFound","message":"m"}}"#,
            "POST /beta/$batch".into(),
            Some("crid-1"),
            None,
        );
        let source = std::sync::Arc::new(Error::Graph(Box::new(graph)));
        let step: Error = crate::batch::BatchError::Envelope { key: "a".into(), source }.into();
        assert_eq!(step.status(), Some(StatusCode::NOT_FOUND));
        assert!(step.is_not_found());
        assert_eq!(step.request_id(), Some("req-7"));
        assert_eq!(step.client_request_id(), Some("crid-1"));
        assert_eq!(step.graph_error().and_then(|g| g.code.as_deref()), Some("NotFound"));
        let missing: Error = crate::batch::BatchError::MissingResponse { key: "a".into() }.into();
        assert_eq!((missing.status(), missing.request_id()), (None, None));
    }

    #[test]
    fn excerpts_cap_the_text_not_the_body() {
        // Found by fuzzing (fuzz/fuzz_targets/graph_error.rs): invalid bytes each read as a
        // 3-byte U+FFFD, so 512 bytes of binary made a 1.5 KB excerpt.
        let binary = [0xc0u8; 600];
        let text = excerpt(&binary);
        assert_eq!(text, format!("{}…", "\u{fffd}".repeat(EXCERPT_LEN / 3)));
        let mixed: Vec<u8> = [&b"[\"="[..], &[0xc0; 20], &[0xa2; 30], &[0xc0; 150]].concat();
        let text = excerpt(&mixed);
        assert_eq!(text, format!("[\"={}…", "\u{fffd}".repeat(169)));
        assert!(text.len() <= EXCERPT_LEN + '…'.len_utf8());
    }

    #[test]
    fn excerpts_keep_short_bodies_whole_and_drop_cut_characters() {
        assert_eq!(excerpt(b"  <html>502</html>\n"), "<html>502</html>");
        assert_eq!(excerpt(b""), "");
        assert_eq!(excerpt(b"a\xffb"), "a\u{fffd}b");
        let ascii = "x".repeat(EXCERPT_LEN);
        assert_eq!(excerpt(ascii.as_bytes()), ascii);
        assert_eq!(excerpt(format!("{ascii}y").as_bytes()), format!("{ascii}…"));
        // A 3-byte character across the cap is dropped whole, after an invalid byte too.
        let mut body = b"\xff".to_vec();
        body.extend(std::iter::repeat_n(b'x', EXCERPT_LEN - 5));
        body.extend("€€".as_bytes());
        let text = excerpt(&body);
        // 3 bytes of U+FFFD and 507 of `x` leave 2 bytes: no room for `€`.
        assert_eq!(text, format!("\u{fffd}{}…", "x".repeat(EXCERPT_LEN - 5)));
        assert!(!text.trim_end_matches('…').ends_with('\u{fffd}'));
    }
}
