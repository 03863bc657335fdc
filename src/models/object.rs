//! The machinery behind every Graph object model: decoding without buffering, lossless
//! re-encoding, and write bodies that leave out what the server owns.
//!
//! Serde's `#[serde(flatten)]` and internally tagged enums buffer the whole object into
//! an intermediate map before decoding it, which roughly halves decode speed. The models
//! instead decode straight from the map: each known key goes to its typed field, each
//! unknown key (and each explicit `null`) into `additional_data`. The macros in
//! `macros.rs` generate that code for every model.

use std::{borrow::Cow, fmt, marker::PhantomData};

use serde::{
    Deserialize, Deserializer,
    de::{self, DeserializeOwned, MapAccess, value::MapDeserializer},
    ser::SerializeMap,
};
use serde_json::{Map, Value};

/// Which fields an encoding includes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteMode {
    /// Everything that was read, for a lossless re-encoding.
    Full,
    /// A create or update body: `@odata.type` and the writable fields only; no server-owned
    /// fields, no navigation properties, no response annotations.
    Write,
}

/// Is `key` (a property this crate does not model) allowed in a write body?
///
/// Response-only OData annotations (`@odata.context`, `@odata.etag`,
/// `x@odata.navigationLink`, …) are dropped; `@odata.type` and `x@odata.bind` are kept.
pub(crate) fn extra_key_is_writable(key: &str) -> bool {
    match key.find('@') {
        None => true,
        Some(0) => key == "@odata.type",
        Some(at) => matches!(&key[at..], "@odata.bind" | "@odata.type"),
    }
}

/// Whether a model field is known and set, as seen by the lossless encoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldState {
    /// Not one of the model's fields.
    Unknown,
    /// A field with a value: the typed value wins over anything kept in `additional_data`.
    Set,
    /// A field without a value; `read_only` says whether writes must leave it out.
    Unset { read_only: bool },
}

/// A group of fields shared through inheritance (e.g. the `deviceConfiguration` base).
/// Groups hold no `additional_data` of their own; the enclosing object keeps it.
pub(crate) trait Fields {
    /// Decodes `key` if it is one of this group's fields. Explicit nulls are recorded in
    /// `nulls` so they can be written back. Returns `false` (value not consumed) otherwise.
    fn decode_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        nulls: &mut Map<String, Value>,
    ) -> Result<bool, A::Error>;

    /// Writes this group's set fields allowed in `mode`.
    fn encode_fields<M: SerializeMap>(&self, map: &mut M, mode: WriteMode) -> Result<(), M::Error>;

    /// Known and set, known and unset, or unknown.
    fn field_state(&self, key: &str) -> FieldState;
}

/// A whole Graph object: an entity or complex type with its `additional_data`.
pub(crate) trait Object: Default {
    /// Decodes one entry of the object's JSON map.
    fn decode_entry<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;

    /// Called once all entries are decoded: drops the `null`s recorded for fields that a
    /// later entry of the same key set after all (see [`decode_nullable`]).
    fn drop_overwritten_nulls(&mut self);

    /// Writes the object's entries allowed in `mode` (without opening or closing the map).
    fn encode_entries<M: SerializeMap>(&self, map: &mut M, mode: WriteMode) -> Result<(), M::Error>;
}

/// Reads one value, recording an explicit `null` under `key` in `nulls`.
///
/// A value after a `null` of the same key (a duplicate key) leaves the recorded `null` in
/// place; [`Object::drop_overwritten_nulls`] removes it once the object is complete. That
/// costs one pass over the object's `additional_data` instead of a map lookup per field.
pub(crate) fn decode_nullable<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    key: &str,
    map: &mut A,
    nulls: &mut Map<String, Value>,
) -> Result<Option<T>, A::Error> {
    let value: Option<T> = map.next_value()?;
    if value.is_none() {
        nulls.insert(key.to_owned(), Value::Null);
    }
    Ok(value)
}

/// Removes the `null`s of `additional` whose key is a field that is set: a later entry of
/// the same key gave it a value. Only known fields are ever set; the `null`s of unknown
/// keys stay.
pub(crate) fn drop_overwritten_nulls(
    additional: &mut Map<String, Value>,
    state: impl Fn(&str) -> FieldState,
) {
    if additional.values().any(Value::is_null) {
        additional.retain(|key, value| !(value.is_null() && state(key) == FieldState::Set));
    }
}

/// Decodes the remaining entries of `map` into a fresh `T`.
pub(crate) fn decode_rest<'de, T: Object, A: MapAccess<'de>>(mut map: A) -> Result<T, A::Error> {
    let mut object = T::default();
    while let Some(key) = map.next_key::<Key<'de>>()? {
        object.decode_entry(&key.0, &mut map)?;
    }
    object.drop_overwritten_nulls();
    Ok(object)
}

/// Decodes entries that were read before the object's type was known (held as values),
/// then the rest of `map`. Entries from `map` keep their JSON path in errors; the held ones
/// name their key in the message.
pub(crate) fn decode_rest_after<'de, T: Object, A: MapAccess<'de>>(
    held: Map<String, Value>,
    mut map: A,
) -> Result<T, A::Error> {
    let mut object = T::default();
    for (key, value) in held {
        let mut entry = MapDeserializer::new(std::iter::once((key.as_str(), value)));
        let decoded =
            entry.next_key::<de::IgnoredAny>().and_then(|_| object.decode_entry::<_>(&key, &mut entry));
        decoded.map_err(|e: serde_json::Error| de::Error::custom(format_args!("{key}: {e}")))?;
    }
    while let Some(key) = map.next_key::<Key<'de>>()? {
        object.decode_entry(&key.0, &mut map)?;
    }
    object.drop_overwritten_nulls();
    Ok(object)
}

/// Deserializes any [`Object`] from a JSON map.
pub(crate) fn deserialize_object<'de, T: Object, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    struct ObjectVisitor<T>(PhantomData<T>);
    impl<'de, T: Object> de::Visitor<'de> for ObjectVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            decode_rest(map)
        }
    }
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// Writes `additional_data` entries that are not shadowed by a set typed field and are
/// allowed in `mode` (`@odata.type` excepted: the object writes it first).
pub(crate) fn encode_additional<M: SerializeMap>(
    map: &mut M,
    mode: WriteMode,
    additional: &Map<String, Value>,
    state: impl Fn(&str) -> FieldState,
) -> Result<(), M::Error> {
    for (key, value) in additional {
        // Written first by the object itself.
        if key == "@odata.type" {
            continue;
        }
        if mode == WriteMode::Write && !extra_key_is_writable(key) {
            continue;
        }
        match state(key) {
            FieldState::Set => continue,
            FieldState::Unset { read_only: true } if mode == WriteMode::Write => continue,
            _ => {}
        }
        map.serialize_entry(key, value)?;
    }
    Ok(())
}

/// An object key, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// `#microsoft.graph.x` and `microsoft.graph.x` name the same type.
pub(crate) fn strip_hash(odata_type: &str) -> &str {
    odata_type.strip_prefix('#').unwrap_or(odata_type)
}

/// Reads `@odata.type` for a model with a fixed type, refusing another type.
pub(crate) fn check_odata_type<'de, A: MapAccess<'de>>(map: &mut A, expected: &str) -> Result<(), A::Error> {
    let found: Key<'de> = map.next_value()?;
    if strip_hash(&found.0) == strip_hash(expected) {
        Ok(())
    } else {
        Err(de::Error::custom(format_args!("@odata.type is {:?}, expected {:?}", found.0, expected)))
    }
}

/// A model of a Graph entity that can be created, read and written back.
///
/// Implemented by every entity model in [`crate::models`]; the client's `create` accepts
/// any of them.
pub trait GraphEntity: serde::Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The `@odata.type` written in create bodies, e.g. `#microsoft.graph.iosScepCertificateProfile`.
    fn odata_type(&self) -> &str;

    /// Checks the object before it is sent; every problem is reported at once.
    fn validate(&self) -> Result<(), crate::models::ValidationError>;

    /// Encodes the object for a create or update body (writable fields only).
    fn to_write_json(&self) -> Result<Vec<u8>, serde_json::Error>;
}

/// Adapts an [`Object`] for `serde::Serialize` in a given [`WriteMode`].
pub(crate) struct Encoded<'a, T>(pub(crate) &'a T, pub(crate) WriteMode);

impl<T: Object> serde::Serialize for Encoded<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.0.encode_entries(&mut map, self.1)?;
        map.end()
    }
}

/// Encodes `object` as a create/update body.
pub(crate) fn write_json<T: Object>(object: &T) -> Result<Vec<u8>, serde_json::Error> {
    // Sized for a typical profile body (up to 1 KiB), so the buffer is not grown 3 times
    // from serde_json's default 128 bytes.
    let mut body = Vec::with_capacity(WRITE_BODY_CAPACITY);
    serde_json::to_writer(&mut body, &Encoded(object, WriteMode::Write))?;
    Ok(body)
}

/// The initial capacity of a write body.
const WRITE_BODY_CAPACITY: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_filter_keeps_type_and_bind_only() {
        assert!(extra_key_is_writable("assignmentStatus"));
        assert!(extra_key_is_writable("@odata.type"));
        assert!(extra_key_is_writable("rootCertificate@odata.bind"));
        assert!(!extra_key_is_writable("@odata.context"));
        assert!(!extra_key_is_writable("@odata.etag"));
        assert!(!extra_key_is_writable("@microsoft.graph.tips"));
        assert!(!extra_key_is_writable("assignments@odata.context"));
        assert!(!extra_key_is_writable("rootCertificate@odata.navigationLink"));
    }

    #[test]
    fn the_last_of_duplicate_keys_wins_for_nulls_too() {
        use crate::models::{DeviceConfiguration, IosScepCertificateProfile, KeySize};
        let body = r#"{"description":null,"displayName":"a","description":"x","keySize":"size2048","keySize":null,"futureThing":null}"#;
        let profile: IosScepCertificateProfile = serde_json::from_str(body).unwrap();
        assert_eq!(profile.base.description.as_deref(), Some("x"));
        assert!(!profile.additional_data.contains_key("description"));
        assert_eq!(profile.key_size, None);
        assert_eq!(profile.additional_data.get("keySize"), Some(&Value::Null));
        assert_eq!(profile.additional_data.get("futureThing"), Some(&Value::Null));
        assert_eq!(profile.additional_data.len(), 2);
        // The same with entries held back until `@odata.type` is known.
        let body = r##"{"description":null,"keySize":"size2048","@odata.type":"#microsoft.graph.iosScepCertificateProfile","description":"x","keySize":null}"##;
        let DeviceConfiguration::IosScepCertificate(profile) = serde_json::from_str(body).unwrap() else {
            panic!("not a SCEP profile")
        };
        assert_eq!(profile.base.description.as_deref(), Some("x"));
        assert_eq!(profile.key_size, None::<KeySize>);
        assert_eq!(profile.additional_data.keys().collect::<Vec<_>>(), ["keySize"]);
    }
}
