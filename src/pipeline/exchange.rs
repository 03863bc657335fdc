//! Reading one attempt's response: the status, the headers and the body (bounded in size),
//! within the attempt's time limits.

use std::pin::{Pin, pin};

use bytes::{Bytes, BytesMut};
use reqwest::{StatusCode, header::HeaderMap};
use tokio::time::Sleep;

use super::timer::{AttemptLimits, AttemptTimer, Passed};
use crate::error::Error;

/// The most of an error response's body that is read: enough for any Graph error
/// document and an excerpt of an HTML gateway page, never the whole of a huge one.
pub(super) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The largest buffer `read_body` reserves up front from a `Content-Length`.
const PRESIZE_LIMIT: usize = 4 * 1024 * 1024;

/// One attempt's exchange, read.
pub(super) enum Exchange {
    /// No usable response: nothing arrived, or a success body broke off (`status` then
    /// says which status had arrived).
    Transport {
        error: reqwest::Error,
        status: Option<StatusCode>,
    },
    Response {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
}

/// Awaits one attempt's response and reads its body (bounded), within the attempt's time
/// `limits` (`None`: the HTTP client keeps its own). A transport failure, including a
/// success body that breaks off or runs out of time after the status arrived, is returned
/// for classification.
pub(super) async fn exchange(
    pending: impl Future<Output = Result<reqwest::Response, reqwest::Error>>,
    max_response_bytes: usize,
    limits: Option<AttemptLimits>,
) -> Result<Exchange, Error> {
    let (mut timer, sleep) = AttemptTimer::start(limits);
    let mut sleep = pin!(sleep);
    let mut watch = Watch { timer: &mut timer, sleep: sleep.as_mut() };
    let mut response = match watch.guard(pending).await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => return Ok(Exchange::Transport { error: e.without_url(), status: None }),
        Err(passed) => return timed_out(passed, None),
    };
    let status = response.status();
    // Moved out, not cloned: reading the body does not need them.
    let headers = std::mem::take(response.headers_mut());
    if status.is_success() {
        match read_body(&mut response, max_response_bytes, &mut watch).await {
            Ok(body) => Ok(Exchange::Response { status, headers, body }),
            Err(BodyFailure::TooLarge) => Err(Error::BodyTooLarge { status, limit: max_response_bytes }),
            Err(BodyFailure::Transport(e)) => {
                Ok(Exchange::Transport { error: e.without_url(), status: Some(status) })
            }
            Err(BodyFailure::TimedOut(passed)) => timed_out(passed, Some(status)),
        }
    } else {
        // An error status is the answer, whatever happens to its body: keep the status
        // with as much of the body as arrives (within a small bound and the time limits).
        let limit = max_response_bytes.min(ERROR_BODY_LIMIT);
        let body = read_error_body(&mut response, limit, &mut watch).await;
        Ok(Exchange::Response { status, headers, body })
    }
}

/// An attempt that passed one of its time limits, reported as reqwest reports its own.
fn timed_out(passed: Passed, status: Option<StatusCode>) -> Result<Exchange, Error> {
    match passed.into_error() {
        Some(error) => Ok(Exchange::Transport { error, status }),
        None => Err(Error::Config(format!("{passed}, and this reqwest version cannot say so"))),
    }
}

/// The attempt's timer, for each wait of the exchange.
struct Watch<'a, 'b> {
    timer: &'a mut AttemptTimer,
    sleep: Pin<&'b mut Option<Sleep>>,
}

impl Watch<'_, '_> {
    async fn guard<F: Future>(&mut self, future: F) -> Result<F::Output, Passed> {
        self.timer.guard(self.sleep.as_mut(), future).await
    }
}

enum BodyFailure {
    TooLarge,
    Transport(reqwest::Error),
    TimedOut(Passed),
}

/// Reads a success body in full, refusing one larger than `limit`.
async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
    watch: &mut Watch<'_, '_>,
) -> Result<Bytes, BodyFailure> {
    let length = response.content_length();
    if length.is_some_and(|length| length > limit as u64) {
        return Err(BodyFailure::TooLarge);
    }
    // A small body usually arrives as one chunk: it is kept as it is, without a copy. Only a
    // second chunk starts a buffer, sized from `Content-Length` when there is one.
    let mut first: Option<Bytes> = None;
    let mut body = BytesMut::new();
    loop {
        let chunk = watch.guard(response.chunk()).await.map_err(BodyFailure::TimedOut)?;
        let Some(chunk) = chunk.map_err(BodyFailure::Transport)? else { break };
        let read = first.as_ref().map_or(body.len(), Bytes::len);
        if read + chunk.len() > limit {
            return Err(BodyFailure::TooLarge);
        }
        if body.is_empty() && first.is_none() {
            first = Some(chunk);
            continue;
        }
        if let Some(first) = first.take() {
            // Trust `Content-Length` (already at most `limit`) for the first few MiB only.
            let expected = length.unwrap_or(0).min(PRESIZE_LIMIT as u64) as usize;
            body.reserve(expected.max(first.len() + chunk.len()));
            body.extend_from_slice(&first);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(first.unwrap_or_else(|| body.freeze()))
}

/// Reads at most `limit` bytes of an error body; a body that breaks off, runs longer or
/// runs out of time is cut where it stopped.
async fn read_error_body(response: &mut reqwest::Response, limit: usize, watch: &mut Watch<'_, '_>) -> Bytes {
    let mut body = BytesMut::new();
    while let Ok(Ok(Some(chunk))) = watch.guard(response.chunk()).await {
        let room = limit - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= limit {
            break;
        }
    }
    body.freeze()
}
