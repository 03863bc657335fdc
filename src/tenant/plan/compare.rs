//! An entry against its target object: what a create sends, what an update changes (field
//! by field, reference by reference, the assignment set as a whole), and the order deletes
//! run in.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::{
    Action, AssignmentChange, FieldChange, PlannedReference, ReferenceChange, ReferenceTarget, TargetObject,
    Wave, resolve::Names,
};
use crate::{
    models::{DeviceConfiguration, GraphEntity, schema},
    tenant::{ObjectKey, Snapshot, SnapshotEntry, files::canonical_multiset as as_multiset, key::nfc},
};

/// The object property that holds scope tag ids.
const SCOPE_TAG_IDS: &str = "roleScopeTagIds";

/// The create of an entry the target does not have.
pub(super) fn create(
    entry: &SnapshotEntry,
    wave: Wave,
    references: Vec<PlannedReference>,
    assignments: Option<Vec<Map<String, Value>>>,
    scope_tags: Option<Vec<String>>,
) -> Action {
    let mut object = entry.object.clone();
    if let Some(ids) = scope_tags {
        object.insert(SCOPE_TAG_IDS.into(), ids.into());
    }
    Action::Create {
        key: entry.key.clone(),
        file: entry.origin(),
        wave,
        object,
        references: references.into_iter().filter(|r| !r.targets.is_empty()).collect(),
        assignments,
        not_restorable: entry.not_restorable.clone(),
    }
}

/// What the crate's validation finds wrong with a create body (its references bound as the
/// apply will bind them): every problem, so the plan stops before the first write instead of
/// the apply stopping half-way.
pub(super) fn create_problems(object: &Map<String, Value>, references: &[PlannedReference]) -> Vec<String> {
    let mut body = object.clone();
    for reference in references.iter().filter(|r| !r.targets.is_empty()) {
        let placeholder = Value::from("deviceManagement/deviceConfigurations('planned')");
        let bind = if reference.many {
            Value::Array(vec![placeholder; reference.targets.len()])
        } else {
            placeholder
        };
        body.insert(format!("{}@odata.bind", reference.navigation), bind);
    }
    match serde_json::from_value::<DeviceConfiguration>(Value::Object(body)) {
        Err(e) => vec![format!("the object does not decode: {e}")],
        Ok(config) => match config.validate() {
            Ok(()) => Vec::new(),
            Err(invalid) => invalid.problems.iter().map(|p| format!("object.{p}")).collect(),
        },
    }
}

/// The update (or no change) that brings `target` to `entry`.
pub(super) fn update(
    entry: &SnapshotEntry,
    target: &TargetObject,
    wave: Wave,
    references: Vec<PlannedReference>,
    assignments: Option<Vec<Map<String, Value>>>,
    scope_tags: Option<Vec<String>>,
    objects: &[TargetObject],
) -> Action {
    let changes = field_changes(entry, target, scope_tags);
    let keys: HashMap<String, &ObjectKey> =
        objects.iter().map(|o| (o.id.to_lowercase(), &o.entry.key)).collect();
    let references: Vec<ReferenceChange> =
        references.into_iter().filter_map(|planned| reference_change(planned, target, &keys)).collect();
    let assignments = assignments.and_then(|after| {
        let before: Vec<Map<String, Value>> =
            target.entry.assignments.iter().flatten().map(|a| a.assignment.clone()).collect();
        (as_multiset(&after) != as_multiset(&before)).then_some(AssignmentChange { before, after })
    });
    if changes.is_empty() && references.is_empty() && assignments.is_none() {
        return Action::NoChange {
            key: entry.key.clone(),
            file: entry.origin(),
            id: target.id.clone(),
            expected: target.expected.clone(),
        };
    }
    Action::Update {
        key: entry.key.clone(),
        file: entry.origin(),
        wave,
        id: target.id.clone(),
        expected: target.expected.clone(),
        changes,
        references,
        assignments,
        not_restorable: entry.not_restorable.clone(),
    }
}

/// The properties the file sets that the target holds otherwise. Secrets are never compared
/// (the service does not return them); the display name compares in one normal form; scope
/// tags compare as a set.
fn field_changes(
    entry: &SnapshotEntry,
    target: &TargetObject,
    scope_tags: Option<Vec<String>>,
) -> Vec<FieldChange> {
    let before = &target.entry.object;
    let mut changes = Vec::new();
    for (field, after) in &entry.object {
        let same = match field.as_str() {
            "@odata.type" | SCOPE_TAG_IDS => true,
            _ if schema::is_secret_property(&entry.key.odata_type, field) => true,
            "displayName" => before.get(field).and_then(Value::as_str).map(nfc) == after.as_str().map(nfc),
            _ => before.get(field) == Some(after),
        };
        if !same {
            changes.push(FieldChange {
                field: field.clone(),
                before: before.get(field).cloned(),
                after: after.clone(),
            });
        }
    }
    let wanted = scope_tags.or_else(|| ids_of(entry.object.get(SCOPE_TAG_IDS)));
    if let Some(wanted) = wanted {
        let held = ids_of(before.get(SCOPE_TAG_IDS)).unwrap_or_default();
        if lower_set(&wanted) != lower_set(&held) {
            changes.push(FieldChange {
                field: SCOPE_TAG_IDS.into(),
                before: before.get(SCOPE_TAG_IDS).cloned(),
                after: wanted.into(),
            });
        }
    }
    changes
}

fn ids_of(value: Option<&Value>) -> Option<Vec<String>> {
    Some(value?.as_array()?.iter().filter_map(Value::as_str).map(str::to_owned).collect())
}

fn lower_set(ids: &[String]) -> BTreeSet<String> {
    ids.iter().map(|id| id.to_lowercase()).collect()
}

/// The change of one reference, when the target's differs from the planned one.
fn reference_change(
    planned: PlannedReference,
    target: &TargetObject,
    keys: &HashMap<String, &ObjectKey>,
) -> Option<ReferenceChange> {
    let held = target.reference_ids.get(&planned.navigation).map(Vec::as_slice).unwrap_or_default();
    let wanted: Option<Vec<String>> = planned.targets.iter().map(|t| t.id.clone()).collect();
    if wanted.is_some_and(|wanted| lower_set(&wanted) == lower_set(held)) {
        return None;
    }
    let before = held
        .iter()
        .map(|id| ReferenceTarget {
            key: keys.get(&id.to_lowercase()).map(|k| (*k).clone()),
            id: Some(id.clone()),
        })
        .collect();
    Some(ReferenceChange {
        navigation: planned.navigation,
        many: planned.many,
        before,
        after: planned.targets,
    })
}

/// The kept objects (not in `doomed`) that will still reference `id` once the plan ran:
/// through their file's references where it states them, else as the target holds them.
pub(super) fn kept_referrers(
    id: &str,
    doomed: &BTreeSet<String>,
    snapshot: &Snapshot,
    names: &Names<'_>,
    objects: &[TargetObject],
) -> Vec<String> {
    let files: HashMap<&ObjectKey, &SnapshotEntry> = snapshot.entries().iter().map(|e| (&e.key, e)).collect();
    let mut referrers = Vec::new();
    for object in objects.iter().filter(|o| !doomed.contains(&o.id.to_lowercase())) {
        let file = files.get(&object.entry.key);
        let points_at = object.reference_ids.iter().any(|(navigation, held)| {
            let stated = file.and_then(|f| f.references.get(navigation));
            let ids: Vec<String> = match stated {
                Some(value) => value
                    .targets()
                    .iter()
                    .filter_map(|key| match names.targets.get(key).map(Vec::as_slice) {
                        Some([one]) => Some(one.id.clone()),
                        _ => None,
                    })
                    .collect(),
                None => held.clone(),
            };
            ids.iter().any(|held| held.eq_ignore_ascii_case(id))
        });
        if points_at {
            referrers.push(object.entry.key.to_string());
        }
    }
    referrers
}

/// When a delete runs among the deletes: 0 when no other deleted object references it,
/// else one after the latest of those.
pub(super) fn delete_order(object: &TargetObject, doomed: &[&TargetObject]) -> u32 {
    fn order(id: &str, doomed: &[&TargetObject], budget: usize) -> u32 {
        if budget == 0 {
            return 0;
        }
        doomed
            .iter()
            .filter(|o| o.reference_ids.values().flatten().any(|target| target.eq_ignore_ascii_case(id)))
            .map(|referrer| order(&referrer.id, doomed, budget - 1) + 1)
            .max()
            .unwrap_or(0)
    }
    order(&object.id, doomed, doomed.len())
}
