//! The Graph error shape, including Intune's JSON-inside-a-string `message`.

use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::clock;
use super::wire;

/// The per-request ids echoed in headers and in `innerError`.
#[derive(Clone, Debug)]
pub(crate) struct RequestIds {
    /// A new UUID for every request (`request-id`).
    pub(crate) request_id: String,
    /// The caller's `client-request-id`, or a new UUID when it sent none.
    pub(crate) client_request_id: String,
}

impl RequestIds {
    /// Fresh ids, for a request that did not pass through the header layer.
    pub(crate) fn fresh() -> Self {
        Self {
            request_id: uuid::Uuid::new_v4().to_string(),
            client_request_id: uuid::Uuid::new_v4().to_string(),
        }
    }
}

/// An error a handler returns; rendered into the Graph error shape.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// 400 `BadRequest`, Intune style; the text goes into `CustomApiErrorPhrase`.
    BadRequest(String),
    /// 404 `ResourceNotFound`, Intune style.
    NotFound(String),
    /// 400 `No method match route template`, Intune style (a known collection
    /// with an unknown sub-path or an unsupported method).
    NoRoute,
    /// Any other error with a plain-text message (the Graph gateway style).
    Plain {
        /// HTTP status.
        status: StatusCode,
        /// `error.code`.
        code: &'static str,
        /// `error.message`.
        message: String,
    },
}

impl ApiError {
    /// Shorthand for [`ApiError::BadRequest`].
    pub(crate) fn bad(msg: impl Into<String>) -> Self {
        Self::BadRequest(msg.into())
    }

    /// Renders the error; `url` is the request URL quoted in Intune's message.
    pub(crate) fn render(&self, ids: &RequestIds, url: &str) -> Response {
        match self {
            Self::BadRequest(phrase) => {
                let message = intune_message(ids, url, phrase);
                graph_error(StatusCode::BAD_REQUEST, "BadRequest", &message, ids)
            }
            Self::NotFound(phrase) => {
                let message = intune_message(ids, url, phrase);
                graph_error(StatusCode::NOT_FOUND, "ResourceNotFound", &message, ids)
            }
            Self::NoRoute => {
                let message = intune_message(ids, url, "");
                graph_error(StatusCode::BAD_REQUEST, "No method match route template", &message, ids)
            }
            Self::Plain { status, code, message } => graph_error(*status, code, message, ids),
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: MainError<'a>,
}

#[derive(Serialize)]
struct MainError<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(rename = "innerError")]
    inner_error: InnerError<'a>,
}

#[derive(Serialize)]
struct InnerError<'a> {
    date: String,
    #[serde(rename = "request-id")]
    request_id: &'a str,
    #[serde(rename = "client-request-id")]
    client_request_id: &'a str,
}

/// A complete Graph error response:
/// `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
pub(crate) fn graph_error(status: StatusCode, code: &str, message: &str, ids: &RequestIds) -> Response {
    let body = Body {
        error: MainError {
            code,
            message,
            inner_error: InnerError {
                date: clock::inner_error_date(chrono::Utc::now()),
                request_id: &ids.request_id,
                client_request_id: &ids.client_request_id,
            },
        },
    };
    wire::json_response(status, wire::to_vec(&body))
}

#[derive(Serialize)]
struct IntuneMessage<'a> {
    #[serde(rename = "_version")]
    version: u32,
    #[serde(rename = "Message")]
    message: String,
    #[serde(rename = "CustomApiErrorPhrase")]
    phrase: &'a str,
    #[serde(rename = "RetryAfter")]
    retry_after: Option<u32>,
    #[serde(rename = "ErrorSourceService")]
    source: &'a str,
    #[serde(rename = "HttpHeaders")]
    headers: &'a str,
}

/// Intune's `message`: a JSON document encoded as a string.
pub(crate) fn intune_message(ids: &RequestIds, url: &str, phrase: &str) -> String {
    let doc = IntuneMessage {
        version: 3,
        message: format!(
            "An error has occurred - Operation ID (for customer support): \
             00000000-0000-0000-0000-000000000000 - Activity ID: {} - Url: {url} - \
             CustomApiErrorPhrase: {phrase}",
            ids.client_request_id
        ),
        phrase,
        retry_after: None,
        source: "",
        headers: "{}",
    };
    String::from_utf8(wire::to_vec(&doc)).unwrap_or_default()
}

/// 404 for a missing object.
pub(crate) fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("The deviceConfiguration '{id}' was not found."))
}
