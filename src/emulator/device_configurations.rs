//! `/beta/deviceManagement/deviceConfigurations`: route matching, list,
//! get, create, update and delete.

use axum::http::{Method, StatusCode};
use serde_json::{Map, Value};

use super::body;
use super::clock;
use super::ctx::{Ctx, HandlerResult};
use super::errors::{ApiError, not_found};
use super::navigation;
use super::paging;
use super::query::{self, Scope};
use super::types;
use super::wire::{self, EntityView, ListBody};

fn is(seg: &str, name: &str) -> bool {
    seg.eq_ignore_ascii_case(name)
}

fn is_cast(seg: &str) -> bool {
    seg.get(..types::NAMESPACE.len()).is_some_and(|p| p.eq_ignore_ascii_case(types::NAMESPACE))
}

fn unknown_segment(seg: &str) -> ApiError {
    ApiError::Plain {
        status: StatusCode::BAD_REQUEST,
        code: "BadRequest",
        message: format!("Resource not found for the segment '{seg}'."),
    }
}

/// Routes a `/beta` request (segments after `/beta`).
pub(crate) fn dispatch(ctx: &Ctx<'_>, method: &Method, segs: &[String], body: &[u8]) -> HandlerResult {
    match segs.first() {
        None => {
            return Err(ApiError::Plain {
                status: StatusCode::BAD_REQUEST,
                code: "BadRequest",
                message: "The emulator serves /beta/deviceManagement/deviceConfigurations only.".into(),
            });
        }
        Some(s) if !is(s, "deviceManagement") => return Err(unknown_segment(s)),
        Some(_) => {}
    }
    match segs.get(1) {
        None => return Err(ApiError::NoRoute),
        Some(s) if !is(s, "deviceConfigurations") => return Err(unknown_segment(s)),
        Some(_) => {}
    }
    let rest: Vec<&str> = segs[2..].iter().map(String::as_str).collect();
    match (method.clone(), rest.as_slice()) {
        (Method::GET, []) => list(ctx),
        (Method::POST, []) => create(ctx, body),
        (Method::GET, [id]) => get(ctx, id),
        (Method::PATCH, [id]) => update(ctx, id, body),
        (Method::DELETE, [id]) => delete(ctx, id),
        (Method::POST, [id, action]) if is(action, "assign") => navigation::assign(ctx, id, body),
        (Method::GET, [id, nav]) if is(nav, "assignments") => navigation::assignments(ctx, id),
        (Method::GET, [id, nav, aid]) if is(nav, "assignments") => navigation::assignment(ctx, id, aid),
        (Method::DELETE, [id, nav, aid]) if is(nav, "assignments") => {
            navigation::delete_assignment(ctx, id, aid)
        }
        (Method::GET, [id, cast]) if is_cast(cast) => get_cast(ctx, id, cast),
        (Method::GET, [id, cast, nav]) if is_cast(cast) && is(nav, "rootCertificate") => {
            navigation::root_certificate(ctx, id, cast)
        }
        (m, [id, cast, nav, r]) if is_cast(cast) && is(nav, "rootCertificate") && is(r, "$ref") => match m {
            Method::GET => navigation::root_ref_get(ctx, id, cast),
            Method::PUT => navigation::root_ref_put(ctx, id, cast, body),
            Method::DELETE => navigation::root_ref_delete(ctx, id, cast),
            _ => Err(ApiError::NoRoute),
        },
        (Method::GET, [id, cast, nav]) if is_cast(cast) && is(nav, "managedDeviceCertificateStates") => {
            navigation::certificate_states(ctx, id, cast)
        }
        _ => Err(ApiError::NoRoute),
    }
}

fn list(ctx: &Ctx<'_>) -> HandlerResult {
    let opts = query::parse(ctx.query, Scope::Collection)?;
    let page_size = opts.top.unwrap_or(ctx.shared.config.page_size);
    let store = ctx.shared.read();
    let page = paging::page(&store, &opts, page_size)?;
    let context = match &opts.select {
        Some(sel) => ctx.metadata(&format!("deviceManagement/deviceConfigurations({})", sel.join(","))),
        None => ctx.metadata("deviceManagement/deviceConfigurations"),
    };
    let next = page.next.map(|c| paging::next_link(&ctx.origin, ctx.path, &opts.pairs, &paging::encode(c)));
    let value = page
        .entries
        .iter()
        .map(|e| EntityView {
            context: None,
            obj: &e.obj,
            select: opts.select.as_deref(),
            assignments: opts.expand_assignments.then_some(e.assignments.as_slice()),
        })
        .collect();
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
    let view = EntityView {
        context: Some(&context),
        obj: &entry.obj,
        select: opts.select.as_deref(),
        assignments: opts.expand_assignments.then_some(entry.assignments.as_slice()),
    };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&view)))
}

/// `GET …/{id}/microsoft.graph.T`: the entity when it is a `T`.
fn get_cast(ctx: &Ctx<'_>, id: &str, cast: &str) -> HandlerResult {
    let cast_type = types::normalize(cast).ok_or(ApiError::NoRoute)?;
    let opts = query::parse(ctx.query, Scope::Entity)?;
    let store = ctx.shared.read();
    let entry = navigation::cast_entry(&store, id, &cast_type)?;
    let context = entity_context(ctx, Some(&cast_type), opts.select.as_deref());
    let view = EntityView {
        context: Some(&context),
        obj: &entry.obj,
        select: opts.select.as_deref(),
        assignments: opts.expand_assignments.then_some(entry.assignments.as_slice()),
    };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&view)))
}


fn now() -> Value {
    Value::String(clock::graph_timestamp(chrono::Utc::now()))
}

fn create(ctx: &Ctx<'_>, bytes: &[u8]) -> HandlerResult {
    let cleaned = body::clean(body::parse_object(bytes)?)?;
    let ty = cleaned.odata_type.ok_or_else(|| {
        ApiError::bad("'@odata.type' is required, e.g. '#microsoft.graph.iosScepCertificateProfile'.")
    })?;
    if types::is_abstract(&ty) {
        return Err(ApiError::bad(format!(
            "Cannot create an instance of the abstract type '{}'.",
            types::short(&ty)
        )));
    }
    let props = cleaned.props;
    body::check_values(&props)?;
    body::check_display_name(&props, true)?;
    body::check_version(&props)?;
    body::check_scope_tags(&props)?;
    if types::is_trusted_root(&ty) {
        body::check_trusted_root(&props, true)?;
    }
    let mut store = ctx.shared.write();
    let root = match &cleaned.root_bind {
        Some(target) => Some(navigation::check_root_link(&store, &ty, target)?),
        None => None,
    };
    let id = uuid::Uuid::new_v4().to_string();
    let now = now();
    let mut obj = Map::new();
    obj.insert("@odata.type".into(), Value::String(ty));
    obj.insert("id".into(), Value::String(id.clone()));
    obj.extend(props);
    obj.insert("createdDateTime".into(), now.clone());
    obj.insert("lastModifiedDateTime".into(), now);
    obj.insert("supportsScopeTags".into(), Value::Bool(true));
    obj.entry("version").or_insert(Value::from(1));
    let tags_missing = match obj.get("roleScopeTagIds") {
        None | Some(Value::Null) => true,
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    };
    if tags_missing {
        obj.insert("roleScopeTagIds".into(), Value::Array(vec![Value::from("0")]));
    }
    store.upsert(&id, obj);
    let entry = store.get_mut(&id).ok_or_else(|| not_found(&id))?;
    entry.root_certificate = root;
    let context = ctx.metadata("deviceManagement/deviceConfigurations/$entity");
    let view = EntityView { context: Some(&context), ..EntityView::plain(&entry.obj) };
    Ok(wire::json_response(StatusCode::CREATED, wire::to_vec(&view)))
}

fn update(ctx: &Ctx<'_>, id: &str, bytes: &[u8]) -> HandlerResult {
    let cleaned = body::clean(body::parse_object(bytes)?)?;
    let mut store = ctx.shared.write();
    let stored_type = store.get(id).ok_or_else(|| not_found(id))?.odata_type().to_owned();
    if let Some(t) = &cleaned.odata_type {
        if !types::same(t, &stored_type) {
            return Err(ApiError::bad(format!(
                "The '@odata.type' '{t}' does not match the type of the object, '{stored_type}'."
            )));
        }
    }
    let mut props = cleaned.props;
    body::check_values(&props)?;
    // Intune owns the counter after creation: a sent `version` is ignored.
    props.remove("version");
    body::check_display_name(&props, false)?;
    body::check_scope_tags(&props)?;
    if types::is_trusted_root(&stored_type) {
        body::check_trusted_root(&props, false)?;
    }
    let root = match &cleaned.root_bind {
        Some(target) => Some(navigation::check_root_link(&store, &stored_type, target)?),
        None => None,
    };
    let entry = store.get_mut(id).ok_or_else(|| not_found(id))?;
    entry.obj.extend(props);
    let version = entry
        .obj
        .get("version")
        .and_then(Value::as_i64)
        .unwrap_or(0)
        .saturating_add(1)
        .min(i64::from(i32::MAX));
    entry.obj.insert("version".into(), Value::from(version));
    entry.obj.insert("lastModifiedDateTime".into(), now());
    if root.is_some() {
        entry.root_certificate = root;
    }
    if !ctx.shared.config.patch_returns_entity {
        return Ok(wire::no_content());
    }
    let context = ctx.metadata("deviceManagement/deviceConfigurations/$entity");
    let view = EntityView { context: Some(&context), ..EntityView::plain(&entry.obj) };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&view)))
}

fn delete(ctx: &Ctx<'_>, id: &str) -> HandlerResult {
    ctx.shared.write().remove(id).ok_or_else(|| not_found(id))?;
    Ok(wire::no_content())
}
