//! The plan: (snapshot, target objects) → actions. Pure: no IO, so every rule is tested
//! with values.

use std::{
    collections::{BTreeSet, HashMap},
    fmt,
    path::Path,
};

use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    AssignmentEntry, ObjectKey, Snapshot, SnapshotEntry, TenantError, TenantObject,
    export::{entry_of, keys_by_id},
    files::{canonical_bytes, read_json_file},
};

const ALL_DEVICES: &str = "#microsoft.graph.allDevicesAssignmentTarget";
const ALL_USERS: &str = "#microsoft.graph.allLicensedUsersAssignmentTarget";
const GROUP: &str = "#microsoft.graph.groupAssignmentTarget";
const EXCLUDED_GROUP: &str = "#microsoft.graph.exclusionGroupAssignmentTarget";
const FILTER_ID: &str = "deviceAndAppManagementAssignmentFilterId";

/// A target-tenant object in the form a plan compares.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TargetObject {
    /// Its id in the target.
    pub id: String,
    /// The entry it would export as (no group names).
    pub entry: SnapshotEntry,
}

impl TargetObject {
    /// The comparable form of what a [`TenantReader`](super::TenantReader) read; objects
    /// without a display name are left out (they have no identity).
    ///
    /// # Errors
    /// [`TenantError::Format`] when an object cannot be normalised.
    pub fn from_tenant(objects: &[TenantObject]) -> Result<Vec<TargetObject>, TenantError> {
        let keys = keys_by_id(objects);
        let mut targets = Vec::new();
        for object in objects {
            if let Some(entry) = entry_of(object, &keys)? {
                targets.push(TargetObject { id: object.id.clone(), entry });
            }
        }
        Ok(targets)
    }
}

/// Group (and assignment filter) ids of the source tenant → ids in the target, by source id
/// or by the group's display name. Ids not in the map are kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupMap {
    ids: HashMap<String, String>,
}

impl GroupMap {
    /// An empty map: every id is kept.
    pub fn new() -> Self {
        GroupMap::default()
    }

    /// Maps `source` (an id or a group display name) to `target_id`.
    #[must_use]
    pub fn with(mut self, source: impl Into<String>, target_id: impl Into<String>) -> Self {
        self.ids.insert(source.into().to_lowercase(), target_id.into());
        self
    }

    /// Reads a JSON object of strings: `{"<source id or group name>": "<target id>", …}`.
    ///
    /// # Errors
    /// [`TenantError::Io`]; [`TenantError::GroupMap`] when the file is not such an object.
    pub fn from_file(path: &Path) -> Result<Self, TenantError> {
        let bad = |message: String| TenantError::GroupMap { path: path.into(), message };
        let value = read_json_file(path).map_err(|e| match e {
            TenantError::Format { message, .. } => bad(message),
            other => other,
        })?;
        let Value::Object(map) = value else { return Err(bad("must be a JSON object".into())) };
        map.into_iter().try_fold(GroupMap::new(), |acc, (source, target)| match target {
            Value::String(id) if !id.trim().is_empty() => Ok(acc.with(source, id)),
            _ => Err(bad(format!("the value of {source:?} must be a non-empty id string"))),
        })
    }

    fn lookup(&self, id: Option<&str>, name: Option<&str>) -> Option<&str> {
        [id, name].into_iter().flatten().find_map(|k| self.ids.get(&k.to_lowercase()).map(String::as_str))
    }

    /// The assignment as it is sent to the target: group and filter ids mapped.
    pub(crate) fn map(&self, entry: &AssignmentEntry) -> Map<String, Value> {
        let mut assignment = entry.assignment.clone();
        if let Some(Value::Object(target)) = assignment.get_mut("target") {
            let group = target.get("groupId").and_then(Value::as_str);
            if let Some(mapped) = self.lookup(group, entry.group_display_name.as_deref()) {
                target.insert("groupId".into(), mapped.into());
            }
            let filter = target.get(FILTER_ID).and_then(Value::as_str);
            if let Some(mapped) = self.lookup(filter, None) {
                target.insert(FILTER_ID.into(), mapped.into());
            }
        }
        assignment
    }
}

/// What a plan may do.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Delete target objects of the snapshot's types that the snapshot does not hold.
    pub prune: bool,
    /// Act on types the crate does not model (otherwise they are skipped).
    pub include_unmodelled: bool,
    /// Group id mapping.
    pub group_map: GroupMap,
}

impl PlanOptions {
    /// No prune, modelled types only, ids kept.
    pub fn new() -> Self {
        PlanOptions::default()
    }

    /// Deletes target objects of the snapshot's types that it does not hold.
    #[must_use]
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Acts on types the crate does not model too.
    #[must_use]
    pub fn include_unmodelled(mut self, include: bool) -> Self {
        self.include_unmodelled = include;
        self
    }

    /// Maps group ids through `map`.
    #[must_use]
    pub fn group_map(mut self, map: GroupMap) -> Self {
        self.group_map = map;
        self
    }
}

/// One property that an update changes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FieldChange {
    /// The property's JSON name.
    pub field: String,
    /// Its value in the target (absent: `None`).
    pub before: Option<Value>,
    /// The value the file holds.
    pub after: Value,
}

/// A change of the trusted root a profile is bound to.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RootChange {
    /// The root bound in the target, if any.
    pub before: Option<ObjectKey>,
    /// The root the file names.
    pub after: ObjectKey,
}

/// A change of the assignment set (it is replaced as a whole).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AssignmentChange {
    /// The target's assignments.
    pub before: Vec<Map<String, Value>>,
    /// The assignments sent (group ids mapped).
    pub after: Vec<Map<String, Value>>,
}

/// What a plan does to one object.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum Action {
    /// The target has no such object: create it (bound to its root), then assign it.
    Create {
        /// The object.
        key: ObjectKey,
        /// The root it is bound to.
        root_certificate: Option<ObjectKey>,
        /// How many assignments it gets.
        assignments: usize,
        /// Write-only properties that cannot be restored (set them by hand).
        not_restorable: Vec<String>,
    },
    /// The target's object differs.
    Update {
        /// The object.
        key: ObjectKey,
        /// Its id in the target.
        id: String,
        /// The properties that change.
        changes: Vec<FieldChange>,
        /// The root binding, when it changes.
        root_certificate: Option<RootChange>,
        /// The assignments, when they change.
        assignments: Option<AssignmentChange>,
        /// Write-only properties that cannot be restored.
        not_restorable: Vec<String>,
    },
    /// The target's object is as the file says.
    NoChange {
        /// The object.
        key: ObjectKey,
        /// Its id in the target.
        id: String,
    },
    /// The identity is not unique (two target objects, or two files): nothing is done.
    Conflict {
        /// The object.
        key: ObjectKey,
        /// The target objects with this identity.
        ids: Vec<String>,
        /// Why.
        reason: String,
    },
    /// `--prune`: the target object is not in the snapshot.
    Delete {
        /// The object.
        key: ObjectKey,
        /// Its id in the target.
        id: String,
    },
    /// Nothing is done, for the reason given.
    Skip {
        /// The object.
        key: ObjectKey,
        /// Why.
        reason: String,
    },
}

impl Action {
    /// The object acted on.
    pub fn key(&self) -> &ObjectKey {
        match self {
            Action::Create { key, .. }
            | Action::Update { key, .. }
            | Action::NoChange { key, .. }
            | Action::Conflict { key, .. }
            | Action::Delete { key, .. }
            | Action::Skip { key, .. } => key,
        }
    }

    /// Whether applying it writes.
    pub fn writes(&self) -> bool {
        matches!(self, Action::Create { .. } | Action::Update { .. } | Action::Delete { .. })
    }
}

/// A SCEP profile that will fail on some devices: its assignments reach users or devices
/// its trusted root's assignments do not.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CoverageWarning {
    /// The SCEP profile.
    pub key: ObjectKey,
    /// Its root.
    pub root_certificate: ObjectKey,
    /// The profile's targets the root does not reach, described.
    pub uncovered: Vec<String>,
}

/// The actions that bring a target to a snapshot, and the warnings.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// One action per file (and per pruned object), in snapshot order.
    pub actions: Vec<Action>,
    /// Deployments that will fail on devices.
    pub warnings: Vec<CoverageWarning>,
}

impl Plan {
    /// Whether the target differs from the snapshot (something to write, or a conflict or
    /// skip that leaves it different).
    pub fn has_changes(&self) -> bool {
        self.actions.iter().any(|a| !matches!(a, Action::NoChange { .. }))
    }

    /// How many actions write.
    pub fn write_count(&self) -> usize {
        self.actions.iter().filter(|a| a.writes()).count()
    }
}

/// The plan that brings `target` to `snapshot`.
pub fn plan(snapshot: &Snapshot, target: &[TargetObject], options: &PlanOptions) -> Plan {
    let mut by_key: HashMap<&ObjectKey, Vec<&TargetObject>> = HashMap::new();
    for object in target {
        by_key.entry(&object.entry.key).or_default().push(object);
    }
    let mut files_per_key: HashMap<&ObjectKey, usize> = HashMap::new();
    for entry in snapshot.entries() {
        *files_per_key.entry(&entry.key).or_default() += 1;
    }
    let mut actions = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in snapshot.entries() {
        if !seen.insert(&entry.key) {
            continue;
        }
        let matches = by_key.get(&entry.key).map(Vec::as_slice).unwrap_or_default();
        let ids: Vec<String> = matches.iter().map(|t| t.id.clone()).collect();
        let action = if files_per_key[&entry.key] > 1 {
            Action::Conflict {
                key: entry.key.clone(),
                ids,
                reason: format!("{} files have this type and display name", files_per_key[&entry.key]),
            }
        } else if !entry.modelled && !options.include_unmodelled {
            Action::Skip {
                key: entry.key.clone(),
                reason: "a type the crate does not model (not included)".into(),
            }
        } else if let Some(reason) = unresolved_root(entry, snapshot, &by_key) {
            Action::Skip { key: entry.key.clone(), reason }
        } else {
            match matches {
                [] => Action::Create {
                    key: entry.key.clone(),
                    root_certificate: entry.root_certificate.clone(),
                    assignments: entry.assignments.len(),
                    not_restorable: entry.not_restorable.clone(),
                },
                [one] => compare(entry, one, &options.group_map),
                _ => Action::Conflict {
                    key: entry.key.clone(),
                    ids,
                    reason: "the target has several objects with this type and display name".into(),
                },
            }
        };
        actions.push(action);
    }
    if options.prune {
        let types: BTreeSet<&str> = snapshot.entries().iter().map(|e| e.key.odata_type.as_str()).collect();
        for object in target {
            let key = &object.entry.key;
            if types.contains(key.odata_type.as_str())
                && !files_per_key.contains_key(key)
                && (object.entry.modelled || options.include_unmodelled)
            {
                actions.push(Action::Delete { key: key.clone(), id: object.id.clone() });
            }
        }
    }
    Plan { actions, warnings: coverage_warnings(snapshot, &by_key, &options.group_map) }
}

/// Why the root an entry names cannot be bound, if it cannot.
fn unresolved_root(
    entry: &SnapshotEntry,
    snapshot: &Snapshot,
    by_key: &HashMap<&ObjectKey, Vec<&TargetObject>>,
) -> Option<String> {
    let root = entry.root_certificate.as_ref()?;
    let in_files = snapshot.entries().iter().filter(|e| &e.key == root).count();
    let in_target = by_key.get(root).map_or(0, Vec::len);
    match (in_files, in_target) {
        (1, _) | (0, 1) => None,
        (0, 0) => Some(format!("its rootCertificate {root} is neither in the files nor in the target")),
        _ => Some(format!("its rootCertificate {root} is not unique")),
    }
}

/// Update or no change for an entry matched to one target object.
fn compare(entry: &SnapshotEntry, target: &TargetObject, groups: &GroupMap) -> Action {
    let changes: Vec<FieldChange> = entry
        .object
        .iter()
        .filter(|(field, _)| field.as_str() != "@odata.type" && !entry.not_restorable.contains(field))
        .filter(|(field, value)| target.entry.object.get(field.as_str()) != Some(value))
        .map(|(field, value)| FieldChange {
            field: field.clone(),
            before: target.entry.object.get(field).cloned(),
            after: value.clone(),
        })
        .collect();
    let root_certificate = entry
        .root_certificate
        .as_ref()
        .filter(|root| target.entry.root_certificate.as_ref() != Some(root))
        .map(|root| RootChange { before: target.entry.root_certificate.clone(), after: root.clone() });
    let after: Vec<Map<String, Value>> = entry.assignments.iter().map(|a| groups.map(a)).collect();
    let before: Vec<Map<String, Value>> =
        target.entry.assignments.iter().map(|a| a.assignment.clone()).collect();
    let assignments = (sorted(&after) != sorted(&before)).then_some(AssignmentChange { before, after });
    if changes.is_empty() && root_certificate.is_none() && assignments.is_none() {
        Action::NoChange { key: entry.key.clone(), id: target.id.clone() }
    } else {
        Action::Update {
            key: entry.key.clone(),
            id: target.id.clone(),
            changes,
            root_certificate,
            assignments,
            not_restorable: entry.not_restorable.clone(),
        }
    }
}

/// Assignments as a comparable multiset.
fn sorted(assignments: &[Map<String, Value>]) -> Vec<Vec<u8>> {
    let mut bytes: Vec<Vec<u8>> =
        assignments.iter().map(|a| canonical_bytes(&Value::Object(a.clone()))).collect();
    bytes.sort();
    bytes
}

/// Every SCEP profile of the snapshot whose targets its root's do not cover.
fn coverage_warnings(
    snapshot: &Snapshot,
    by_key: &HashMap<&ObjectKey, Vec<&TargetObject>>,
    groups: &GroupMap,
) -> Vec<CoverageWarning> {
    let mut warnings = Vec::new();
    for entry in snapshot.entries() {
        let Some(root) = &entry.root_certificate else { continue };
        let root_assignments: Vec<Map<String, Value>> =
            match snapshot.entries().iter().find(|e| &e.key == root) {
                Some(root_entry) => root_entry.assignments.iter().map(|a| groups.map(a)).collect(),
                None => match by_key.get(root).map(Vec::as_slice) {
                    Some([one]) => one.entry.assignments.iter().map(|a| a.assignment.clone()).collect(),
                    _ => continue,
                },
            };
        let profile: Vec<Map<String, Value>> = entry.assignments.iter().map(|a| groups.map(a)).collect();
        let uncovered = uncovered_targets(&profile, &root_assignments);
        if !uncovered.is_empty() {
            warnings.push(CoverageWarning {
                key: entry.key.clone(),
                root_certificate: root.clone(),
                uncovered,
            });
        }
    }
    warnings
}

/// The profile's included targets the root's assignments do not reach. All devices is
/// reached only by all devices, all licensed users only by all licensed users; a group by
/// the same group or by both of those, unless the root excludes it.
fn uncovered_targets(profile: &[Map<String, Value>], root: &[Map<String, Value>]) -> Vec<String> {
    let targets = |set: &[Map<String, Value>], kind: &str| -> BTreeSet<String> {
        set.iter()
            .filter_map(|a| a.get("target"))
            .filter(|t| t.get("@odata.type").and_then(Value::as_str) == Some(kind))
            .map(|t| t.get("groupId").and_then(Value::as_str).unwrap_or("").to_lowercase())
            .collect()
    };
    let root_all_devices = !targets(root, ALL_DEVICES).is_empty();
    let root_all_users = !targets(root, ALL_USERS).is_empty();
    let root_groups = targets(root, GROUP);
    let root_excluded = targets(root, EXCLUDED_GROUP);
    let mut uncovered = Vec::new();
    if !targets(profile, ALL_DEVICES).is_empty() && !root_all_devices {
        uncovered.push("all devices".to_string());
    }
    if !targets(profile, ALL_USERS).is_empty() && !root_all_users {
        uncovered.push("all licensed users".to_string());
    }
    for group in targets(profile, GROUP) {
        let reached = (root_groups.contains(&group) || (root_all_devices && root_all_users))
            && !root_excluded.contains(&group);
        if !reached {
            uncovered.push(format!("group {group}"));
        }
    }
    uncovered
}

impl fmt::Display for Plan {
    /// The reviewer's view: one line per object, then what changes, field by field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // JSON escapes control characters; the invisible bidi and format characters a
        // tenant's text may hold are escaped too, so a value cannot disguise what changes.
        let compact =
            |v: &Value| crate::untrusted::escape(&serde_json::to_string(v).unwrap_or_default()).into_owned();
        for action in &self.actions {
            match action {
                Action::Create { key, root_certificate, assignments, not_restorable } => {
                    writeln!(f, "+ create {key}")?;
                    if let Some(root) = root_certificate {
                        writeln!(f, "    rootCertificate → {root}")?;
                    }
                    writeln!(f, "    assignments: {assignments}")?;
                    write_not_restorable(f, not_restorable)?;
                }
                Action::Update { key, id, changes, root_certificate, assignments, not_restorable } => {
                    writeln!(f, "~ update {key} ({id})")?;
                    for change in changes {
                        let before = change.before.as_ref().map_or("(absent)".into(), compact);
                        writeln!(f, "    {}: {before} → {}", change.field, compact(&change.after))?;
                    }
                    if let Some(root) = root_certificate {
                        let before = root.before.as_ref().map_or("(none)".into(), ToString::to_string);
                        writeln!(f, "    rootCertificate: {before} → {}", root.after)?;
                    }
                    if let Some(change) = assignments {
                        writeln!(f, "    assignments: {} → {}", change.before.len(), change.after.len())?;
                        for a in &change.before {
                            writeln!(f, "      - {}", compact(&Value::Object(a.clone())))?;
                        }
                        for a in &change.after {
                            writeln!(f, "      + {}", compact(&Value::Object(a.clone())))?;
                        }
                    }
                    write_not_restorable(f, not_restorable)?;
                }
                Action::NoChange { key, .. } => writeln!(f, "= no change {key}")?,
                Action::Conflict { key, ids, reason } => {
                    writeln!(f, "! conflict {key}: {reason}; nothing done (ids: {})", ids.join(", "))?;
                }
                Action::Delete { key, id } => writeln!(f, "- delete {key} ({id})")?,
                Action::Skip { key, reason } => writeln!(f, "  skip {key}: {reason}")?,
            }
        }
        for warning in &self.warnings {
            writeln!(
                f,
                "warning: {} is assigned to {} that its root {} is not: the profile will fail there",
                warning.key,
                warning.uncovered.join(", "),
                warning.root_certificate
            )?;
        }
        let count = |pred: fn(&Action) -> bool| self.actions.iter().filter(|a| pred(a)).count();
        writeln!(
            f,
            "{} to create, {} to update, {} to delete, {} unchanged, {} conflicts, {} skipped",
            count(|a| matches!(a, Action::Create { .. })),
            count(|a| matches!(a, Action::Update { .. })),
            count(|a| matches!(a, Action::Delete { .. })),
            count(|a| matches!(a, Action::NoChange { .. })),
            count(|a| matches!(a, Action::Conflict { .. })),
            count(|a| matches!(a, Action::Skip { .. })),
        )
    }
}

fn write_not_restorable(f: &mut fmt::Formatter<'_>, names: &[String]) -> fmt::Result {
    if names.is_empty() {
        return Ok(());
    }
    writeln!(f, "    not restorable (the service never returns them; set by hand): {}", names.join(", "))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ROOT: &str = "#microsoft.graph.iosTrustedRootCertificate";
    const SCEP: &str = "#microsoft.graph.iosScepCertificateProfile";

    fn entry(odata_type: &str, name: &str, extra: Value) -> SnapshotEntry {
        let mut object = json!({"@odata.type": odata_type, "displayName": name});
        object.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        SnapshotEntry::from_object(&object).unwrap()
    }

    fn assigned(mut e: SnapshotEntry, targets: &[Value]) -> SnapshotEntry {
        e.assignments = targets
            .iter()
            .map(|t| AssignmentEntry::new(json!({"target": t}).as_object().unwrap().clone()))
            .collect();
        e
    }

    fn target(id: &str, entry: SnapshotEntry) -> TargetObject {
        TargetObject { id: id.into(), entry }
    }

    fn group(id: &str) -> Value {
        json!({"@odata.type": GROUP, "groupId": id})
    }

    #[test]
    fn create_update_no_change_and_prune() {
        let snapshot = Snapshot::new(vec![
            entry(ROOT, "New", json!({})),
            entry(ROOT, "Same", json!({"certFileName": "a.cer"})),
            entry(ROOT, "Edited", json!({"certFileName": "b.cer", "description": "d"})),
        ]);
        let targets = [
            target("1", entry(ROOT, "Same", json!({"certFileName": "a.cer", "description": "unmanaged"}))),
            target("2", entry(ROOT, "Edited", json!({"certFileName": "old.cer", "description": "d"}))),
            target("3", entry(ROOT, "Gone", json!({}))),
            target("4", entry(SCEP, "Other type", json!({}))),
        ];
        let without_prune = plan(&snapshot, &targets, &PlanOptions::new());
        assert_eq!(without_prune.actions.len(), 3);
        let with_prune = plan(&snapshot, &targets, &PlanOptions::new().prune(true));
        let summary: Vec<(String, &str)> = with_prune
            .actions
            .iter()
            .map(|a| {
                let kind = match a {
                    Action::Create { .. } => "create",
                    Action::Update { .. } => "update",
                    Action::NoChange { .. } => "no change",
                    Action::Delete { .. } => "delete",
                    _ => "other",
                };
                (a.key().display_name.clone(), kind)
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("Edited".into(), "update"),
                ("New".into(), "create"),
                ("Same".into(), "no change"),
                ("Gone".into(), "delete")
            ]
        );
        let Action::Update { changes, .. } = &with_prune.actions[0] else { unreachable!() };
        assert_eq!(
            changes,
            &[FieldChange {
                field: "certFileName".into(),
                before: Some(json!("old.cer")),
                after: json!("b.cer")
            }]
        );
        assert_eq!(with_prune.write_count(), 3);
        assert!(with_prune.has_changes());
    }

    #[test]
    fn two_target_objects_or_two_files_with_one_identity_are_conflicts() {
        let snapshot = Snapshot::new(vec![
            entry(ROOT, "Root", json!({})),
            entry(SCEP, "Twice", json!({})),
            entry(SCEP, "Twice", json!({"description": "x"})),
        ]);
        let targets =
            [target("a", entry(ROOT, "Root", json!({}))), target("b", entry(ROOT, "Root", json!({})))];
        let planned = plan(&snapshot, &targets, &PlanOptions::new());
        assert_eq!(
            planned.actions[1],
            Action::Conflict {
                key: ObjectKey::new(ROOT, "Root"),
                ids: vec!["a".into(), "b".into()],
                reason: "the target has several objects with this type and display name".into()
            }
        );
        assert!(
            matches!(&planned.actions[0], Action::Conflict { ids, reason, .. } if ids.is_empty() && reason.starts_with("2 files"))
        );
        assert_eq!(planned.actions.len(), 2);
        assert_eq!(planned.write_count(), 0);
        assert!(planned.to_string().contains("! conflict iosTrustedRootCertificate \"Root\""), "{planned}");
    }

    #[test]
    fn root_links_are_compared_by_key_and_unresolvable_ones_skipped() {
        let mut scep = entry(SCEP, "SCEP", json!({}));
        scep.root_certificate = Some(ObjectKey::new(ROOT, "Root B"));
        let mut bound_to_a = scep.clone();
        bound_to_a.root_certificate = Some(ObjectKey::new(ROOT, "Root A"));
        let targets = [
            target("s", bound_to_a),
            target("ra", entry(ROOT, "Root A", json!({}))),
            target("rb", entry(ROOT, "Root B", json!({}))),
        ];
        let planned = plan(&Snapshot::new(vec![scep.clone()]), &targets, &PlanOptions::new());
        let Action::Update { root_certificate: Some(change), changes, .. } = &planned.actions[0] else {
            panic!("{planned}")
        };
        assert!(changes.is_empty());
        assert_eq!(change.before, Some(ObjectKey::new(ROOT, "Root A")));
        assert_eq!(change.after, ObjectKey::new(ROOT, "Root B"));

        let planned = plan(&Snapshot::new(vec![scep]), &[], &PlanOptions::new());
        assert!(
            matches!(&planned.actions[0], Action::Skip { reason, .. } if reason.contains("neither in the files nor in the target"))
        );
    }

    #[test]
    fn assignments_compare_as_sets_after_group_mapping() {
        let file = assigned(entry(ROOT, "Root", json!({})), &[group("src-1"), group("src-2")]);
        let mapped = GroupMap::new().with("src-1", "dst-1").with("src-2", "dst-2");
        let same = target("r", assigned(entry(ROOT, "Root", json!({})), &[group("dst-2"), group("dst-1")]));
        let planned = plan(
            &Snapshot::new(vec![file.clone()]),
            std::slice::from_ref(&same),
            &PlanOptions::new().group_map(mapped),
        );
        assert!(!planned.has_changes(), "{planned}");
        let planned = plan(&Snapshot::new(vec![file]), &[same], &PlanOptions::new());
        let Action::Update { assignments: Some(change), .. } = &planned.actions[0] else {
            panic!("{planned}")
        };
        assert_eq!(change.after[0]["target"]["groupId"], "src-1");
    }

    #[test]
    fn group_names_map_too() {
        let mut a = AssignmentEntry::new(json!({"target": group("src")}).as_object().unwrap().clone());
        a.group_display_name = Some("iOS Devices".into());
        let map = GroupMap::new().with("ios devices", "dst");
        assert_eq!(map.map(&a)["target"]["groupId"], "dst");
    }

    #[test]
    fn a_scep_profile_reaching_targets_its_root_does_not_is_a_warning() {
        let root =
            assigned(entry(ROOT, "Root", json!({})), &[json!({"@odata.type": ALL_USERS}), group("g1")]);
        let mut scep = assigned(
            entry(SCEP, "SCEP", json!({})),
            &[json!({"@odata.type": ALL_DEVICES}), group("g1"), group("g2")],
        );
        scep.root_certificate = Some(root.key.clone());
        let planned = plan(&Snapshot::new(vec![root.clone(), scep.clone()]), &[], &PlanOptions::new());
        assert_eq!(
            planned.warnings,
            [CoverageWarning {
                key: scep.key.clone(),
                root_certificate: root.key.clone(),
                uncovered: vec!["all devices".into(), "group g2".into()]
            }]
        );
        assert!(
            planned
                .to_string()
                .contains("warning: iosScepCertificateProfile \"SCEP\" is assigned to all devices, group g2")
        );

        let everywhere = assigned(
            entry(ROOT, "Root", json!({})),
            &[json!({"@odata.type": ALL_USERS}), json!({"@odata.type": ALL_DEVICES})],
        );
        assert!(plan(&Snapshot::new(vec![everywhere, scep]), &[], &PlanOptions::new()).warnings.is_empty());
    }

    #[test]
    fn the_review_shows_invisible_characters_of_values_and_names_escaped() {
        let snapshot = Snapshot::new(vec![entry(
            ROOT,
            "Root\u{202e}reg.exe",
            json!({"certFileName": "new\u{202e}exe.cer"}),
        )]);
        let targets = [target("1", entry(ROOT, "Root\u{202e}reg.exe", json!({"certFileName": "a\nb.cer"})))];
        let text = plan(&snapshot, &targets, &PlanOptions::new()).to_string();
        assert_eq!(
            text.lines().take(2).collect::<Vec<_>>(),
            [
                r#"~ update iosTrustedRootCertificate "Root\u{202e}reg.exe" (1)"#,
                r#"    certFileName: "a\nb.cer" → "new\u{202e}exe.cer""#,
            ]
        );
    }

    #[test]
    fn unmodelled_types_are_skipped_unless_included() {
        let wifi = entry("#microsoft.graph.iosWiFiConfiguration", "Wi-Fi", json!({"ssid": "corp"}));
        let planned = plan(&Snapshot::new(vec![wifi.clone()]), &[], &PlanOptions::new());
        assert!(matches!(&planned.actions[0], Action::Skip { .. }));
        let planned = plan(&Snapshot::new(vec![wifi]), &[], &PlanOptions::new().include_unmodelled(true));
        assert!(matches!(&planned.actions[0], Action::Create { .. }));
    }

    #[test]
    fn the_json_form_names_the_action() {
        let planned = plan(&Snapshot::new(vec![entry(ROOT, "New", json!({}))]), &[], &PlanOptions::new());
        assert_eq!(
            serde_json::to_value(&planned).unwrap(),
            json!({"actions": [{"action": "create", "key": {"@odata.type": ROOT, "displayName": "New"},
                "rootCertificate": null, "assignments": 0, "notRestorable": []}], "warnings": []})
        );
    }
}
