//! The comparable form of an object: what a file holds and what a plan compares.
//!
//! Both sides go through the same steps, so a difference is a real one: decode as the
//! crate's model and re-encode its write body (server-owned fields and annotations go, flag
//! sets come back in schema order), drop [`SERVER_OWNED_PROPERTIES`], links and nulls, write
//! timestamps in one form, sort flag-set members, and take write-only values out.

use chrono::{DateTime, SecondsFormat};
use serde_json::{Map, Value};

use crate::models::{DeviceConfiguration, GraphEntity};

/// Writable in the schema but set by the service on every write (`version` counts
/// updates): never exported, never compared, never sent.
pub const SERVER_OWNED_PROPERTIES: &[&str] = &["version"];

/// Flag-set properties (`a,b,c`): the same set in any order is the same value, so members
/// are sorted.
const FLAG_PROPERTIES: &[&str] = &["keyUsage", "subjectAlternativeNameType"];

/// Whether a property holds a value the service never returns (passwords, pre-shared keys,
/// secrets): such values cannot be exported, so they are reported as not restorable instead
/// of being applied blank.
pub fn is_write_only_property(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["password", "presharedkey", "passphrase", "secret"].iter().any(|word| name.contains(word))
}

/// An object in comparable form.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Normalized {
    /// The write body, normalised.
    pub(crate) object: Map<String, Value>,
    /// Write-only properties taken out (sorted).
    pub(crate) not_restorable: Vec<String>,
    /// Whether the crate models the object's type.
    pub(crate) modelled: bool,
}

/// `object` (as read from the service or a file) in comparable form.
pub(crate) fn normalize(object: &Value) -> Result<Normalized, String> {
    let config: DeviceConfiguration = serde_json::from_value(object.clone()).map_err(|e| e.to_string())?;
    normalize_config(&config)
}

/// [`normalize`] of an already decoded object.
pub(crate) fn normalize_config(config: &DeviceConfiguration) -> Result<Normalized, String> {
    let modelled = !matches!(config, DeviceConfiguration::Other(_));
    let body = config.to_write_json().map_err(|e| e.to_string())?;
    let Value::Object(mut map) = serde_json::from_slice(&body).map_err(|e| e.to_string())? else {
        return Err("the write body is not a JSON object".into());
    };
    map.retain(|key, _| !SERVER_OWNED_PROPERTIES.contains(&key.as_str()) && !key.contains("@odata.bind"));
    let mut not_restorable: Vec<String> =
        map.keys().filter(|key| is_write_only_property(key)).cloned().collect();
    not_restorable.sort();
    map.retain(|key, _| !is_write_only_property(key));
    for flags in FLAG_PROPERTIES {
        if let Some(Value::String(members)) = map.get_mut(*flags) {
            let mut sorted: Vec<&str> = members.split(',').map(str::trim).collect();
            sorted.sort_unstable();
            *members = sorted.join(",");
        }
    }
    let Value::Object(object) = clean(Value::Object(map)) else { unreachable!("an object stays an object") };
    Ok(Normalized { object, not_restorable, modelled })
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
    fn server_fields_links_and_nulls_go_and_flag_order_is_the_schemas() {
        let read = json!({
            "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
            "@odata.context": "https://graph.microsoft.com/beta/$metadata#x",
            "id": "1", "version": 7, "createdDateTime": "2026-11-26T13:00:00Z",
            "displayName": "SCEP", "description": null,
            "keyUsage": "keyEncipherment,digitalSignature",
            "rootCertificate@odata.bind": "https://x/deviceConfigurations('r')"
        });
        let written = json!({
            "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
            "displayName": "SCEP",
            "keyUsage": "digitalSignature,keyEncipherment"
        });
        let a = normalize(&read).unwrap();
        assert_eq!(Value::Object(a.object.clone()), written);
        assert!(a.modelled);
        assert_eq!(a, normalize(&written).unwrap());
    }

    #[test]
    fn timestamps_compare_by_instant() {
        assert_eq!(
            clean(json!({"t": "2026-11-26T14:00:00.1230000+01:00", "s": "not a time"})),
            json!({"t": "2026-11-26T13:00:00.123Z", "s": "not a time"})
        );
    }

    #[test]
    fn write_only_values_are_taken_out_and_named() {
        let wifi = json!({
            "@odata.type": "#microsoft.graph.iosWiFiConfiguration",
            "displayName": "Wi-Fi", "ssid": "corp", "preSharedKey": null, "networkName": "corp"
        });
        let n = normalize(&wifi).unwrap();
        assert!(!n.modelled);
        assert_eq!(n.not_restorable, ["preSharedKey"]);
        assert!(!n.object.contains_key("preSharedKey"));
        assert_eq!(n.object["ssid"], "corp");
        assert!(is_write_only_property("clientSecret") && !is_write_only_property("ssid"));
    }
}
