//! A configuration's assignments: `POST …/{id}/assign` (replaces the set) and the
//! contained `assignments` navigation.
//!
//! `assign` is refused (400, nothing stored) as the live service refuses it: an item
//! without a target or a target type, a group target without a `groupId` or with one that
//! is not a GUID, the same target twice, a group both included and excluded. Whether a group
//! exists is not checked (the service does not check it either).

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::body;
use super::ctx::{Ctx, HandlerResult};
use super::errors::{ApiError, not_found};
use super::store::Entry;
use super::types;
use super::wire::{self, EntityView, ListBody};
use super::wrong::WrongAnswer;

/// Intune's fixed ids for the "all devices" and "all licensed users" targets.
const ALL_DEVICES_ID: &str = "adadadad-808e-44e2-905a-0b7873a8a531";
const ALL_USERS_ID: &str = "acacacac-9df4-4c7d-9d50-4ef0226f57a9";
const GROUP: &str = "groupAssignmentTarget";
const EXCLUSION: &str = "exclusionGroupAssignmentTarget";

fn list_response(context: &str, items: &[Map<String, Value>]) -> HandlerResult {
    let body = ListBody {
        context,
        count: None,
        next_link: None,
        value: items.iter().map(EntityView::plain).collect::<Vec<_>>(),
    };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&body)))
}

fn str_field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The `groupId` of a group or exclusion target: present and a GUID.
fn group_id<'a>(short: &str, target: &'a Map<String, Value>) -> Result<&'a str, ApiError> {
    let group =
        str_field(target, "groupId").ok_or_else(|| ApiError::bad(format!("A {short} needs a 'groupId'.")))?;
    if uuid::Uuid::try_parse(group).is_err() {
        return Err(ApiError::bad(format!("The groupId '{group}' of a {short} is not a valid GUID.")));
    }
    Ok(group)
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
        GROUP | EXCLUSION => group_id(&short, target)?.to_owned(),
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
    let kind = if exclude { EXCLUSION } else { GROUP };
    let mut target = Map::new();
    target.insert("@odata.type".into(), Value::from(format!("#{}{kind}", types::NAMESPACE)));
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

/// Refuses a set that names a target twice, or a group both included and excluded.
fn check_set(set: &[Map<String, Value>]) -> Result<(), ApiError> {
    let target =
        |a: &Map<String, Value>| a.get("target").and_then(Value::as_object).cloned().unwrap_or_default();
    for (i, a) in set.iter().enumerate() {
        for b in &set[..i] {
            let (ta, tb) = (target(a), target(b));
            let type_of = |t: &Map<String, Value>| {
                types::short(str_field(t, "@odata.type").unwrap_or_default()).to_owned()
            };
            let same_group = str_field(&ta, "groupId")
                .zip(str_field(&tb, "groupId"))
                .is_some_and(|(x, y)| x.eq_ignore_ascii_case(y));
            if same_group && type_of(&ta) != type_of(&tb) {
                let group = str_field(&ta, "groupId").unwrap_or_default();
                return Err(ApiError::bad(format!("The group '{group}' is both included and excluded.")));
            }
            let same_id =
                str_field(a, "id").zip(str_field(b, "id")).is_some_and(|(x, y)| x.eq_ignore_ascii_case(y));
            if same_id {
                return Err(ApiError::bad("The same target is assigned more than once."));
            }
        }
    }
    Ok(())
}

/// The assignment set an `assign` body asks for, checked.
fn requested_set(config_id: &str, bytes: &[u8]) -> Result<Vec<Map<String, Value>>, ApiError> {
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
        out.push(assignment_from(config_id, item)?);
    }
    for item in items(&obj, "deviceConfigurationGroupAssignments")? {
        out.push(group_assignment_from(config_id, item)?);
    }
    check_set(&out)?;
    Ok(out)
}

/// `POST …/{id}/assign`: replaces the assignment set.
pub(crate) fn assign(ctx: &Ctx<'_>, id: &str, bytes: &[u8]) -> HandlerResult {
    let mut store = ctx.shared.write();
    let config_id = store.get(id).ok_or_else(|| not_found(id))?.id().to_owned();
    let set = requested_set(&config_id, bytes)?;
    let context = ctx.metadata("Collection(microsoft.graph.deviceConfigurationAssignment)");
    if ctx.shared.wrong(WrongAnswer::AssignStoresNothing) {
        return list_response(&context, &set);
    }
    let entry = store.get_mut(id).ok_or_else(|| not_found(id))?;
    entry.assignments = set;
    list_response(&context, &entry.assignments)
}

/// `GET …/{id}/assignments`.
pub(crate) fn list(ctx: &Ctx<'_>, id: &str) -> HandlerResult {
    let store = ctx.shared.read();
    let entry = store.get(id).ok_or_else(|| not_found(id))?;
    let context =
        ctx.metadata(&format!("deviceManagement/deviceConfigurations('{}')/assignments", entry.id()));
    list_response(&context, &entry.assignments)
}

fn find(entry: &Entry, aid: &str) -> Result<usize, ApiError> {
    entry
        .assignments
        .iter()
        .position(|a| str_field(a, "id").is_some_and(|x| x.eq_ignore_ascii_case(aid)))
        .ok_or_else(|| ApiError::NotFound(format!("The assignment '{aid}' was not found.")))
}

/// `GET …/{id}/assignments/{assignmentId}`.
pub(crate) fn get(ctx: &Ctx<'_>, id: &str, aid: &str) -> HandlerResult {
    let store = ctx.shared.read();
    let entry = store.get(id).ok_or_else(|| not_found(id))?;
    let pos = find(entry, aid)?;
    let context =
        ctx.metadata(&format!("deviceManagement/deviceConfigurations('{}')/assignments/$entity", entry.id()));
    let view = EntityView { context: Some(&context), ..EntityView::plain(&entry.assignments[pos]) };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&view)))
}

/// `DELETE …/{id}/assignments/{assignmentId}`.
pub(crate) fn delete(ctx: &Ctx<'_>, id: &str, aid: &str) -> HandlerResult {
    let mut store = ctx.shared.write();
    let entry = store.get_mut(id).ok_or_else(|| not_found(id))?;
    let pos = find(entry, aid)?;
    entry.assignments.remove(pos);
    Ok(wire::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const G: &str = "11111111-2222-3333-4444-555555555555";

    fn refusal(body: Value) -> String {
        match requested_set("c", body.to_string().as_bytes()) {
            Err(e) => format!("{e:?}"),
            Ok(set) => panic!("accepted {body}: {set:?}"),
        }
    }

    fn group(kind: &str, id: Value) -> Value {
        json!({"target": {"@odata.type": format!("#microsoft.graph.{kind}"), "groupId": id}})
    }

    #[test]
    fn refuses_what_the_service_refuses() {
        assert!(refusal(json!({"assignments": [{}]})).contains("needs a 'target'"));
        assert!(refusal(json!({"assignments": [{"target": {}}]})).contains("needs an '@odata.type'"));
        assert!(refusal(json!({"assignments": [group(GROUP, Value::Null)]})).contains("needs a 'groupId'"));
        assert!(refusal(json!({"assignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget"}}]})).contains("needs a 'groupId'"));
        assert!(refusal(json!({"assignments": [group(EXCLUSION, json!("sales"))]})).contains("'sales'"));
        assert!(
            refusal(json!({"assignments": [group(GROUP, json!(G)), group(GROUP, json!(G.to_uppercase()))]}))
                .contains("more than once")
        );
        let both = refusal(
            json!({"assignments": [group(GROUP, json!(G))], "deviceConfigurationGroupAssignments": [{"targetGroupId": G, "excludeGroup": true}]}),
        );
        assert!(both.contains("both included and excluded"), "{both}");
    }

    #[test]
    fn builds_the_service_fields() {
        let set = requested_set("c", json!({"assignments": [group(GROUP, json!(G))]}).to_string().as_bytes());
        let set = set.unwrap_or_default();
        assert_eq!(
            Value::Object(set[0].clone()),
            json!({
                "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
                "id": format!("c_{G}"),
                "intent": "apply",
                "source": "direct",
                "sourceId": null,
                "target": {
                    "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                    "groupId": G,
                    "deviceAndAppManagementAssignmentFilterId": null,
                    "deviceAndAppManagementAssignmentFilterType": "none",
                },
            })
        );
    }
}
