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
//!   "references": {
//!     "rootCertificate": {
//!       "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
//!       "displayName": "Contoso Root CA"
//!     }
//!   }
//! }
//! ```
//!
//! - `object` is the write body (no ids, timestamps, `version`, annotations, references or
//!   nulls). A key that is absent is left alone by apply.
//! - `references` names, for each reference of the type (`models::schema::references`), the
//!   object it points at by type and display name: an object for a single reference (`null`:
//!   none), an array for a collection (sorted). A reference that is absent is left alone.
//!   (Files of earlier versions held a top-level `rootCertificate`; it is still read.)
//! - `assignments` is the complete assignment set (`[]`: none; absent: left alone), each with
//!   the names of its group and filter where they could be read, which is how they travel to
//!   another tenant.
//! - `scopeTags` names the object's scope tags (absent: `object.roleScopeTagIds`, if any,
//!   holds ids).
//! - `notRestorable` names the type's secrets that the file does not hold (the service never
//!   returns them; set them by hand).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    ObjectKey, TenantError,
    files::canonical_bytes,
    normalize::{FILTER_ID, Origin, assignment_form, normalize},
};
use crate::models::schema;

/// What a reference of a snapshot entry points at.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReferenceValue {
    /// A single-valued reference: its target, or `None` for no target.
    One(Option<ObjectKey>),
    /// A collection: its members, sorted.
    Many(Vec<ObjectKey>),
}

impl ReferenceValue {
    /// The objects it points at.
    pub fn targets(&self) -> &[ObjectKey] {
        match self {
            ReferenceValue::One(one) => one.as_slice(),
            ReferenceValue::Many(many) => many,
        }
    }

    /// A collection's members sorted and without repeats (the order carries no meaning).
    pub(crate) fn sorted(self) -> Self {
        match self {
            ReferenceValue::Many(mut many) => {
                many.sort();
                many.dedup();
                ReferenceValue::Many(many)
            }
            one => one,
        }
    }
}

impl Serialize for ReferenceValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ReferenceValue::One(one) => one.serialize(serializer),
            ReferenceValue::Many(many) => many.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ReferenceValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Many(Vec<ObjectKey>),
            One(Option<ObjectKey>),
        }
        Ok(match Form::deserialize(deserializer)? {
            Form::Many(many) => ReferenceValue::Many(many).sorted(),
            Form::One(one) => ReferenceValue::One(one),
        })
    }
}

/// One assignment of an exported object, with what makes it readable in another tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AssignmentEntry {
    /// The assignment's write form (`target`, `intent`, …; no id, no server defaults).
    pub assignment: Map<String, Value>,
    /// The target group's display name, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_display_name: Option<String>,
    /// The assignment filter's display name, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_display_name: Option<String>,
}

impl AssignmentEntry {
    /// An assignment (in write form) without names.
    pub fn new(assignment: Map<String, Value>) -> Self {
        AssignmentEntry {
            assignment: assignment_form(assignment),
            group_display_name: None,
            filter_display_name: None,
        }
    }

    /// The target, if the assignment has one.
    pub(crate) fn target(&self) -> Option<&Map<String, Value>> {
        self.assignment.get("target")?.as_object()
    }

    /// The target's group id, if it targets a group.
    pub fn group_id(&self) -> Option<&str> {
        self.target()?.get("groupId")?.as_str()
    }

    /// The target's assignment filter id, if it has one.
    pub fn filter_id(&self) -> Option<&str> {
        self.target()?.get(FILTER_ID)?.as_str()
    }
}

/// One object of a snapshot.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SnapshotEntry {
    /// Its identity.
    pub key: ObjectKey,
    /// The normalised write body.
    pub object: Map<String, Value>,
    /// Its references by navigation name (only those the file states).
    pub references: BTreeMap<String, ReferenceValue>,
    /// The complete assignment set; `None`: the file does not say (left alone).
    pub assignments: Option<Vec<AssignmentEntry>>,
    /// The display names of its scope tags; `None`: the file does not name them.
    pub scope_tags: Option<Vec<String>>,
    /// The type's secrets the file does not hold.
    pub not_restorable: Vec<String>,
    /// Whether the crate models this type (apply needs an explicit option for the others).
    pub modelled: bool,
    /// The file it was read from, relative to the snapshot's folder (messages name it).
    pub file: Option<PathBuf>,
}

/// Entries are equal when they say the same; where they were read from does not matter.
impl PartialEq for SnapshotEntry {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
            && self.object == other.object
            && self.references == other.references
            && self.assignments == other.assignments
            && self.scope_tags == other.scope_tags
            && self.not_restorable == other.not_restorable
            && self.modelled == other.modelled
    }
}

impl SnapshotEntry {
    /// An entry from an object as written by hand: it is normalised (see the module docs)
    /// and must have an `@odata.type` and a display name. It states no references and no
    /// assignments (both are left alone) until they are set.
    ///
    /// # Errors
    /// A message naming what is wrong.
    pub fn from_object(object: &Value) -> Result<Self, String> {
        Self::normalized(object, Origin::File)
    }

    pub(crate) fn normalized(object: &Value, origin: Origin) -> Result<Self, String> {
        let normalized = normalize(object, origin)?;
        let key = ObjectKey::of(&normalized.object)
            .ok_or("the object needs an `@odata.type` and a non-empty `displayName`")?;
        Ok(SnapshotEntry {
            key,
            object: normalized.object,
            references: BTreeMap::new(),
            assignments: None,
            scope_tags: None,
            not_restorable: normalized.not_restorable,
            modelled: normalized.modelled,
            file: None,
        })
    }

    /// Where messages say it comes from: its file, else its key.
    pub fn origin(&self) -> String {
        match &self.file {
            Some(file) => file.to_string_lossy().replace('\\', "/"),
            None => self.key.to_string(),
        }
    }

    /// The file form (see the module docs).
    pub(crate) fn to_file(&self) -> Value {
        let file = FileForm {
            object: self.object.clone(),
            references: (!self.references.is_empty()).then(|| self.references.clone()),
            root_certificate: None,
            assignments: self.assignments.clone(),
            scope_tags: self.scope_tags.clone(),
            not_restorable: self.not_restorable.clone(),
        };
        serde_json::to_value(file).expect("a snapshot file always encodes")
    }

    /// The entry a file holds; `relative` is its path inside the snapshot's folder.
    pub(crate) fn from_file(path: &Path, relative: &Path, value: Value) -> Result<Self, TenantError> {
        let bad = |message: String| TenantError::format(path, message);
        let file: FileForm = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        let mut entry = SnapshotEntry::from_object(&Value::Object(file.object)).map_err(bad)?;
        entry.file = Some(relative.to_path_buf());
        let mut references = file.references.unwrap_or_default();
        if let Some(root) = file.root_certificate {
            if references.contains_key("rootCertificate") {
                return Err(bad("`rootCertificate` is given twice (top level and in `references`)".into()));
            }
            references.insert("rootCertificate".into(), ReferenceValue::One(Some(root)));
        }
        for (navigation, value) in references {
            let Some(reference) = schema::reference(&entry.key.odata_type, &navigation) else {
                return Err(bad(format!(
                    "`references.{navigation}`: {} has no such reference",
                    entry.key.short_type()
                )));
            };
            let value = match (reference.many, value) {
                (false, one @ ReferenceValue::One(_)) => one,
                (true, many @ ReferenceValue::Many(_)) => many.sorted(),
                (true, ReferenceValue::One(_)) => {
                    return Err(bad(format!("`references.{navigation}` is a collection: write an array")));
                }
                (false, ReferenceValue::Many(_)) => {
                    return Err(bad(format!("`references.{navigation}` holds one object, not an array")));
                }
            };
            entry.references.insert(navigation, value);
        }
        entry.assignments = file.assignments.map(|set| {
            set.into_iter()
                .map(|a| AssignmentEntry { assignment: assignment_form(a.assignment), ..a })
                .collect()
        });
        entry.scope_tags = file.scope_tags;
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
    references: Option<BTreeMap<String, ReferenceValue>>,
    /// The form of earlier versions; read, never written.
    #[serde(default, skip_serializing)]
    root_certificate: Option<ObjectKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assignments: Option<Vec<AssignmentEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope_tags: Option<Vec<String>>,
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

    /// The entries, mutably (their order stays).
    pub fn entries_mut(&mut self) -> &mut [SnapshotEntry] {
        &mut self.entries
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SCEP: &str = "#microsoft.graph.iosScepCertificateProfile";
    const ROOT: &str = "#microsoft.graph.iosTrustedRootCertificate";
    const WIFI: &str = "#microsoft.graph.iosEnterpriseWiFiConfiguration";

    fn entry(odata_type: &str, name: &str) -> SnapshotEntry {
        SnapshotEntry::from_object(&json!({"@odata.type": odata_type, "displayName": name})).unwrap()
    }

    fn read(value: Value) -> Result<SnapshotEntry, TenantError> {
        SnapshotEntry::from_file(Path::new("d/x.json"), Path::new("x.json"), value)
    }

    #[test]
    fn a_file_round_trips_and_unknown_keys_are_refused() {
        let mut e = entry(SCEP, "SCEP");
        e.references
            .insert("rootCertificate".into(), ReferenceValue::One(Some(ObjectKey::new(ROOT, "Root"))));
        let mut assignment = Map::new();
        assignment
            .insert("target".into(), json!({"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}));
        e.assignments = Some(vec![AssignmentEntry::new(assignment)]);
        let back = read(e.to_file()).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.file.as_deref(), Some(Path::new("x.json")));

        let mut bad = e.to_file();
        bad["rootCertificateId"] = json!("1");
        let err = read(bad).unwrap_err();
        assert!(err.to_string().contains("rootCertificateId"), "{err}");
        let err = read(json!({"object": {"displayName": "x"}})).unwrap_err();
        assert!(err.to_string().starts_with("d/x.json: "), "{err}");
    }

    #[test]
    fn references_are_checked_against_the_types_table_and_the_old_form_is_read() {
        let old = json!({"object": {"@odata.type": SCEP, "displayName": "S"},
            "rootCertificate": {"@odata.type": ROOT, "displayName": "R"}});
        let e = read(old).unwrap();
        assert_eq!(e.references["rootCertificate"], ReferenceValue::One(Some(ObjectKey::new(ROOT, "R"))));
        assert_eq!(e.assignments, None, "a file without assignments leaves them alone");
        assert_eq!(e.to_file()["references"]["rootCertificate"]["displayName"], "R");
        assert!(e.to_file().get("rootCertificate").is_none());

        let wifi = json!({"object": {"@odata.type": WIFI, "displayName": "W"}, "references": {
            "rootCertificatesForServerValidation": [
                {"@odata.type": ROOT, "displayName": "B"}, {"@odata.type": ROOT, "displayName": "A"}],
            "identityCertificateForClientAuthentication": null}});
        let e = read(wifi).unwrap();
        let names: Vec<&str> = e.references["rootCertificatesForServerValidation"]
            .targets()
            .iter()
            .map(|k| k.display_name.as_str())
            .collect();
        assert_eq!(names, ["A", "B"], "collections are sorted");
        assert_eq!(e.references["identityCertificateForClientAuthentication"], ReferenceValue::One(None));

        for (references, message) in [
            (json!({"rootCertificate": null}), "has no such reference"),
            (
                json!({"rootCertificatesForServerValidation": {"@odata.type": ROOT, "displayName": "A"}}),
                "write an array",
            ),
            (json!({"identityCertificateForClientAuthentication": []}), "not an array"),
        ] {
            let err =
                read(json!({"object": {"@odata.type": WIFI, "displayName": "W"}, "references": references}))
                    .unwrap_err();
            assert!(err.to_string().contains(message), "{err}");
        }
    }
}
