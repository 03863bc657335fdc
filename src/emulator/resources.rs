//! The resources under `/beta`: `deviceManagement/deviceConfigurations`, and the directory
//! (`groups`, `deviceManagement/assignmentFilters`, `deviceManagement/roleScopeTags`). Single
//! calls and `$batch` steps are routed here alike.

use axum::http::{Method, StatusCode};

use super::ctx::{Ctx, HandlerResult};
use super::device_configurations;
use super::directory::{self, Kind};
use super::errors::ApiError;

/// What a request for anything else is told.
pub(crate) const SERVED: &str = "The emulator serves /beta/deviceManagement/deviceConfigurations, \
     /beta/deviceManagement/assignmentFilters, /beta/deviceManagement/roleScopeTags, /beta/groups \
     and /{tenant}/oauth2/v2.0/token only.";

fn is(seg: &str, name: &str) -> bool {
    seg.eq_ignore_ascii_case(name)
}

/// Graph's answer to a path segment it does not know.
fn unknown_segment(seg: &str) -> ApiError {
    ApiError::Plain {
        status: StatusCode::BAD_REQUEST,
        code: "BadRequest",
        message: format!("Resource not found for the segment '{seg}'."),
    }
}

/// Routes a `/beta` request (`segs`: the segments after `/beta`).
pub(crate) fn dispatch(ctx: &Ctx<'_>, method: &Method, segs: &[String], body: &[u8]) -> HandlerResult {
    let Some(first) = segs.first() else {
        return Err(ApiError::Plain {
            status: StatusCode::BAD_REQUEST,
            code: "BadRequest",
            message: SERVED.into(),
        });
    };
    if is(first, "groups") {
        return directory::route(ctx, Kind::Group, method, &segs[1..]);
    }
    if !is(first, "deviceManagement") {
        return Err(unknown_segment(first));
    }
    let rest = segs.get(2..).unwrap_or_default();
    match segs.get(1) {
        None => Err(ApiError::NoRoute),
        Some(s) if is(s, "deviceConfigurations") => device_configurations::dispatch(ctx, method, rest, body),
        Some(s) if is(s, "assignmentFilters") => directory::route(ctx, Kind::AssignmentFilter, method, rest),
        Some(s) if is(s, "roleScopeTags") => directory::route(ctx, Kind::ScopeTag, method, rest),
        Some(s) => Err(unknown_segment(s)),
    }
}
