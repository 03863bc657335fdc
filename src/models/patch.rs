//! Update bodies for `PATCH …/deviceConfigurations/{id}` that say "leave unchanged",
//! "set" and "set to null" apart.

use serde::{Serialize, Serializer, ser::SerializeMap};
use serde_json::{Map, Value};

use super::{
    DeviceConfiguration, GraphEntity, ValidationError, ValidationProblem,
    object::{WriteValue, extra_key_is_writable, strip_hash},
    schema,
};
use crate::error::{Error, Result};

/// Properties the service owns: never sent in an update. The entity key, the server-set
/// timestamps and flags, and the navigation properties of `deviceConfiguration` and of
/// every typed subtype: the fields marked `[read_only]` or `[navigation]` in the models,
/// collected at compile time.
pub const READ_ONLY_PROPERTIES: &[&str] = DeviceConfiguration::READ_ONLY_KEYS;

/// The navigation properties among [`READ_ONLY_PROPERTIES`] (`assignments`,
/// `rootCertificate`, …): links to other entities, changed through their own requests.
pub const NAVIGATION_PROPERTIES: &[&str] = DeviceConfiguration::NAVIGATION_KEYS;

/// The body of a device configuration update (`PATCH`).
///
/// Three states per property: **absent** (left unchanged by the service), **set to a
/// value**, and **set to null** (cleared). `@odata.type` is always sent (Intune needs it
/// for derived types); server-owned properties ([`READ_ONLY_PROPERTIES`], response
/// annotations such as `@odata.context`) are refused before anything is sent.
///
/// ```
/// use intune_graph::models::DeviceConfigurationPatch;
///
/// let patch = DeviceConfigurationPatch::new("#microsoft.graph.iosScepCertificateProfile")
///     .set("displayName", "SCEP (renamed)")
///     .set("renewalThresholdPercentage", 25)
///     .set_null("description");
/// assert_eq!(
///     String::from_utf8(patch.to_json().unwrap()).unwrap(),
///     r##"{"@odata.type":"#microsoft.graph.iosScepCertificateProfile","displayName":"SCEP (renamed)","renewalThresholdPercentage":25,"description":null}"##
/// );
///
/// // Read-only properties are refused, not silently sent or dropped.
/// let bad = DeviceConfigurationPatch::new("#microsoft.graph.iosScepCertificateProfile").set("id", "x");
/// assert!(bad.validate().unwrap_err().has_problem_with("id"));
/// ```
///
/// To update a fetched object, change it and use [`diff`](Self::diff) (only what changed)
/// or [`from_object`](Self::from_object) (every writable property).
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct DeviceConfigurationPatch {
    odata_type: String,
    /// In insertion order; `Value::Null` means "set to null".
    fields: Vec<(String, Value)>,
    problems: Vec<ValidationProblem>,
}

impl DeviceConfigurationPatch {
    /// An empty update of an object of type `odata_type`, e.g.
    /// `#microsoft.graph.iosScepCertificateProfile` (with or without `#`).
    pub fn new(odata_type: impl Into<String>) -> Self {
        DeviceConfigurationPatch { odata_type: odata_type.into(), fields: Vec::new(), problems: Vec::new() }
    }

    /// An empty update of an object of the same type as `object`.
    pub fn for_entity<T: GraphEntity>(object: &T) -> Self {
        DeviceConfigurationPatch::new(object.odata_type())
    }

    /// An update that sets every writable property of `object` (its create body, with
    /// `@odata.type`): what a read → modify → write of a whole object needs. Properties
    /// the object holds as explicit nulls are sent as nulls.
    ///
    /// # Errors
    /// [`Error::Encode`] when the object cannot be encoded; [`Error::Validation`] when it
    /// has no `@odata.type`.
    pub fn from_object<T: GraphEntity>(object: &T) -> Result<Self> {
        let (odata_type, fields) = write_fields(object)?;
        let mut patch = DeviceConfigurationPatch::new(odata_type);
        for (key, value) in fields {
            patch.put(key, value);
        }
        Ok(patch)
    }

    /// An update that turns `before` into `after`: the writable properties whose value
    /// changed are set, the ones `after` no longer has are set to null, the rest is left
    /// out (unchanged).
    ///
    /// # Errors
    /// [`Error::Validation`] when the two objects have different `@odata.type`s;
    /// [`Error::Encode`] when one cannot be encoded.
    pub fn diff<T: GraphEntity>(before: &T, after: &T) -> Result<Self> {
        let (before_type, mut before_fields) = write_fields(before)?;
        let (after_type, after_fields) = write_fields(after)?;
        if strip_hash(&before_type) != strip_hash(&after_type) {
            return Err(Error::Validation(ValidationError {
                problems: vec![ValidationProblem {
                    field: "@odata.type".into(),
                    message: format!(
                        "cannot change the type from {before_type:?} to {after_type:?} in an update"
                    ),
                }],
            }));
        }
        let mut patch = DeviceConfigurationPatch::new(after_type);
        for (key, value) in after_fields {
            match before_fields.remove(&key) {
                Some(old) if old == value => {}
                _ => patch.put(key, value),
            }
        }
        for (key, _) in before_fields {
            patch.put(key, Value::Null);
        }
        Ok(patch)
    }

    /// Sets `property` (its JSON name, e.g. `displayName`) to `value`.
    ///
    /// A value that encodes as JSON `null` (e.g. `None`) is refused: clearing a property
    /// is done with [`set_null`](Self::set_null), so it never happens by accident.
    /// Problems are reported by [`validate`](Self::validate) and by the update call.
    pub fn set(mut self, property: impl Into<String>, value: impl Serialize) -> Self {
        let property = property.into();
        match serde_json::to_value(value) {
            Ok(Value::Null) => self.problems.push(ValidationProblem {
                field: property,
                message: "the value encodes as null; use set_null() to clear a property".into(),
            }),
            Ok(value) => self.put(property, value),
            Err(e) => self.problems.push(ValidationProblem {
                field: property,
                message: format!("the value could not be encoded: {e}"),
            }),
        }
        self
    }

    /// Sets `property` to null (clears it).
    pub fn set_null(mut self, property: impl Into<String>) -> Self {
        self.put(property.into(), Value::Null);
        self
    }

    /// Leaves `property` unchanged (removes it from the body).
    pub fn unset(mut self, property: &str) -> Self {
        self.fields.retain(|(key, _)| key != property);
        self.problems.retain(|p| p.field != property);
        self
    }

    /// What the update does to `property`: `None` = unchanged, `Some(Value::Null)` =
    /// cleared, `Some(value)` = set.
    pub fn get(&self, property: &str) -> Option<&Value> {
        self.fields.iter().find(|(key, _)| key == property).map(|(_, value)| value)
    }

    /// The `@odata.type` sent.
    pub fn odata_type(&self) -> &str {
        &self.odata_type
    }

    /// The properties sent, in the order they were set.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.fields.iter().map(|(key, value)| (key.as_str(), value))
    }

    /// True when no property is set (the body would be only `@odata.type`).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Checks the update: a non-empty `@odata.type`, no read-only property, every value
    /// encodable and no accidental null.
    ///
    /// # Errors
    /// Every problem at once.
    pub fn validate(&self) -> std::result::Result<(), ValidationError> {
        let mut problems = Vec::new();
        if strip_hash(self.odata_type.trim()).is_empty() {
            problems.push(ValidationProblem { field: "@odata.type".into(), message: "is required".into() });
        }
        for (key, _) in &self.fields {
            if let Some(message) = read_only_reason(&self.odata_type, key) {
                problems.push(ValidationProblem { field: key.clone(), message: message.into() });
            }
        }
        problems.extend(self.problems.iter().cloned());
        problems.extend(self.value_problems());
        if problems.is_empty() { Ok(()) } else { Err(ValidationError { problems }) }
    }

    /// The typed models' rules applied to the properties this update sets: each value must
    /// decode as its property's type, and the object of all of them must pass the type's
    /// validation, problems about properties left unchanged aside (a `required` rule does
    /// not apply to what an update leaves alone). An explicit `null` where the service
    /// refuses one is a problem too.
    fn value_problems(&self) -> Vec<ValidationProblem> {
        let mut problems = Vec::new();
        let mut object = Map::new();
        object.insert("@odata.type".into(), Value::String(self.odata_type.clone()));
        for (key, value) in &self.fields {
            if read_only_reason(&self.odata_type, key).is_some() {
                continue;
            }
            // Alone first, so that a value of the wrong type names its property.
            let single = Map::from_iter([
                ("@odata.type".to_owned(), Value::String(self.odata_type.clone())),
                (key.clone(), value.clone()),
            ]);
            match serde_json::from_value::<DeviceConfiguration>(Value::Object(single)) {
                Ok(_) => {
                    object.insert(key.clone(), value.clone());
                }
                Err(e) => problems.push(ValidationProblem {
                    field: key.clone(),
                    message: format!("is not a valid value: {e}"),
                }),
            }
        }
        let Ok(config) = serde_json::from_value::<DeviceConfiguration>(Value::Object(object)) else {
            return problems;
        };
        let set = |field: &str| {
            self.fields.iter().any(|(key, _)| {
                field
                    .strip_prefix(key.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('[') || rest.starts_with('.'))
            })
        };
        if let Err(invalid) = config.validate() {
            problems.extend(invalid.problems.into_iter().filter(|p| set(&p.field)));
        }
        problems
    }

    /// The request body, after [`validate`](Self::validate).
    ///
    /// # Errors
    /// [`Error::Validation`] as `validate`; [`Error::Encode`] should encoding fail.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        self.validate()?;
        serde_json::to_vec(self).map_err(Error::Encode)
    }

    fn put(&mut self, key: String, value: Value) {
        self.problems.retain(|p| p.field != key);
        match self.fields.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => *slot = value,
            None => self.fields.push((key, value)),
        }
    }
}

/// Writes `@odata.type` first, then the properties in order; objects nested in a value
/// lose their annotations and action entries, as in a create body.
impl Serialize for DeviceConfigurationPatch {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.fields.len() + 1))?;
        map.serialize_entry("@odata.type", &self.odata_type)?;
        for (key, value) in &self.fields {
            map.serialize_entry(key, &WriteValue(value))?;
        }
        map.end()
    }
}

/// Why `key` may not be sent in an update of an object of type `odata_type`, if it may not.
fn read_only_reason(odata_type: &str, key: &str) -> Option<&'static str> {
    if key == "@odata.type" {
        Some("is set by DeviceConfigurationPatch::new, not as a property")
    } else if READ_ONLY_PROPERTIES.contains(&key) || schema::is_reference(odata_type, key) {
        Some("is read-only (server-owned or a navigation property) and cannot be updated")
    } else if !extra_key_is_writable(key) {
        Some("is a response annotation and cannot be sent")
    } else {
        None
    }
}

/// The `@odata.type` and the other entries of `object`'s write body.
fn write_fields<T: GraphEntity>(object: &T) -> Result<(String, Map<String, Value>)> {
    let bytes = object.to_write_json().map_err(Error::Encode)?;
    let mut map: Map<String, Value> = serde_json::from_slice(&bytes).map_err(Error::Encode)?;
    let odata_type = match map.remove("@odata.type") {
        Some(Value::String(t)) if !strip_hash(&t).is_empty() => t,
        _ => object.odata_type().to_owned(),
    };
    if strip_hash(&odata_type).is_empty() {
        return Err(Error::Validation(ValidationError {
            problems: vec![ValidationProblem { field: "@odata.type".into(), message: "is required".into() }],
        }));
    }
    Ok((odata_type, map))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::models::{
        DeviceConfiguration, IosScepCertificateProfile, IosTrustedRootCertificate, KeyUsages, Timestamp,
        testing::as_read,
    };

    fn body(patch: &DeviceConfigurationPatch) -> Value {
        serde_json::from_slice(&patch.to_json().unwrap()).unwrap()
    }

    /// The writable properties of [`fetched`]: what a patch made from it sends.
    fn writable() -> Value {
        json!({
            "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
            "roleScopeTagIds": ["0"],
            "displayName": "SCEP",
            "description": null,
            "version": 3,
            "renewalThresholdPercentage": 20,
            "subjectNameFormat": "commonName",
            "certificateValidityPeriodValue": 1,
            "certificateValidityPeriodScale": "years",
            "scepServerUrls": ["https://scep.contoso.com/"],
            "keyUsage": "digitalSignature",
            "keySize": "size2048",
            "futureProperty": "kept"
        })
    }

    /// A SCEP profile as read: the writable properties and the server's.
    fn fetched() -> DeviceConfiguration {
        let mut read = as_read(writable(), "p1", "2024-01-01T00:00:00Z", "2024-01-02T03:04:05.1234567Z");
        read["assignments@odata.context"] = "https://graph.microsoft.com/beta/$metadata#x".into();
        read["assignments"] = json!([]);
        serde_json::from_value(read).unwrap()
    }

    #[test]
    fn three_states_and_the_type() {
        let patch = DeviceConfigurationPatch::new("#microsoft.graph.iosScepCertificateProfile")
            .set("displayName", "New")
            .set_null("description")
            .set("keyUsage", KeyUsages::KEY_ENCIPHERMENT | KeyUsages::DIGITAL_SIGNATURE)
            .set("displayName", "Newer");
        assert_eq!(patch.get("displayName"), Some(&json!("Newer")));
        assert_eq!(patch.get("description"), Some(&Value::Null));
        assert_eq!(patch.get("version"), None);
        assert_eq!(
            String::from_utf8(patch.to_json().unwrap()).unwrap(),
            r##"{"@odata.type":"#microsoft.graph.iosScepCertificateProfile","displayName":"Newer","description":null,"keyUsage":"keyEncipherment,digitalSignature"}"##
        );
        let patch = patch.unset("description");
        assert_eq!(patch.fields().map(|(k, _)| k).collect::<Vec<_>>(), ["displayName", "keyUsage"]);
        assert!(!patch.is_empty());
    }

    #[test]
    fn read_only_keys_and_accidental_nulls_are_refused() {
        let patch = DeviceConfigurationPatch::new("#microsoft.graph.iosScepCertificateProfile")
            .set("id", "x")
            .set("createdDateTime", Timestamp::now())
            .set("lastModifiedDateTime", "2024-01-01T00:00:00Z")
            .set("supportsScopeTags", false)
            .set("assignments", json!([]))
            .set("rootCertificate", json!({}))
            .set("@odata.context", "x")
            .set("@odata.etag", "x")
            .set("@odata.type", "#microsoft.graph.other")
            .set("assignments@odata.navigationLink", "x")
            .set("description", None::<String>);
        let err = patch.validate().unwrap_err();
        for key in [
            "id",
            "createdDateTime",
            "lastModifiedDateTime",
            "supportsScopeTags",
            "assignments",
            "rootCertificate",
            "@odata.context",
            "@odata.etag",
            "@odata.type",
            "assignments@odata.navigationLink",
            "description",
        ] {
            assert!(err.has_problem_with(key), "{key}: {err}");
        }
        assert!(matches!(patch.to_json(), Err(Error::Validation(_))));
        // A bind is writable; fixing a problem by unsetting or setting properly clears it.
        let ok = DeviceConfigurationPatch::new("microsoft.graph.iosScepCertificateProfile")
            .set("rootCertificate@odata.bind", "https://graph.microsoft.com/beta/x")
            .set("description", None::<String>)
            .set_null("description");
        ok.validate().unwrap();
        assert!(DeviceConfigurationPatch::new(" # ").validate().unwrap_err().has_problem_with("@odata.type"));
    }

    #[test]
    fn values_are_checked_like_a_create_and_nulls_where_the_service_refuses_them() {
        let scep = "#microsoft.graph.iosScepCertificateProfile";
        let err = DeviceConfigurationPatch::new(scep)
            .set("renewalThresholdPercentage", 150)
            .set("certificateValidityPeriodValue", 0)
            .set("keySize", "size2048")
            .set("scepServerUrls", json!(["http://insecure.contoso.com/"]))
            .set("version", "three")
            .set_null("keyUsage")
            .set_null("description")
            .validate()
            .unwrap_err();
        let found: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "version: is not a valid value: invalid type: string \"three\", expected i32",
                "keyUsage: cannot be null",
                "renewalThresholdPercentage: must be 1 to 99, is 150",
                "certificateValidityPeriodValue: must be greater than 0, is 0",
                "scepServerUrls[0]: must use https",
                "keyUsage: is required",
            ]
        );
        // Rules about properties the update leaves alone do not apply.
        DeviceConfigurationPatch::new(scep).set("renewalThresholdPercentage", 25).validate().unwrap();
        // Unmodelled types: the base rules.
        let other = DeviceConfigurationPatch::new("#microsoft.graph.windows10GeneralConfiguration")
            .set_null("version")
            .set("displayName", " ")
            .set("passwordRequired", true);
        let found: Vec<String> =
            other.validate().unwrap_err().problems.iter().map(ToString::to_string).collect();
        assert_eq!(found, ["version: cannot be null", "displayName: must not be empty"]);
    }

    #[test]
    fn from_object_copies_only_writable_fields() {
        let config = fetched();
        let patch = DeviceConfigurationPatch::from_object(&config).unwrap();
        assert_eq!(body(&patch), writable());
        // Also for an unmodelled type.
        let other: DeviceConfiguration = serde_json::from_value(json!({
            "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
            "id": "w", "displayName": "W", "passwordRequired": true, "createdDateTime": "2024-01-01T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(
            body(&DeviceConfigurationPatch::from_object(&other).unwrap()),
            json!({"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "displayName": "W", "passwordRequired": true})
        );
    }

    #[test]
    fn diff_sends_only_changes_and_nulls_removed_fields() {
        let before = fetched();
        let mut after = before.clone();
        after.base_mut().display_name = Some("Renamed".into());
        after.base_mut().role_scope_tag_ids = None;
        after.additional_data_mut().remove("futureProperty");
        after.additional_data_mut().insert("newThing".into(), json!(5).into());
        after.base_mut().id = Some("changed ids are never sent".into());
        let patch = DeviceConfigurationPatch::diff(&before, &after).unwrap();
        assert_eq!(
            body(&patch),
            json!({
                "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
                "displayName": "Renamed",
                "newThing": 5,
                "futureProperty": null,
                "roleScopeTagIds": null
            })
        );
        assert!(DeviceConfigurationPatch::diff(&before, &before).unwrap().is_empty());

        let root: DeviceConfiguration = IosTrustedRootCertificate::new("Root", "root.cer", "AAAA").into();
        let err = DeviceConfigurationPatch::diff(&before, &root).unwrap_err();
        assert!(matches!(&err, Error::Validation(v) if v.has_problem_with("@odata.type")), "{err:?}");
    }

    #[test]
    fn typed_models_work_too() {
        let mut profile = IosScepCertificateProfile::default();
        profile.base.display_name = Some("A".into());
        let patch = DeviceConfigurationPatch::for_entity(&profile).set("displayName", "B");
        assert_eq!(patch.odata_type(), IosScepCertificateProfile::ODATA_TYPE);
        let before = profile.clone();
        profile.base.description = Some("d".into());
        assert_eq!(
            body(&DeviceConfigurationPatch::diff(&before, &profile).unwrap()),
            json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "description": "d"})
        );
    }

    #[test]
    fn the_read_only_list_is_what_the_models_mark_in_declaration_order() {
        assert_eq!(
            READ_ONLY_PROPERTIES,
            [
                "id",
                "lastModifiedDateTime",
                "supportsScopeTags",
                "createdDateTime",
                "assignments",
                "deviceSettingStateSummaries",
                "deviceStatuses",
                "deviceStatusOverview",
                "groupAssignments",
                "userStatuses",
                "userStatusOverview",
                "rootCertificate",
                "managedDeviceCertificateStates",
                "rootCertificatesForServerValidation",
                "identityCertificateForClientAuthentication",
                "derivedCredentialSettings",
                "identityCertificate",
                "smimeSigningCertificate",
                "smimeEncryptionCertificate",
            ]
        );
        assert_eq!(
            NAVIGATION_PROPERTIES,
            &READ_ONLY_PROPERTIES[4..],
            "the navigation properties are the read-only ones after the server-set fields"
        );
    }

    /// Every typed model's `@odata.type` and read-only markers, and those of the common
    /// fields (all an unmodelled type has).
    fn read_only_markers() -> Vec<(&'static str, &'static [&'static str])> {
        use crate::models::OtherDeviceConfiguration;
        let other =
            ("#microsoft.graph.windows10GeneralConfiguration", OtherDeviceConfiguration::READ_ONLY_KEYS);
        DeviceConfiguration::TYPED
            .iter()
            .map(|(odata_type, read_only, _)| (*odata_type, *read_only))
            .chain([other])
            .collect()
    }

    #[test]
    fn the_read_only_list_is_the_union_of_every_typed_models_markers() {
        use std::collections::BTreeSet;

        use crate::models::IosPkcsCertificateProfile;
        let typed = read_only_markers();
        assert!(typed.iter().any(|(t, _)| *t == "#microsoft.graph.macOSScepCertificateProfile"));
        let union: BTreeSet<&str> = typed.iter().flat_map(|(_, keys)| keys.iter().copied()).collect();
        assert!(DeviceConfiguration::TYPED.iter().all(|(_, read_only, navigation)| {
            navigation.iter().all(|key| read_only.contains(key) && NAVIGATION_PROPERTIES.contains(key))
        }));
        assert_eq!(union, READ_ONLY_PROPERTIES.iter().copied().collect::<BTreeSet<_>>());
        assert!(IosScepCertificateProfile::READ_ONLY_KEYS.contains(&"rootCertificate"));
        assert!(!IosPkcsCertificateProfile::READ_ONLY_KEYS.contains(&"rootCertificate"));
    }

    /// A value of the read-only property `key` as the service sends it.
    fn read_only_value(key: &str) -> Value {
        match key {
            "id" => json!("x"),
            "createdDateTime" | "lastModifiedDateTime" => json!("2024-01-01T00:00:00Z"),
            "supportsScopeTags" => json!(true),
            // An expanded reference to one, and the settings entity.
            "rootCertificate"
            | "identityCertificateForClientAuthentication"
            | "identityCertificate"
            | "smimeSigningCertificate"
            | "smimeEncryptionCertificate" => {
                json!({"@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "id": "r"})
            }
            "derivedCredentialSettings" => json!({"id": "d", "issuer": "purebred"}),
            _ => json!([]),
        }
    }

    /// Each marker does what the list promises: a type's write body leaves out every
    /// read-only property it models, while a full encoding keeps them.
    #[test]
    fn write_bodies_leave_out_every_marked_property_and_full_encodings_keep_them() {
        for (odata_type, keys) in read_only_markers() {
            let mut object = Map::from_iter([("@odata.type".to_owned(), json!(odata_type))]);
            object.extend(keys.iter().map(|key| (key.to_string(), read_only_value(key))));
            object.insert("displayName".into(), json!("kept"));
            let config: DeviceConfiguration = serde_json::from_value(Value::Object(object.clone())).unwrap();
            assert!(config.additional_data().is_empty(), "{odata_type}: every marked key is a field");
            let write: Value = serde_json::from_slice(&config.to_write_json().unwrap()).unwrap();
            assert_eq!(write, json!({"@odata.type": odata_type, "displayName": "kept"}), "{odata_type}");
            assert_eq!(serde_json::to_value(&config).unwrap(), Value::Object(object), "{odata_type}");
        }
    }
}
