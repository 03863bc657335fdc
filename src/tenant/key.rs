//! The identity of an object across tenants: its `@odata.type` and display name.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

use crate::models::schema;

/// The `@odata.type` prefix left out of folder names and messages.
const TYPE_PREFIX: &str = "#microsoft.graph.";

/// The identity of an object across tenants: its `@odata.type` and display name.
///
/// Both are held in one form, so that the same object is the same key whoever typed it: the
/// type with its leading `#` in the schema's spelling (when the schema has it), the name in
/// Unicode normal form C (`café` typed on macOS, NFD, is the `café` typed on Windows).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "KeyForm")]
pub struct ObjectKey {
    /// `@odata.type`, with the leading `#`.
    #[serde(rename = "@odata.type")]
    pub odata_type: String,
    /// The display name, in Unicode normal form C.
    #[serde(rename = "displayName")]
    pub display_name: String,
}

/// An [`ObjectKey`] as read, before it is put in its one form.
#[derive(Deserialize)]
struct KeyForm {
    #[serde(rename = "@odata.type")]
    odata_type: String,
    #[serde(rename = "displayName")]
    display_name: String,
}

impl From<KeyForm> for ObjectKey {
    fn from(form: KeyForm) -> Self {
        ObjectKey::new(form.odata_type, form.display_name)
    }
}

impl ObjectKey {
    /// A key; a type without the leading `#` gets it, a known type takes the schema's
    /// spelling, and the name is put in Unicode normal form C.
    pub fn new(odata_type: impl Into<String>, display_name: impl AsRef<str>) -> Self {
        let odata_type = odata_type.into();
        let odata_type = match schema::type_name(&odata_type) {
            Some(known) => format!("{TYPE_PREFIX}{known}"),
            None if odata_type.starts_with('#') => odata_type,
            None => format!("#{odata_type}"),
        };
        ObjectKey { odata_type, display_name: nfc(display_name.as_ref()) }
    }

    /// The type without `#microsoft.graph.`, e.g. `iosScepCertificateProfile`.
    pub fn short_type(&self) -> &str {
        schema::short_type(&self.odata_type)
    }

    /// The key of a normalised object, if it has both parts.
    pub(crate) fn of(object: &Map<String, Value>) -> Option<Self> {
        let odata_type = object.get("@odata.type")?.as_str()?;
        let name = object.get("displayName")?.as_str()?;
        (!name.trim().is_empty() && !odata_type.trim_start_matches('#').trim().is_empty())
            .then(|| ObjectKey::new(odata_type, name))
    }
}

/// `text` in Unicode normal form C.
pub(crate) fn nfc(text: &str) -> String {
    if unicode_normalization::is_nfc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes {
        return text.to_owned();
    }
    text.nfc().collect()
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.short_type(), self.display_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_either_normal_form_and_types_in_any_spelling_are_one_key() {
        let composed = ObjectKey::new("#microsoft.graph.iosTrustedRootCertificate", "Caf\u{e9}");
        let decomposed = ObjectKey::new("microsoft.graph.IOSTRUSTEDROOTCERTIFICATE", "Cafe\u{301}");
        assert_eq!(composed, decomposed);
        assert_eq!(decomposed.odata_type, "#microsoft.graph.iosTrustedRootCertificate");
        assert_eq!(decomposed.display_name, "Caf\u{e9}");
        let read: ObjectKey =
            serde_json::from_str(r##"{"@odata.type": "#microsoft.graph.x", "displayName": "Cafe\u0301"}"##)
                .unwrap();
        assert_eq!(read, ObjectKey::new("#microsoft.graph.x", "Caf\u{e9}"));
        assert_eq!(read.short_type(), "x");
        assert_eq!(ObjectKey::new("other.ns.t", "n").odata_type, "#other.ns.t");
    }

    #[test]
    fn a_key_needs_a_type_and_a_name_that_is_not_blank() {
        let object = |v: Value| v.as_object().unwrap().clone();
        assert!(
            ObjectKey::of(&object(serde_json::json!({"@odata.type": "#x", "displayName": " "}))).is_none()
        );
        assert!(
            ObjectKey::of(&object(serde_json::json!({"@odata.type": "#", "displayName": "n"}))).is_none()
        );
        assert!(ObjectKey::of(&object(serde_json::json!({"displayName": "n"}))).is_none());
        assert_eq!(
            ObjectKey::of(&object(serde_json::json!({"@odata.type": "#x", "displayName": "n"}))),
            Some(ObjectKey::new("#x", "n"))
        );
    }
}
