//! The comparable form of an object: what a file holds and what a plan compares.
//!
//! Both sides go through the same steps, so a difference is a real one: decode as the
//! crate's model and re-encode its write body (server-owned fields and annotations go, flag
//! sets come back in the schema's order, which is the service's), drop
//! [`SERVER_OWNED_PROPERTIES`], references and binds (they travel apart, by name), nulls, and
//! write timestamps in one form. What the service fills in by default (an assignment's
//! `intent: "apply"`, `source: "direct"`, filter type `none`, …) is dropped from assignments,
//! so a hand-written file converges with what the service answers.
//!
//! Secrets (the schema's reviewed list, [`schema::secret_properties`]) are never taken from
//! the service: it answers `null` or a placeholder for them.

use chrono::{DateTime, SecondsFormat};
use serde_json::{Map, Value};

use crate::models::{
    AssignmentFilterType, AssignmentSource, DeviceConfigAssignmentIntent, DeviceConfiguration,
    DeviceConfigurationAssignment, GraphEntity, schema,
};

/// Writable in the schema but set by the service on every write (`version` counts
/// updates): never exported, never compared, never sent.
pub const SERVER_OWNED_PROPERTIES: &[&str] = &["version"];

/// The assignment target's filter properties.
pub(crate) const FILTER_ID: &str = "deviceAndAppManagementAssignmentFilterId";
const FILTER_TYPE: &str = "deviceAndAppManagementAssignmentFilterType";

/// Where an object comes from, which decides what of it is believed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Read from the service: secrets are placeholders or null, never taken.
    Service,
    /// Written by a person: a secret they wrote is kept (sent on create, never compared).
    File,
}

/// An object in comparable form.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Normalized {
    /// The write body, normalised.
    pub(crate) object: Map<String, Value>,
    /// The type's secrets that the object does not hold (the service never returns them).
    pub(crate) not_restorable: Vec<String>,
    /// Whether the crate models the object's type.
    pub(crate) modelled: bool,
}

/// `object` (as read from the service or a file) in comparable form.
pub(crate) fn normalize(object: &Value, origin: Origin) -> Result<Normalized, String> {
    let config: DeviceConfiguration = serde_json::from_value(object.clone()).map_err(|e| e.to_string())?;
    normalize_config(&config, origin)
}

/// [`normalize`] of an already decoded object.
pub(crate) fn normalize_config(config: &DeviceConfiguration, origin: Origin) -> Result<Normalized, String> {
    let modelled = !matches!(config, DeviceConfiguration::Other(_));
    let odata_type = config.odata_type().to_owned();
    let body = config.to_write_json().map_err(|e| e.to_string())?;
    let Value::Object(mut map) = serde_json::from_slice(&body).map_err(|e| e.to_string())? else {
        return Err("the write body is not a JSON object".into());
    };
    let references: Vec<&str> = schema::references(&odata_type).map(|r| r.navigation).collect();
    map.retain(|key, _| {
        !SERVER_OWNED_PROPERTIES.contains(&key.as_str())
            && !key.contains("@odata.bind")
            && !references.contains(&key.as_str())
    });
    if origin == Origin::Service {
        for secret in schema::secret_properties(&odata_type) {
            map.remove(secret);
        }
    }
    let Value::Object(object) = clean(Value::Object(map)) else { unreachable!("an object stays an object") };
    let not_restorable = schema::secret_properties(&odata_type)
        .filter(|secret| !object.contains_key(*secret))
        .map(str::to_owned)
        .collect();
    Ok(Normalized { object, not_restorable, modelled })
}

/// An assignment in comparable form: its write form without what the service fills in by
/// default (the assignment's own `@odata.type`, `intent: "apply"`, `source: "direct"`, a null
/// `sourceId`, the target's filter type `none` when it names no filter), nulls dropped.
pub(crate) fn assignment_form(assignment: Map<String, Value>) -> Map<String, Value> {
    let Value::Object(mut map) = clean(Value::Object(assignment)) else {
        unreachable!("an object stays an object")
    };
    map.remove("id");
    drop_if(&mut map, "@odata.type", DeviceConfigurationAssignment::ODATA_TYPE);
    drop_if(&mut map, "intent", DeviceConfigAssignmentIntent::Apply.as_str());
    drop_if(&mut map, "source", AssignmentSource::Direct.as_str());
    if let Some(Value::Object(target)) = map.get_mut("target")
        && !target.contains_key(FILTER_ID)
    {
        drop_if(target, FILTER_TYPE, AssignmentFilterType::None.as_str());
    }
    map
}

/// The strings of a JSON array: none for a missing value or one that is not an array, and
/// items that are not strings are passed over.
pub(crate) fn strings_of(value: Option<&Value>) -> impl Iterator<Item = &str> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
}

fn drop_if(map: &mut Map<String, Value>, key: &str, default: &str) {
    if map.get(key).and_then(Value::as_str) == Some(default) {
        map.remove(key);
    }
}

/// Nulls inside objects dropped (absent and null mean the same to a plan), RFC 3339
/// timestamps written one way.
pub(crate) fn clean(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, clean(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(clean).collect()),
        Value::String(text) => Value::String(canonical_timestamp(&text).unwrap_or(text)),
        other => other,
    }
}

/// `2026-11-26T13:00:00.1230000Z`, `2026-11-26T14:00:00.123+01:00` → `2026-11-26T13:00:00.123Z`.
fn canonical_timestamp(text: &str) -> Option<String> {
    if text.len() < 20 || text.as_bytes()[10] != b'T' {
        return None;
    }
    let parsed = DateTime::parse_from_rfc3339(text).ok()?;
    Some(parsed.to_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn server_fields_links_and_nulls_go_and_flag_order_is_the_services() {
        let read = json!({
            "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
            "@odata.context": "https://graph.microsoft.com/beta/$metadata#x",
            "id": "1", "version": 7, "createdDateTime": "2026-11-26T13:00:00Z",
            "displayName": "SCEP", "description": null, "hashAlgorithm": null,
            "keyUsage": "digitalSignature,keyEncipherment",
            "rootCertificate@odata.bind": "https://x/deviceConfigurations('r')"
        });
        let written = json!({
            "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
            "displayName": "SCEP",
            "keyUsage": "keyEncipherment,digitalSignature"
        });
        let a = normalize(&read, Origin::Service).unwrap();
        assert_eq!(Value::Object(a.object.clone()), written);
        assert!(a.modelled && a.not_restorable.is_empty());
        assert_eq!(a, normalize(&written, Origin::File).unwrap());
    }

    #[test]
    fn timestamps_compare_by_instant() {
        assert_eq!(
            clean(json!({"t": "2026-11-26T14:00:00.1230000+01:00", "s": "not a time"})),
            json!({"t": "2026-11-26T13:00:00.123Z", "s": "not a time"})
        );
    }

    #[test]
    fn only_the_schemas_secrets_are_withheld_and_password_settings_are_kept() {
        let wifi = json!({
            "@odata.type": "#microsoft.graph.iosEnterpriseWiFiConfiguration",
            "displayName": "Wi-Fi", "ssid": "corp", "preSharedKey": "placeholder",
            "passwordFormatString": "{{password}}",
            "identityCertificateForClientAuthentication": {"id": "x"}
        });
        let n = normalize(&wifi, Origin::Service).unwrap();
        assert_eq!(n.not_restorable, ["preSharedKey"]);
        assert_eq!(
            Value::Object(n.object),
            json!({"@odata.type": "#microsoft.graph.iosEnterpriseWiFiConfiguration",
                "displayName": "Wi-Fi", "ssid": "corp", "passwordFormatString": "{{password}}"})
        );
        // A secret a person wrote into a file is theirs to send.
        let n = normalize(&wifi, Origin::File).unwrap();
        assert_eq!(n.object["preSharedKey"], "placeholder");
        assert!(n.not_restorable.is_empty());

        let baseline = json!({
            "@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "displayName": "Baseline",
            "passwordRequired": true, "passwordMinimumLength": 12, "passwordBlockSimple": true
        });
        let n = normalize(&baseline, Origin::Service).unwrap();
        assert!(n.not_restorable.is_empty());
        assert_eq!(n.object["passwordMinimumLength"], 12);
        assert_eq!(n.object["passwordRequired"], true);
        assert_eq!(n.object["passwordBlockSimple"], true);
    }

    #[test]
    fn what_the_service_fills_into_an_assignment_by_default_is_not_a_difference() {
        let answered = json!({
            "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
            "id": "c_g", "intent": "apply", "source": "direct", "sourceId": null,
            "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g",
                "deviceAndAppManagementAssignmentFilterId": null,
                "deviceAndAppManagementAssignmentFilterType": "none"}
        });
        let written =
            json!({"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g"}});
        let form = |v: Value| Value::Object(assignment_form(v.as_object().unwrap().clone()));
        assert_eq!(form(answered), form(written.clone()));
        assert_eq!(form(written.clone()), written);
        let filtered = json!({"intent": "required", "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget",
            "groupId": "g", "deviceAndAppManagementAssignmentFilterId": "f",
            "deviceAndAppManagementAssignmentFilterType": "include"}});
        assert_eq!(form(filtered.clone()), filtered, "what is not a default is kept");
    }
}
