//! Create (`POST …/deviceConfigurations`) and update (`PATCH …/{id}`): checked like the
//! service checks them, stored in the service's form (`shape::canonical`), references bound
//! with `{navigation}@odata.bind`, and answered wrongly on request (`wrong`).

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::body;
use super::clock;
use super::ctx::{Ctx, HandlerResult};
use super::errors::{ApiError, not_found};
use super::references;
use super::shape::{self, Shape};
use super::types;
use super::wire::{self, EntityView};
use super::wrong::WrongAnswer;

fn now() -> Value {
    Value::String(clock::graph_timestamp(chrono::Utc::now()))
}

/// The checks create and update share on the writable properties.
fn check_props(props: &Map<String, Value>, odata_type: &str, creating: bool) -> Result<(), ApiError> {
    body::check_values(props)?;
    body::check_display_name(props, creating)?;
    if creating {
        body::check_version(props)?;
    }
    body::check_scope_tags(props)?;
    if types::is_trusted_root(odata_type) {
        body::check_trusted_root(props, creating)?;
    }
    Ok(())
}

/// A new object as stored: the sent properties, the server-owned ones, `version` 1 and the
/// default scope tag when not sent.
fn new_object(
    odata_type: String,
    id: &str,
    props: Map<String, Value>,
) -> Result<Map<String, Value>, ApiError> {
    let now = now();
    let mut obj = Map::new();
    obj.insert("@odata.type".into(), Value::String(odata_type));
    obj.insert("id".into(), Value::from(id));
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
    shape::canonical(obj)
}

/// `201` with `obj` in `shape`.
fn created(ctx: &Ctx<'_>, obj: &Map<String, Value>, shape: &Shape) -> HandlerResult {
    let context = ctx.metadata("deviceManagement/deviceConfigurations/$entity");
    let view = EntityView { context: Some(&context), shape: Some(shape), ..EntityView::plain(obj) };
    Ok(wire::json_response(StatusCode::CREATED, wire::to_vec(&view)))
}

/// `POST …/deviceConfigurations`.
pub(crate) fn create(ctx: &Ctx<'_>, bytes: &[u8]) -> HandlerResult {
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
    check_props(&cleaned.props, &ty, true)?;
    let mut store = ctx.shared.write();
    let bound = references::resolve_binds(&store, &ty, &cleaned.binds, None)?;
    let id = uuid::Uuid::new_v4().to_string();
    let obj = new_object(ty, &id, cleaned.props)?;
    if store.len() > 0 && ctx.shared.wrong(WrongAnswer::CreateAnswersExisting) {
        let newest = store.iter().last().ok_or_else(|| not_found(&id))?;
        return created(ctx, &newest.obj, &newest.shape);
    }
    store.upsert(&id, obj);
    let entry = store.get_mut(&id).ok_or_else(|| not_found(&id))?;
    references::apply(entry, bound);
    let mut answered = entry.obj.clone();
    misreport_create(ctx, &mut answered);
    created(ctx, &answered, &entry.shape)
}

/// The wrong answers a stored create may get: another name, another type.
fn misreport_create(ctx: &Ctx<'_>, answered: &mut Map<String, Value>) {
    if ctx.shared.wrong(WrongAnswer::CreateAnswersOtherName) {
        let name = answered.get("displayName").and_then(Value::as_str).unwrap_or_default();
        let renamed = format!("{name} (2)");
        answered.insert("displayName".into(), Value::String(renamed));
    }
    if ctx.shared.wrong(WrongAnswer::CreateAnswersOtherType) {
        let ios = "#microsoft.graph.iosCustomConfiguration";
        let sent = answered.get("@odata.type").and_then(Value::as_str).unwrap_or_default();
        let other = if types::same(sent, ios) { "#microsoft.graph.macOSCustomConfiguration" } else { ios };
        answered.insert("@odata.type".into(), Value::from(other));
    }
}

/// `PATCH …/{id}`: merges the sent properties, increments `version`, binds references
/// (a collection bind adds members).
pub(crate) fn update(ctx: &Ctx<'_>, id: &str, bytes: &[u8]) -> HandlerResult {
    let cleaned = body::clean(body::parse_object(bytes)?)?;
    let mut store = ctx.shared.write();
    let current = store.get(id).ok_or_else(|| not_found(id))?;
    let stored_type = current.odata_type().to_owned();
    if let Some(t) = &cleaned.odata_type {
        if !types::same(t, &stored_type) {
            return Err(ApiError::bad(format!(
                "The '@odata.type' '{t}' does not match the type of the object, '{stored_type}'."
            )));
        }
    }
    let mut props = cleaned.props;
    // Intune owns the counter after creation: a sent `version` is ignored.
    props.remove("version");
    check_props(&props, &stored_type, false)?;
    let bound = references::resolve_binds(&store, &stored_type, &cleaned.binds, Some(current))?;
    let mut obj = current.obj.clone();
    let shape = current.shape.clone();
    obj.extend(props);
    let version = obj.get("version").and_then(Value::as_i64).unwrap_or(0).saturating_add(1);
    obj.insert("version".into(), Value::from(version.min(i64::from(i32::MAX))));
    obj.insert("lastModifiedDateTime".into(), now());
    let obj = shape::canonical(obj)?;
    if !ctx.shared.wrong(WrongAnswer::PatchStoresNothing) {
        let entry = store.get_mut(id).ok_or_else(|| not_found(id))?;
        entry.obj = obj.clone();
        references::apply(entry, bound);
    }
    if !ctx.shared.config.patch_returns_entity {
        return Ok(wire::no_content());
    }
    let context = ctx.metadata("deviceManagement/deviceConfigurations/$entity");
    let view = EntityView { context: Some(&context), shape: Some(&shape), ..EntityView::plain(&obj) };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&view)))
}
