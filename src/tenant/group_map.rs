//! The user's own mapping of source groups (and assignment filters) to target ids: it
//! overrides the lookup of names in the target.

use std::{collections::HashMap, path::Path};

use serde_json::Value;

use super::{TenantError, files::read_json_file, key::nfc};

/// Group (and assignment filter) ids or names of the source tenant → ids in the target.
/// What it maps wins over looking the name up in the target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupMap {
    ids: HashMap<String, String>,
}

impl GroupMap {
    /// An empty map.
    pub fn new() -> Self {
        GroupMap::default()
    }

    /// Maps `source` (an id or a display name) to `target_id`. A target id that is not a
    /// GUID stops a plan that uses it.
    #[must_use]
    pub fn with(mut self, source: impl AsRef<str>, target_id: impl Into<String>) -> Self {
        self.ids.insert(nfc(source.as_ref()).to_lowercase(), target_id.into());
        self
    }

    /// Reads a JSON object of strings: `{"<source id or name>": "<target id>", …}`; every
    /// target id must be a GUID (the form group and filter ids have).
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
            Value::String(id) if is_guid(id.trim()) => Ok(acc.with(source, id.trim())),
            Value::String(id) => {
                Err(bad(format!("the value of {source:?} must be a group or filter id (a GUID), not {id:?}")))
            }
            _ => Err(bad(format!("the value of {source:?} must be a non-empty id string"))),
        })
    }

    /// The target id of the first of `keys` (ids or names) the map holds.
    pub(crate) fn lookup<'a>(&self, keys: impl IntoIterator<Item = Option<&'a str>>) -> Option<&str> {
        keys.into_iter().flatten().find_map(|k| self.ids.get(&nfc(k).to_lowercase()).map(String::as_str))
    }
}

/// Whether `text` is a GUID in its usual form (`8-4-4-4-12` hex digits).
pub(crate) fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_recognised() {
        assert!(is_guid("5a9b1e0c-1d2e-4f3a-9b8c-7d6e5f4a3b2c"));
        assert!(is_guid("5A9B1E0C-1D2E-4F3A-9B8C-7D6E5F4A3B2C"));
        for not in [
            "",
            "iOS devices",
            "5a9b1e0c1d2e4f3a9b8c7d6e5f4a3b2c",
            "5a9b1e0c-1d2e-4f3a-9b8c-7d6e5f4a3b2",
            "{5a9b1e0c-1d2e-4f3a-9b8c-7d6e5f4a3b2c}",
        ] {
            assert!(!is_guid(not), "{not}");
        }
    }

    #[test]
    fn a_map_file_must_map_to_guids() {
        let dir = std::env::temp_dir().join(format!("intune-graph-group-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("map.json");
        std::fs::write(&path, br#"{"iOS devices": "not-a-guid"}"#).unwrap();
        let err = GroupMap::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("must be a group or filter id (a GUID), not \"not-a-guid\""), "{err}");
        std::fs::write(&path, br#"{"iOS Devices": "0f0e0d0c-0b0a-0908-0706-050403020100"}"#).unwrap();
        let map = GroupMap::from_file(&path).unwrap();
        assert_eq!(map.lookup([None, Some("ios devices")]), Some("0f0e0d0c-0b0a-0908-0706-050403020100"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
