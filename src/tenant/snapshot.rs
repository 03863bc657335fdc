//! The snapshot: objects as files, references by (type, display name).
//!
//! One file per object, `DIR/<type>/<display name>.json` (the type without its
//! `#microsoft.graph.` prefix; the name made file-system safe and unique), keys sorted,
//! two-space indent:
//!
//! ```json
//! {
//!   "assignments": [
//!     {
//!       "assignment": {
//!         "target": {
//!           "@odata.type": "#microsoft.graph.groupAssignmentTarget",
//!           "groupId": "5a9b1e0c-1d2e-4f3a-9b8c-7d6e5f4a3b2c"
//!         }
//!       },
//!       "groupDisplayName": "iOS devices"
//!     }
//!   ],
//!   "notRestorable": [],
//!   "object": {
//!     "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
//!     "displayName": "iOS SCEP - Corporate Wi-Fi",
//!     "keySize": "size2048"
//!   },
//!   "rootCertificate": {
//!     "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
//!     "displayName": "Contoso Root CA"
//!   }
//! }
//! ```
//!
//! `object` is the write body (no ids, timestamps, `version`, annotations or nulls; a key
//! that is absent is left alone by apply); `rootCertificate` names another object of the
//! snapshot or the target; `assignments` is the complete assignment set (empty: none);
//! `notRestorable` names write-only properties the service never returns.

use std::{
    collections::BTreeMap,
    fmt,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    TenantError,
    files::{UniqueNames, canonical_bytes, read_json_file, safe_stem},
    normalize::{clean, normalize},
};

/// The `@odata.type` prefix left out of folder names.
const TYPE_PREFIX: &str = "#microsoft.graph.";

/// The identity of an object across tenants: its `@odata.type` and display name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObjectKey {
    /// `@odata.type`, with the leading `#`.
    #[serde(rename = "@odata.type")]
    pub odata_type: String,
    /// The display name.
    #[serde(rename = "displayName")]
    pub display_name: String,
}

impl ObjectKey {
    /// A key; a type without the leading `#` gets it.
    pub fn new(odata_type: impl Into<String>, display_name: impl Into<String>) -> Self {
        let odata_type = odata_type.into();
        let odata_type = if odata_type.starts_with('#') { odata_type } else { format!("#{odata_type}") };
        ObjectKey { odata_type, display_name: display_name.into() }
    }

    /// The type without `#microsoft.graph.`, e.g. `iosScepCertificateProfile`.
    pub fn short_type(&self) -> &str {
        self.odata_type.strip_prefix(TYPE_PREFIX).unwrap_or(self.odata_type.trim_start_matches('#'))
    }

    /// The key of a normalised object, if it has both parts.
    pub(crate) fn of(object: &Map<String, Value>) -> Option<Self> {
        let odata_type = object.get("@odata.type")?.as_str()?;
        let name = object.get("displayName")?.as_str()?;
        (!name.trim().is_empty() && !odata_type.trim_start_matches('#').is_empty())
            .then(|| ObjectKey::new(odata_type, name))
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.short_type(), self.display_name)
    }
}

/// One assignment of an exported object, with what makes it readable in another tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AssignmentEntry {
    /// The assignment's write form (`target`, `intent`, …; no id).
    pub assignment: Map<String, Value>,
    /// The target group's display name, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_display_name: Option<String>,
}

impl AssignmentEntry {
    /// An assignment without a group name.
    pub fn new(assignment: Map<String, Value>) -> Self {
        AssignmentEntry { assignment, group_display_name: None }
    }

    /// The target's group id, if it targets a group.
    pub fn group_id(&self) -> Option<&str> {
        self.assignment.get("target")?.get("groupId")?.as_str()
    }
}

/// One object of a snapshot.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SnapshotEntry {
    /// Its identity.
    pub key: ObjectKey,
    /// The normalised write body.
    pub object: Map<String, Value>,
    /// The trusted root the profile is bound to, if any.
    pub root_certificate: Option<ObjectKey>,
    /// The complete assignment set.
    pub assignments: Vec<AssignmentEntry>,
    /// Write-only properties the service never returned.
    pub not_restorable: Vec<String>,
    /// Whether the crate models this type (apply needs an explicit option for the others).
    pub modelled: bool,
}

impl SnapshotEntry {
    /// An entry from an object as read or written by hand: it is normalised (see the module
    /// docs) and must have an `@odata.type` and a display name.
    ///
    /// # Errors
    /// A message naming what is wrong.
    pub fn from_object(object: &Value) -> Result<Self, String> {
        let normalized = normalize(object)?;
        let key = ObjectKey::of(&normalized.object)
            .ok_or("the object needs an `@odata.type` and a non-empty `displayName`")?;
        Ok(SnapshotEntry {
            key,
            object: normalized.object,
            root_certificate: None,
            assignments: Vec::new(),
            not_restorable: normalized.not_restorable,
            modelled: normalized.modelled,
        })
    }

    /// The file form (see the module docs).
    fn to_file(&self) -> Value {
        let file = FileForm {
            object: self.object.clone(),
            root_certificate: self.root_certificate.clone(),
            assignments: self.assignments.clone(),
            not_restorable: self.not_restorable.clone(),
        };
        serde_json::to_value(file).expect("a snapshot file always encodes")
    }

    fn from_file(path: &Path, value: Value) -> Result<Self, TenantError> {
        let file: FileForm =
            serde_json::from_value(value).map_err(|e| TenantError::format(path, e.to_string()))?;
        let mut entry = SnapshotEntry::from_object(&Value::Object(file.object))
            .map_err(|e| TenantError::format(path, e))?;
        entry.root_certificate = file.root_certificate;
        entry.assignments = file
            .assignments
            .into_iter()
            .map(|mut a| {
                if let Value::Object(map) = clean(Value::Object(std::mem::take(&mut a.assignment))) {
                    a.assignment = map;
                }
                a
            })
            .collect();
        for name in file.not_restorable {
            if !entry.not_restorable.contains(&name) {
                entry.not_restorable.push(name);
            }
        }
        entry.not_restorable.sort();
        Ok(entry)
    }
}

/// The bytes of one file.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FileForm {
    object: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    root_certificate: Option<ObjectKey>,
    #[serde(default)]
    assignments: Vec<AssignmentEntry>,
    #[serde(default)]
    not_restorable: Vec<String>,
}

/// A set of objects kept in files. Entries are held sorted by key, so the same objects give
/// the same snapshot (and the same files) whatever order they were read in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    entries: Vec<SnapshotEntry>,
}

impl Snapshot {
    /// A snapshot of `entries`.
    pub fn new(mut entries: Vec<SnapshotEntry>) -> Self {
        entries.sort_by_cached_key(|e| (e.key.clone(), canonical_bytes(&e.to_file())));
        Snapshot { entries }
    }

    /// The entries, sorted by key.
    pub fn entries(&self) -> &[SnapshotEntry] {
        &self.entries
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The file of every entry, relative to the snapshot's folder, with its bytes.
    pub fn files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut names: BTreeMap<String, UniqueNames> = BTreeMap::new();
        self.entries
            .iter()
            .map(|entry| {
                let folder = safe_stem(entry.key.short_type());
                let file = names.entry(folder.to_lowercase()).or_default().file_name(&entry.key.display_name);
                (Path::new(&folder).join(file), canonical_bytes(&entry.to_file()))
            })
            .collect()
    }

    /// Writes one file per entry under `dir` (created if needed). `*.json` files already
    /// in `dir`'s type folders are removed first, so the folder holds exactly this snapshot.
    /// Returns the paths written.
    ///
    /// # Errors
    /// [`TenantError::Io`] naming the path.
    pub fn write_dir(&self, dir: &Path) -> Result<Vec<PathBuf>, TenantError> {
        std::fs::create_dir_all(dir).map_err(|e| TenantError::io(dir, e))?;
        for file in json_files(dir)? {
            std::fs::remove_file(&file).map_err(|e| TenantError::io(&file, e))?;
        }
        let mut written = Vec::new();
        for (relative, bytes) in self.files() {
            let path = dir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| TenantError::io(parent, e))?;
            }
            std::fs::write(&path, bytes).map_err(|e| TenantError::io(&path, e))?;
            written.push(path);
        }
        Ok(written)
    }

    /// Reads every `DIR/<folder>/*.json` file. The folder and file names carry no meaning;
    /// each file's `object` says what it is.
    ///
    /// # Errors
    /// [`TenantError::Io`]; [`TenantError::Format`] naming the file for a file that is not
    /// JSON or not a snapshot file.
    pub fn read_dir(dir: &Path) -> Result<Self, TenantError> {
        let entries = json_files(dir)?
            .into_iter()
            .map(|path| {
                let value = read_json_file(&path)?;
                SnapshotEntry::from_file(&path, value)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Snapshot::new(entries))
    }
}

/// The `*.json` files in `dir`'s sub-folders, sorted.
fn json_files(dir: &Path) -> Result<Vec<PathBuf>, TenantError> {
    let mut files = Vec::new();
    for folder in std::fs::read_dir(dir).map_err(|e| TenantError::io(dir, e))? {
        let folder = folder.map_err(|e| TenantError::io(dir, e))?.path();
        if !folder.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&folder).map_err(|e| TenantError::io(&folder, e))? {
            let file = file.map_err(|e| TenantError::io(&folder, e))?.path();
            if file.is_file() && file.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json")) {
                files.push(file);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry(odata_type: &str, name: &str) -> SnapshotEntry {
        SnapshotEntry::from_object(&json!({"@odata.type": odata_type, "displayName": name})).unwrap()
    }

    #[test]
    fn files_are_one_per_object_under_a_folder_per_type_with_unique_names() {
        let snapshot = Snapshot::new(vec![
            entry("#microsoft.graph.iosScepCertificateProfile", "Wi-Fi"),
            entry("#microsoft.graph.iosTrustedRootCertificate", "Root: A"),
            entry("#microsoft.graph.iosScepCertificateProfile", "wi-fi"),
        ]);
        let names: Vec<String> =
            snapshot.files().into_iter().map(|(p, _)| p.to_string_lossy().replace('\\', "/")).collect();
        assert_eq!(
            names,
            [
                "iosScepCertificateProfile/Wi-Fi.json",
                "iosScepCertificateProfile/wi-fi (2).json",
                "iosTrustedRootCertificate/Root_ A.json"
            ]
        );
    }

    #[test]
    fn a_file_round_trips_and_unknown_keys_are_refused() {
        let mut e = entry("#microsoft.graph.iosScepCertificateProfile", "SCEP");
        e.root_certificate = Some(ObjectKey::new("microsoft.graph.iosTrustedRootCertificate", "Root"));
        let mut assignment = Map::new();
        assignment
            .insert("target".into(), json!({"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}));
        e.assignments.push(AssignmentEntry::new(assignment));
        let back = SnapshotEntry::from_file(Path::new("x.json"), e.to_file()).unwrap();
        assert_eq!(back, e);

        let mut bad = e.to_file();
        bad["rootCertificateId"] = json!("1");
        let err = SnapshotEntry::from_file(Path::new("x.json"), bad).unwrap_err();
        assert!(err.to_string().contains("rootCertificateId"), "{err}");
        let err = SnapshotEntry::from_file(Path::new("x.json"), json!({"object": {"displayName": "x"}}))
            .unwrap_err();
        assert!(err.to_string().starts_with("x.json: "), "{err}");
    }
}
