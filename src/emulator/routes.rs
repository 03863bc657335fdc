//! The axum router: the header layer for every response, the `/beta` guard
//! (authentication, quota, faults) and the `/beta` dispatcher.
//!
//! Unknown routes: a path outside `/beta` and the token endpoint is a 404
//! `ResourceNotFound`; an unknown Graph segment under `/beta` (see `resources`) is a
//! 400 `BadRequest` "Resource
//! not found for the segment '…'." as Graph answers; a known collection with
//! an unknown sub-path or an unsupported method is a 400 with the code
//! `No method match route template`, as Intune answers.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, post};

use super::batch;
use super::clock;
use super::conn::ConnKill;
use super::ctx::Ctx;
use super::errors::{ApiError, RequestIds, graph_error};
use super::faults;
use super::percent;
use super::quota;
use super::resources;
use super::state::Shared;
use super::token::{self, Auth};

/// Request bodies larger than this are refused.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Builds the complete router.
pub(crate) fn build(shared: Arc<Shared>) -> Router {
    let beta = Router::new()
        .route("/beta", any(beta))
        .route("/beta/", any(beta))
        .route("/beta/{*rest}", any(beta))
        .route_layer(middleware::from_fn_with_state(shared.clone(), guard));
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token::endpoint))
        .merge(beta)
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(shared.clone(), common))
        .with_state(shared)
}

/// Counts the request; adds `request-id`, `client-request-id` and `Date`.
async fn common(State(shared): State<Arc<Shared>>, mut req: Request, next: Next) -> Response {
    shared.counters.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let client_request_id = req
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 256)
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let ids = RequestIds { request_id: uuid::Uuid::new_v4().to_string(), client_request_id };
    req.extensions_mut().insert(ids.clone());
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    for (name, value) in [("request-id", &ids.request_id), ("client-request-id", &ids.client_request_id)] {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(name, v);
        }
    }
    if !headers.contains_key(header::DATE) {
        if let Ok(v) = HeaderValue::from_str(&clock::http_date(chrono::Utc::now())) {
            headers.insert(header::DATE, v);
        }
    }
    resp
}

fn ids_of(req: &Request) -> RequestIds {
    req.extensions().get::<RequestIds>().cloned().unwrap_or_else(RequestIds::fresh)
}

/// Authentication, then quota, then fault injection, for `/beta` only.
async fn guard(State(shared): State<Arc<Shared>>, mut req: Request, next: Next) -> Response {
    let ids = ids_of(&req);
    let app = match token::authenticate(&shared, req.headers()) {
        Auth::App(app) => app,
        other => return token::unauthorized(&other, &ids),
    };
    let is_write = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    // A `$batch` envelope is not counted: each of its steps is.
    let is_batch = is_batch_path(req.uri().path());
    req.extensions_mut().insert(App(app.clone()));
    if let (Some(cfg), false) = (&shared.config.quota, is_batch) {
        let admitted = shared.quota().admit(cfg, &app, is_write, Instant::now());
        if let Err(wait) = admitted {
            shared.counters.throttled.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut resp = graph_error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Too many requests: the Intune request limit for this application or tenant \
                 was reached. Retry after the interval given in the Retry-After header.",
                &ids,
            );
            if let Ok(v) = HeaderValue::from_str(&quota::retry_after_value(wait)) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return resp;
        }
    }
    let drawn = shared.faults().draw(shared.config.faults.as_ref(), is_write);
    let Some(kind) = drawn else {
        return next.run(req).await;
    };
    shared.count_fault(kind);
    tracing::debug!(?kind, "emulator: injecting fault");
    let kill = req.extensions().get::<ConnectInfo<ConnKill>>().map(|c| c.0.clone());
    let cfg = shared.config.faults.clone().unwrap_or_default();
    faults::apply(kind, &cfg, &ids, kill, req, next).await
}

/// The app a `/beta` request authenticated as (the quota's key).
#[derive(Clone)]
struct App(String);

/// `/beta/$batch`, with the `$` written or encoded.
fn is_batch_path(path: &str) -> bool {
    matches!(path.trim_end_matches('/'), "/beta/$batch" | "/beta/%24batch")
}

/// Anything outside `/beta` and the token endpoint.
async fn fallback(req: Request) -> Response {
    let ids = ids_of(&req);
    graph_error(StatusCode::NOT_FOUND, "ResourceNotFound", resources::SERVED, &ids)
}

/// The origin used in links: the configured one, else the request's `Host`,
/// else the bound address.
fn origin(shared: &Shared, headers: &HeaderMap) -> String {
    if let Some(u) = &shared.config.link_origin {
        return format!("{}/", u.origin().ascii_serialization());
    }
    let from_host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| url::Url::parse(&format!("http://{h}/")).ok())
        .filter(|u| {
            u.path() == "/"
                && u.query().is_none()
                && u.fragment().is_none()
                && u.username().is_empty()
                && u.password().is_none()
        });
    if let Some(u) = from_host {
        return format!("{}/", u.origin().ascii_serialization());
    }
    match shared.bound.get() {
        Some(addr) => format!("http://{addr}/"),
        None => "http://localhost/".to_owned(),
    }
}

/// Path segments after `/beta`, percent-decoded, with key segments
/// (`deviceConfigurations('id')`) split into name and key.
pub(crate) fn segments(path: &str) -> Vec<String> {
    let rest = path.strip_prefix("/beta").unwrap_or(path);
    let mut out = Vec::new();
    for raw in rest.split('/').filter(|s| !s.is_empty()) {
        let seg = percent::decode(raw);
        if let (Some(open), true) = (seg.find('('), seg.ends_with(')')) {
            if open > 0 && open + 1 < seg.len() {
                let inner = seg[open + 1..seg.len() - 1].trim();
                let key = inner.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')).unwrap_or(inner);
                if !key.is_empty() {
                    out.push(seg[..open].to_owned());
                    out.push(key.to_owned());
                    continue;
                }
            }
        }
        out.push(seg);
    }
    out
}

/// Every `/beta` route.
async fn beta(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let ids = ids_of(&req);
    let (parts, body) = req.into_parts();
    let origin = origin(&shared, &parts.headers);
    let path = parts.uri.path();
    let path_and_query = parts.uri.path_and_query().map_or(path, |pq| pq.as_str());
    let url = format!("{}{path_and_query}", origin.trim_end_matches('/'));
    let bytes = match axum::body::to_bytes(Body::new(body), MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::Plain {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "RequestEntityTooLarge",
                message: format!("The request body could not be read or exceeds {MAX_BODY} bytes."),
            }
            .render(&ids, &url);
        }
    };
    if is_batch_path(path) {
        if parts.method != Method::POST {
            return ApiError::NoRoute.render(&ids, &url);
        }
        let app = parts.extensions.get::<App>().map_or("", |a| a.0.as_str());
        return batch::handle(&shared, origin, app, &ids, &bytes).await;
    }
    let ctx = Ctx { shared: &shared, origin, path, query: parts.uri.query() };
    let segs = segments(path);
    resources::dispatch(&ctx, &parts.method, &segs, &bytes).unwrap_or_else(|e| e.render(&ids, &url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_segments() {
        assert_eq!(
            segments("/beta/deviceManagement/deviceConfigurations('a-1')/assign"),
            ["deviceManagement", "deviceConfigurations", "a-1", "assign"]
        );
        assert_eq!(
            segments("/beta/deviceManagement/deviceConfigurations(%27a%27)/"),
            ["deviceManagement", "deviceConfigurations", "a"]
        );
        assert_eq!(
            segments("/beta/x/getIosAvailableUpdateVersions()"),
            ["x", "getIosAvailableUpdateVersions()"]
        );
        assert_eq!(segments("/beta/a/%24ref"), ["a", "$ref"]);
        assert_eq!(segments("/beta/(')"), ["(')"]);
    }
}
