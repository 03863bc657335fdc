//! The plan: (snapshot, target) → actions. Pure: no IO, so every rule is tested with values.
//!
//! A plan checks everything before anything is written: every reference, group, filter and
//! scope tag resolves to exactly one object of the target (or of the snapshot, for an
//! object the plan creates), every assignment set is one the service accepts, and the
//! references form no cycle. What does not hold is a [`PlanProblem`] (the plan cannot be
//! applied; the CLI exits 2) or, for a name that is not unique, a conflict. A plan is data
//! ([`Plan`] serialises to JSON and back) and carries what each action expects to find, so
//! that [`apply`](super::apply) runs exactly the plan that was shown or saved.

mod action;
mod compare;
mod coverage;
mod options;
mod render;
mod resolve;
mod target;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

pub use action::{
    Action, AssignmentChange, Expected, FieldChange, PlannedReference, ReferenceChange, ReferenceTarget,
    SkipReason, Wave,
};
pub use coverage::CoverageWarning;
pub use options::PlanOptions;
pub(crate) use options::{name_contains, type_selected};
use resolve::{Fate, Names, Unresolved};
pub use target::{Target, TargetObject};

use super::{ObjectKey, Snapshot, SnapshotEntry};
use crate::models::schema;

/// Something that stops a plan from being applied (the CLI exits 2): a reference to
/// nothing, an assignment the service would refuse, a name the target does not have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PlanProblem {
    /// The file the problem is in (its path in the snapshot's folder), when there is one.
    pub file: Option<String>,
    /// The object, when there is one.
    pub key: Option<ObjectKey>,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for PlanProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.file, &self.key) {
            (Some(file), _) => write!(f, "{file}: {}", self.reason),
            (None, Some(key)) => write!(f, "{key}: {}", self.reason),
            (None, None) => f.write_str(&self.reason),
        }
    }
}

/// The actions that bring a target to a snapshot, the warnings, and the problems that
/// stop it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Plan {
    /// The version of this form ([`Plan::FORMAT`]); a saved plan of another is refused.
    pub format: u32,
    /// One action per object, in the order they run: by wave (the references between
    /// them), then by key; deletes last.
    pub actions: Vec<Action>,
    /// Deployments that will fail on devices.
    pub warnings: Vec<CoverageWarning>,
    /// What stops the plan from being applied.
    pub problems: Vec<PlanProblem>,
    /// The Graph base URL of the tenant it was made against, when recorded
    /// ([`plan_tenant`](super::plan_tenant) records it); [`apply`](super::apply) refuses to
    /// run it against another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
}

impl Plan {
    /// The form this crate writes and reads.
    pub const FORMAT: u32 = 1;

    /// Whether the target differs from the snapshot: something to write, or a conflict
    /// that leaves it different. Objects left out by the user's own choice are not changes.
    pub fn has_changes(&self) -> bool {
        self.actions.iter().any(|a| a.writes() || matches!(a, Action::Conflict { .. }))
    }

    /// How many actions write.
    pub fn write_count(&self) -> usize {
        self.actions.iter().filter(|a| a.writes()).count()
    }

    /// Why it cannot be applied, one line each (problems, then conflicts); empty when it can.
    pub fn blockers(&self) -> Vec<String> {
        let conflicts = self.actions.iter().filter_map(|a| match a {
            Action::Conflict { key, reason, .. } => Some(format!("conflict: {key}: {reason}")),
            Action::Create { .. }
            | Action::Update { .. }
            | Action::NoChange { .. }
            | Action::Delete { .. }
            | Action::Skip { .. } => None,
        });
        self.problems.iter().map(ToString::to_string).chain(conflicts).collect()
    }
}

/// The plan that brings `target` to `snapshot`.
pub fn plan(snapshot: &Snapshot, target: &Target, options: &PlanOptions) -> Plan {
    Planner::new(snapshot, target, options).run()
}

/// One plan being made.
struct Planner<'a> {
    snapshot: &'a Snapshot,
    target: &'a Target,
    options: &'a PlanOptions,
    names: Names<'a>,
    actions: Vec<(usize, Action)>,
    problems: Vec<PlanProblem>,
}

impl<'a> Planner<'a> {
    fn new(snapshot: &'a Snapshot, target: &'a Target, options: &'a PlanOptions) -> Self {
        let mut files: HashMap<&ObjectKey, Vec<&SnapshotEntry>> = HashMap::new();
        for entry in snapshot.entries() {
            files.entry(&entry.key).or_default().push(entry);
        }
        let mut targets: HashMap<&ObjectKey, Vec<&TargetObject>> = HashMap::new();
        for object in &target.objects {
            targets.entry(&object.entry.key).or_default().push(object);
        }
        let mut fates = HashMap::new();
        for (key, entries) in &files {
            let in_target = targets.get(key).map(Vec::as_slice).unwrap_or_default();
            let fate = match (entries.len(), Self::selected(options, entries[0]), in_target) {
                (1, _, [one]) => Fate::Exists(one.id.clone()),
                (1, true, []) => Fate::Created,
                (1, false, []) => Fate::LeftOut,
                _ => Fate::Ambiguous,
            };
            fates.insert(*key, fate);
        }
        let names =
            Names { files, targets, fates, directory: &target.directory, group_map: &options.group_map };
        Planner { snapshot, target, options, names, actions: Vec::new(), problems: Vec::new() }
    }

    fn selected(options: &PlanOptions, entry: &SnapshotEntry) -> bool {
        options.selects(&entry.key) && (entry.modelled || options.include_unmodelled)
    }

    fn run(mut self) -> Plan {
        let depths = self.depths();
        let mut seen = BTreeSet::new();
        for entry in self.snapshot.entries() {
            if seen.insert(&entry.key) {
                let depth = depths.get(&entry.key).copied().unwrap_or(0);
                if let Some(action) = self.action(entry, depth) {
                    self.actions.push((depth, action));
                }
            }
        }
        if self.options.prune {
            self.prune();
        }
        let warnings = coverage::warnings(self.snapshot, &self.names, &self.actions);
        let mut actions = self.actions;
        actions.sort_by(|(da, a), (db, b)| {
            let deleting = |a: &Action| matches!(a, Action::Delete { .. });
            (deleting(a), da, a.key()).cmp(&(deleting(b), db, b.key()))
        });
        Plan {
            format: Plan::FORMAT,
            actions: actions.into_iter().map(|(_, a)| a).collect(),
            warnings,
            problems: self.problems,
            base_url: None,
        }
    }

    fn problem(&mut self, entry: &SnapshotEntry, reason: impl Into<String>) {
        self.problems.push(PlanProblem {
            file: Some(entry.origin()),
            key: Some(entry.key.clone()),
            reason: reason.into(),
        });
    }

    /// The action for the file(s) of one key; `None` when the entry has problems (they are
    /// recorded instead).
    fn action(&mut self, entry: &'a SnapshotEntry, depth: usize) -> Option<Action> {
        let key = entry.key.clone();
        let files = self.names.files[&entry.key].clone();
        let in_target: Vec<&TargetObject> = self.names.targets.get(&entry.key).cloned().unwrap_or_default();
        let ids = || in_target.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
        if files.len() > 1 {
            let files: Vec<String> = files.iter().map(|e| e.origin()).collect();
            let reason =
                format!("{} files have this type and display name: {}", files.len(), files.join(", "));
            return Some(Action::Conflict { key, files, ids: ids(), reason });
        }
        if !Self::selected(self.options, entry) {
            let reason = if self.options.selects(&entry.key) {
                SkipReason::Unmodelled
            } else {
                SkipReason::NotSelected
            };
            return Some(Action::Skip { key, file: entry.origin(), reason });
        }
        if in_target.len() > 1 {
            let reason =
                format!("the target has {} objects with this type and display name", in_target.len());
            return Some(Action::Conflict { key, files: vec![entry.origin()], ids: ids(), reason });
        }
        let Some(wave) = Wave::of_depth(depth) else {
            self.problem(
                entry,
                "its references form a chain longer than the schema has (roots, certificates, profiles)",
            );
            return None;
        };
        let resolved = self.resolve(entry)?;
        let references = match resolved.references {
            Ok(references) => references,
            Err(reason) => {
                return Some(Action::Conflict { key, files: vec![entry.origin()], ids: ids(), reason });
            }
        };
        Some(match in_target.first() {
            None => {
                let problems = compare::create_problems(&entry.object, &references);
                if !problems.is_empty() {
                    problems.into_iter().for_each(|p| self.problem(entry, p));
                    return None;
                }
                compare::create(entry, wave, references, resolved.assignments, resolved.scope_tags)
            }
            Some(target) => compare::update(
                entry,
                target,
                wave,
                references,
                resolved.assignments,
                resolved.scope_tags,
                &self.target.objects,
            ),
        })
    }

    /// The entry's references, assignments and scope tags in the target's ids; `None` when a
    /// name resolves to nothing (problems recorded); an ambiguous reference is `Err`.
    fn resolve(&mut self, entry: &'a SnapshotEntry) -> Option<Resolved> {
        let mut problems = Vec::new();
        let mut ambiguous = None;
        let mut references = Vec::new();
        for (navigation, value) in &entry.references {
            let Some(reference) = schema::reference(&entry.key.odata_type, navigation) else { continue };
            let mut targets = Vec::new();
            for key in value.targets() {
                match self.names.reference(reference, key) {
                    Ok(target) => targets.push(target),
                    Err(Unresolved::Problem(p)) => problems.push(p),
                    Err(Unresolved::Ambiguous(a)) => ambiguous = ambiguous.or(Some(a)),
                }
            }
            references.push(PlannedReference {
                navigation: navigation.clone(),
                many: reference.many,
                targets,
            });
        }
        let assignments =
            match entry.assignments.as_deref().map(|set| self.names.assignments(set)).transpose() {
                Ok(set) => set,
                Err(more) => {
                    problems.extend(more);
                    None
                }
            };
        let scope_tags = self.names.scope_tags(entry).unwrap_or_else(|more| {
            problems.extend(more);
            None
        });
        if !problems.is_empty() {
            for problem in problems {
                self.problem(entry, problem);
            }
            return None;
        }
        Some(Resolved { references: ambiguous.map_or(Ok(references), Err), assignments, scope_tags })
    }

    /// How deep in the reference chain each selected entry is: 0 when it references no
    /// entry of the snapshot, else one more than the deepest it references. A cycle is a
    /// problem of every entry on it.
    fn depths(&mut self) -> HashMap<ObjectKey, usize> {
        let mut depths = HashMap::new();
        let mut on_path = Vec::new();
        for entry in self.snapshot.entries() {
            self.depth_of(entry, &mut depths, &mut on_path);
        }
        depths
    }

    fn depth_of(
        &mut self,
        entry: &'a SnapshotEntry,
        depths: &mut HashMap<ObjectKey, usize>,
        on_path: &mut Vec<&'a ObjectKey>,
    ) -> usize {
        if let Some(depth) = depths.get(&entry.key) {
            return *depth;
        }
        if let Some(start) = on_path.iter().position(|k| **k == entry.key) {
            let cycle: Vec<String> = on_path[start..].iter().map(ToString::to_string).collect();
            self.problem(
                entry,
                format!("its references form a cycle: {} → {}", cycle.join(" → "), entry.key),
            );
            return 0;
        }
        on_path.push(&entry.key);
        let mut depth = 0;
        for key in entry.references.values().flat_map(|v| v.targets()) {
            if let Some([target]) = self.names.files.get(key).map(Vec::as_slice) {
                depth = depth.max(self.depth_of(target, depths, on_path) + 1);
            }
        }
        on_path.pop();
        depths.insert(entry.key.clone(), depth);
        depth
    }

    /// `--prune`: deletes of the target's objects of the selected types the snapshot does
    /// not hold; one that a kept object still references is a problem.
    fn prune(&mut self) {
        let types: BTreeSet<&str> = self
            .snapshot
            .entries()
            .iter()
            .filter(|e| Self::selected(self.options, e))
            .map(|e| e.key.odata_type.as_str())
            .collect();
        let doomed: Vec<&TargetObject> = self
            .target
            .objects
            .iter()
            .filter(|o| {
                types.contains(o.entry.key.odata_type.as_str())
                    && !self.names.files.contains_key(&o.entry.key)
            })
            .filter(|o| o.entry.modelled || self.options.include_unmodelled)
            .collect();
        let doomed_ids: BTreeSet<String> = doomed.iter().map(|o| o.id.to_lowercase()).collect();
        for object in &doomed {
            let referrers = compare::kept_referrers(
                &object.id,
                &doomed_ids,
                self.snapshot,
                &self.names,
                &self.target.objects,
            );
            if let Some(referrer) = referrers.first() {
                self.problems.push(PlanProblem {
                    file: None,
                    key: Some(object.entry.key.clone()),
                    reason: format!("--prune would delete it, but {referrer} (kept) references it"),
                });
                continue;
            }
            let order = compare::delete_order(object, &doomed);
            let delete = Action::Delete {
                key: object.entry.key.clone(),
                id: object.id.clone(),
                expected: object.expected.clone(),
                order,
            };
            self.actions.push((order as usize, delete));
        }
    }
}

/// An entry's names in the target's ids.
struct Resolved {
    references: Result<Vec<PlannedReference>, String>,
    assignments: Option<Vec<serde_json::Map<String, serde_json::Value>>>,
    scope_tags: Option<Vec<String>>,
}
