//! **Not API.** Entry points for the cargo-fuzz targets in `fuzz/`, compiled only with the
//! `fuzzing` feature. Each is a thin wrapper around a crate-internal parser so a target
//! can reach it without the parser itself becoming public; names and signatures change
//! whenever the internals do.

use std::{sync::Arc, time::Duration};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use reqwest::{
    Method, StatusCode,
    header::{HeaderMap, HeaderValue},
};
use serde::de::DeserializeOwned;
use url::Url;

use crate::{
    error::{GraphError, Result},
    odata::Page,
    pipeline::{ApiRequestSummary, RawResponse, retry_after},
    redact::Redactor,
};

/// The longest body excerpt an error keeps, in bytes (before the `…` that marks a cut).
pub const EXCERPT_LEN: usize = crate::error::EXCERPT_LEN;

/// The longest retry hint taken from a server.
pub const MAX_HINT: Duration = retry_after::MAX_HINT;

/// The `client-request-id` the wrappers below pretend to have sent.
pub const SENT_CLIENT_REQUEST_ID: &str = "00000000-0000-4000-8000-000000000000";

/// The retry hint of a response's headers, read at wall-clock time `now`.
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    retry_after::parse_retry_after(headers, now)
}

/// The error a `GET /fuzz` answered with `status`, `headers` and `body` becomes.
pub fn graph_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> GraphError {
    GraphError::from_response(
        status,
        headers,
        body,
        String::from("GET /fuzz"),
        Some(SENT_CLIENT_REQUEST_ID),
        None,
    )
}

/// A page decoded from a 200 response to a GET of `request_url`, as the client decodes
/// every page (relative links resolved against `request_url`).
pub fn decode_page<T: DeserializeOwned>(body: &[u8], request_url: &Url) -> Result<Page<T>> {
    let response = RawResponse {
        decoded: None,
        status: StatusCode::OK,
        body: Bytes::copy_from_slice(body),
        operation_hint: ApiRequestSummary {
            client_request_id: HeaderValue::from_static(SENT_CLIENT_REQUEST_ID),
            method: Method::GET,
            url: request_url.clone(),
            sent_body: None,
            headers: HeaderMap::new(),
            redactor: Redactor::new(Arc::from([])),
        },
    };
    Page::from_response(&response, request_url)
}
