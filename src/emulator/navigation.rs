//! Navigation of a deviceConfiguration: `assign`, `assignments`, and the SCEP
//! profile's `rootCertificate` and `managedDeviceCertificateStates`.

use std::collections::HashSet;

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value};

use super::body;
use super::ctx::{Ctx, HandlerResult};
use super::errors::{ApiError, not_found};
use super::store::{Entry, Store};
use super::types;
use super::wire::{self, EntityView, ListBody};

/// Intune's fixed ids for the "all devices" and "all licensed users" targets.
const ALL_DEVICES_ID: &str = "adadadad-808e-44e2-905a-0b7873a8a531";
const ALL_USERS_ID: &str = "acacacac-9df4-4c7d-9d50-4ef0226f57a9";

fn list_response(context: &str, items: &[Map<String, Value>]) -> HandlerResult {
    let body = ListBody {
        context,
        count: None,
        next_link: None,
        value: items.iter().map(EntityView::plain).collect(),
    };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&body)))
}

fn str_field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Builds a stored assignment from a request item.
fn assignment_from(config_id: &str, item: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let Some(Value::Object(target)) = item.get("target") else {
        return Err(ApiError::bad("Each assignment needs a 'target' object with an '@odata.type'."));
    };
    let raw_type = str_field(target, "@odata.type")
        .ok_or_else(|| ApiError::bad("The assignment target needs an '@odata.type'."))?;
    let target_type = types::normalize(raw_type)
        .ok_or_else(|| ApiError::bad(format!("'{raw_type}' is not a valid assignment target type.")))?;
    let short = types::short(&target_type).to_owned();
    let key = match short.as_str() {
        "groupAssignmentTarget" | "exclusionGroupAssignmentTarget" => str_field(target, "groupId")
            .ok_or_else(|| ApiError::bad(format!("A {short} needs a 'groupId'.")))?
            .to_owned(),
        "configurationManagerCollectionAssignmentTarget" => str_field(target, "collectionId")
            .ok_or_else(|| ApiError::bad(format!("A {short} needs a 'collectionId'.")))?
            .to_owned(),
        "allDevicesAssignmentTarget" => ALL_DEVICES_ID.to_owned(),
        "allLicensedUsersAssignmentTarget" => ALL_USERS_ID.to_owned(),
        _ => short.clone(),
    };
    let mut target = target.clone();
    target.insert("@odata.type".into(), Value::String(target_type));
    target.entry("deviceAndAppManagementAssignmentFilterId").or_insert(Value::Null);
    target.entry("deviceAndAppManagementAssignmentFilterType").or_insert(Value::from("none"));
    let mut out = Map::new();
    out.insert("@odata.type".into(), Value::from(types::ASSIGNMENT));
    out.insert("id".into(), Value::String(format!("{config_id}_{key}")));
    out.insert("intent".into(), item.get("intent").cloned().unwrap_or(Value::from("apply")));
    out.insert("source".into(), Value::from("direct"));
    out.insert("sourceId".into(), item.get("sourceId").cloned().unwrap_or(Value::Null));
    out.insert("target".into(), Value::Object(target));
    Ok(out)
}

/// A legacy `deviceConfigurationGroupAssignment` as an assignment.
fn group_assignment_from(config_id: &str, item: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let group = str_field(item, "targetGroupId")
        .ok_or_else(|| ApiError::bad("Each deviceConfigurationGroupAssignment needs a 'targetGroupId'."))?;
    let exclude = match item.get("excludeGroup") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::bad("'excludeGroup' must be a boolean.")),
    };
    let kind = if exclude {
        "#microsoft.graph.exclusionGroupAssignmentTarget"
    } else {
        "#microsoft.graph.groupAssignmentTarget"
    };
    let mut target = Map::new();
    target.insert("@odata.type".into(), Value::from(kind));
    target.insert("groupId".into(), Value::from(group));
    let mut wrapped = Map::new();
    wrapped.insert("target".into(), Value::Object(target));
    assignment_from(config_id, &wrapped)
}

fn items<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Vec<&'a Map<String, Value>>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_object()
                    .ok_or_else(|| ApiError::bad(format!("Every item of '{key}' must be an object.")))
            })
            .collect(),
        Some(_) => Err(ApiError::bad(format!("'{key}' must be an array."))),
    }
}

/// `POST …/{id}/assign`: replaces the assignment set.
pub(crate) fn assign(ctx: &Ctx<'_>, id: &str, bytes: &[u8]) -> HandlerResult {
    let mut store = ctx.shared.write();
    let config_id = store.get(id).ok_or_else(|| not_found(id))?.id().to_owned();
    let obj = body::parse_object(bytes)?;
    if let Some(k) =
        obj.keys().find(|k| !matches!(k.as_str(), "assignments" | "deviceConfigurationGroupAssignments"))
    {
        return Err(ApiError::bad(format!(
            "The parameter '{k}' in the request payload is not a valid parameter for the \
             operation 'assign'."
        )));
    }
    let mut out = Vec::new();
    for item in items(&obj, "assignments")? {
        out.push(assignment_from(&config_id, item)?);
    }
    for item in items(&obj, "deviceConfigurationGroupAssignments")? {
        out.push(group_assignment_from(&config_id, item)?);
    }
    let mut seen = HashSet::new();
    for a in &out {
        let aid = str_field(a, "id").unwrap_or_default().to_ascii_lowercase();
        if !seen.insert(aid) {
            return Err(ApiError::bad("The same target is assigned more than once."));
        }
    }
    let entry = store.get_mut(id).ok_or_else(|| not_found(id))?;
    entry.assignments = out;
    let context = ctx.metadata("Collection(microsoft.graph.deviceConfigurationAssignment)");
    list_response(&context, &entry.assignments)
}

/// `GET …/{id}/assignments`.
pub(crate) fn assignments(ctx: &Ctx<'_>, id: &str) -> HandlerResult {
    let store = ctx.shared.read();
    let entry = store.get(id).ok_or_else(|| not_found(id))?;
    let context =
        ctx.metadata(&format!("deviceManagement/deviceConfigurations('{}')/assignments", entry.id()));
    list_response(&context, &entry.assignments)
}

fn find_assignment(entry: &Entry, aid: &str) -> Option<usize> {
    entry.assignments.iter().position(|a| str_field(a, "id").is_some_and(|x| x.eq_ignore_ascii_case(aid)))
}

/// `GET …/{id}/assignments/{assignmentId}`.
pub(crate) fn assignment(ctx: &Ctx<'_>, id: &str, aid: &str) -> HandlerResult {
    let store = ctx.shared.read();
    let entry = store.get(id).ok_or_else(|| not_found(id))?;
    let pos = find_assignment(entry, aid)
        .ok_or_else(|| ApiError::NotFound(format!("The assignment '{aid}' was not found.")))?;
    let context =
        ctx.metadata(&format!("deviceManagement/deviceConfigurations('{}')/assignments/$entity", entry.id()));
    let view = EntityView { context: Some(&context), ..EntityView::plain(&entry.assignments[pos]) };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&view)))
}

/// `DELETE …/{id}/assignments/{assignmentId}`.
pub(crate) fn delete_assignment(ctx: &Ctx<'_>, id: &str, aid: &str) -> HandlerResult {
    let mut store = ctx.shared.write();
    let entry = store.get_mut(id).ok_or_else(|| not_found(id))?;
    let pos = find_assignment(entry, aid)
        .ok_or_else(|| ApiError::NotFound(format!("The assignment '{aid}' was not found.")))?;
    entry.assignments.remove(pos);
    Ok(wire::no_content())
}

/// The entry behind a type-cast segment: 404 when missing or of another type.
pub(crate) fn cast_entry<'a>(store: &'a Store, id: &str, cast_type: &str) -> Result<&'a Entry, ApiError> {
    let entry = store.get(id).ok_or_else(|| not_found(id))?;
    if !types::is_a(entry.odata_type(), cast_type) {
        return Err(ApiError::NotFound(format!(
            "The deviceConfiguration '{id}' is not a '{}'.",
            types::short(cast_type)
        )));
    }
    Ok(entry)
}

/// Validates a `rootCertificate` link and returns the target's stored id: the profile's
/// type must have the navigation, the target must be the trusted root type it references.
pub(crate) fn check_root_link(store: &Store, profile_type: &str, target: &str) -> Result<String, ApiError> {
    let Some(root_type) = types::root_certificate_type(profile_type) else {
        return Err(ApiError::bad(format!(
            "'rootCertificate' is not a navigation property of '{}'.",
            types::short(profile_type)
        )));
    };
    let entry = store
        .get(target)
        .ok_or_else(|| ApiError::bad(format!("The rootCertificate target '{target}' does not exist.")))?;
    if !types::same(entry.odata_type(), root_type) {
        return Err(ApiError::bad(format!(
            "The rootCertificate target '{target}' is a '{}', not a '{root_type}'.",
            types::short(entry.odata_type())
        )));
    }
    Ok(entry.id().to_owned())
}

/// The cast segment for `rootCertificate`: a profile type that has the navigation.
fn scep_cast(cast: &str) -> Result<String, ApiError> {
    match types::normalize(cast) {
        Some(t) if types::root_certificate_type(&t).is_some() => Ok(t),
        _ => Err(ApiError::NoRoute),
    }
}

/// `GET …/{id}/microsoft.graph.iosScepCertificateProfile/rootCertificate`.
pub(crate) fn root_certificate(ctx: &Ctx<'_>, id: &str, cast: &str) -> HandlerResult {
    let cast_type = scep_cast(cast)?;
    let store = ctx.shared.read();
    let entry = cast_entry(&store, id, &cast_type)?;
    let no_root = || ApiError::NotFound(format!("No rootCertificate is linked to '{id}'."));
    let root_id = entry.root_certificate.as_deref().ok_or_else(no_root)?;
    let root = store.get(root_id).ok_or_else(no_root)?;
    let context = ctx.metadata(&format!(
        "deviceManagement/deviceConfigurations('{}')/microsoft.graph.{}/rootCertificate/$entity",
        entry.id(),
        types::short(&cast_type)
    ));
    let view = EntityView { context: Some(&context), ..EntityView::plain(&root.obj) };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&view)))
}

#[derive(Serialize)]
struct RefBody<'a> {
    #[serde(rename = "@odata.context")]
    context: &'a str,
    #[serde(rename = "@odata.id")]
    id: &'a str,
}

/// `GET …/rootCertificate/$ref`.
pub(crate) fn root_ref_get(ctx: &Ctx<'_>, id: &str, cast: &str) -> HandlerResult {
    let cast_type = scep_cast(cast)?;
    let store = ctx.shared.read();
    let entry = cast_entry(&store, id, &cast_type)?;
    let root_id = entry
        .root_certificate
        .as_deref()
        .ok_or_else(|| ApiError::NotFound(format!("No rootCertificate is linked to '{id}'.")))?;
    let context = ctx.metadata("$ref");
    let url = ctx.entity_url(root_id);
    let body = RefBody { context: &context, id: &url };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&body)))
}

/// `PUT …/rootCertificate/$ref` with `{"@odata.id": "…/deviceConfigurations/{rootId}"}`.
pub(crate) fn root_ref_put(ctx: &Ctx<'_>, id: &str, cast: &str, bytes: &[u8]) -> HandlerResult {
    let cast_type = scep_cast(cast)?;
    let obj = body::parse_object(bytes)?;
    let url = match obj.get("@odata.id") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err(ApiError::bad("The body needs an '@odata.id' URL string.")),
    };
    let target = body::bind_target(&url).ok_or_else(|| {
        ApiError::bad(format!(
            "'{url}' does not reference a deviceConfiguration; expected a URL ending in \
             'deviceConfigurations/{{id}}' or \"deviceConfigurations('{{id}}')\"."
        ))
    })?;
    let mut store = ctx.shared.write();
    let profile_type = cast_entry(&store, id, &cast_type)?.odata_type().to_owned();
    let root = check_root_link(&store, &profile_type, &target)?;
    let entry = store.get_mut(id).ok_or_else(|| not_found(id))?;
    entry.root_certificate = Some(root);
    Ok(wire::no_content())
}

/// `DELETE …/rootCertificate/$ref`: unlinks.
pub(crate) fn root_ref_delete(ctx: &Ctx<'_>, id: &str, cast: &str) -> HandlerResult {
    let cast_type = scep_cast(cast)?;
    let mut store = ctx.shared.write();
    cast_entry(&store, id, &cast_type)?;
    let entry = store.get_mut(id).ok_or_else(|| not_found(id))?;
    entry.root_certificate = None;
    Ok(wire::no_content())
}

/// `GET …/{id}/microsoft.graph.<certificate profile>/managedDeviceCertificateStates`.
pub(crate) fn certificate_states(ctx: &Ctx<'_>, id: &str, cast: &str) -> HandlerResult {
    let cast_type = types::normalize(cast)
        .filter(|t| types::short(t).ends_with("CertificateProfile"))
        .ok_or(ApiError::NoRoute)?;
    let store = ctx.shared.read();
    let entry = cast_entry(&store, id, &cast_type)?;
    let context = ctx.metadata(&format!(
        "deviceManagement/deviceConfigurations('{}')/{}/managedDeviceCertificateStates",
        entry.id(),
        cast_type.trim_start_matches('#')
    ));
    list_response(&context, &entry.certificate_states)
}
