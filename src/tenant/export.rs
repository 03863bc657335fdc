//! A tenant → a [`Snapshot`]: bodies normalised, the root link and group targets made
//! portable.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{
    AssignmentEntry, ObjectKey, Snapshot, SnapshotEntry, TenantError, TenantObject, TenantReader,
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
    let mut groups = GroupNames::new(client);
    let mut entries = Vec::new();
    for object in &objects {
        let Some(mut entry) = entry_of(object, &keys)? else { continue };
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
        for assignment in &mut entry.assignments {
            if let Some(group_id) = assignment.group_id().map(str::to_owned) {
                assignment.group_display_name = groups.name(&group_id, &mut notes).await;
            }
        }
        entries.push(entry);
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

/// Group display names, read once per group; after the first failure (no permission, or a
/// service without `/groups`) no more are tried, and a note says so.
struct GroupNames<'a> {
    client: &'a GraphClient,
    known: HashMap<String, Option<String>>,
    readable: bool,
}

impl<'a> GroupNames<'a> {
    fn new(client: &'a GraphClient) -> Self {
        GroupNames { client, known: HashMap::new(), readable: true }
    }

    async fn name(&mut self, group_id: &str, notes: &mut Vec<String>) -> Option<String> {
        if let Some(known) = self.known.get(group_id) {
            return known.clone();
        }
        if !self.readable {
            return None;
        }
        let path = format!(
            "groups/{}?$select=displayName",
            url::form_urlencoded::byte_serialize(group_id.as_bytes()).collect::<String>()
        );
        let name = match self.client.get_json::<Value>(&path).await {
            Ok(group) => group.get("displayName").and_then(Value::as_str).map(str::to_owned),
            Err(error) => {
                self.readable = false;
                notes.push(format!(
                    "group display names could not be read ({}); assignments record group ids only",
                    error.status().map_or_else(|| error.to_string(), |s| s.to_string())
                ));
                None
            }
        };
        self.known.insert(group_id.to_string(), name.clone());
        name
    }
}
