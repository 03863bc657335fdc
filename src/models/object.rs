//! The machinery behind every Graph object model: decoding without buffering, lossless
//! re-encoding, and write bodies that leave out what the server owns.
//!
//! Serde's `#[serde(flatten)]` and internally tagged enums buffer the whole object into
//! an intermediate map before decoding it, which roughly halves decode speed. The models
//! instead decode straight from the map: each known key goes to its typed field (an
//! explicit `null` sets the field's bit in [`NullFields`]), each unknown key into
//! `additional_data`. The macros in `macros.rs` generate that code for every model.

use std::{borrow::Cow, cell::Cell, fmt, marker::PhantomData};

use serde::{
    Deserialize, Deserializer,
    de::{self, DeserializeOwned, MapAccess},
    ser::SerializeMap,
};
use serde_json::Value;

use super::{
    AdditionalData, RawJson,
    entries::{EntrySink, JsonObject, SerdeMap},
    raw::WriteRaw,
    schema,
};

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
/// Graph's request reader takes `@odata.type` and `x@odata.bind` only: every other
/// annotation (`@odata.context`, `x@odata.type`, `@microsoft.graph.tips`, instance
/// annotations of any namespace) and every advertised action (`#microsoft.graph.assign`)
/// is refused there, so a write body leaves them out.
pub(crate) fn extra_key_is_writable(key: &str) -> bool {
    if key.starts_with('#') {
        return false;
    }
    match key.find('@') {
        None => true,
        Some(0) => key == "@odata.type",
        Some(at) => &key[at..] == "@odata.bind",
    }
}

/// A JSON value as a write body carries it: objects nested at any depth (in arrays too)
/// lose the entries [`extra_key_is_writable`] refuses.
pub(crate) struct WriteValue<'a>(pub(crate) &'a Value);

impl serde::Serialize for WriteValue<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(entries) => {
                let mut map = serializer.serialize_map(None)?;
                for (key, value) in entries.iter().filter(|(key, _)| extra_key_is_writable(key)) {
                    map.serialize_entry(key, &WriteValue(value))?;
                }
                map.end()
            }
            Value::Array(items) => serializer.collect_seq(items.iter().map(WriteValue)),
            scalar => scalar.serialize(serializer),
        }
    }
}

thread_local! {
    /// The mode of the encoding in progress on this thread. A typed nested object (an
    /// extended key usage inside a profile) is written through plain `Serialize`, which
    /// cannot be handed a mode; it reads this instead, so a write body filters it too.
    static ENCODING_MODE: Cell<WriteMode> = const { Cell::new(WriteMode::Full) };
}

/// The mode nested objects are written in: that of the enclosing encoding, `Full` outside one.
pub(crate) fn encoding_mode() -> WriteMode {
    ENCODING_MODE.with(Cell::get)
}

/// Runs `encode` with [`encoding_mode`] set to `mode`, restoring the previous mode after
/// (also when `encode` fails or panics).
fn with_encoding_mode<R>(mode: WriteMode, encode: impl FnOnce() -> R) -> R {
    struct Restore(WriteMode);
    impl Drop for Restore {
        fn drop(&mut self) {
            ENCODING_MODE.with(|current| current.set(self.0));
        }
    }
    let _restore = Restore(ENCODING_MODE.with(|current| current.replace(mode)));
    encode()
}

/// Whether a model field is known and set, as seen by the lossless encoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldState {
    /// Not one of the model's fields.
    Unknown,
    /// A field with a value, or an explicit null the model writes itself: it wins over
    /// anything kept in `additional_data` under the same key.
    Set,
    /// A field without a value; `read_only` says whether writes must leave it out.
    Unset { read_only: bool },
}

/// Which of a model's own fields were read as an explicit JSON `null`.
///
/// Graph writes `"description": null` for a property without a value; a re-encoding of
/// what was read writes those nulls back (and an update body sends the nulls of writable
/// fields). A field given a value later is written with its value: the null only counts
/// while the field is `None` (see the models' `is_explicit_null`).
///
/// Kept as one bit per field of the struct that holds it, not as map entries, so reading a
/// null costs no allocation. `WORDS` 64-bit words hold the bits: one (the default) for a
/// struct of up to 64 fields; the models size it from their field count, so a large type
/// costs one more word per 64 fields, still inline.
/// [`clear`](Self::clear) forgets them (nothing is written for unset fields then).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct NullFields<const WORDS: usize = 1>([u64; WORDS]);

impl<const WORDS: usize> Default for NullFields<WORDS> {
    fn default() -> Self {
        NullFields::new()
    }
}

impl<const WORDS: usize> NullFields<WORDS> {
    /// How many fields a set of this size can track.
    pub const CAPACITY: usize = WORDS * 64;

    /// No explicit nulls.
    pub const fn new() -> Self {
        NullFields([0; WORDS])
    }

    /// True when no field was read as null.
    pub const fn is_empty(&self) -> bool {
        let mut i = 0;
        while i < WORDS {
            if self.0[i] != 0 {
                return false;
            }
            i += 1;
        }
        true
    }

    /// Forgets every recorded null.
    pub fn clear(&mut self) {
        self.0 = [0; WORDS];
    }

    /// How many fields were read as null.
    pub const fn len(&self) -> usize {
        let (mut i, mut n) = (0, 0);
        while i < WORDS {
            n += self.0[i].count_ones() as usize;
            i += 1;
        }
        n
    }

    #[inline]
    pub(crate) const fn contains(&self, bit: u32) -> bool {
        self.0[(bit / 64) as usize] & (1 << (bit % 64)) != 0
    }

    /// Records a read value: a null sets the field's bit, a value clears it (the last of
    /// duplicate keys wins, as for every other field).
    #[inline]
    pub(crate) fn record(&mut self, bit: u32, is_null: bool) {
        let (word, mask) = (&mut self.0[(bit / 64) as usize], 1u64 << (bit % 64));
        if is_null {
            *word |= mask;
        } else {
            *word &= !mask;
        }
    }
}

impl<const WORDS: usize> fmt::Debug for NullFields<WORDS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Field positions (in declaration order); the models' `is_explicit_null` takes names.
        f.debug_set().entries((0..Self::CAPACITY as u32).filter(|bit| self.contains(*bit))).finish()
    }
}

/// How many 64-bit words the [`NullFields`] of a struct with `fields` fields needs (at
/// least one, so a struct without fields of its own keeps the default type).
pub(crate) const fn null_words(fields: usize) -> usize {
    if fields <= 64 { 1 } else { fields.div_ceil(64) }
}

/// The position of `name` in `names`: the bit of a field in its struct's [`NullFields`].
/// Evaluated at compile time (`const { … }`), so a name not in the list fails the build.
pub(crate) const fn bit_of(names: &[&str], name: &str) -> u32 {
    let mut i = 0;
    while i < names.len() {
        if const_str_eq(names[i], name) {
            return i as u32;
        }
        i += 1;
    }
    panic!("not a field of this struct")
}

/// How many distinct names [`marked_names`] returns for the same input.
pub(crate) const fn marked_len(groups: &[&[&str]], fields: &[(&str, bool)]) -> usize {
    // Compile-time scratch space: far more names than any Graph type marks.
    let mut scratch = [""; 1024];
    let mut seen = 0;
    walk_marked(groups, fields, &mut scratch, &mut seen);
    assert!(seen <= 1024, "more than 1024 marked names");
    seen
}

/// The names in `groups` then the `fields` marked `true`, each once, in that order: a
/// model's read-only or navigation properties, computed at compile time from its field
/// markers and those of its groups. `N` is [`marked_len`] of the same input.
pub(crate) const fn marked_names<const N: usize>(
    groups: &[&[&'static str]],
    fields: &[(&'static str, bool)],
) -> [&'static str; N] {
    let mut names = [""; N];
    let mut seen = 0;
    walk_marked(groups, fields, &mut names, &mut seen);
    assert!(seen == N, "marked_names needs marked_len of the same input");
    names
}

/// Adds the distinct names of `groups` and marked `fields` to `out[..*seen]`.
const fn walk_marked<'a>(
    groups: &[&[&'a str]],
    fields: &[(&'a str, bool)],
    out: &mut [&'a str],
    seen: &mut usize,
) {
    let mut g = 0;
    while g < groups.len() {
        let mut i = 0;
        while i < groups[g].len() {
            add_distinct(groups[g][i], out, seen);
            i += 1;
        }
        g += 1;
    }
    let mut i = 0;
    while i < fields.len() {
        if fields[i].1 {
            add_distinct(fields[i].0, out, seen);
        }
        i += 1;
    }
}

const fn add_distinct<'a>(name: &'a str, out: &mut [&'a str], seen: &mut usize) {
    let mut i = 0;
    while i < *seen && i < out.len() {
        if const_str_eq(out[i], name) {
            return;
        }
        i += 1;
    }
    if *seen < out.len() {
        out[*seen] = name;
    }
    *seen += 1;
}

pub(crate) const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A group of fields shared through inheritance (e.g. the `deviceConfiguration` base).
/// Groups hold no `additional_data` of their own; the enclosing object keeps it.
pub(crate) trait Fields {
    /// Decodes `key` if it is one of this group's fields (an explicit null is recorded in
    /// the group's [`NullFields`]). Returns `false` (value not consumed) otherwise.
    fn decode_field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error>;

    /// Writes this group's set fields allowed in `mode`.
    fn encode_fields<S: EntrySink>(&self, sink: &mut S, mode: WriteMode) -> Result<(), S::Error>;

    /// Known and set, known and unset, or unknown.
    fn field_state(&self, key: &str) -> FieldState;
}

/// A whole Graph object: an entity or complex type with its `additional_data`.
pub(crate) trait Object: Default {
    /// Decodes one entry of the object's JSON map.
    fn decode_entry<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;

    /// Completes an object after its last entry was decoded.
    fn finish_decode(&mut self);

    /// Writes the object's entries allowed in `mode` (without opening or closing the map).
    fn encode_entries<S: EntrySink>(&self, sink: &mut S, mode: WriteMode) -> Result<(), S::Error>;
}

/// Reads one field's value, recording in `nulls` whether it was an explicit `null`.
///
/// Always inlined: `bit` is a constant at every call, so the word index and mask fold away
/// (out of line, each field type got its own copy with a bounds check, and a page decode ran
/// into instruction-cache misses).
#[inline(always)]
pub(crate) fn decode_nullable<'de, T: Deserialize<'de>, A: MapAccess<'de>, const WORDS: usize>(
    map: &mut A,
    nulls: &mut NullFields<WORDS>,
    bit: u32,
) -> Result<Option<T>, A::Error> {
    let value: Option<T> = map.next_value()?;
    nulls.record(bit, value.is_none());
    Ok(value)
}

/// Decodes the remaining entries of `map` into a fresh `T`.
pub(crate) fn decode_rest<'de, T: Object, A: MapAccess<'de>>(mut map: A) -> Result<T, A::Error> {
    let mut object = T::default();
    while let Some(key) = map.next_key::<Key<'de>>()? {
        object.decode_entry(&key.0, &mut map)?;
    }
    object.finish_decode();
    Ok(object)
}

/// Entries of a polymorphic object read before its `@odata.type`, kept as raw text.
pub(crate) type Held = Vec<(String, RawJson)>;

/// The one way a polymorphic object (a device configuration, an assignment target) is
/// read: entries are held as raw text until `@odata.type` is found, then `dispatch` gets
/// the type (`None` when the object has none: the caller keeps such an object as its
/// unmodelled variant), the held entries and the rest of the map. Graph writes
/// `@odata.type` first, so usually nothing is held and the object decodes straight from
/// the input.
pub(crate) fn decode_polymorphic<'de, A: MapAccess<'de>, R>(
    mut map: A,
    dispatch: impl FnOnce(Option<&str>, Held, A) -> Result<R, A::Error>,
) -> Result<R, A::Error> {
    let mut held = Held::new();
    while let Some(key) = map.next_key::<Key<'de>>()? {
        if key.0 == "@odata.type" {
            let odata_type: Option<Key<'de>> = map.next_value()?;
            return dispatch(odata_type.as_ref().map(|t| t.0.as_ref()), held, map);
        }
        held.push((key.0.into_owned(), map.next_value()?));
    }
    dispatch(None, held, map)
}

/// Decodes entries that were read before the object's type was known (held as raw
/// text), then the rest of `map`. Entries from `map` keep their JSON path in errors; the
/// held ones name their key in the message.
pub(crate) fn decode_rest_after<'de, T: Object, A: MapAccess<'de>>(
    held: Held,
    mut map: A,
) -> Result<T, A::Error> {
    let mut object = T::default();
    for (key, value) in held {
        decode_held_entry(&mut object, &key, &value)
            .map_err(|e| de::Error::custom(format_args!("{key}: {e}")))?;
    }
    while let Some(key) = map.next_key::<Key<'de>>()? {
        object.decode_entry(&key.0, &mut map)?;
    }
    object.finish_decode();
    Ok(object)
}

/// Decodes one held entry into `object`, through the same code as an entry read in place.
fn decode_held_entry<T: Object>(object: &mut T, key: &str, value: &RawJson) -> Result<(), serde_json::Error> {
    struct Entry<'a, T>(&'a mut T);
    impl<'de, T: Object> de::Visitor<'de> for Entry<'_, T> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<Key<'de>>()? {
                self.0.decode_entry(&key.0, &mut map)?;
            }
            Ok(())
        }
    }
    let text = format!("{{{}:{}}}", serde_json::to_string(key)?, value.as_str());
    let mut de = serde_json::Deserializer::from_str(&text);
    de::Deserializer::deserialize_map(&mut de, Entry(object))?;
    de.end()
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
///
/// A write body also leaves out every reference of the schema's table that an object of
/// its type has: `odata_type` (the type of the model or its `@odata.type` field), else the
/// `@odata.type` kept in `additional`. An expanded navigation read back from the service is
/// not a value the service accepts, whether or not the type is modelled; a reference is
/// written as `{navigation}@odata.bind`, which stays.
pub(crate) fn encode_additional<S: EntrySink>(
    sink: &mut S,
    mode: WriteMode,
    additional: &AdditionalData,
    odata_type: Option<&str>,
    state: impl Fn(&str) -> FieldState,
) -> Result<(), S::Error> {
    // The type is looked up only for a property named like some reference (rare).
    let is_reference = |key: &str| {
        schema::may_be_reference(key)
            && odata_type
                .or_else(|| additional.get("@odata.type").and_then(RawJson::as_plain_str))
                .is_some_and(|t| schema::is_reference(t, key))
    };
    for (key, value) in additional.iter() {
        // Written first by the object itself.
        if key == "@odata.type" {
            continue;
        }
        if mode == WriteMode::Write && (!extra_key_is_writable(key) || is_reference(key)) {
            continue;
        }
        match state(key) {
            // The model writes the field (its value or its explicit null) itself.
            FieldState::Set => continue,
            FieldState::Unset { read_only: true } if mode == WriteMode::Write => continue,
            _ => {}
        }
        match mode {
            WriteMode::Full => sink.wire_entry(key, value)?,
            WriteMode::Write => sink.wire_entry(key, &WriteRaw(value.as_raw_value()))?,
        }
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
#[inline] // so that stripping a constant type name folds away in the dispatch
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
        with_encoding_mode(self.1, || self.0.encode_entries(&mut SerdeMap(&mut map), self.1))?;
        map.end()
    }
}

/// Encodes `object` as a create/update body.
pub(crate) fn write_json<T: Object>(object: &T) -> Result<Vec<u8>, serde_json::Error> {
    // Sized for a typical profile body (up to 1 KiB), so the buffer is not grown 3 times
    // from serde_json's default 128 bytes.
    let mut body = Vec::with_capacity(WRITE_BODY_CAPACITY);
    with_encoding_mode(WriteMode::Write, || {
        JsonObject::write(&mut body, |entries| object.encode_entries(entries, WriteMode::Write))
    })?;
    Ok(body)
}

/// The initial capacity of a write body.
const WRITE_BODY_CAPACITY: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_filter_keeps_type_and_bind_only() {
        for kept in ["assignmentStatus", "@odata.type", "rootCertificate@odata.bind"] {
            assert!(extra_key_is_writable(kept), "{kept}");
        }
        for dropped in [
            "@odata.context",
            "@odata.etag",
            "@microsoft.graph.tips",
            "assignments@odata.context",
            "rootCertificate@odata.navigationLink",
            "createdDateTime@odata.type",
            "roleScopeTagIds@odata.type",
            "@odata.id",
            "@odata.editLink",
            "displayName@contoso.backup.source",
            "@contoso.exportedBy",
            "#microsoft.graph.assign",
            "#microsoft.graph.getOmaSettingPlainTextValue",
        ] {
            assert!(!extra_key_is_writable(dropped), "{dropped}");
        }
    }

    #[test]
    fn the_last_of_duplicate_keys_wins_for_nulls_too() {
        use crate::models::{DeviceConfiguration, IosScepCertificateProfile, KeySize};
        let body = r#"{"description":null,"displayName":"a","description":"x","keySize":"size2048","keySize":null,"futureThing":null}"#;
        let profile: IosScepCertificateProfile = serde_json::from_str(body).unwrap();
        assert_eq!(profile.base.description.as_deref(), Some("x"));
        assert!(!profile.is_explicit_null("description"));
        assert!(profile.base.explicit_nulls.is_empty());
        assert_eq!(profile.key_size, None);
        assert!(profile.is_explicit_null("keySize"));
        assert_eq!(profile.explicit_nulls.len(), 1);
        // Unmodelled properties keep their nulls in `additional_data`.
        assert_eq!(profile.additional_data.value("futureThing"), Some(Value::Null));
        assert_eq!(profile.additional_data.len(), 1);
        assert_eq!(
            serde_json::to_string(&profile).unwrap(),
            r##"{"@odata.type":"#microsoft.graph.iosScepCertificateProfile","description":"x","displayName":"a","keySize":null,"futureThing":null}"##
        );
        // The same with entries held back until `@odata.type` is known.
        let body = r##"{"description":null,"keySize":"size2048","@odata.type":"#microsoft.graph.iosScepCertificateProfile","description":"x","keySize":null}"##;
        let DeviceConfiguration::IosScepCertificate(profile) = serde_json::from_str(body).unwrap() else {
            panic!("not a SCEP profile")
        };
        assert_eq!(profile.base.description.as_deref(), Some("x"));
        assert_eq!(profile.key_size, None::<KeySize>);
        assert!(profile.is_explicit_null("keySize"));
        assert!(!profile.is_explicit_null("description"));
        assert!(profile.additional_data.is_empty());
    }

    #[test]
    fn a_value_set_after_reading_replaces_the_null_and_clear_forgets_nulls() {
        use crate::models::IosScepCertificateProfile;
        let body = r#"{"description":null,"subjectNameFormatString":null,"id":null}"#;
        let mut profile: IosScepCertificateProfile = serde_json::from_str(body).unwrap();
        assert!(profile.is_explicit_null("description"));
        assert!(profile.is_explicit_null("subjectNameFormatString"));
        assert!(!profile.is_explicit_null("displayName"));
        assert!(!profile.is_explicit_null("noSuchProperty"));
        profile.base.description = Some("set".into());
        assert!(!profile.is_explicit_null("description"));
        // The read-only `id` keeps its null in a full encoding only.
        assert_eq!(
            serde_json::to_string(&profile).unwrap(),
            r##"{"@odata.type":"#microsoft.graph.iosScepCertificateProfile","id":null,"description":"set","subjectNameFormatString":null}"##
        );
        assert_eq!(
            String::from_utf8(profile.to_write_json().unwrap()).unwrap(),
            r##"{"@odata.type":"#microsoft.graph.iosScepCertificateProfile","description":"set","subjectNameFormatString":null}"##
        );
        profile.explicit_nulls.clear();
        profile.base.explicit_nulls.clear();
        assert_eq!(
            String::from_utf8(profile.to_write_json().unwrap()).unwrap(),
            r##"{"@odata.type":"#microsoft.graph.iosScepCertificateProfile","description":"set"}"##
        );
        assert_eq!(format!("{:?}", NullFields::<1>::default()), "{}");
    }

    #[test]
    fn the_write_body_writer_matches_the_serde_path_byte_for_byte() {
        use crate::models::{DeviceConfiguration, IosScepCertificateProfile};
        let body = r##"{"@odata.type":"#microsoft.graph.iosScepCertificateProfile","id":"x","displayName":"quote \" and \\ and \n and é","description":null,"keySize":"size4096","keyUsage":"digitalSignature, keyEncipherment","extendedKeyUsages":[{"@odata.type":"microsoft.graph.extendedKeyUsage","name":"Client \"Auth\"","objectIdentifier":"1.3.6.1.5.5.7.3.2"}],"odd \"key\"\t":{"nested":[1,2.5,null,"\u0001"]},"rootCertificate@odata.bind":"https://graph.microsoft.com/beta/x","@odata.context":"dropped"}"##;
        let profile: IosScepCertificateProfile = serde_json::from_str(body).unwrap();
        let via_serde = serde_json::to_vec(&Encoded(&profile, WriteMode::Write)).unwrap();
        assert_eq!(
            String::from_utf8(profile.to_write_json().unwrap()).unwrap(),
            String::from_utf8(via_serde).unwrap()
        );
        let config: DeviceConfiguration = serde_json::from_str(body).unwrap();
        assert_eq!(config.to_write_json().unwrap(), profile.to_write_json().unwrap());
        let written: Value = serde_json::from_slice(&profile.to_write_json().unwrap()).unwrap();
        assert_eq!(written["odd \"key\"\t"], serde_json::json!({"nested": [1, 2.5, null, "\u{1}"]}));
        assert_eq!(written["displayName"], "quote \" and \\ and \n and é");
        assert!(written.get("id").is_none() && written.get("@odata.context").is_none());
    }

    #[test]
    fn field_bits_are_positions_and_checked_at_compile_time() {
        assert_eq!(bit_of(&["a", "bb", "c"], "bb"), 1);
        assert_eq!(bit_of(&["a", "bb", "c"], "c"), 2);
        let mut nulls = NullFields::<1>::new();
        nulls.record(63, true);
        nulls.record(0, true);
        nulls.record(0, false);
        assert!(nulls.contains(63) && !nulls.contains(0));
        assert_eq!(format!("{nulls:?}"), "{63}");
        // Past 64 fields the set grows by whole words, kept inline.
        assert_eq!((null_words(0), null_words(64), null_words(65), null_words(129)), (1, 1, 2, 3));
        let mut wide = NullFields::<3>::new();
        wide.record(64, true);
        wide.record(191, true);
        wide.record(63, true);
        wide.record(63, false);
        assert!(wide.contains(64) && wide.contains(191) && !wide.contains(63) && !wide.contains(0));
        assert_eq!((wide.len(), format!("{wide:?}")), (2, "{64, 191}".to_owned()));
        wide.clear();
        assert!(wide.is_empty());
        assert_eq!(std::mem::size_of::<NullFields<3>>(), 24);
        assert_eq!(std::mem::size_of::<NullFields>(), 8, "one word up to 64 fields, as before");
    }

    /// Models declared for these tests only. `graph_object!` makes its types and their
    /// members `pub`, as the crate's models are; these are not reachable, which is right.
    #[allow(unreachable_pub)]
    mod test_models {
        graph_object! {
            /// A type of 70 fields: more than one word of explicit-null bits.
            pub struct Wide {
                groups {}
                fields {
                    f00: i32 = "f00", f01: i32 = "f01", f02: i32 = "f02", f03: i32 = "f03", f04: i32 = "f04", f05: i32 = "f05", f06: i32 = "f06", f07: i32 = "f07", f08: i32 = "f08", f09: i32 = "f09",
                    f10: i32 = "f10", f11: i32 = "f11", f12: i32 = "f12", f13: i32 = "f13", f14: i32 = "f14", f15: i32 = "f15", f16: i32 = "f16", f17: i32 = "f17", f18: i32 = "f18", f19: i32 = "f19",
                    f20: i32 = "f20", f21: i32 = "f21", f22: i32 = "f22", f23: i32 = "f23", f24: i32 = "f24", f25: i32 = "f25", f26: i32 = "f26", f27: i32 = "f27", f28: i32 = "f28", f29: i32 = "f29",
                    f30: i32 = "f30", f31: i32 = "f31", f32: i32 = "f32", f33: i32 = "f33", f34: i32 = "f34", f35: i32 = "f35", f36: i32 = "f36", f37: i32 = "f37", f38: i32 = "f38", f39: i32 = "f39",
                    f40: i32 = "f40", f41: i32 = "f41", f42: i32 = "f42", f43: i32 = "f43", f44: i32 = "f44", f45: i32 = "f45", f46: i32 = "f46", f47: i32 = "f47", f48: i32 = "f48", f49: i32 = "f49",
                    f50: i32 = "f50", f51: i32 = "f51", f52: i32 = "f52", f53: i32 = "f53", f54: i32 = "f54", f55: i32 = "f55", f56: i32 = "f56", f57: i32 = "f57", f58: i32 = "f58", f59: i32 = "f59",
                    f60: i32 = "f60", f61: i32 = "f61", f62: i32 = "f62", f63: i32 = "f63", f64: i32 = "f64", f65: i32 = "f65", f66: i32 = "f66", f67: i32 = "f67", f68: i32 = "f68", f69: i32 = "f69",
                }
            }
        }

        graph_object! {
            /// An object whose `@odata.type` is not a field: kept in `additional_data`.
            pub struct Untyped {
                groups {}
                fields {
                    name: String = "name",
                }
            }
        }
    }
    use test_models::{Untyped, Wide};

    #[test]
    fn a_write_body_leaves_out_the_references_of_the_type_kept_in_additional_data() {
        let read = serde_json::json!({
            "@odata.type": "#microsoft.graph.iosVpnConfiguration",
            "name": "n",
            "identityCertificate": {"id": "s1"},
            "identityCertificate@odata.bind": "deviceManagement/deviceConfigurations('s1')",
            "rootCertificate": "not a reference of this type"
        });
        let object: Untyped = serde_json::from_value(read.clone()).unwrap();
        assert_eq!(serde_json::to_value(&object).unwrap(), read);
        assert_eq!(
            String::from_utf8(write_json(&object).unwrap()).unwrap(),
            r##"{"@odata.type":"#microsoft.graph.iosVpnConfiguration","name":"n","identityCertificate@odata.bind":"deviceManagement/deviceConfigurations('s1')","rootCertificate":"not a reference of this type"}"##
        );
    }

    #[test]
    fn a_type_of_more_than_64_fields_keeps_every_null() {
        let wide: Wide =
            serde_json::from_str(r#"{"f00":null,"f63":null,"f64":null,"f69":null,"f68":7}"#).unwrap();
        assert_eq!(std::mem::size_of_val(&wide.explicit_nulls), 16);
        assert_eq!(wide.explicit_nulls.len(), 4);
        assert!(["f00", "f63", "f64", "f69"].iter().all(|f| wide.is_explicit_null(f)));
        assert!(!wide.is_explicit_null("f68") && !wide.is_explicit_null("f65"));
        assert_eq!(wide.f68, Some(7));
        assert_eq!(
            serde_json::to_string(&wide).unwrap(),
            r#"{"f00":null,"f63":null,"f64":null,"f68":7,"f69":null}"#
        );
    }
}
