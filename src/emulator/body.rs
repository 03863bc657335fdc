//! Request bodies: JSON parsing, `@odata.*` annotations, read-only fields and
//! property validation shared by create and update.

use serde_json::{Map, Value};

use super::errors::ApiError;
use super::percent;
use super::references;
use super::types;
use crate::models::READ_ONLY_PROPERTIES;

/// Parses a request body that must be a JSON object.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad("The request body is empty; a JSON object is required."));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad("The request body must be a JSON object.")),
        Err(e) => Err(ApiError::bad(format!("The request body is not valid JSON: {e}."))),
    }
}

/// A create or update body with annotations and ignored fields taken out.
#[derive(Debug)]
pub(crate) struct Cleaned {
    /// `@odata.type`, normalised to `#microsoft.graph.X`.
    pub(crate) odata_type: Option<String>,
    /// The `{navigation}@odata.bind` entries: the navigation as written and the value,
    /// checked later against the object's type (see `references::resolve_binds`).
    pub(crate) binds: Vec<(String, Value)>,
    /// The remaining (writable) properties.
    pub(crate) props: Map<String, Value>,
}

/// Splits annotations and ignored fields out of a body.
pub(crate) fn clean(obj: Map<String, Value>) -> Result<Cleaned, ApiError> {
    check_request_entries(&obj)?;
    let mut out = Cleaned { odata_type: None, binds: Vec::new(), props: Map::new() };
    for (key, value) in obj {
        if key.eq_ignore_ascii_case("@odata.type") {
            let Value::String(raw) = &value else {
                return Err(ApiError::bad("'@odata.type' must be a string."));
            };
            let Some(ty) = types::normalize(raw) else {
                return Err(ApiError::bad(format!(
                    "'{raw}' is not a valid '@odata.type'; expected \
                     '#microsoft.graph.<typeName>'."
                )));
            };
            out.odata_type = Some(ty);
        } else if key.starts_with('@') {
            // Instance annotations (`@odata.context`, `@odata.etag`, ...).
        } else if let Some((prop, annotation)) = key.split_once('@') {
            if annotation.eq_ignore_ascii_case("odata.bind") {
                out.binds.push((prop.to_owned(), value));
            }
            // Other property annotations, such as `x@odata.type`, are dropped.
        } else if READ_ONLY_PROPERTIES.contains(&key.as_str()) || references::named(&key).is_some() {
            // Server-owned or navigation: ignored, as the service does.
        } else {
            out.props.insert(key, value);
        }
    }
    Ok(out)
}

/// Refuses what Graph's OData request reader refuses, at any depth: an advertised
/// operation (`"#microsoft.graph.assign": {…}`), which only responses carry, and a
/// property annotation (`x@odata.type`) of a property the object does not hold.
fn check_request_entries(obj: &Map<String, Value>) -> Result<(), ApiError> {
    for (key, value) in obj {
        if key.starts_with('#') {
            return Err(ApiError::bad(format!(
                "The operation '{key}' was found in a request payload; operations are only \
                 allowed in responses."
            )));
        }
        if let Some((prop, annotation)) = key.split_once('@') {
            let bind = annotation.eq_ignore_ascii_case("odata.bind");
            if !prop.is_empty() && !bind && !obj.contains_key(prop) {
                return Err(ApiError::bad(format!(
                    "The annotation '{annotation}' was found for the property '{prop}', which \
                     has no value in the request payload."
                )));
            }
        }
        check_nested_entries(value)?;
    }
    Ok(())
}

/// [`check_request_entries`] on the objects inside `value`.
fn check_nested_entries(value: &Value) -> Result<(), ApiError> {
    match value {
        Value::Object(obj) => check_request_entries(obj),
        Value::Array(items) => items.iter().try_for_each(check_nested_entries),
        _ => Ok(()),
    }
}

/// The id referenced by an `@odata.id` / `@odata.bind` URL ending in
/// `deviceConfigurations/{id}` or `deviceConfigurations('{id}')`.
pub(crate) fn bind_target(url: &str) -> Option<String> {
    const SET: &str = "deviceconfigurations";
    let s = url.trim().trim_end_matches('/');
    let idx = s.to_ascii_lowercase().rfind(SET)?;
    let rest = s.get(idx + SET.len()..)?;
    let raw = if let Some(r) = rest.strip_prefix('/') {
        r.to_owned()
    } else {
        let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
        let inner = percent::decode(inner);
        let inner = inner.trim();
        inner.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')).unwrap_or(inner).to_owned()
    };
    let id = percent::decode(&raw);
    let valid = !id.is_empty()
        && !id.chars().any(|c| matches!(c, '/' | '(' | ')' | '?' | '#' | '\'') || c.is_whitespace());
    valid.then_some(id)
}

/// `displayName`: a non-blank string (required on create, optional on update).
pub(crate) fn check_display_name(props: &Map<String, Value>, required: bool) -> Result<(), ApiError> {
    match props.get("displayName") {
        None if !required => Ok(()),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(()),
        None => Err(ApiError::bad("'displayName' is required.")),
        Some(_) => Err(ApiError::bad("'displayName' must be a non-empty string.")),
    }
}

/// `version`: an Int32 when present.
pub(crate) fn check_version(props: &Map<String, Value>) -> Result<(), ApiError> {
    match props.get("version") {
        None => Ok(()),
        Some(Value::Number(n)) if n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()) => Ok(()),
        Some(_) => Err(ApiError::bad("'version' must be a 32-bit integer.")),
    }
}

/// Properties the service refuses `null` for (non-nullable in the schema).
const NOT_NULL: &[&str] = &[
    "displayName",
    "version",
    "renewalThresholdPercentage",
    "certificateValidityPeriodValue",
    "certificateValidityPeriodScale",
    "subjectNameFormat",
    "keySize",
    "keyUsage",
    "trustedRootCertificate",
    "certificationAuthority",
    "certificationAuthorityName",
    "certificateTemplateName",
];

/// The value rules of create and update alike: no `null` where the schema refuses it,
/// and the certificate profiles' ranges (renewal threshold 1–99 %, validity above 0).
pub(crate) fn check_values(props: &Map<String, Value>) -> Result<(), ApiError> {
    if let Some(key) = NOT_NULL.iter().find(|key| props.get(**key).is_some_and(Value::is_null)) {
        return Err(ApiError::bad(format!("'{key}' cannot be null.")));
    }
    let int = |key: &str| props.get(key).map(Value::as_i64);
    match int("renewalThresholdPercentage") {
        Some(Some(1..=99)) | None => {}
        Some(_) => {
            return Err(ApiError::bad("'renewalThresholdPercentage' must be an integer from 1 to 99."));
        }
    }
    match int("certificateValidityPeriodValue") {
        Some(Some(1..=i64::MAX)) | None => Ok(()),
        Some(_) => Err(ApiError::bad("'certificateValidityPeriodValue' must be an integer greater than 0.")),
    }
}

/// `roleScopeTagIds`: null or an array of strings when present.
pub(crate) fn check_scope_tags(props: &Map<String, Value>) -> Result<(), ApiError> {
    match props.get("roleScopeTagIds") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => Ok(()),
        Some(_) => Err(ApiError::bad("'roleScopeTagIds' must be an array of strings.")),
    }
}

/// `trustedRootCertificate` (Edm.Binary, not nullable): a base64 string.
pub(crate) fn check_trusted_root(props: &Map<String, Value>, required: bool) -> Result<(), ApiError> {
    match props.get("trustedRootCertificate") {
        None if !required => Ok(()),
        Some(Value::String(s)) if is_base64(s) => Ok(()),
        None => Err(ApiError::bad("'trustedRootCertificate' is required for a trusted root certificate.")),
        Some(_) => Err(ApiError::bad("'trustedRootCertificate' must be a base64-encoded string.")),
    }
}

/// Standard or URL-safe base64, padded or not, non-empty.
pub(crate) fn is_base64(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    let padding = s.len() - body.len();
    if body.is_empty() || padding > 2 || body.len() % 4 == 1 {
        return false;
    }
    if padding > 0 && s.len() % 4 != 0 {
        return false;
    }
    let standard = body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    let url_safe = body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    standard || url_safe
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bind_urls() {
        let id = Some("abc-1".to_owned());
        assert_eq!(
            bind_target("https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations/abc-1"),
            id
        );
        assert_eq!(bind_target("deviceManagement/deviceConfigurations('abc-1')"), id);
        assert_eq!(bind_target("x/deviceConfigurations(abc-1)/"), id);
        assert_eq!(bind_target("x/DeviceConfigurations(%27abc-1%27)"), id);
        for not_a_bind in
            ["x/deviceConfigurations", "x/deviceConfigurations/a/b", "x/deviceConfigurations('')", "ééé"]
        {
            assert_eq!(bind_target(not_a_bind), None, "{not_a_bind}");
        }
    }

    #[test]
    fn value_rules() {
        let props = |v: Value| match v {
            Value::Object(map) => map,
            _ => panic!("object"),
        };
        let refused = |v: Value| format!("{:?}", check_values(&props(v)).unwrap_err());
        assert!(
            check_values(&props(
                json!({"renewalThresholdPercentage": 99, "certificateValidityPeriodValue": 1})
            ))
            .is_ok()
        );
        assert!(check_values(&props(json!({"description": null}))).is_ok());
        assert!(refused(json!({"renewalThresholdPercentage": 150})).contains("from 1 to 99"));
        assert!(refused(json!({"renewalThresholdPercentage": 0})).contains("from 1 to 99"));
        assert!(refused(json!({"renewalThresholdPercentage": "20"})).contains("from 1 to 99"));
        assert!(refused(json!({"certificateValidityPeriodValue": 0})).contains("greater than 0"));
        assert!(refused(json!({"version": null})).contains("'version' cannot be null"));
        assert!(refused(json!({"keyUsage": null})).contains("'keyUsage' cannot be null"));
    }

    #[test]
    fn base64() {
        assert!(is_base64("TUlJQw=="));
        assert!(is_base64("TUlJQw"));
        assert!(is_base64("ab+/"));
        assert!(is_base64("ab-_"));
        assert!(!is_base64(""));
        assert!(!is_base64("===="));
        assert!(!is_base64("a"));
        assert!(!is_base64("TUlJQw="));
        assert!(!is_base64("not base64!"));
    }

    #[test]
    fn cleaning() {
        let Value::Object(obj) = json!({
            "@odata.type": "microsoft.graph.iosScepCertificateProfile",
            "@odata.context": "x",
            "id": "client-id",
            "supportsScopeTags": false,
            "createdDateTime": "x",
            "version": 3,
            "roleScopeTagIds@odata.type": "#Collection(String)",
            "roleScopeTagIds": ["0"],
            "rootCertificate@odata.bind": "deviceConfigurations('r1')",
            "assignments": [],
            "displayName": "n",
        }) else {
            panic!("object");
        };
        let c = clean(obj).map_err(|e| format!("{e:?}"));
        let Ok(c) = c else { panic!("clean failed") };
        assert_eq!(c.odata_type.as_deref(), Some(types::IOS_SCEP));
        assert_eq!(c.binds, [("rootCertificate".to_owned(), json!("deviceConfigurations('r1')"))]);
        let keys: Vec<&str> = c.props.keys().map(String::as_str).collect();
        assert_eq!(keys, ["displayName", "roleScopeTagIds", "version"]);
    }

    fn refusal(body: Value) -> String {
        let Value::Object(obj) = body else { panic!("object") };
        match clean(obj) {
            Err(e) => format!("{e:?}"),
            Ok(c) => panic!("accepted: {c:?}"),
        }
    }

    #[test]
    fn operations_and_annotations_of_absent_properties_are_refused() {
        let ty = "#microsoft.graph.iosScepCertificateProfile";
        let err = refusal(
            json!({"@odata.type": ty, "displayName": "n", "#microsoft.graph.assign": {"title": "assign"}}),
        );
        assert!(
            err.contains("'#microsoft.graph.assign'") && err.contains("only allowed in responses"),
            "{err}"
        );
        let err = refusal(
            json!({"@odata.type": ty, "displayName": "n", "createdDateTime@odata.type": "#DateTimeOffset"}),
        );
        assert!(err.contains("'createdDateTime'") && err.contains("has no value"), "{err}");
        // Nested objects, inside arrays too.
        let err = refusal(json!({"@odata.type": ty, "displayName": "n",
            "extendedKeyUsages": [{"name": "a", "objectIdentifier@odata.type": "#String"}]}));
        assert!(err.contains("'objectIdentifier'"), "{err}");
        let err = refusal(json!({"@odata.type": ty, "displayName": "n",
            "future": {"inner": {"#microsoft.graph.reset": {}}}}));
        assert!(err.contains("'#microsoft.graph.reset'"), "{err}");
    }
}
