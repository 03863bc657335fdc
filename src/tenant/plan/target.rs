//! The target tenant as a plan sees it: its objects in comparable form, and what its
//! directory says about the names and ids the snapshot uses.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Expected, PlanOptions};
use crate::{
    GraphClient,
    tenant::{
        Snapshot, SnapshotEntry, TenantError, TenantObject, TenantReader,
        directory::{DEFAULT_SCOPE_TAG, Directory, DirectoryKind, Wanted},
        export::{entry_of, keys_by_id},
    },
};

/// A target-tenant object in the form a plan compares.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TargetObject {
    /// Its id in the target.
    pub id: String,
    /// The entry it would export as (references by key, no names of groups).
    pub entry: SnapshotEntry,
    /// For every reference of its type, the ids it points at.
    pub reference_ids: BTreeMap<String, Vec<String>>,
    /// Its `version` and `lastModifiedDateTime` as read.
    pub expected: Expected,
}

impl TargetObject {
    /// The comparable form of what a [`TenantReader`] read; objects without an identity (no
    /// type or display name) are left out.
    ///
    /// # Errors
    /// [`TenantError::Format`] when an object cannot be normalised.
    pub fn from_tenant(objects: &[TenantObject]) -> Result<Vec<TargetObject>, TenantError> {
        let keys = keys_by_id(objects);
        let mut targets = Vec::new();
        for object in objects {
            if let Some(entry) = entry_of(object, &keys, None)? {
                let expected = Expected {
                    version: object.config.base().version.map(i64::from),
                    last_modified_date_time: object
                        .config
                        .base()
                        .last_modified_date_time
                        .map(|t| t.to_string()),
                };
                targets.push(TargetObject {
                    id: object.id.clone(),
                    entry,
                    reference_ids: object.references.clone(),
                    expected,
                });
            }
        }
        Ok(targets)
    }
}

/// The target tenant: its objects, and its directory's answers about the snapshot's names.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Target {
    /// Every object with an identity.
    pub objects: Vec<TargetObject>,
    /// Groups, filters and scope tags the snapshot names, looked up.
    pub directory: Directory,
}

impl Target {
    /// A target of these objects and directory answers.
    pub fn new(objects: Vec<TargetObject>, directory: Directory) -> Self {
        Target { objects, directory }
    }

    /// Reads the tenant behind `client`: every object (see [`TenantReader::read`]), then the
    /// groups, filters and scope tags `snapshot` names (by name, and bare ids to check they
    /// exist there), except those `options.group_map` maps.
    ///
    /// # Errors
    /// [`TenantError::Graph`] when reading the objects fails (a directory the app may not
    /// read is not an error here: the plan says what it could not resolve).
    pub async fn read(
        client: &GraphClient,
        snapshot: &Snapshot,
        options: &PlanOptions,
    ) -> Result<Target, TenantError> {
        let objects = TargetObject::from_tenant(&TenantReader::new(client).read().await?)?;
        let directory = Directory::read(client, &wanted(snapshot, options)).await;
        Ok(Target { objects, directory })
    }
}

/// The names and ids of groups, filters and scope tags `snapshot` uses that the group map
/// does not settle.
fn wanted(snapshot: &Snapshot, options: &PlanOptions) -> Wanted {
    let mut wanted = Wanted::default();
    let map = &options.group_map;
    for entry in snapshot.entries() {
        for a in entry.assignments.iter().flatten() {
            let pairs = [
                (DirectoryKind::Group, a.group_id(), a.group_display_name.as_deref()),
                (DirectoryKind::AssignmentFilter, a.filter_id(), a.filter_display_name.as_deref()),
            ];
            for (kind, id, name) in pairs {
                if map.lookup([id, name]).is_some() {
                    continue;
                }
                match (id, name) {
                    (_, Some(name)) => wanted.names.insert((kind, name.to_owned())),
                    (Some(id), None) => wanted.ids.insert((kind, id.to_owned())),
                    (None, None) => false,
                };
            }
        }
        // The built-in scope tag is in every tenant: nothing to look up.
        let (default_id, default_name) = DEFAULT_SCOPE_TAG;
        for name in entry.scope_tags.iter().flatten().filter(|n| !n.eq_ignore_ascii_case(default_name)) {
            wanted.names.insert((DirectoryKind::ScopeTag, name.clone()));
        }
        let ids = entry.object.get("roleScopeTagIds").and_then(Value::as_array).into_iter().flatten();
        for id in ids.filter_map(Value::as_str).filter(|id| *id != default_id) {
            wanted.ids.insert((DirectoryKind::ScopeTag, id.to_owned()));
        }
    }
    wanted
}
