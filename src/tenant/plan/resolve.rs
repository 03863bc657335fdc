//! Names → the target's ids: references by (type, display name), groups, filters and scope
//! tags by display name. Every name resolves to exactly one object of the target (or of the
//! snapshot, for a reference to an object the plan creates), or the plan says why not:
//! fail closed, never skip, never guess.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::ReferenceTarget;
use crate::{
    models::{ExclusionGroupAssignmentTarget, GroupAssignmentTarget, schema::Reference},
    tenant::{
        AssignmentEntry, GroupMap, ObjectKey, SnapshotEntry, TargetObject,
        directory::{Directory, DirectoryKind, Found},
        group_map::is_guid,
        normalize::{FILTER_ID, assignment_form},
    },
};

/// What the plan does with a file's object, as far as references to it are concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Fate {
    /// Created by this plan (its id is known once it is).
    Created,
    /// It is in the target, with this id.
    Exists(String),
    /// Left out by the user's choice, and not in the target.
    LeftOut,
    /// Not unique (in the files or the target): nothing can point at it.
    Ambiguous,
}

/// Why a name does not resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Unresolved {
    /// It names nothing, or something it cannot: the plan stops (exit 2).
    Problem(String),
    /// It names several objects: a conflict.
    Ambiguous(String),
}

/// The indexes a plan resolves names with.
pub(super) struct Names<'a> {
    /// The files with each key.
    pub(super) files: HashMap<&'a ObjectKey, Vec<&'a SnapshotEntry>>,
    /// The target objects with each key.
    pub(super) targets: HashMap<&'a ObjectKey, Vec<&'a TargetObject>>,
    /// The fate of each file key.
    pub(super) fates: HashMap<&'a ObjectKey, Fate>,
    pub(super) directory: &'a Directory,
    pub(super) group_map: &'a GroupMap,
}

impl Names<'_> {
    /// The object `navigation` of an object points at, by key.
    pub(super) fn reference(
        &self,
        reference: &Reference,
        key: &ObjectKey,
    ) -> Result<ReferenceTarget, Unresolved> {
        let nav = reference.navigation;
        if !reference.accepts(&key.odata_type) {
            return Err(Unresolved::Problem(format!(
                "references.{nav} names {key}, which is not a {} (the reference needs one)",
                reference.target
            )));
        }
        let in_target = self.targets.get(key).map(Vec::as_slice).unwrap_or_default();
        let target = |id: &str| ReferenceTarget { key: Some(key.clone()), id: Some(id.to_owned()) };
        match self.fates.get(key) {
            Some(Fate::Created) => Ok(ReferenceTarget { key: Some(key.clone()), id: None }),
            Some(Fate::Exists(id)) => Ok(target(id)),
            Some(Fate::Ambiguous) => Err(Unresolved::Ambiguous(format!(
                "references.{nav} names {key}, which is not unique (see its conflict)"
            ))),
            Some(Fate::LeftOut) => Err(Unresolved::Problem(format!(
                "references.{nav} names {key}, which this plan leaves out and the target does not have"
            ))),
            None => match in_target {
                [one] => Ok(target(&one.id)),
                [] => Err(Unresolved::Problem(format!(
                    "references.{nav} names {key}, which is neither in the files nor in the target"
                ))),
                several => Err(Unresolved::Ambiguous(format!(
                    "references.{nav} names {key}, which {} objects of the target have (ids: {})",
                    several.len(),
                    several.iter().map(|t| t.id.as_str()).collect::<Vec<_>>().join(", ")
                ))),
            },
        }
    }

    /// The assignment set as sent to the target: groups and filters resolved to the target's
    /// ids (the group map first, then names, then ids checked to exist), after the checks
    /// the service makes (a target, a group, no target twice, no group both included and
    /// excluded). Every problem is reported, not just the first.
    pub(super) fn assignments(
        &self,
        set: &[AssignmentEntry],
    ) -> Result<Vec<Map<String, Value>>, Vec<String>> {
        let mut problems = Vec::new();
        let mut out = Vec::new();
        for (n, entry) in set.iter().enumerate() {
            match self.assignment(entry) {
                Ok(assignment) => out.push(assignment),
                Err(problem) => problems.push(format!("assignment {}: {problem}", n + 1)),
            }
        }
        problems.extend(repeated_targets(&out));
        if problems.is_empty() { Ok(out) } else { Err(problems) }
    }

    fn assignment(&self, entry: &AssignmentEntry) -> Result<Map<String, Value>, String> {
        let mut assignment = entry.assignment.clone();
        let Some(Value::Object(target)) = assignment.get_mut("target") else {
            return Err("has no target".into());
        };
        let Some(kind) = target.get("@odata.type").and_then(Value::as_str).map(str::to_owned) else {
            return Err("its target has no @odata.type".into());
        };
        if is_group_target(&kind) {
            let (id, name) = (entry.group_id(), entry.group_display_name.as_deref());
            if id.is_none() && name.is_none() {
                return Err("its group target has neither a groupId nor a groupDisplayName".into());
            }
            let resolved = self.directory_object(DirectoryKind::Group, id, name)?;
            target.insert("groupId".into(), resolved.into());
        }
        let (filter, filter_name) = (entry.filter_id(), entry.filter_display_name.as_deref());
        if filter.is_some() || filter_name.is_some() {
            let resolved = self.directory_object(DirectoryKind::AssignmentFilter, filter, filter_name)?;
            target.insert(FILTER_ID.into(), resolved.into());
        }
        Ok(assignment_form(assignment))
    }

    /// The target's id of a group or filter: the map's, else the one object with that name,
    /// else the id itself when the target has it.
    fn directory_object(
        &self,
        kind: DirectoryKind,
        id: Option<&str>,
        name: Option<&str>,
    ) -> Result<String, String> {
        let what = kind.describe();
        if let Some(mapped) = self.group_map.lookup([id, name]) {
            return if is_guid(mapped) {
                Ok(mapped.to_owned())
            } else {
                Err(format!("the group map maps it to {mapped:?}, which is not an id (a GUID)"))
            };
        }
        let (found, asked) = match (name, id) {
            (Some(name), _) => (self.directory.find_name(kind, name), format!("{what} {name:?}")),
            (None, Some(id)) => (self.directory.find_id(kind, id), format!("{what} id {id}")),
            (None, None) => return Err(format!("names no {what}")),
        };
        match found {
            Found::One(id) => Ok(id.to_owned()),
            Found::Nothing if name.is_none() => Err(format!(
                "{asked} does not exist in the target (an id from another tenant?); map it with --group-map"
            )),
            Found::Nothing => Err(format!("{asked} does not exist in the target")),
            Found::Several(ids) => {
                Err(format!("{asked} names {} objects in the target ({})", ids.len(), ids.join(", ")))
            }
            Found::Unreadable(why) => {
                Err(format!("{asked} cannot be looked up in the target ({why}); map it with --group-map"))
            }
            Found::NotAsked => Err(format!("{asked} was not looked up in the target")),
        }
    }

    /// The scope tag ids an entry asks for (`None`: it does not say), resolved by name, or
    /// its ids checked to exist.
    pub(super) fn scope_tags(&self, entry: &SnapshotEntry) -> Result<Option<Vec<String>>, Vec<String>> {
        let mut problems = Vec::new();
        let mut ids = BTreeSet::new();
        let asked = match (&entry.scope_tags, entry.object.get("roleScopeTagIds").and_then(Value::as_array)) {
            (Some(names), _) => names.iter().map(|n| (Some(n.as_str()), None)).collect::<Vec<_>>(),
            (None, Some(ids)) => ids.iter().map(|id| (None, id.as_str())).collect(),
            (None, None) => return Ok(None),
        };
        for (name, id) in asked {
            let (found, what) = match (name, id) {
                (Some(name), _) => {
                    (self.directory.find_name(DirectoryKind::ScopeTag, name), format!("scope tag {name:?}"))
                }
                (None, Some(id)) => {
                    (self.directory.find_id(DirectoryKind::ScopeTag, id), format!("scope tag id {id}"))
                }
                (None, None) => {
                    problems.push("roleScopeTagIds holds something that is not an id".to_owned());
                    continue;
                }
            };
            match found {
                Found::One(id) => {
                    ids.insert(id.to_owned());
                }
                Found::Nothing => problems.push(format!("{what} does not exist in the target")),
                Found::Several(several) => {
                    problems.push(format!("{what} names {} scope tags in the target", several.len()))
                }
                Found::Unreadable(why) => {
                    problems.push(format!("{what} cannot be looked up in the target ({why})"))
                }
                Found::NotAsked => problems.push(format!("{what} was not looked up in the target")),
            }
        }
        if problems.is_empty() { Ok(Some(ids.into_iter().collect())) } else { Err(problems) }
    }
}

/// Whether an assignment target type names a group.
fn is_group_target(odata_type: &str) -> bool {
    [GroupAssignmentTarget::ODATA_TYPE, ExclusionGroupAssignmentTarget::ODATA_TYPE]
        .iter()
        .any(|t| t.trim_start_matches('#').eq_ignore_ascii_case(odata_type.trim_start_matches('#')))
}

/// The service refuses a set that names one target twice, or includes and excludes one
/// group: say so before anything is written.
fn repeated_targets(set: &[Map<String, Value>]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    let mut included = BTreeSet::new();
    let mut excluded = BTreeSet::new();
    for assignment in set {
        let Some(target) = assignment.get("target").and_then(Value::as_object) else { continue };
        let kind = target
            .get("@odata.type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_start_matches('#')
            .to_lowercase();
        let group = target.get("groupId").and_then(Value::as_str).map(str::to_lowercase);
        let collection = target.get("collectionId").and_then(Value::as_str).map(str::to_lowercase);
        if !seen.insert((kind.clone(), group.clone(), collection)) {
            problems.push(format!("the same target ({}) is assigned twice", describe_target(target)));
        }
        if let Some(group) = group {
            if kind.eq_ignore_ascii_case(ExclusionGroupAssignmentTarget::ODATA_TYPE.trim_start_matches('#')) {
                excluded.insert(group);
            } else {
                included.insert(group);
            }
        }
    }
    for group in included.intersection(&excluded) {
        problems.push(format!("group {group} is both included and excluded"));
    }
    problems
}

fn describe_target(target: &Map<String, Value>) -> String {
    let kind = target.get("@odata.type").and_then(Value::as_str).unwrap_or("?");
    let kind = crate::models::schema::short_type(kind);
    match target.get("groupId").or_else(|| target.get("collectionId")).and_then(Value::as_str) {
        Some(id) => format!("{kind} {id}"),
        None => kind.to_owned(),
    }
}
