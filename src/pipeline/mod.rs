//! The one send path every call goes through:
//! origin check → throttle gate → authorize → send → read (bounded) → classify → retry or
//! return. Resource handles build an [`ApiRequest`]; this module owns everything after.

mod request;
pub(crate) mod retry;
pub(crate) mod retry_after;
mod throttle;

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::{
    StatusCode,
    header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE},
};
use serde::de::DeserializeOwned;
use tracing::Instrument;

pub(crate) use request::ApiRequest;
pub use retry::RetryPolicy;
use request::{AttemptHeaders, build_attempt};
use retry::{StatusVerdict, classify_status, classify_transport};
use throttle::ThrottleGate;

use crate::{
    auth::cache::TokenCache,
    error::{DecodeError, Error, GraphError, OutcomeUnknown, TransportError, excerpt},
    origin::GraphOrigin,
};

/// A response with a success status, body read in full.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) operation_hint: ApiRequestSummary,
}

/// What a response needs to say about its request in errors.
#[derive(Clone, Debug)]
pub(crate) struct ApiRequestSummary {
    pub(crate) client_request_id: HeaderValue,
    pub(crate) method: reqwest::Method,
    pub(crate) path: String,
}

impl ApiRequestSummary {
    pub(crate) fn describe(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    fn client_request_id(&self) -> Option<String> {
        self.client_request_id.to_str().ok().map(str::to_owned)
    }
}

impl RawResponse {
    /// Decodes the body as `T`; on failure re-reads it to name the JSON path.
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|source| {
            let mut de = serde_json::Deserializer::from_slice(&self.body);
            let path = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) => e.path().to_string(),
                Ok(_) => String::from("."),
            };
            Error::from(DecodeError {
                status: self.status,
                operation: self.operation_hint.describe(),
                path,
                body_excerpt: excerpt(&self.body),
                client_request_id: self.operation_hint.client_request_id(),
                source,
            })
        })
    }
}

/// Settings of the send path, fixed when the client is built.
#[derive(Debug)]
pub(crate) struct Pipeline {
    pub(crate) http: reqwest::Client,
    pub(crate) origin: GraphOrigin,
    pub(crate) tokens: TokenCache,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_response_bytes: usize,
    pub(crate) deadline: Option<Duration>,
    pub(crate) throttle: ThrottleGate,
}

impl Pipeline {
    pub(crate) fn new(
        http: reqwest::Client,
        origin: GraphOrigin,
        tokens: TokenCache,
        user_agent: HeaderValue,
        retry: RetryPolicy,
        max_response_bytes: usize,
        deadline: Option<Duration>,
    ) -> Self {
        Pipeline {
            http,
            origin,
            tokens,
            user_agent,
            retry,
            max_response_bytes,
            deadline,
            throttle: ThrottleGate::new(),
        }
    }

    /// Sends `request` with retries; returns the success response or the classified error.
    pub(crate) async fn send(&self, request: ApiRequest) -> Result<RawResponse, Error> {
        self.origin.check(&request.url)?;
        let client_request_id = HeaderValue::try_from(uuid::Uuid::new_v4().to_string())
            .map_err(|e| Error::Config(e.to_string()))?;
        let span = tracing::debug_span!(
            "graph.call",
            method = %request.method,
            path = request.url.path(),
            client_request_id = ?client_request_id,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        let attempts = self.attempts(&request, &client_request_id).instrument(span.clone());
        let outcome = match self.deadline {
            None => attempts.await,
            Some(deadline) => tokio::time::timeout(deadline, attempts).await.unwrap_or_else(|_| {
                Err(Error::DeadlineExceeded { operation: request.describe(), deadline, attempts: 0 })
            }),
        };
        if let Ok(response) = &outcome {
            span.record("status", response.status.as_u16());
        }
        outcome
    }

    async fn attempts(&self, request: &ApiRequest, client_request_id: &HeaderValue) -> Result<RawResponse, Error> {
        let idempotent = request.is_idempotent();
        let mut attempt: u32 = 1;
        let mut waited = Duration::ZERO;
        let mut force_refresh = false;
        let mut refreshed_after_401 = false;
        let mut claims: Option<String> = None;
        loop {
            waited += self.throttle.wait().await;
            let authorization = self.tokens.authorization(force_refresh, claims.as_deref()).await?;
            force_refresh = false;
            let http_request = build_attempt(
                request,
                AttemptHeaders { authorization, client_request_id, user_agent: &self.user_agent, attempt },
            );
            let (verdict, hint, failure) = match self.exchange(http_request).await? {
                Exchange::Transport(e) => {
                    let verdict = classify_transport(&e, idempotent);
                    tracing::debug!(attempt, error = %e, ?verdict, "transport failure");
                    (verdict, None, Failure::Transport(e))
                }
                Exchange::Response { status, headers, body } => {
                    let hint = retry_after::parse_retry_after(&headers, chrono::Utc::now());
                    let verdict = classify_status(status, idempotent, hint.is_some());
                    tracing::debug!(
                        attempt,
                        status = status.as_u16(),
                        request_id = headers.get("request-id").and_then(|v| v.to_str().ok()),
                        ?verdict,
                        "response"
                    );
                    if verdict == StatusVerdict::Success {
                        return Ok(RawResponse {
                            status,
                            body,
                            operation_hint: summary(request, client_request_id),
                        });
                    }
                    (verdict, hint, Failure::Status { status, headers, body })
                }
            };

            if verdict == StatusVerdict::Unauthorized && !refreshed_after_401 {
                // One forced refresh: the cached token may have been revoked or expired early,
                // or the service asks for new claims (continuous access evaluation).
                refreshed_after_401 = true;
                force_refresh = true;
                if let Failure::Status { headers, .. } = &failure {
                    claims = headers
                        .get(WWW_AUTHENTICATE)
                        .and_then(|v| v.to_str().ok())
                        .and_then(crate::auth::challenge::parse_claims_challenge);
                }
                attempt += 1;
                continue;
            }

            let hint_too_long = hint.is_some_and(|h| h > self.retry.max_retry_after);
            if verdict == StatusVerdict::Retry && attempt < self.retry.max_attempts && !hint_too_long {
                let delay = self.retry.delay(attempt + 1, hint, fastrand::f64());
                if waited + delay <= self.retry.max_total_wait {
                    if let (Some(h), Failure::Status { status: StatusCode::TOO_MANY_REQUESTS, .. }) = (hint, &failure) {
                        self.throttle.pause_for(h);
                    }
                    tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
                    tokio::time::sleep(delay).await;
                    waited += delay;
                    attempt += 1;
                    continue;
                }
            }

            return Err(match verdict {
                StatusVerdict::OutcomeUnknown => self.unknown_outcome(request, client_request_id, attempt, failure, hint),
                _ => self.final_error(request, client_request_id, attempt, failure, hint),
            });
        }
    }

    /// Sends one attempt and reads its body (bounded). A transport failure, including a
    /// body that breaks off after the status arrived, is returned for classification.
    async fn exchange(&self, http_request: reqwest::Request) -> Result<Exchange, Error> {
        let response = match self.http.execute(http_request).await {
            Ok(response) => response,
            Err(e) => return Ok(Exchange::Transport(e)),
        };
        let status = response.status();
        let headers = response.headers().clone();
        match self.read_body(response).await {
            Ok(body) => Ok(Exchange::Response { status, headers, body }),
            Err(BodyFailure::TooLarge) => Err(Error::BodyTooLarge { status, limit: self.max_response_bytes }),
            Err(BodyFailure::Transport(e)) => Ok(Exchange::Transport(e)),
        }
    }

    async fn read_body(&self, mut response: reqwest::Response) -> Result<Bytes, BodyFailure> {
        let limit = self.max_response_bytes;
        if let Some(length) = response.content_length() {
            if length > limit as u64 {
                return Err(BodyFailure::TooLarge);
            }
            return response.bytes().await.map_err(BodyFailure::Transport);
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(BodyFailure::Transport)? {
            if body.len() + chunk.len() > limit {
                return Err(BodyFailure::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }

    fn transport_failure(
        &self,
        request: &ApiRequest,
        client_request_id: &HeaderValue,
        attempts: u32,
        source: reqwest::Error,
        idempotent: bool,
    ) -> Error {
        if !idempotent && !source.is_connect() {
            return self.unknown_outcome(request, client_request_id, attempts, Failure::Transport(source), None);
        }
        Error::from(TransportError {
            operation: request.describe(),
            client_request_id: client_request_id.to_str().ok().map(str::to_owned),
            attempts,
            source,
        })
    }

    fn graph_error(
        &self,
        request: &ApiRequest,
        client_request_id: &HeaderValue,
        attempts: u32,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        hint: Option<Duration>,
    ) -> GraphError {
        let mut error = GraphError::from_response(
            status,
            headers,
            body,
            request.describe(),
            client_request_id.to_str().ok(),
            hint,
        );
        error.attempts = attempts;
        error
    }

    fn final_error(
        &self,
        request: &ApiRequest,
        client_request_id: &HeaderValue,
        attempts: u32,
        failure: Failure,
        hint: Option<Duration>,
    ) -> Error {
        match failure {
            Failure::Transport(source) => {
                self.transport_failure(request, client_request_id, attempts, source, request.is_idempotent())
            }
            Failure::Status { status, headers, body } => {
                self.graph_error(request, client_request_id, attempts, status, &headers, &body, hint).into()
            }
        }
    }

    fn unknown_outcome(
        &self,
        request: &ApiRequest,
        client_request_id: &HeaderValue,
        attempts: u32,
        failure: Failure,
        hint: Option<Duration>,
    ) -> Error {
        let (status, graph_error, transport) = match failure {
            Failure::Transport(e) => (None, None, Some(e)),
            Failure::Status { status, headers, body } => (
                Some(status),
                Some(Box::new(self.graph_error(request, client_request_id, attempts, status, &headers, &body, hint))),
                None,
            ),
        };
        Error::from(OutcomeUnknown {
            operation: request.describe(),
            client_request_id: client_request_id.to_str().unwrap_or_default().to_owned(),
            body: request.body.clone().unwrap_or_default(),
            status,
            graph_error,
            transport,
        })
    }
}

enum Exchange {
    Transport(reqwest::Error),
    Response { status: StatusCode, headers: HeaderMap, body: Bytes },
}

enum Failure {
    Transport(reqwest::Error),
    Status { status: StatusCode, headers: HeaderMap, body: Bytes },
}

enum BodyFailure {
    TooLarge,
    Transport(reqwest::Error),
}

fn summary(request: &ApiRequest, client_request_id: &HeaderValue) -> ApiRequestSummary {
    ApiRequestSummary {
        client_request_id: client_request_id.clone(),
        method: request.method.clone(),
        path: request.url.path().to_owned(),
    }
}
