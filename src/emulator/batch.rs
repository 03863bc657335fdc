//! `POST /beta/$batch`: JSON batching as Graph serves it.
//!
//! The envelope is checked first (400 for a body that is not a batch, more than
//! [`MAX_STEPS`] steps, duplicate ids compared case-insensitively, absolute or nested
//! `$batch` URLs, a body without `Content-Type`, a dependency on an unknown id, or a
//! mixed shape: a batch is fully parallel or one chain). Each step then counts against the
//! quota on its own (a throttled step is a 429 with a decimal `Retry-After` inside the 200
//! envelope), may draw a fault (a queued [`StepFault`] for its id, else the random
//! [`FaultConfig`](super::FaultConfig) draw: the 429, 503 and 504 kinds apply to steps),
//! and runs through the same handlers as a single call. A step whose dependency failed is
//! a 424. Responses come back shuffled, as Graph's may come in any order.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Instant;

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::ctx::Ctx;
use super::errors::{RequestIds, graph_error};
use super::faults::{self, FaultKind};
use super::quota;
use super::resources;
use super::routes::segments;
use super::state::Shared;
use super::wire;

/// The most steps one envelope may carry.
pub(crate) const MAX_STEPS: usize = 20;

/// The largest step body read back from a handler.
const MAX_STEP_BODY: usize = 4 * 1024 * 1024;

/// A fault for one `$batch` step, queued by the step's id with
/// [`EmulatorState::inject_step_fault`](super::EmulatorState::inject_step_fault).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StepFault {
    /// 429 with this `Retry-After` text (`None`: no header, as Graph sometimes answers a
    /// throttled step). Not processed.
    TooManyRequests {
        /// The header's text, e.g. `"2.128"`.
        retry_after: Option<String>,
    },
    /// 503 without `Retry-After`. Not processed.
    ServiceUnavailable,
    /// The step is processed, then answered 504 (its outcome unknown to the client).
    GatewayTimeout,
    /// The step is answered 504 without being processed (nothing is stored): the client
    /// cannot tell this from [`GatewayTimeout`](Self::GatewayTimeout).
    GatewayTimeoutUnprocessed,
}

/// Step faults queued by step id (lower case).
#[derive(Debug, Default)]
pub(crate) struct StepFaults(HashMap<String, VecDeque<StepFault>>);

impl StepFaults {
    pub(crate) fn push(&mut self, id: &str, fault: StepFault) {
        self.0.entry(id.to_lowercase()).or_default().push_back(fault);
    }

    fn pop(&mut self, id: &str) -> Option<StepFault> {
        self.0.get_mut(&id.to_lowercase()).and_then(VecDeque::pop_front)
    }
}

/// One step as the envelope gave it.
struct StepRequest {
    id: String,
    method: Method,
    url: String,
    body: Option<Value>,
    depends_on: Option<String>,
}

/// Serves a `$batch` envelope.
pub(crate) async fn handle(
    shared: &Shared,
    origin: String,
    app: &str,
    ids: &RequestIds,
    body: &[u8],
) -> Response {
    shared.counters.batches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let steps = match parse(body) {
        Ok(steps) => steps,
        Err(message) => return graph_error(StatusCode::BAD_REQUEST, "BadRequest", &message, ids),
    };
    shared.counters.batch_steps.fetch_add(steps.len() as u64, std::sync::atomic::Ordering::Relaxed);
    let mut statuses: HashMap<String, u16> = HashMap::with_capacity(steps.len());
    let mut responses: Vec<Value> = Vec::with_capacity(steps.len());
    for step in &steps {
        let step_ids = RequestIds {
            request_id: uuid::Uuid::new_v4().to_string(),
            client_request_id: ids.client_request_id.clone(),
        };
        let failed_dependency = step
            .depends_on
            .as_ref()
            .is_some_and(|d| statuses.get(&d.to_lowercase()).is_none_or(|s| *s >= 400));
        let response = if failed_dependency {
            graph_error(
                StatusCode::FAILED_DEPENDENCY,
                "FailedDependency",
                "The request was not run because a request it depends on failed.",
                &step_ids,
            )
        } else {
            run_step(shared, &origin, app, &step_ids, step).await
        };
        let status = response.status().as_u16();
        tracing::debug!(id = %step.id, method = %step.method, url = %step.url, status, "emulator: batch step");
        statuses.insert(step.id.to_lowercase(), status);
        responses.push(step_json(&step.id, response).await);
    }
    fastrand::shuffle(&mut responses);
    wire::json_response(StatusCode::OK, wire::to_vec(&json!({ "responses": responses })))
}

/// Checks the envelope; returns its steps in the order they run (a chain from its start).
fn parse(body: &[u8]) -> Result<Vec<StepRequest>, String> {
    let envelope: Value = serde_json::from_slice(body).map_err(|e| format!("Invalid batch payload: {e}."))?;
    let Some(requests) = envelope.get("requests").and_then(Value::as_array) else {
        return Err("Invalid batch payload: a 'requests' array is required.".into());
    };
    if requests.is_empty() {
        return Err("Invalid batch payload: the batch has no requests.".into());
    }
    if requests.len() > MAX_STEPS {
        return Err(format!(
            "The number of batch requests ({}) exceeds the limit of {MAX_STEPS}.",
            requests.len()
        ));
    }
    let mut steps = Vec::with_capacity(requests.len());
    let mut seen = HashSet::new();
    for request in requests {
        let text = |name: &str| request.get(name).and_then(Value::as_str).map(str::to_owned);
        let id = text("id").filter(|id| !id.trim().is_empty()).ok_or("Every batch request needs an id.")?;
        if !seen.insert(id.to_lowercase()) {
            return Err(format!("Batch request ids must be unique; '{id}' is repeated."));
        }
        let method = text("method")
            .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
            .ok_or_else(|| format!("Batch request '{id}' has no valid method."))?;
        let url = text("url").ok_or_else(|| format!("Batch request '{id}' has no url."))?;
        if url.contains("://") || url.starts_with("//") {
            return Err(format!(
                "Batch request '{id}': the url must be relative to the version root, not '{url}'."
            ));
        }
        let path = url.split('?').next().unwrap_or_default().trim_start_matches('/');
        if path.eq_ignore_ascii_case("$batch") {
            return Err(format!("Batch request '{id}': batches cannot be nested."));
        }
        let headers = request.get("headers").and_then(Value::as_object);
        let body = request.get("body").filter(|b| !b.is_null()).cloned();
        if body.is_some() && !headers.is_some_and(has_content_type) {
            return Err(format!("Batch request '{id}' has a body but no Content-Type header."));
        }
        let depends_on = match request.get("dependsOn") {
            None | Some(Value::Null) => None,
            Some(Value::Array(list)) if list.is_empty() => None,
            Some(Value::Array(list)) if list.len() == 1 => list[0].as_str().map(str::to_owned),
            Some(_) => {
                return Err(format!(
                    "Batch request '{id}': dependsOn must name one request (a batch is fully parallel or fully sequential)."
                ));
            }
        };
        steps.push(StepRequest { id, method, url, body, depends_on });
    }
    order(steps)
}

fn has_content_type(headers: &Map<String, Value>) -> bool {
    headers.keys().any(|k| k.eq_ignore_ascii_case("content-type"))
}

/// Parallel steps keep their order; dependent ones must form one chain, run from its start.
fn order(steps: Vec<StepRequest>) -> Result<Vec<StepRequest>, String> {
    if steps.iter().all(|s| s.depends_on.is_none()) {
        return Ok(steps);
    }
    let ids: HashSet<String> = steps.iter().map(|s| s.id.to_lowercase()).collect();
    let mut next: HashMap<String, usize> = HashMap::new();
    let mut first = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        match &step.depends_on {
            None => first.push(i),
            Some(d) if !ids.contains(&d.to_lowercase()) => {
                return Err(format!(
                    "Batch request '{}' depends on '{d}', which is not in the batch.",
                    step.id
                ));
            }
            Some(d) => {
                if next.insert(d.to_lowercase(), i).is_some() {
                    return Err(mixed());
                }
            }
        }
    }
    let [start] = first[..] else { return Err(mixed()) };
    let mut chain = vec![start];
    while let Some(&i) = next.get(&steps[*chain.last().unwrap_or(&start)].id.to_lowercase()) {
        if chain.contains(&i) {
            return Err(mixed());
        }
        chain.push(i);
    }
    if chain.len() != steps.len() {
        return Err(mixed());
    }
    let mut slots: Vec<Option<StepRequest>> = steps.into_iter().map(Some).collect();
    Ok(chain.into_iter().filter_map(|i| slots[i].take()).collect())
}

fn mixed() -> String {
    "A batch must be fully parallel or fully sequential (one chain of dependsOn).".into()
}

/// Runs one step: quota, fault, then the single-call handler.
async fn run_step(
    shared: &Shared,
    origin: &str,
    app: &str,
    ids: &RequestIds,
    step: &StepRequest,
) -> Response {
    let is_write = matches!(step.method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    if let Some(cfg) = &shared.config.quota {
        if let Err(wait) = shared.quota().admit(cfg, app, is_write, Instant::now()) {
            shared.counters.throttled.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return throttled(ids, Some(quota::retry_after_value(wait)));
        }
    }
    let injected = shared.step_faults().pop(&step.id);
    let drawn = match (&injected, &shared.config.faults) {
        (None, Some(cfg)) => shared.faults().draw(Some(cfg), is_write).filter(|k| applies_to_steps(*k)),
        _ => None,
    };
    if let Some(kind) = drawn {
        shared.count_fault(kind);
        let cfg = shared.config.faults.clone().unwrap_or_default();
        if let Some(resp) = faults::refusal(kind, cfg.retry_after, ids) {
            return resp;
        }
    }
    match injected {
        Some(StepFault::TooManyRequests { retry_after }) => return throttled(ids, retry_after),
        Some(StepFault::ServiceUnavailable) => {
            return graph_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The service is temporarily unavailable. Please retry later.",
                ids,
            );
        }
        Some(StepFault::GatewayTimeoutUnprocessed) => return faults::gateway_timeout(ids),
        _ => {}
    }
    let response = execute(shared, origin, ids, step);
    if injected == Some(StepFault::GatewayTimeout) || drawn == Some(FaultKind::GatewayTimeout) {
        return faults::gateway_timeout(ids);
    }
    response
}

/// The fault kinds a step can have (the others act on the connection).
fn applies_to_steps(kind: FaultKind) -> bool {
    matches!(
        kind,
        FaultKind::TooManyRequestsSeconds
            | FaultKind::TooManyRequestsDecimal
            | FaultKind::TooManyRequestsHttpDate
            | FaultKind::ServiceUnavailableRetryAfter
            | FaultKind::ServiceUnavailable
            | FaultKind::GatewayTimeout
    )
}

fn throttled(ids: &RequestIds, retry_after: Option<String>) -> Response {
    let mut resp = graph_error(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "Too many requests: the Intune request limit for this application or tenant was reached.",
        ids,
    );
    if let Some(v) = retry_after.and_then(|v| axum::http::HeaderValue::from_str(&v).ok()) {
        resp.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    resp
}

/// The step through the single-call handlers.
fn execute(shared: &Shared, origin: &str, ids: &RequestIds, step: &StepRequest) -> Response {
    let relative = if step.url.starts_with('/') { step.url.clone() } else { format!("/{}", step.url) };
    let (path, query) = match relative.split_once('?') {
        Some((path, query)) => (format!("/beta{path}"), Some(query)),
        None => (format!("/beta{relative}"), None),
    };
    let ctx = Ctx { shared, origin: origin.to_owned(), path: &path, query };
    let body = step.body.as_ref().map(wire::to_vec).unwrap_or_default();
    let url = format!("{}beta{relative}", origin);
    resources::dispatch(&ctx, &step.method, &segments(&path), &body).unwrap_or_else(|e| e.render(ids, &url))
}

/// `{"id","status","headers","body"}` of a step's response.
async fn step_json(id: &str, response: Response) -> Value {
    let status = response.status().as_u16();
    let headers = header_object(response.headers());
    let bytes = axum::body::to_bytes(response.into_body(), MAX_STEP_BODY).await.unwrap_or_default();
    let mut out = json!({ "id": id, "status": status, "headers": headers });
    if !bytes.is_empty() {
        out["body"] = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    }
    out
}

/// A step's headers as Graph writes them: the standard ones in their usual casing
/// (`Content-Type`, `Retry-After`, `Location`, …; Microsoft's JavaScript client reads a
/// step body as JSON only under the exact key `Content-Type`), Graph's own (`request-id`,
/// `client-request-id`, `x-ms-…`) in lower case.
fn header_object(headers: &HeaderMap) -> Map<String, Value> {
    headers
        .iter()
        .filter(|(name, _)| *name != axum::http::header::CONTENT_LENGTH)
        .filter_map(|(name, value)| {
            Some((graph_casing(name.as_str()), Value::String(value.to_str().ok()?.to_owned())))
        })
        .collect()
}

/// `content-type` → `Content-Type`, `odata-version` → `OData-Version`; Graph's own
/// lower-case names are kept.
fn graph_casing(name: &str) -> String {
    if name.starts_with("x-ms-") || matches!(name, "request-id" | "client-request-id") {
        return name.to_owned();
    }
    if name.eq_ignore_ascii_case("odata-version") {
        return "OData-Version".to_owned();
    }
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |c| c.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(body: Value) -> Result<Vec<String>, String> {
        parse(&serde_json::to_vec(&body).unwrap()).map(|s| s.into_iter().map(|s| s.id).collect())
    }

    fn get(id: &str) -> Value {
        json!({"id": id, "method": "GET", "url": "/deviceManagement/deviceConfigurations"})
    }

    #[test]
    fn step_headers_have_graphs_casing() {
        let cases = [
            ("content-type", "Content-Type"),
            ("retry-after", "Retry-After"),
            ("location", "Location"),
            ("odata-version", "OData-Version"),
            ("request-id", "request-id"),
            ("client-request-id", "client-request-id"),
            ("x-ms-ags-diagnostic", "x-ms-ags-diagnostic"),
        ];
        for (name, expected) in cases {
            assert_eq!(graph_casing(name), expected);
        }
    }

    #[test]
    fn chains_run_from_their_start_and_mixed_shapes_are_refused() {
        let mut b = get("b");
        b["dependsOn"] = json!(["a"]);
        let mut c = get("c");
        c["dependsOn"] = json!(["b"]);
        assert_eq!(ids(json!({"requests": [c.clone(), get("a"), b.clone()]})).unwrap(), ["a", "b", "c"]);
        // Two starts: a chain mixed with a parallel step.
        assert!(
            ids(json!({"requests": [get("a"), b.clone(), get("x")]})).unwrap_err().contains("fully parallel")
        );
        // Two dependents of one step.
        let mut c2 = get("c");
        c2["dependsOn"] = json!(["a"]);
        assert!(ids(json!({"requests": [get("a"), b.clone(), c2]})).unwrap_err().contains("fully parallel"));
        let mut two = get("z");
        two["dependsOn"] = json!(["a", "b"]);
        assert!(ids(json!({"requests": [get("a"), get("b"), two]})).unwrap_err().contains("one request"));
    }

    #[test]
    fn envelope_rules() {
        let many: Vec<Value> = (0..21).map(|i| get(&format!("s{i}"))).collect();
        assert!(ids(json!({"requests": many})).unwrap_err().contains("limit of 20"));
        assert!(ids(json!({"requests": [get("A"), get("a")]})).unwrap_err().contains("unique"));
        let absolute = json!({"id": "1", "method": "GET", "url": "https://graph.microsoft.com/beta/me"});
        assert!(ids(json!({"requests": [absolute]})).unwrap_err().contains("relative"));
        let nested = json!({"id": "1", "method": "POST", "url": "/$batch"});
        assert!(ids(json!({"requests": [nested]})).unwrap_err().contains("nested"));
        let no_type = json!({"id": "1", "method": "POST", "url": "/x", "body": {}});
        assert!(ids(json!({"requests": [no_type]})).unwrap_err().contains("Content-Type"));
        assert!(ids(json!({"steps": []})).is_err());
        assert_eq!(ids(json!({"requests": [get("1"), get("2")]})).unwrap(), ["1", "2"]);
    }
}
