//! The deployment rule for every reference: a profile that uses a certificate profile (as
//! its identity, a trusted root, a signing certificate…) fails on the users and devices
//! that one does not reach. Microsoft's guidance for SCEP profiles and their roots
//! (IntuneDocs #2252), and for Wi-Fi and VPN profiles and their certificates.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Action, resolve::Names};
use crate::{
    models::{
        AllDevicesAssignmentTarget, AllLicensedUsersAssignmentTarget, ExclusionGroupAssignmentTarget,
        GroupAssignmentTarget,
    },
    tenant::{ObjectKey, Snapshot, directory::DirectoryKind},
};

/// A profile that will fail on some devices: its assignments reach users or devices that a
/// certificate profile it references does not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CoverageWarning {
    /// The profile.
    pub key: ObjectKey,
    /// The reference through which it uses the other (e.g. `rootCertificate`).
    pub navigation: String,
    /// The certificate (or trusted root) profile it uses.
    pub certificate: ObjectKey,
    /// The profile's targets the certificate profile does not reach, described.
    pub uncovered: Vec<String>,
}

/// Every referencing profile of the plan whose targets a profile it references does not
/// cover; the assignment sets are those the plan leaves (the planned set, else the target's).
pub(super) fn warnings(
    snapshot: &Snapshot,
    names: &Names<'_>,
    actions: &[(usize, Action)],
) -> Vec<CoverageWarning> {
    let sets = assignment_sets(names, actions);
    let set_of = |key: &ObjectKey| -> Option<&[Map<String, Value>]> { sets.get(key).map(Vec::as_slice) };
    let mut warnings = Vec::new();
    for (_, action) in actions {
        let Some(entry) = snapshot.entries().iter().find(|e| &e.key == action.key()) else { continue };
        let Some(profile) = set_of(&entry.key) else { continue };
        for (navigation, value) in &entry.references {
            for certificate in value.targets() {
                let Some(certificate_set) = set_of(certificate) else { continue };
                let uncovered = uncovered_targets(profile, certificate_set, names);
                if !uncovered.is_empty() {
                    warnings.push(CoverageWarning {
                        key: entry.key.clone(),
                        navigation: navigation.clone(),
                        certificate: certificate.clone(),
                        uncovered,
                    });
                }
            }
        }
    }
    warnings
}

/// The assignment set each object will have: the planned one, else the target's.
fn assignment_sets(
    names: &Names<'_>,
    actions: &[(usize, Action)],
) -> HashMap<ObjectKey, Vec<Map<String, Value>>> {
    let mut sets = HashMap::new();
    for (key, objects) in &names.targets {
        if let [one] = objects.as_slice() {
            let set = one.entry.assignments.iter().flatten().map(|a| a.assignment.clone()).collect();
            sets.insert((*key).clone(), set);
        }
    }
    for (_, action) in actions {
        let planned = match action {
            Action::Create { key, assignments, .. } => Some((key, assignments.clone().unwrap_or_default())),
            Action::Update { key, assignments: Some(change), .. } => Some((key, change.after.clone())),
            Action::Update { .. }
            | Action::NoChange { .. }
            | Action::Conflict { .. }
            | Action::Delete { .. }
            | Action::Skip { .. } => None,
        };
        if let Some((key, set)) = planned {
            sets.insert(key.clone(), set);
        }
    }
    sets
}

/// The profile's included targets the certificate profile's assignments do not reach. All
/// devices is reached only by all devices, all licensed users only by all licensed users; a
/// group by the same group or by both of those, unless the certificate profile excludes it.
fn uncovered_targets(
    profile: &[Map<String, Value>],
    certificate: &[Map<String, Value>],
    names: &Names<'_>,
) -> Vec<String> {
    let targets = |set: &[Map<String, Value>], kind: &str| -> BTreeSet<String> {
        set.iter()
            .filter_map(|a| a.get("target"))
            .filter(|t| t.get("@odata.type").and_then(Value::as_str).is_some_and(|t| same_type(t, kind)))
            .map(|t| t.get("groupId").and_then(Value::as_str).unwrap_or("").to_lowercase())
            .collect()
    };
    let all_devices = !targets(certificate, AllDevicesAssignmentTarget::ODATA_TYPE).is_empty();
    let all_users = !targets(certificate, AllLicensedUsersAssignmentTarget::ODATA_TYPE).is_empty();
    let groups = targets(certificate, GroupAssignmentTarget::ODATA_TYPE);
    let excluded = targets(certificate, ExclusionGroupAssignmentTarget::ODATA_TYPE);
    let mut uncovered = Vec::new();
    if !targets(profile, AllDevicesAssignmentTarget::ODATA_TYPE).is_empty() && !all_devices {
        uncovered.push("all devices".to_string());
    }
    if !targets(profile, AllLicensedUsersAssignmentTarget::ODATA_TYPE).is_empty() && !all_users {
        uncovered.push("all licensed users".to_string());
    }
    for group in targets(profile, GroupAssignmentTarget::ODATA_TYPE) {
        let reached = (groups.contains(&group) || (all_devices && all_users)) && !excluded.contains(&group);
        if !reached {
            uncovered.push(match names.directory.name_of(DirectoryKind::Group, &group) {
                Some(name) => format!("group {name:?} ({group})"),
                None => format!("group {group}"),
            });
        }
    }
    uncovered
}

fn same_type(a: &str, b: &str) -> bool {
    a.trim_start_matches('#').eq_ignore_ascii_case(b.trim_start_matches('#'))
}
