//! A tenant → a [`Snapshot`]: bodies normalised, references, groups, filters and scope tags
//! made portable (by name), and a note for everything that could not be carried.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::{
    AssignmentEntry, ObjectKey, ReferenceValue, Snapshot, SnapshotEntry, TenantError, TenantObject,
    TenantReader,
    directory::{Directory, DirectoryKind, Wanted},
    normalize::{Origin, normalize_config, strings_of},
    plan::{name_contains, type_selected},
};
use crate::{
    GraphClient,
    models::{DeviceConfigurationAssignment, WriteMode, object::Encoded, schema},
};

/// The object property that holds scope tag ids.
const SCOPE_TAG_IDS: &str = "roleScopeTagIds";

/// What to export.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ExportOptions {
    /// Only these types (`iosScepCertificateProfile` or `#microsoft.graph.…`, any case);
    /// empty: every type.
    pub types: Vec<String>,
    /// Only objects whose display name contains this text (any case).
    pub name_contains: Option<String>,
}

impl ExportOptions {
    /// Every object of every type.
    pub fn new() -> Self {
        ExportOptions::default()
    }

    /// Adds a type to export.
    #[must_use]
    pub fn with_type(mut self, odata_type: impl Into<String>) -> Self {
        self.types.push(odata_type.into());
        self
    }

    /// Exports only objects whose display name contains `text`.
    #[must_use]
    pub fn with_name_containing(mut self, text: impl Into<String>) -> Self {
        self.name_contains = Some(text.into());
        self
    }

    /// Whether an object with this key is exported.
    pub fn keeps(&self, key: &ObjectKey) -> bool {
        type_selected(&self.types, key)
            && self.name_contains.as_ref().is_none_or(|text| name_contains(text, key))
    }
}

/// Exports the tenant behind `client`. Returns the snapshot and notes on what could not be
/// carried (objects without a type or a name, names that could not be read, references to
/// objects that are gone).
///
/// # Errors
/// [`TenantError::Graph`] when a read fails; [`TenantError::Format`] when an object cannot
/// be normalised.
pub async fn export(
    client: &GraphClient,
    options: &ExportOptions,
) -> Result<(Snapshot, Vec<String>), TenantError> {
    let objects = TenantReader::new(client).read().await?;
    let mut notes = Vec::new();
    let keys = keys_by_id(&objects);
    let untyped: Vec<&str> = objects.iter().filter(|o| key_of(o).is_none()).map(|o| o.id.as_str()).collect();
    if !untyped.is_empty() {
        notes.push(format!(
            "{} object(s) have no @odata.type or no display name, so no identity, and were not exported: {}",
            untyped.len(),
            untyped.join(", ")
        ));
    }
    let mut entries = Vec::new();
    for object in &objects {
        let Some(key) = key_of(object) else { continue };
        if !options.keeps(&key) {
            continue;
        }
        if let Some(entry) = entry_of(object, &keys, Some(&mut notes))? {
            entries.push(entry);
        }
    }
    name_directory_objects(client, &mut entries, &mut notes).await;
    Ok((Snapshot::new(entries), notes))
}

/// The identity of a listed object, when it has one.
fn key_of(object: &TenantObject) -> Option<ObjectKey> {
    let name = object.config.display_name()?;
    let odata_type = object.config.odata_type();
    (!name.trim().is_empty() && !odata_type.trim_start_matches('#').trim().is_empty())
        .then(|| ObjectKey::new(odata_type, name))
}

/// The key of every object that has one, by lower-case id.
pub(crate) fn keys_by_id(objects: &[TenantObject]) -> HashMap<String, ObjectKey> {
    objects.iter().filter_map(|o| Some((o.id.to_lowercase(), key_of(o)?))).collect()
}

/// The snapshot entry of a tenant object (`None`: it has no identity), its references by
/// key (every reference of its type; one to an object the tenant does not list is left
/// out, with a note when `notes` is given).
pub(crate) fn entry_of(
    object: &TenantObject,
    keys: &HashMap<String, ObjectKey>,
    mut notes: Option<&mut Vec<String>>,
) -> Result<Option<SnapshotEntry>, TenantError> {
    let normalized = normalize_config(&object.config, Origin::Service)
        .map_err(|e| TenantError::format(format!("object {}", object.id), e))?;
    let Some(key) = ObjectKey::of(&normalized.object) else { return Ok(None) };
    let mut references = BTreeMap::new();
    for reference in schema::references(&key.odata_type) {
        let ids = object.references.get(reference.navigation).map(Vec::as_slice).unwrap_or_default();
        let mut targets = Vec::new();
        for id in ids {
            match keys.get(&id.to_lowercase()) {
                Some(target) => targets.push(target.clone()),
                None => {
                    if let Some(notes) = notes.as_deref_mut() {
                        notes.push(format!(
                            "{key}: {} points at {id}, which the tenant does not list (deleted?); that reference is not exported",
                            reference.navigation
                        ));
                    }
                }
            }
        }
        let value = if reference.many {
            ReferenceValue::Many(targets).sorted()
        } else {
            ReferenceValue::One(targets.into_iter().next())
        };
        references.insert(reference.navigation.to_owned(), value);
    }
    let assignments =
        object.assignments.iter().map(|a| AssignmentEntry::new(assignment_write_form(a))).collect();
    Ok(Some(SnapshotEntry {
        key,
        object: normalized.object,
        references,
        assignments: Some(assignments),
        scope_tags: None,
        not_restorable: normalized.not_restorable,
        modelled: normalized.modelled,
        file: None,
    }))
}

/// An assignment's write form (no id, no server fields).
pub(crate) fn assignment_write_form(assignment: &DeviceConfigurationAssignment) -> Map<String, Value> {
    match serde_json::to_value(Encoded(assignment, WriteMode::Write)) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Puts the names of the groups, filters and scope tags the entries use next to their ids
/// (scope tags replace the ids when every name could be read), with a note for what could
/// not be read.
async fn name_directory_objects(
    client: &GraphClient,
    entries: &mut [SnapshotEntry],
    notes: &mut Vec<String>,
) {
    let mut wanted = Wanted::default();
    for entry in entries.iter() {
        for assignment in entry.assignments.iter().flatten() {
            if let Some(id) = assignment.group_id() {
                wanted.ids.insert((DirectoryKind::Group, id.to_owned()));
            }
            if let Some(id) = assignment.filter_id() {
                wanted.ids.insert((DirectoryKind::AssignmentFilter, id.to_owned()));
            }
        }
        for id in scope_tag_ids(entry) {
            wanted.ids.insert((DirectoryKind::ScopeTag, id));
        }
    }
    let directory = Directory::read(client, &wanted).await;
    let mut unnamed: BTreeMap<DirectoryKind, Vec<String>> = BTreeMap::new();
    let mut name = |kind: DirectoryKind, id: &str| match directory.name_of(kind, id) {
        Some(name) => Some(name.to_owned()),
        None if kind == DirectoryKind::ScopeTag && id == super::directory::DEFAULT_SCOPE_TAG.0 => {
            Some(super::directory::DEFAULT_SCOPE_TAG.1.to_owned())
        }
        None => {
            let ids = unnamed.entry(kind).or_default();
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_owned());
            }
            None
        }
    };
    for entry in entries.iter_mut() {
        for assignment in entry.assignments.iter_mut().flatten() {
            if let Some(id) = assignment.group_id().map(str::to_owned) {
                assignment.group_display_name = name(DirectoryKind::Group, &id);
            }
            if let Some(id) = assignment.filter_id().map(str::to_owned) {
                assignment.filter_display_name = name(DirectoryKind::AssignmentFilter, &id);
            }
        }
        let tags: Option<Vec<String>> =
            scope_tag_ids(entry).iter().map(|id| name(DirectoryKind::ScopeTag, id)).collect();
        if let Some(mut tags) = tags.filter(|_| entry.object.contains_key(SCOPE_TAG_IDS)) {
            tags.sort();
            entry.scope_tags = Some(tags);
            entry.object.remove(SCOPE_TAG_IDS);
        }
    }
    for (kind, ids) in unnamed {
        notes.push(format!(
            "{} names could not be read for {} ({}); those files hold the id only, which another tenant does not have",
            kind.describe(),
            ids.join(", "),
            directory.why_unreadable(kind).unwrap_or("not found"),
        ));
    }
}

/// The scope tag ids an entry's object holds.
fn scope_tag_ids(entry: &SnapshotEntry) -> Vec<String> {
    strings_of(entry.object.get(SCOPE_TAG_IDS)).map(str::to_owned).collect()
}
