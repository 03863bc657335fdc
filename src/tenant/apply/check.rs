//! Before the first write: is the tenant still as the plan found it?

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::tenant::{
    Action, Plan, ReferenceTarget, TargetObject, TenantError, files::canonical_multiset as multiset,
};

/// `Ok` when every object `plan` touches or binds is as the plan read it in `now`;
/// otherwise [`TenantError::Stale`] naming each change.
pub(super) fn still_current(plan: &Plan, now: &[TargetObject]) -> Result<(), TenantError> {
    let by_id: HashMap<String, &TargetObject> = now.iter().map(|o| (o.id.to_lowercase(), o)).collect();
    let mut changes = Vec::new();
    for action in &plan.actions {
        let key = action.key();
        match action {
            Action::Create { references, .. } => {
                if let Some(found) = now.iter().find(|o| &o.entry.key == key) {
                    changes.push(format!("{key}: created in the tenant since the plan (id {})", found.id));
                }
                for reference in references {
                    missing_targets(&reference.targets, &by_id, key, &reference.navigation, &mut changes);
                }
            }
            Action::Update { id, expected, references, assignments, .. } => {
                let Some(object) = by_id.get(&id.to_lowercase()) else {
                    changes.push(format!("{key}: deleted from the tenant since the plan (id {id})"));
                    continue;
                };
                if &object.expected != expected {
                    changes.push(format!(
                        "{key}: changed in the tenant since the plan ({})",
                        describe(expected, object)
                    ));
                }
                for change in references {
                    let held: Vec<String> =
                        object.reference_ids.get(&change.navigation).cloned().unwrap_or_default();
                    let planned: Vec<String> = change.before.iter().filter_map(|t| t.id.clone()).collect();
                    if lower_set(&held) != lower_set(&planned) {
                        changes.push(format!("{key}: its {} changed since the plan", change.navigation));
                    }
                    missing_targets(&change.after, &by_id, key, &change.navigation, &mut changes);
                }
                if let Some(change) = assignments {
                    let held: Vec<Map<String, Value>> =
                        object.entry.assignments.iter().flatten().map(|a| a.assignment.clone()).collect();
                    if multiset(&held) != multiset(&change.before) {
                        changes.push(format!("{key}: its assignments changed since the plan"));
                    }
                }
            }
            Action::NoChange { id, .. } => {
                if !by_id.contains_key(&id.to_lowercase()) {
                    changes.push(format!("{key}: deleted from the tenant since the plan (id {id})"));
                }
            }
            Action::Delete { id, expected, .. } => {
                if let Some(object) = by_id.get(&id.to_lowercase())
                    && &object.expected != expected
                {
                    changes.push(format!(
                        "{key}: changed in the tenant since the plan ({})",
                        describe(expected, object)
                    ));
                }
            }
            Action::Conflict { .. } | Action::Skip { .. } => {}
        }
    }
    if changes.is_empty() { Ok(()) } else { Err(TenantError::Stale { changes }) }
}

/// Reference targets the plan names by id that the tenant no longer has.
fn missing_targets(
    targets: &[ReferenceTarget],
    by_id: &HashMap<String, &TargetObject>,
    key: &crate::tenant::ObjectKey,
    navigation: &str,
    changes: &mut Vec<String>,
) {
    for target in targets {
        if let Some(id) = &target.id
            && !by_id.contains_key(&id.to_lowercase())
        {
            let name = target.key.as_ref().map_or_else(|| id.clone(), ToString::to_string);
            changes.push(format!("{key}: its {navigation} target {name} ({id}) was deleted since the plan"));
        }
    }
}

fn describe(expected: &crate::tenant::Expected, object: &TargetObject) -> String {
    let show = |v: &Option<i64>| v.map_or("none".to_owned(), |v| v.to_string());
    format!(
        "version {} → {}, last modified {} → {}",
        show(&expected.version),
        show(&object.expected.version),
        expected.last_modified_date_time.as_deref().unwrap_or("none"),
        object.expected.last_modified_date_time.as_deref().unwrap_or("none"),
    )
}

fn lower_set(ids: &[String]) -> BTreeSet<String> {
    ids.iter().map(|id| id.to_lowercase()).collect()
}
