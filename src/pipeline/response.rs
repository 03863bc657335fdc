//! A call's success response, and decoding its body for the caller.

use std::any::Any;

use bytes::Bytes;
use reqwest::{
    StatusCode,
    header::{HeaderMap, HeaderValue},
};
use serde::de::{DeserializeOwned, Error as _};

use crate::{
    error::{CreatedUnreadable, DecodeError, Error, excerpt},
    redact::Redactor,
};

/// A response with a success status, body read in full.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) operation_hint: ApiRequestSummary,
    /// The body, decoded by the attempt that read it (a GET sent with a [`BodyReader`]).
    pub(crate) decoded: Option<Decoded>,
}

/// A success body decoded by the attempt that read it.
pub(crate) type Decoded = Box<dyn Any + Send + Sync>;

/// Decodes a success body as the type a [`BodyReader`] was made for.
pub(crate) type ReadBody = fn(&[u8]) -> Result<Decoded, serde_json::Error>;

/// Decodes a GET's success body as `T` inside the attempt that read it. A body that is not
/// JSON (cut short, a proxy's HTML page) is then retried like a broken connection, as a
/// JSON check did before; a good one is parsed once, where the check and the caller's
/// decode parsed it twice (the check cost a quarter of a typed page decode).
///
/// Plain function pointers, so whatever holds one stays `Send` and `Sync` for any `T`.
/// (`Sync` too for the value, since a response is.)
pub(crate) struct BodyReader<T> {
    pub(super) read: ReadBody,
    take: fn(Decoded) -> Option<T>,
}

impl<T> Clone for BodyReader<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for BodyReader<T> {}

impl<T> std::fmt::Debug for BodyReader<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BodyReader")
    }
}

impl<T: DeserializeOwned + Send + Sync + 'static> BodyReader<T> {
    pub(crate) fn new() -> Self {
        BodyReader { read: read_as::<T>, take: take_as::<T> }
    }
}

fn read_as<T: DeserializeOwned + Send + Sync + 'static>(body: &[u8]) -> Result<Decoded, serde_json::Error> {
    decode_body::<T>(body).map(|value| Box::new(value) as Decoded)
}

fn take_as<T: 'static>(decoded: Decoded) -> Option<T> {
    decoded.downcast().ok().map(|value| *value)
}

/// Decodes a body the way every response is decoded: one UTF-8 check of the whole body,
/// then a `str` decode, which skips serde_json's check of every string it copies (a
/// quarter of a typed page decode). A body that is not UTF-8 goes through `from_slice`,
/// which reports the error as it always did.
pub(crate) fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
}

/// What a response needs to say about its request in errors.
#[derive(Clone, Debug)]
pub(crate) struct ApiRequestSummary {
    pub(crate) client_request_id: HeaderValue,
    pub(crate) method: reqwest::Method,
    /// Moved from the request, not copied: only a failed decode reads it.
    pub(crate) url: url::Url,
    /// The body that was sent (moved from the request), for an unreadable create.
    pub(crate) sent_body: Option<Bytes>,
    /// The response's headers (moved, not copied): only errors read them.
    pub(crate) headers: HeaderMap,
    /// Removes the token and the credential's secrets from what errors quote.
    pub(crate) redactor: Redactor,
}

impl ApiRequestSummary {
    pub(crate) fn describe(&self) -> String {
        format!("{} {}", self.method, self.url.path())
    }

    fn client_request_id(&self) -> Option<String> {
        self.client_request_id.to_str().ok().map(str::to_owned)
    }

    /// The response's `request-id` header, redacted.
    fn request_id(&self) -> Option<String> {
        let id = self.headers.get("request-id").and_then(|v| v.to_str().ok())?;
        Some(self.redactor.text(id).into_owned())
    }
}

impl RawResponse {
    /// Decodes the body as `T`; on failure re-reads it to name the JSON path.
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_body(&self.body).map_err(|source| {
            let mut de = serde_json::Deserializer::from_slice(&self.body);
            let path = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) => e.path().to_string(),
                Ok(_) => String::from("."),
            };
            let hint = &self.operation_hint;
            Error::from(DecodeError {
                status: self.status,
                operation: hint.describe(),
                path: hint.redactor.text(&path).into_owned(),
                body_excerpt: self.excerpt(),
                client_request_id: hint.client_request_id(),
                source: redact_serde(&hint.redactor, source),
            })
        })
    }

    /// The body as `T`: the value the attempt decoded with `reader`, else decoded now (the
    /// attempt had no reader, or the body did not decode, which [`decode`](Self::decode)
    /// then reports with its JSON path).
    pub(crate) fn decode_read<T: DeserializeOwned>(&mut self, reader: BodyReader<T>) -> Result<T, Error> {
        match self.decoded.take().and_then(reader.take) {
            Some(value) => Ok(value),
            None => self.decode(),
        }
    }

    /// Decodes the answer to a create. A body that is not a JSON object at all (empty, an
    /// array, an HTML page) is [`Error::CreatedUnreadable`]: the service accepted the
    /// create, so the caller must not simply send it again.
    pub(crate) fn decode_created<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let first = self.body.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'{') {
            return self.decode();
        }
        let source = match serde_json::from_slice::<serde::de::IgnoredAny>(&self.body) {
            Err(e) => e,
            Ok(_) => serde_json::Error::custom("the body is not a JSON object"),
        };
        let hint = &self.operation_hint;
        Err(Error::from(CreatedUnreadable {
            status: self.status,
            operation: hint.describe(),
            request_id: hint.request_id(),
            client_request_id: hint.client_request_id().unwrap_or_default(),
            body_excerpt: self.excerpt(),
            body: hint.sent_body.clone().unwrap_or_default(),
            source: redact_serde(&hint.redactor, source),
        }))
    }

    /// The start of the body, without secrets (removed before the cut, so the cut cannot
    /// leave a recognizable part of one).
    fn excerpt(&self) -> String {
        excerpt(&self.operation_hint.redactor.bytes(&self.body))
    }
}

/// `source`, rebuilt with a redacted message when its message quoted a secret (serde
/// errors quote the values they reject).
pub(super) fn redact_serde(redactor: &Redactor, source: serde_json::Error) -> serde_json::Error {
    let text = source.to_string();
    match redactor.text(&text) {
        std::borrow::Cow::Borrowed(_) => source,
        std::borrow::Cow::Owned(clean) => serde_json::Error::custom(clean),
    }
}
