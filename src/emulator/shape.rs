//! What the live service's answers look like, per type: a read of a type the crate models
//! carries every property of the type (`null` when unset), flag sets come back in the
//! service's bit order, and secrets are stored but answered `null`.
//!
//! Property lists come from the typed models (`DeviceConfiguration::TYPED_PROPERTIES`) and
//! secrets from [`crate::models::schema::secret_properties`]; objects of other types are
//! answered as stored.

use serde_json::{Map, Value};

use super::errors::ApiError;
use crate::models::{DeviceConfiguration, schema};

/// How an object of one type is answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Every property of a modelled type, in the model's order (the common ones first);
    /// empty for types the crate does not model.
    pub(crate) properties: &'static [&'static str],
    /// Properties answered `null` whatever is stored.
    pub(crate) secrets: Vec<&'static str>,
}

impl Shape {
    /// The shape of objects of `odata_type`.
    pub(crate) fn of(odata_type: &str) -> Self {
        Self { properties: typed_properties(odata_type).unwrap_or_default(), secrets: secrets(odata_type) }
    }

    /// Whether `key` is answered `null` whatever is stored.
    pub(crate) fn is_secret(&self, key: &str) -> bool {
        self.secrets.contains(&key)
    }
}

fn secrets(odata_type: &str) -> Vec<&'static str> {
    if odata_type.is_empty() {
        return Vec::new();
    }
    schema::secret_properties(odata_type).collect()
}

/// The properties of a modelled type, `None` for other types.
fn typed_properties(odata_type: &str) -> Option<&'static [&'static str]> {
    let short = schema::short_type(odata_type);
    DeviceConfiguration::TYPED_PROPERTIES
        .iter()
        .find(|(ty, _)| schema::short_type(ty).eq_ignore_ascii_case(short))
        .map(|(_, properties)| *properties)
}

/// An object of a modelled type decoded into its model and written back, as the service
/// stores it: flag sets in bit order, values of the wrong JSON type refused (400). Objects
/// of other types are returned as they are.
pub(crate) fn canonical(obj: Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let odata_type = obj.get("@odata.type").and_then(Value::as_str).unwrap_or_default();
    if typed_properties(odata_type).is_none() {
        return Ok(obj);
    }
    let text =
        serde_json::to_vec(&obj).map_err(|e| ApiError::bad(format!("The object cannot be written: {e}.")))?;
    let mut reader = serde_json::Deserializer::from_slice(&text);
    let model: DeviceConfiguration = serde_path_to_error::deserialize(&mut reader)
        .map_err(|e| ApiError::bad(format!("The value of '{}' is not valid: {}.", e.path(), e.inner())))?;
    match serde_json::to_value(&model) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) | Err(_) => Err(ApiError::bad("The object cannot be written back.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("object"),
        }
    }

    #[test]
    fn typed_types_list_every_property_and_others_none() {
        let scep = Shape::of("#microsoft.graph.iosScepCertificateProfile");
        for key in [
            "id",
            "roleScopeTagIds",
            "deviceManagementApplicabilityRuleOsEdition",
            "subjectAlternativeNameType",
            "keyUsage",
            "customSubjectAlternativeNames",
        ] {
            assert!(scep.properties.contains(&key), "{key}");
        }
        assert!(
            !scep.properties.iter().any(|k| *k == "rootCertificate" || *k == "assignments"),
            "navigation"
        );
        assert_eq!(scep.properties.first(), Some(&"id"), "the common properties first");
        assert!(
            Shape::of("#microsoft.graph.macOSScepCertificateProfile").properties.contains(&"hashAlgorithm")
        );
        assert_eq!(Shape::of("#microsoft.graph.windows10GeneralConfiguration").properties, &[] as &[&str]);
        assert_eq!(Shape::of("").properties, &[] as &[&str]);
    }

    #[test]
    fn secrets_come_from_the_schema() {
        let wifi = Shape::of("#microsoft.graph.iosEnterpriseWiFiConfiguration");
        assert!(wifi.is_secret("preSharedKey"));
        assert!(!wifi.is_secret("ssid"));
        assert!(Shape::of("#microsoft.graph.iosScepCertificateProfile").secrets.is_empty());
    }

    #[test]
    fn flag_sets_are_rewritten_in_bit_order_and_unmodelled_types_kept() {
        let scep = map(json!({
            "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
            "displayName": "x",
            "keyUsage": "digitalSignature, keyEncipherment",
            "futureProperty": {"a": 1},
        }));
        let out = canonical(scep).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(out["keyUsage"], "keyEncipherment,digitalSignature");
        assert_eq!(out["futureProperty"], json!({"a": 1}));
        let other = map(json!({"@odata.type": "#microsoft.graph.x", "keyUsage": "b, a"}));
        assert_eq!(canonical(other.clone()).ok(), Some(other));
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused_naming_it() {
        let bad = map(json!({
            "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
            "displayName": "x",
            "scepServerUrls": "https://one.example",
        }));
        let err = format!("{:?}", canonical(bad).unwrap_err());
        assert!(err.contains("'scepServerUrls'"), "{err}");
    }
}
