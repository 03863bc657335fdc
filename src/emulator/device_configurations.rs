//! `/beta/deviceManagement/deviceConfigurations`: route matching, list, get and delete
//! (create and update are in `writes`, navigation in `assignments`, `reference_routes`
//! and `navigation`).

use axum::http::{Method, StatusCode};

use super::assignments;
use super::ctx::{Ctx, HandlerResult};
use super::errors::{ApiError, not_found};
use super::navigation;
use super::paging;
use super::query::{self, Expand, Scope};
use super::reference_routes;
use super::references;
use super::store::{Entry, Store};
use super::types;
use super::wire::{self, EntityView, ListBody};
use super::writes;
use crate::models::schema;

fn is(seg: &str, name: &str) -> bool {
    seg.eq_ignore_ascii_case(name)
}

fn is_cast(seg: &str) -> bool {
    seg.get(..types::NAMESPACE.len()).is_some_and(|p| p.eq_ignore_ascii_case(types::NAMESPACE))
}

/// Routes a request under `deviceConfigurations` (`rest`: the segments after it).
pub(crate) fn dispatch(ctx: &Ctx<'_>, method: &Method, rest: &[String], body: &[u8]) -> HandlerResult {
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    match (method.clone(), rest.as_slice()) {
        (Method::GET, []) => list(ctx),
        (Method::POST, []) => writes::create(ctx, body),
        (Method::GET, [id]) => get(ctx, id),
        (Method::PATCH, [id]) => writes::update(ctx, id, body),
        (Method::DELETE, [id]) => delete(ctx, id),
        (Method::POST, [id, action]) if is(action, "assign") => assignments::assign(ctx, id, body),
        (Method::GET, [id, nav]) if is(nav, "assignments") => assignments::list(ctx, id),
        (Method::GET, [id, nav, aid]) if is(nav, "assignments") => assignments::get(ctx, id, aid),
        (Method::DELETE, [id, nav, aid]) if is(nav, "assignments") => assignments::delete(ctx, id, aid),
        (Method::GET, [id, cast]) if is_cast(cast) => get_cast(ctx, id, cast),
        (Method::GET, [id, cast, nav]) if is_cast(cast) && is(nav, "managedDeviceCertificateStates") => {
            navigation::certificate_states(ctx, id, cast)
        }
        (m, [id, cast, nav, tail @ ..]) if is_cast(cast) => {
            let route = reference_routes::Route { id, cast, navigation: nav, tail };
            reference_routes::dispatch(ctx, &m, &route, body)
        }
        _ => Err(ApiError::NoRoute),
    }
}

/// The configurations answered with `$select`, `$expand` and their shape.
fn view<'a>(
    store: &'a Store,
    entry: &'a Entry,
    opts: &'a query::Options,
) -> Result<EntityView<'a>, ApiError> {
    Ok(EntityView {
        select: opts.select.as_deref(),
        assignments: opts.expand.assignments.then_some(entry.assignments.as_slice()),
        expanded: references::expanded(store, entry, &opts.expand.references)?,
        ..EntityView::entry(entry)
    })
}

/// On the list (declared type `deviceConfiguration`, which has no references) a reference
/// must be named with its type, as OData requires: `microsoft.graph.T/navigation`.
fn refuse_bare_references(expand: &Expand) -> Result<(), ApiError> {
    let Some(bare) = expand.references.iter().find(|r| r.cast.is_none()) else {
        return Ok(());
    };
    let example = schema::REFERENCES
        .iter()
        .find(|r| r.navigation == bare.navigation && !types::is_abstract(r.source))
        .map_or("", |r| r.source);
    Err(ApiError::bad(format!(
        "Invalid $expand: '{nav}' is not a navigation property of 'deviceConfiguration'; on the list, \
         name it with a type that has it, e.g. 'microsoft.graph.{example}/{nav}'.",
        nav = bare.navigation
    )))
}

fn list(ctx: &Ctx<'_>) -> HandlerResult {
    let opts = query::parse(ctx.query, Scope::Collection)?;
    refuse_bare_references(&opts.expand)?;
    let page_size = opts.top.unwrap_or(ctx.shared.config.page_size);
    let store = ctx.shared.read();
    let page = paging::page(&store, &opts, page_size)?;
    let context = match &opts.select {
        Some(sel) => ctx.metadata(&format!("deviceManagement/deviceConfigurations({})", sel.join(","))),
        None => ctx.metadata("deviceManagement/deviceConfigurations"),
    };
    let next = page.next.map(|c| paging::next_link(&ctx.origin, ctx.path, &opts.pairs, &paging::encode(c)));
    let value = page.entries.iter().map(|e| view(&store, e, &opts)).collect::<Result<Vec<_>, _>>()?;
    let body = ListBody { context: &context, count: page.count, next_link: next.as_deref(), value };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&body)))
}

fn entity_context(ctx: &Ctx<'_>, cast: Option<&str>, select: Option<&[String]>) -> String {
    let mut frag = "deviceManagement/deviceConfigurations".to_owned();
    if let Some(sel) = select {
        frag = format!("{frag}({})", sel.join(","));
    }
    if let Some(c) = cast {
        frag = format!("{frag}/{}", c.trim_start_matches('#'));
    }
    ctx.metadata(&format!("{frag}/$entity"))
}

fn get(ctx: &Ctx<'_>, id: &str) -> HandlerResult {
    let opts = query::parse(ctx.query, Scope::Entity)?;
    let store = ctx.shared.read();
    let entry = store.get(id).ok_or_else(|| not_found(id))?;
    let context = entity_context(ctx, None, opts.select.as_deref());
    let view = EntityView { context: Some(&context), ..view(&store, entry, &opts)? };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&view)))
}

/// `GET …/{id}/microsoft.graph.T`: the entity when it is a `T`.
fn get_cast(ctx: &Ctx<'_>, id: &str, cast: &str) -> HandlerResult {
    let cast_type = types::normalize(cast).ok_or(ApiError::NoRoute)?;
    let opts = query::parse(ctx.query, Scope::Entity)?;
    let store = ctx.shared.read();
    let entry = navigation::cast_entry(&store, id, &cast_type)?;
    let context = entity_context(ctx, Some(&cast_type), opts.select.as_deref());
    let view = EntityView { context: Some(&context), ..view(&store, entry, &opts)? };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&view)))
}

/// `DELETE …/{id}`: refused (400, nothing deleted) while another object references it;
/// the references the object holds go with it.
fn delete(ctx: &Ctx<'_>, id: &str) -> HandlerResult {
    let mut store = ctx.shared.write();
    let entry = store.get(id).ok_or_else(|| not_found(id))?;
    if let Some((referrer, navigation)) = store.referrer_of(entry.id()) {
        return Err(ApiError::bad(format!(
            "The deviceConfiguration '{}' cannot be deleted: '{}' ({}) references it through \
             '{navigation}'. Remove that reference first.",
            entry.id(),
            referrer.id(),
            referrer.obj.get("displayName").and_then(serde_json::Value::as_str).unwrap_or_default(),
        )));
    }
    store.remove(id);
    Ok(wire::no_content())
}
