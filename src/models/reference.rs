//! References between device configurations in create bodies: a model binds another,
//! created configuration by id (`{navigation}@odata.bind`, see [`schema::references`]).
//!
//! A model does not know the Graph base URL its client sends to, so a bind is recorded
//! relative to it (`deviceManagement/deviceConfigurations('ID')`); [`resolve_binds`] makes
//! such values absolute when the request is built, where the base URL is known.

use std::{borrow::Cow, fmt};

use serde::de::{self, Deserializer as _, MapAccess};
use serde_json::value::RawValue;
use url::Url;

use super::{
    AdditionalData, DeviceConfigurationBase, GraphEntity, RawJson, ValidationError,
    object::Key,
    schema::{self, Reference},
};

/// The suffix of a bind property: `rootCertificate@odata.bind`.
const BIND_SUFFIX: &str = "@odata.bind";

/// A device configuration model (typed or not): its common fields, its unmodelled
/// properties, and the references it binds to other configurations.
///
/// Implemented by [`DeviceConfiguration`](super::DeviceConfiguration) and every model it
/// holds; a builder's reference methods take any of them as the target.
pub trait ConfigurationObject: GraphEntity {
    /// The common `deviceConfiguration` fields.
    fn base(&self) -> &DeviceConfigurationBase;

    /// The common `deviceConfiguration` fields, mutably.
    fn base_mut(&mut self) -> &mut DeviceConfigurationBase;

    /// The properties the model does not hold in fields, `{navigation}@odata.bind` included.
    fn additional_data(&self) -> &AdditionalData;

    /// The unmodelled properties, mutably.
    fn additional_data_mut(&mut self) -> &mut AdditionalData;

    /// Binds the reference `navigation` (e.g. `identityCertificateForClientAuthentication`)
    /// to `target`, a configuration the service created: its id is written as
    /// `{navigation}@odata.bind` relative to the Graph base URL
    /// (`deviceManagement/deviceConfigurations('ID')`, see [`resolve_binds`]). A reference
    /// to many (`rootCertificatesForServerValidation`) gets `target` added to its list.
    ///
    /// # Errors
    /// A problem naming `navigation` when this type has no such reference, when `target`
    /// has no id (it was not created yet), or when its type is not one the reference
    /// accepts; nothing is changed then.
    fn bind_reference(
        &mut self,
        navigation: &str,
        target: &impl ConfigurationObject,
    ) -> Result<(), ValidationError> {
        let (reference, id) = checked_reference(self.odata_type(), navigation, target)
            .map_err(|message| ValidationError::one(navigation, message))?;
        add_bind(self.additional_data_mut(), reference, &relative_reference(id));
        Ok(())
    }
}

/// The reference `navigation` of `odata_type` and the id of `target` when `target` may be
/// bound to it, or why not.
fn checked_reference<'t, C: ConfigurationObject>(
    odata_type: &str,
    navigation: &str,
    target: &'t C,
) -> Result<(&'static Reference, &'t str), String> {
    let Some(reference) = schema::reference(odata_type, navigation) else {
        return Err(format!("is not a reference of {}", schema::short_type(odata_type)));
    };
    let target_type = schema::short_type(target.odata_type());
    let Some(id) = target.base().id.as_deref().filter(|id| !id.trim().is_empty()) else {
        return Err(format!("needs a created {target_type} (the object given has no id)"));
    };
    if !reference.accepts(target_type) {
        return Err(format!("must be a {} (or a type derived from it), not {target_type}", reference.target));
    }
    Ok((reference, id))
}

/// Records `value` for `reference` in `additional`: the bind value of a reference to one,
/// an element of the bind list of a reference to many (once).
fn add_bind(additional: &mut AdditionalData, reference: &Reference, value: &str) {
    let key = reference.bind_property();
    if !reference.many {
        additional.insert(key, RawJson::from(value));
        return;
    }
    // What is bound already: a list, or one URL a caller put there.
    let mut list: Vec<String> = match additional.get(&key) {
        Some(bound) => bound.parse().or_else(|_| bound.parse().map(|one| vec![one])).unwrap_or_default(),
        None => Vec::new(),
    };
    if !list.iter().any(|bound| bound == value) {
        list.push(value.to_owned());
    }
    additional.insert(key, RawJson::from(serde_json::Value::from(list)));
}

/// `deviceManagement/deviceConfigurations('ID')`: the OData key syntax (a quote doubled),
/// with what a URL path cannot hold percent-encoded.
fn relative_reference(id: &str) -> String {
    let mut out = String::from("deviceManagement/deviceConfigurations('");
    for byte in id.bytes() {
        match byte {
            b'\'' => out.push_str("''"),
            b if b.is_ascii_alphanumeric() || b"-._~!$&()*+,;=:@".contains(&b) => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.push_str("')");
    out
}

/// Whether `additional` binds the reference `navigation`: a `{navigation}@odata.bind` that
/// is not null (nor an empty list).
pub(crate) fn is_bound(additional: &AdditionalData, navigation: &str) -> bool {
    additional.iter().any(|(key, value)| {
        key.strip_suffix(BIND_SUFFIX) == Some(navigation) && !value.is_null() && value.as_str() != "[]"
    })
}

/// How many targets `additional` binds to the reference `navigation`.
pub(crate) fn bound_count(additional: &AdditionalData, navigation: &str) -> usize {
    additional.iter().find(|(key, _)| key.strip_suffix(BIND_SUFFIX) == Some(navigation)).map_or(
        0,
        |(_, value)| match value.parse::<Vec<de::IgnoredAny>>() {
            Ok(list) => list.len(),
            Err(_) => usize::from(!value.is_null()),
        },
    )
}

/// Makes the relative `{navigation}@odata.bind` values of a write body absolute against
/// `base` (the Graph base URL, e.g. `https://graph.microsoft.com/beta`), as the service
/// needs them. Absolute values, every other property and the order of properties are kept
/// byte for byte.
///
/// Cheap when the body binds nothing (no `@odata.bind` key): the body is returned as it
/// came, after one scan for `@`.
///
/// # Errors
/// When a body that binds something is not a JSON object.
pub fn resolve_binds(body: Vec<u8>, base: &Url) -> Result<Vec<u8>, serde_json::Error> {
    if !mentions_bind(&body) {
        return Ok(body);
    }
    let entries = read_entries(&body)?;
    let base = directory(base);
    let mut out = Vec::with_capacity(body.len() + 64);
    out.push(b'{');
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, key.as_ref())?;
        out.push(b':');
        match key.ends_with(BIND_SUFFIX).then(|| resolved(value.get(), &base)).flatten() {
            Some(resolved) => out.extend_from_slice(resolved.as_bytes()),
            None => out.extend_from_slice(value.get().as_bytes()),
        }
    }
    out.push(b'}');
    Ok(out)
}

/// Whether `body` has a key ending in `@odata.bind` (or a string that does: then the slow
/// path finds nothing to change).
fn mentions_bind(body: &[u8]) -> bool {
    const NEEDLE: &[u8] = b"@odata.bind\"";
    let mut rest = body;
    while let Some(at) = rest.iter().position(|&b| b == b'@') {
        rest = &rest[at..];
        if rest.starts_with(NEEDLE) {
            return true;
        }
        rest = &rest[1..];
    }
    false
}

/// The top-level entries of a JSON object, in order, values as their text.
fn read_entries(body: &[u8]) -> Result<Vec<(Cow<'_, str>, &RawValue)>, serde_json::Error> {
    struct Entries;
    impl<'de> de::Visitor<'de> for Entries {
        type Value = Vec<(Cow<'de, str>, &'de RawValue)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut entries = Vec::new();
            while let Some(key) = map.next_key::<Key<'de>>()? {
                entries.push((key.0, map.next_value()?));
            }
            Ok(entries)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let entries = (&mut de).deserialize_map(Entries)?;
    de.end()?;
    Ok(entries)
}

/// `base` with a path ending in `/`, so that a relative reference is joined below it
/// instead of replacing its last segment (`…/beta` + `x` is `…/beta/x`, not `…/x`).
fn directory(base: &Url) -> Url {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base
}

/// The bind value `text` (a URL or a list of them) with relative URLs made absolute, or
/// `None` when it has none (kept as it is then).
fn resolved(text: &str, base: &Url) -> Option<String> {
    let absolute = |reference: &str| match Url::parse(reference) {
        Ok(_) => None,
        Err(_) => base.join(reference).ok().map(String::from),
    };
    if let Ok(reference) = serde_json::from_str::<String>(text) {
        return absolute(&reference).map(|url| serde_json::Value::from(url).to_string());
    }
    let list: Vec<String> = serde_json::from_str(text).ok()?;
    let mut changed = false;
    let list: Vec<String> = list
        .into_iter()
        .map(|reference| match absolute(&reference) {
            Some(url) => {
                changed = true;
                url
            }
            None => reference,
        })
        .collect();
    changed.then(|| serde_json::Value::from(list).to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::models::{
        DeviceConfiguration, IosPkcsCertificateProfile, IosScepCertificateProfile, IosTrustedRootCertificate,
        MacOsTrustedRootCertificate,
    };

    fn created<T: ConfigurationObject>(mut object: T, id: &str) -> T {
        object.base_mut().id = Some(id.into());
        object
    }

    fn base() -> Url {
        Url::parse("https://graph.microsoft.com/beta").unwrap()
    }

    #[test]
    fn a_bind_is_relative_and_escapes_what_a_path_cannot_hold() {
        assert_eq!(relative_reference("6f0c-11"), "deviceManagement/deviceConfigurations('6f0c-11')");
        assert_eq!(
            relative_reference("o'k /?#%é"),
            "deviceManagement/deviceConfigurations('o''k%20%2F%3F%23%25%C3%A9')"
        );
    }

    #[test]
    fn binding_checks_the_reference_the_id_and_the_target_type() {
        let root = created(IosTrustedRootCertificate::new("Root", "root.cer", "AAAA"), "r1");
        let mut scep = IosScepCertificateProfile::default();
        scep.bind_reference("rootCertificate", &root).unwrap();
        assert_eq!(
            scep.additional_data.value("rootCertificate@odata.bind"),
            Some(json!("deviceManagement/deviceConfigurations('r1')"))
        );
        assert!(is_bound(&scep.additional_data, "rootCertificate"));
        assert_eq!(bound_count(&scep.additional_data, "rootCertificate"), 1);

        let problem = |result: Result<(), ValidationError>| result.unwrap_err().problems[0].to_string();
        let uncreated = IosTrustedRootCertificate::new("Root", "root.cer", "AAAA");
        assert_eq!(
            problem(scep.bind_reference("rootCertificate", &uncreated)),
            "rootCertificate: needs a created iosTrustedRootCertificate (the object given has no id)"
        );
        let mac_root = created(MacOsTrustedRootCertificate::default(), "m1");
        assert_eq!(
            problem(scep.bind_reference("rootCertificate", &mac_root)),
            "rootCertificate: must be a iosTrustedRootCertificate (or a type derived from it), not macOSTrustedRootCertificate"
        );
        let mut pkcs = IosPkcsCertificateProfile::default();
        assert_eq!(
            problem(pkcs.bind_reference("rootCertificate", &root)),
            "rootCertificate: is not a reference of iosPkcsCertificateProfile"
        );
        assert!(pkcs.additional_data.is_empty(), "a refused bind changes nothing");
        // The polymorphic enum binds and is bound alike.
        let mut config = DeviceConfiguration::from(IosScepCertificateProfile::default());
        config.bind_reference("rootCertificate", &DeviceConfiguration::from(root)).unwrap();
        assert!(is_bound(config.additional_data(), "rootCertificate"));
    }

    #[test]
    fn a_reference_to_many_collects_each_target_once() {
        let mut additional = AdditionalData::new();
        let many = schema::reference("iosEnterpriseWiFiConfiguration", "rootCertificatesForServerValidation")
            .unwrap();
        for id in ["a", "b", "a"] {
            add_bind(&mut additional, many, &relative_reference(id));
        }
        assert_eq!(
            additional.value("rootCertificatesForServerValidation@odata.bind"),
            Some(json!([
                "deviceManagement/deviceConfigurations('a')",
                "deviceManagement/deviceConfigurations('b')"
            ]))
        );
        assert_eq!(bound_count(&additional, "rootCertificatesForServerValidation"), 2);
        assert_eq!(bound_count(&additional, "identityCertificateForClientAuthentication"), 0);
        additional.insert("identityCertificateForClientAuthentication@odata.bind".into(), RawJson::null());
        assert!(!is_bound(&additional, "identityCertificateForClientAuthentication"));
    }

    #[test]
    fn resolving_makes_relative_binds_absolute_and_keeps_everything_else() {
        let body = br##"{"@odata.type":"#microsoft.graph.iosEnterpriseWiFiConfiguration","n":1.50,"identityCertificateForClientAuthentication@odata.bind":"deviceManagement/deviceConfigurations('s1')","rootCertificatesForServerValidation@odata.bind":["deviceManagement/deviceConfigurations('r1')","https://other.example/beta/deviceManagement/deviceConfigurations('r2')"],"k\"ey":"v"}"##;
        let resolved = resolve_binds(body.to_vec(), &base()).unwrap();
        assert_eq!(
            String::from_utf8(resolved).unwrap(),
            r##"{"@odata.type":"#microsoft.graph.iosEnterpriseWiFiConfiguration","n":1.50,"identityCertificateForClientAuthentication@odata.bind":"https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('s1')","rootCertificatesForServerValidation@odata.bind":["https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('r1')","https://other.example/beta/deviceManagement/deviceConfigurations('r2')"],"k\"ey":"v"}"##
        );
        // A base with a trailing slash, or on a loopback emulator, is the same directory.
        let loopback = Url::parse("http://127.0.0.1:8080/beta/").unwrap();
        let one = br#"{"rootCertificate@odata.bind":"deviceManagement/deviceConfigurations('r%2F1')"}"#;
        let resolved: Value =
            serde_json::from_slice(&resolve_binds(one.to_vec(), &loopback).unwrap()).unwrap();
        assert_eq!(
            resolved,
            json!({"rootCertificate@odata.bind": "http://127.0.0.1:8080/beta/deviceManagement/deviceConfigurations('r%2F1')"})
        );
    }

    #[test]
    fn a_body_without_binds_is_returned_as_it_came() {
        for body in [&br#"{"@odata.type":"x","mail":"a@b","odata.bind":1}"#[..], b"not json @ all", b""] {
            let pointer = body.to_vec();
            let before = pointer.as_ptr();
            let after = resolve_binds(pointer, &base()).unwrap();
            assert_eq!((after.as_ptr(), after.as_slice()), (before, body));
        }
        // A body that binds something must be an object.
        assert!(resolve_binds(br#"["x@odata.bind"]"#.to_vec(), &base()).is_err());
        // Values that are not URLs are left for the service to refuse.
        let odd = br#"{"x@odata.bind":5,"y@odata.bind":[1]}"#;
        assert_eq!(resolve_binds(odd.to_vec(), &base()).unwrap(), odd.to_vec());
    }
}
