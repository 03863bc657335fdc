//! The one place where a failed attempt becomes the call's [`Error`].

use std::time::Duration;

use bytes::Bytes;
use reqwest::{
    StatusCode,
    header::{HeaderMap, HeaderValue},
};

use super::{request::ApiRequest, response::redact_serde, retry::StatusVerdict};
use crate::{
    error::{DecodeError, Error, GraphError, OutcomeUnknown, TransportError, excerpt},
    redact::Redactor,
};

/// What went wrong on one attempt.
pub(super) enum Failure {
    /// No usable response (`status`: the success status whose body broke off).
    Transport { error: reqwest::Error, status: Option<StatusCode> },
    /// An error status.
    Status { status: StatusCode, headers: HeaderMap, body: Bytes },
    /// A read answered with success whose body is not JSON (cut by a gateway).
    Undecodable { status: StatusCode, body: Bytes, error: serde_json::Error },
}

impl Failure {
    /// A short description for the retry report: what failed.
    pub(super) fn describe(&self) -> String {
        match self {
            Failure::Transport { error, .. } if error.is_timeout() => "timed out".into(),
            Failure::Transport { error, .. } if error.is_connect() => "could not connect".into(),
            Failure::Transport { status: Some(status), .. } => {
                format!("the HTTP {} response broke off", status.as_u16())
            }
            Failure::Transport { .. } => "the connection failed".into(),
            Failure::Status { status, .. } => format!("HTTP {}", status.as_u16()),
            Failure::Undecodable { status, .. } => {
                format!("the HTTP {} response is not valid JSON", status.as_u16())
            }
        }
    }
}

/// The call's context an error needs.
pub(super) struct ErrorContext<'a> {
    pub(super) request: &'a ApiRequest,
    pub(super) client_request_id: &'a HeaderValue,
    /// Attempts made.
    pub(super) attempts: u32,
    /// Attempts that timed out.
    pub(super) timeouts: u32,
    pub(super) redactor: &'a Redactor,
}

impl ErrorContext<'_> {
    /// The error for the last attempt's `failure`. A create whose failure may have created
    /// the object (`OutcomeUnknown` verdict, or a transport failure after sending) is
    /// [`Error::OutcomeUnknown`].
    pub(super) fn error(&self, failure: Failure, verdict: StatusVerdict, hint: Option<Duration>) -> Error {
        let unknown = verdict == StatusVerdict::OutcomeUnknown
            || (!self.request.is_repeatable()
                && matches!(&failure, Failure::Transport { error, .. }
                    if !error.is_connect() && !error.is_redirect() && !error.is_builder()));
        match failure {
            Failure::Status { status, headers, body } => {
                let graph = self.graph_error(status, &headers, &body, hint);
                if unknown {
                    self.outcome_unknown(Some(status), Some(Box::new(graph)), None).into()
                } else {
                    graph.into()
                }
            }
            Failure::Transport { error, status } if unknown => {
                self.outcome_unknown(status, None, Some(error)).into()
            }
            Failure::Undecodable { status, body, error } => Error::from(DecodeError {
                status,
                operation: self.request.describe(),
                path: String::from("."),
                body_excerpt: excerpt(&self.redactor.bytes(&body)),
                client_request_id: self.client_request_id.to_str().ok().map(str::to_owned),
                source: redact_serde(self.redactor, error),
            }),
            Failure::Transport { error, .. } => Error::from(TransportError {
                operation: self.request.describe(),
                client_request_id: self.client_request_id.to_str().ok().map(str::to_owned),
                attempts: self.attempts,
                timeouts: self.timeouts,
                source: error,
            }),
        }
    }

    /// A create that may or may not have happened, with what the caller needs to check.
    pub(super) fn outcome_unknown(
        &self,
        status: Option<StatusCode>,
        graph_error: Option<Box<GraphError>>,
        transport: Option<reqwest::Error>,
    ) -> OutcomeUnknown {
        OutcomeUnknown {
            operation: self.request.describe(),
            client_request_id: self.client_request_id.to_str().unwrap_or_default().to_owned(),
            body: self.request.body.clone().unwrap_or_default(),
            status,
            graph_error,
            transport,
            deadline: None,
        }
    }

    /// The Graph error of an error status, without the token or the credential's secrets.
    fn graph_error(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        hint: Option<Duration>,
    ) -> GraphError {
        let mut error = GraphError::from_response(
            status,
            headers,
            &self.redactor.bytes(body),
            self.request.describe(),
            self.client_request_id.to_str().ok(),
            hint,
        );
        self.redactor.option(&mut error.request_id);
        self.redactor.option(&mut error.client_request_id);
        error.attempts = self.attempts;
        error
    }
}
