//! The routes of a reference, under `…/deviceConfigurations/{id}/microsoft.graph.{T}/{nav}`:
//!
//! | Method and path | Answer |
//! |---|---|
//! | `GET …/{nav}` | the target (404 when unset), or for a collection a page `{"value":[…]}` |
//! | `GET …/{nav}/$ref` | `{"@odata.id": URL}`, or for a collection `{"value":[{"@odata.id"}…]}` |
//! | `PUT …/{nav}/$ref` `{"@odata.id": URL}` | sets a single-valued reference (400 on a collection) |
//! | `POST …/{nav}/$ref` `{"@odata.id": URL}` | adds a member (400 on a single one; 400 when it is already a member, as Graph answers for directory references) |
//! | `DELETE …/{nav}/$ref` | clears a single-valued reference; on a collection it needs `?$id=URL` |
//! | `DELETE …/{nav}/{targetId}/$ref` | removes a member (404 when it is not one) |
//!
//! The cast `T` must be a type that has the navigation (else 400 `No method match route
//! template`) and the object must be a `T` (its own type or one it derives from; else 400).

use axum::http::{Method, StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};

use super::body;
use super::ctx::{Ctx, HandlerResult};
use super::errors::{ApiError, not_found};
use super::references;
use super::store::{Entry, Store};
use super::types;
use super::wire::{self, EntityView, ListBody};
use super::wrong::WrongAnswer;
use crate::models::schema::Reference;

/// A request under a reference: the object, the cast, the navigation and what follows.
pub(crate) struct Route<'r> {
    pub(crate) id: &'r str,
    pub(crate) cast: &'r str,
    pub(crate) navigation: &'r str,
    pub(crate) tail: &'r [&'r str],
}

fn is_ref(seg: &str) -> bool {
    seg == "$ref"
}

/// Routes a request under a reference.
pub(crate) fn dispatch(ctx: &Ctx<'_>, method: &Method, route: &Route<'_>, body: &[u8]) -> HandlerResult {
    let cast = types::normalize(route.cast).ok_or(ApiError::NoRoute)?;
    let reference = references::find(&cast, route.navigation).ok_or(ApiError::NoRoute)?;
    let on = On { id: route.id, cast: &cast, reference };
    match (method, route.tail) {
        (&Method::GET, []) => get_targets(ctx, &on),
        (&Method::GET, [r]) if is_ref(r) => get_refs(ctx, &on),
        (&Method::PUT, [r]) if is_ref(r) => put_ref(ctx, &on, body),
        (&Method::POST, [r]) if is_ref(r) => add_ref(ctx, &on, body),
        (&Method::DELETE, [r]) if is_ref(r) => delete_ref(ctx, &on),
        (&Method::DELETE, [target, r]) if is_ref(r) => remove(ctx, &on, target),
        _ => Err(ApiError::NoRoute),
    }
}

/// The reference a request acts on.
struct On<'r> {
    id: &'r str,
    cast: &'r str,
    reference: &'static Reference,
}

impl On<'_> {
    /// The referring object: 404 when missing, 400 when it is not a `cast`.
    fn entry<'s>(&self, store: &'s Store) -> Result<&'s Entry, ApiError> {
        let entry = store.get(self.id).ok_or_else(|| not_found(self.id))?;
        if !types::is_a(entry.odata_type(), self.cast) {
            return Err(ApiError::bad(format!(
                "The type cast 'microsoft.graph.{}' does not apply to '{}', a '{}'.",
                types::short(self.cast),
                self.id,
                types::short(entry.odata_type())
            )));
        }
        Ok(entry)
    }

    fn navigation(&self) -> &'static str {
        self.reference.navigation
    }

    /// `deviceManagement/deviceConfigurations('{id}')/microsoft.graph.T/{nav}`.
    fn path(&self, entry: &Entry) -> String {
        format!(
            "deviceManagement/deviceConfigurations('{}')/{}/{}",
            entry.id(),
            self.cast.trim_start_matches('#'),
            self.navigation()
        )
    }

    fn unset(&self) -> ApiError {
        ApiError::NotFound(format!("No {} is linked to '{}'.", self.navigation(), self.id))
    }
}

/// `GET …/{nav}`.
fn get_targets(ctx: &Ctx<'_>, on: &On<'_>) -> HandlerResult {
    let store = ctx.shared.read();
    let entry = on.entry(&store)?;
    let targets = references::targets(&store, entry, on.navigation());
    if on.reference.many {
        let context = ctx.metadata(&on.path(entry));
        let value: Vec<EntityView<'_>> = targets.into_iter().map(EntityView::entry).collect();
        let body = ListBody { context: &context, count: None, next_link: None, value };
        return Ok(wire::json_response(StatusCode::OK, wire::to_vec(&body)));
    }
    let target = targets.first().ok_or_else(|| on.unset())?;
    let context = ctx.metadata(&format!("{}/$entity", on.path(entry)));
    let view = EntityView { context: Some(&context), ..EntityView::entry(target) };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&view)))
}

#[derive(Serialize)]
struct RefBody<'a> {
    #[serde(rename = "@odata.context", skip_serializing_if = "Option::is_none")]
    context: Option<&'a str>,
    #[serde(rename = "@odata.id")]
    id: &'a str,
}

/// `GET …/{nav}/$ref`.
fn get_refs(ctx: &Ctx<'_>, on: &On<'_>) -> HandlerResult {
    let store = ctx.shared.read();
    let entry = on.entry(&store)?;
    let urls: Vec<String> =
        references::targets(&store, entry, on.navigation()).iter().map(|t| ctx.entity_url(t.id())).collect();
    if on.reference.many {
        let context = ctx.metadata("Collection($ref)");
        let value: Vec<RefBody<'_>> = urls.iter().map(|id| RefBody { context: None, id }).collect();
        let body = ListBody { context: &context, count: None, next_link: None, value };
        return Ok(wire::json_response(StatusCode::OK, wire::to_vec(&body)));
    }
    let url = urls.first().ok_or_else(|| on.unset())?;
    let context = ctx.metadata("$ref");
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&RefBody { context: Some(&context), id: url })))
}

/// The `@odata.id` of a `$ref` body.
fn ref_url(bytes: &[u8]) -> Result<String, ApiError> {
    let obj: Map<String, Value> = body::parse_object(bytes)?;
    match obj.get("@odata.id") {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(ApiError::bad("The body needs an '@odata.id' URL string.")),
    }
}

/// `PUT …/{nav}/$ref`: sets a single-valued reference.
fn put_ref(ctx: &Ctx<'_>, on: &On<'_>, bytes: &[u8]) -> HandlerResult {
    if on.reference.many {
        return Err(ApiError::bad(format!(
            "'{}' is a collection: add a member with POST …/{0}/$ref.",
            on.navigation()
        )));
    }
    let url = ref_url(bytes)?;
    let mut store = ctx.shared.write();
    on.entry(&store)?;
    let target = references::check_target(&store, on.reference, &url)?;
    store_ref(ctx, &mut store, on, |targets| *targets = vec![target])
}

/// `POST …/{nav}/$ref`: adds a member to a collection.
fn add_ref(ctx: &Ctx<'_>, on: &On<'_>, bytes: &[u8]) -> HandlerResult {
    if !on.reference.many {
        return Err(ApiError::bad(format!(
            "'{}' is single-valued: set it with PUT …/{0}/$ref.",
            on.navigation()
        )));
    }
    let url = ref_url(bytes)?;
    let mut store = ctx.shared.write();
    let entry = on.entry(&store)?;
    let target = references::check_target(&store, on.reference, &url)?;
    if references::has_target(entry, on.navigation(), &target) {
        return Err(references::already_referenced(on.navigation()));
    }
    store_ref(ctx, &mut store, on, |targets| targets.push(target))
}

/// Applies a checked `$ref` change, unless this request gets
/// [`WrongAnswer::RefStoresNothing`].
fn store_ref(
    ctx: &Ctx<'_>,
    store: &mut Store,
    on: &On<'_>,
    change: impl FnOnce(&mut Vec<String>),
) -> HandlerResult {
    if ctx.shared.wrong(WrongAnswer::RefStoresNothing) {
        return Ok(wire::no_content());
    }
    let entry = store.get_mut(on.id).ok_or_else(|| not_found(on.id))?;
    change(entry.references.entry(on.navigation().to_owned()).or_default());
    Ok(wire::no_content())
}

/// `DELETE …/{nav}/$ref`: clears a single-valued reference; on a collection, removes the
/// member named by `?$id=URL`.
fn delete_ref(ctx: &Ctx<'_>, on: &On<'_>) -> HandlerResult {
    let named = url::form_urlencoded::parse(ctx.query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("$id") || k.eq_ignore_ascii_case("@id"))
        .map(|(_, v)| v.into_owned());
    match named {
        Some(url) => {
            let target = body::bind_target(&url)
                .ok_or_else(|| ApiError::bad(format!("'{url}' does not reference a deviceConfiguration.")))?;
            remove(ctx, on, &target)
        }
        None if on.reference.many => Err(ApiError::bad(format!(
            "'{}' is a collection: name the member, DELETE …/{0}/{{id}}/$ref or …/{0}/$ref?$id={{url}}.",
            on.navigation()
        ))),
        None => {
            let mut store = ctx.shared.write();
            on.entry(&store)?;
            let entry = store.get_mut(on.id).ok_or_else(|| not_found(on.id))?;
            entry.references.remove(on.navigation());
            Ok(wire::no_content())
        }
    }
}

/// Removes `target` from the reference (404 when it does not hold it).
fn remove(ctx: &Ctx<'_>, on: &On<'_>, target: &str) -> HandlerResult {
    let mut store = ctx.shared.write();
    on.entry(&store)?;
    let entry = store.get_mut(on.id).ok_or_else(|| not_found(on.id))?;
    let navigation = on.navigation();
    let targets = entry.references.get_mut(navigation);
    let Some(pos) = targets.as_ref().and_then(|t| t.iter().position(|x| x.eq_ignore_ascii_case(target)))
    else {
        return Err(ApiError::NotFound(format!(
            "'{target}' is not referenced by '{}' through '{navigation}'.",
            on.id
        )));
    };
    if let Some(targets) = targets {
        targets.remove(pos);
        if targets.is_empty() {
            entry.references.remove(navigation);
        }
    }
    Ok(wire::no_content())
}
