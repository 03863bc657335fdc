//! After the writes: read everything back and compare it with what was meant.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::{ApplyEvent, ApplyOptions, ObjectOutcome, Verification, run::Run};
use crate::{
    models::schema,
    tenant::{
        Action, ObjectKey, Plan, ReferenceTarget, TargetObject, TenantError, TenantReader,
        files::canonical_multiset, key::nfc, normalize::strings_of,
    },
};

/// Reads the tenant back and verifies every object the plan wrote; what does not match is
/// read once more after `options.settle`.
pub(super) async fn read_back(
    reader: &TenantReader,
    plan: &Plan,
    run: &Run,
    options: &ApplyOptions,
    on_event: &(impl Fn(&ApplyEvent) + Send + Sync),
) -> Result<Vec<Verification>, TenantError> {
    let written: Vec<&Action> = plan.actions.iter().filter(|a| a.writes()).collect();
    if written.is_empty() {
        return Ok(Vec::new());
    }
    on_event(&ApplyEvent::Verifying { objects: written.len() });
    let mut verifications = verify_all(&written, run, &TargetObject::from_tenant(&reader.read().await?)?);
    if verifications.iter().any(|v| !v.verified) && !options.settle.is_zero() {
        tokio::time::sleep(options.settle).await;
        verifications = verify_all(&written, run, &TargetObject::from_tenant(&reader.read().await?)?);
    }
    for verification in &verifications {
        on_event(&ApplyEvent::Verified { verification: verification.clone() });
    }
    Ok(verifications)
}

fn verify_all(written: &[&Action], run: &Run, now: &[TargetObject]) -> Vec<Verification> {
    let by_id: HashMap<String, &TargetObject> = now.iter().map(|o| (o.id.to_lowercase(), o)).collect();
    written.iter().map(|action| verify(action, run, now, &by_id)).collect()
}

fn verify(
    action: &Action,
    run: &Run,
    now: &[TargetObject],
    by_id: &HashMap<String, &TargetObject>,
) -> Verification {
    let key = action.key().clone();
    let mut mismatches = Vec::new();
    let id = match action {
        Action::Create { key, object, references, assignments, .. } => {
            let id = run.created_id(key).map(str::to_owned);
            match id.as_deref().and_then(|id| by_id.get(&id.to_lowercase())) {
                Some(found) => {
                    fields(key, object.iter(), found, &mut mismatches);
                    for reference in references {
                        compare_references(
                            &reference.navigation,
                            &reference.targets,
                            run,
                            found,
                            &mut mismatches,
                        );
                    }
                    if let Some(set) = assignments {
                        compare_assignments(set, found, &mut mismatches);
                    }
                }
                None => mismatches.push(not_created(key, run, now)),
            }
            id
        }
        Action::Update { key, id, changes, references, assignments, .. } => {
            match by_id.get(&id.to_lowercase()) {
                Some(found) => {
                    fields(key, changes.iter().map(|c| (&c.field, &c.after)), found, &mut mismatches);
                    for change in references {
                        compare_references(&change.navigation, &change.after, run, found, &mut mismatches);
                    }
                    if let Some(change) = assignments {
                        compare_assignments(&change.after, found, &mut mismatches);
                    }
                }
                None => mismatches.push("it is gone from the tenant".into()),
            }
            Some(id.clone())
        }
        Action::Delete { id, .. } => {
            if by_id.contains_key(&id.to_lowercase()) {
                mismatches.push("it is still in the tenant".into());
            }
            Some(id.clone())
        }
        Action::NoChange { .. } | Action::Conflict { .. } | Action::Skip { .. } => None,
    };
    Verification { key, id, verified: mismatches.is_empty(), mismatches }
}

/// Why a create has no object to read back.
fn not_created(key: &ObjectKey, run: &Run, now: &[TargetObject]) -> String {
    let failed = run.outcome(key).find_map(|o| match o {
        ObjectOutcome::Failed { error } => Some(error.as_str()),
        _ => None,
    });
    let holding: Vec<&str> = now.iter().filter(|o| &o.entry.key == key).map(|o| o.id.as_str()).collect();
    let held = match holding.as_slice() {
        [] => "the tenant holds no such object".to_owned(),
        ids => {
            format!("the tenant holds {} object(s) with its type and name ({})", ids.len(), ids.join(", "))
        }
    };
    match failed {
        Some(error) => format!("not created ({error}); {held}"),
        None => format!("its create gave no id; {held}"),
    }
}

/// The properties written, as read back (secrets are never returned; scope tags are a set).
fn fields<'v>(
    key: &ObjectKey,
    written: impl Iterator<Item = (&'v String, &'v Value)>,
    found: &TargetObject,
    mismatches: &mut Vec<String>,
) {
    let read = &found.entry.object;
    for (field, value) in written {
        let same = match field.as_str() {
            "@odata.type" => true,
            _ if schema::is_secret_property(&key.odata_type, field) => true,
            "displayName" => read.get(field).and_then(Value::as_str).map(nfc) == value.as_str().map(nfc),
            "roleScopeTagIds" => id_set(read.get(field)) == id_set(Some(value)),
            _ => read.get(field) == Some(value),
        };
        if !same {
            let shown = read
                .get(field)
                .map_or("(absent)".to_owned(), |v| crate::untrusted::escape(&v.to_string()).into_owned());
            mismatches.push(format!("{field} reads back as {shown}"));
        }
    }
}

fn id_set(value: Option<&Value>) -> BTreeSet<String> {
    strings_of(value).map(str::to_lowercase).collect()
}

fn compare_references(
    navigation: &str,
    targets: &[ReferenceTarget],
    run: &Run,
    found: &TargetObject,
    mismatches: &mut Vec<String>,
) {
    let meant: BTreeSet<String> = targets
        .iter()
        .filter_map(|t| t.id.clone().or_else(|| run.created_id(t.key.as_ref()?).map(str::to_owned)))
        .map(|id| id.to_lowercase())
        .collect();
    let held: BTreeSet<String> =
        found.reference_ids.get(navigation).into_iter().flatten().map(|id| id.to_lowercase()).collect();
    if meant != held || meant.len() != targets.len() {
        mismatches.push(format!("{navigation} reads back as {:?}", held.into_iter().collect::<Vec<_>>()));
    }
}

fn compare_assignments(set: &[Map<String, Value>], found: &TargetObject, mismatches: &mut Vec<String>) {
    let held: Vec<Map<String, Value>> =
        found.entry.assignments.iter().flatten().map(|a| a.assignment.clone()).collect();
    if canonical_multiset(&held) != canonical_multiset(set) {
        mismatches.push(format!(
            "its assignments read back as {} (not the {} written)",
            held.len(),
            set.len()
        ));
    }
}
