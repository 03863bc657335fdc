//! A tenant → a [`Snapshot`]: bodies normalised, the root link and group targets made
//! portable.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{
    AssignmentEntry, ObjectKey, Snapshot, SnapshotEntry, TenantError, TenantObject, TenantReader,
    groups::group_names,
    normalize::{clean, normalize_config},
};
use crate::{
    GraphClient,
    models::{DeviceConfigurationAssignment, WriteMode, object::Encoded},
};

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
    pub(crate) fn keeps(&self, key: &ObjectKey) -> bool {
        let type_ok = self.types.is_empty()
            || self.types.iter().any(|t| {
                let t = t.trim_start_matches('#');
                t.eq_ignore_ascii_case(key.short_type())
                    || t.eq_ignore_ascii_case(key.odata_type.trim_start_matches('#'))
            });
        let name_ok = self
            .name_contains
            .as_ref()
            .is_none_or(|text| key.display_name.to_lowercase().contains(&text.to_lowercase()));
        type_ok && name_ok
    }
}

/// Exports the tenant behind `client`. Returns the snapshot and notes on what could not be
/// carried (unreadable group names, links to objects that were not found).
///
/// # Errors
/// [`TenantError::Graph`] when a read fails; [`TenantError::Format`] when an object cannot
/// be normalised.
pub async fn export(
    client: &GraphClient,
    options: &ExportOptions,
) -> Result<(Snapshot, Vec<String>), TenantError> {
    let objects = TenantReader::new(client).read(|_| true).await?;
    let mut notes = Vec::new();
    let keys = keys_by_id(&objects);
    let mut entries = Vec::new();
    for object in &objects {
        let Some(entry) = entry_of(object, &keys)? else { continue };
        if !options.keeps(&entry.key) {
            continue;
        }
        if let Some(root_id) = &object.root_id
            && entry.root_certificate.is_none()
        {
            notes.push(format!(
                "{}: rootCertificate {root_id} was not found; the link is not exported",
                entry.key
            ));
        }
        entries.push(entry);
    }
    let mut group_ids: Vec<String> = Vec::new();
    for group_id in entries.iter().flat_map(|e| &e.assignments).filter_map(AssignmentEntry::group_id) {
        if !group_ids.iter().any(|known| known == group_id) {
            group_ids.push(group_id.to_owned());
        }
    }
    let (names, note) = group_names(client, &group_ids).await;
    notes.extend(note);
    for assignment in entries.iter_mut().flat_map(|e| &mut e.assignments) {
        if let Some(name) = assignment.group_id().and_then(|id| names.get(id)) {
            assignment.group_display_name = name.clone();
        }
    }
    Ok((Snapshot::new(entries), notes))
}

/// The key of every object that has one, by id.
pub(crate) fn keys_by_id(objects: &[TenantObject]) -> HashMap<String, ObjectKey> {
    objects
        .iter()
        .filter_map(|o| {
            let key = ObjectKey::new(o.config.odata_type(), o.config.display_name()?);
            Some((o.id.to_lowercase(), key))
        })
        .collect()
}

/// The snapshot entry of a tenant object; `None` for an object without a display name.
pub(crate) fn entry_of(
    object: &TenantObject,
    keys: &HashMap<String, ObjectKey>,
) -> Result<Option<SnapshotEntry>, TenantError> {
    let normalized = normalize_config(&object.config)
        .map_err(|e| TenantError::format(format!("object {}", object.id), e))?;
    let Some(key) = ObjectKey::of(&normalized.object) else { return Ok(None) };
    Ok(Some(SnapshotEntry {
        key,
        object: normalized.object,
        root_certificate: object.root_id.as_ref().and_then(|id| keys.get(&id.to_lowercase()).cloned()),
        assignments: object
            .assignments
            .iter()
            .map(|a| AssignmentEntry::new(assignment_write_form(a)))
            .collect(),
        not_restorable: normalized.not_restorable,
        modelled: normalized.modelled,
    }))
}

/// An assignment's write form (no id, no server fields), nulls dropped.
pub(crate) fn assignment_write_form(assignment: &DeviceConfigurationAssignment) -> Map<String, Value> {
    let value = serde_json::to_value(Encoded(assignment, WriteMode::Write)).unwrap_or_default();
    match clean(value) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
