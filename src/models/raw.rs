//! Unmodelled JSON kept as text: what an object holds for the properties its model does
//! not know.
//!
//! A `serde_json::Value` tree costs many times its text (a number is 32 bytes of `Value`
//! plus its slot in a `Vec`, a small object a map node per entry) and reads every number
//! through `f64`. Keeping the text instead costs about what the text costs, writes back
//! every number exactly as read, and is parsed only when someone asks for a value.

use std::{borrow::Cow, fmt};

use serde::{
    Deserialize, Deserializer, Serialize, Serializer,
    de::{self, DeserializeOwned, MapAccess},
    ser::{SerializeMap, SerializeSeq},
};
use serde_json::{Map, Value, value::RawValue};

use super::object::extra_key_is_writable;

/// One JSON value kept as its text (compacted: no whitespace outside strings).
///
/// Equality compares the values, not the texts: `1.0` and `1.00` are equal, as for
/// [`Value`]. Numbers are written back as they were read.
#[derive(Clone)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// The JSON text of any serializable value.
    ///
    /// # Errors
    /// When `value` cannot be encoded as JSON (e.g. a map with non-string keys).
    pub fn from_serialize<T: ?Sized + Serialize>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(value).map(RawJson)
    }

    /// Takes JSON text, checking that it is one JSON value.
    ///
    /// # Errors
    /// When `text` is not valid JSON.
    pub fn from_text(text: impl Into<String>) -> Result<Self, serde_json::Error> {
        let text = text.into();
        let compact = compact(&text).map(Cow::into_owned).unwrap_or(text);
        RawValue::from_string(compact).map(RawJson)
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// The raw value, for writing it into other serde_json output unchanged.
    pub fn as_raw_value(&self) -> &RawValue {
        &self.0
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        self.as_str() == "null"
    }

    /// Decodes the text as a `T`.
    ///
    /// # Errors
    /// When the text does not decode as a `T`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.as_str())
    }

    /// The value as a [`Value`] tree, parsed now. Numbers beyond `f64`'s precision are
    /// rounded there; [`as_str`](Self::as_str) keeps them exact.
    pub fn to_value(&self) -> Value {
        // The text was checked to be one JSON value when it was stored, so parsing it
        // into a `Value` cannot fail (serde_json's nesting limit applied then too).
        self.parse().unwrap_or(Value::Null)
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &RawJson) -> bool {
        self.as_str() == other.as_str() || self.to_value() == other.to_value()
    }
}

impl PartialEq<Value> for RawJson {
    fn eq(&self, other: &Value) -> bool {
        self.to_value() == *other
    }
}

impl From<Value> for RawJson {
    fn from(value: Value) -> Self {
        RawJson::from(&value)
    }
}

impl From<&Value> for RawJson {
    fn from(value: &Value) -> Self {
        // A `Value` always encodes: its map keys are strings.
        RawJson::from_serialize(value).unwrap_or_else(|_| RawJson::null())
    }
}

impl From<&str> for RawJson {
    fn from(value: &str) -> Self {
        RawJson::from_serialize(value).unwrap_or_else(|_| RawJson::null())
    }
}

impl From<String> for RawJson {
    fn from(value: String) -> Self {
        RawJson::from(value.as_str())
    }
}

impl RawJson {
    /// `null`.
    pub fn null() -> Self {
        RawJson(RawValue::NULL.to_owned())
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Ok(match compact(raw.get()) {
            // Compacting valid JSON gives valid JSON.
            Some(text) => RawValue::from_string(text.into_owned()).map(RawJson).map_err(de::Error::custom)?,
            None => RawJson(raw),
        })
    }
}

/// `text` without the whitespace between tokens, or `None` when it has none.
fn compact(text: &str) -> Option<Cow<'_, str>> {
    let bytes = text.as_bytes();
    let mut in_string = false;
    let mut escaped = false;
    let mut first_space = None;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
            first_space = Some(i);
            break;
        }
    }
    let start = first_space?;
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    let (mut in_string, mut escaped) = (false, false);
    for c in text[start..].chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if matches!(c, ' ' | '\n' | '\r' | '\t') {
            continue;
        }
        out.push(c);
    }
    Some(Cow::Owned(out))
}

/// A [`RawJson`] as a write body carries it: objects nested at any depth (in arrays too)
/// lose the entries Graph's request reader refuses (annotations other than `@odata.type`
/// and `x@odata.bind`, advertised actions). Numbers stay as written.
pub(crate) struct WriteRaw<'a>(pub(crate) &'a RawValue);

impl Serialize for WriteRaw<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.0.get();
        // Without `@` or `#` there is nothing to drop: the text goes out as it is.
        if !text.contains(['@', '#']) {
            return self.0.serialize(serializer);
        }
        match text.as_bytes().first() {
            Some(b'{') => {
                let entries: RawEntries<'_> =
                    serde_json::from_str(text).map_err(serde::ser::Error::custom)?;
                let mut map = serializer.serialize_map(None)?;
                for (key, value) in entries.0.iter().filter(|(key, _)| extra_key_is_writable(key)) {
                    map.serialize_entry(key, &WriteRaw(value))?;
                }
                map.end()
            }
            Some(b'[') => {
                let items: Vec<&RawValue> = serde_json::from_str(text).map_err(serde::ser::Error::custom)?;
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&WriteRaw(item))?;
                }
                seq.end()
            }
            _ => self.0.serialize(serializer),
        }
    }
}

/// The entries of a JSON object in their order, values as raw text.
struct RawEntries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for RawEntries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = RawEntries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawEntries<'de>, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<super::object::Key<'de>>()? {
                    entries.push((key.0, map.next_value()?));
                }
                Ok(RawEntries(entries))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// The properties of an object that its model does not know, each kept as its JSON text,
/// in key order.
///
/// Reading a property parses it then: [`value`](Self::value) gives a [`Value`],
/// [`get`](Self::get) the [`RawJson`] (its text, or [`RawJson::parse`] into any type).
/// Held as a sorted vector rather than a tree map: most objects have a handful of unknown
/// properties, and a tree node sized for eleven entries would cost more than their text.
///
/// ```
/// use intune_graph::models::DeviceConfiguration;
///
/// let config: DeviceConfiguration = serde_json::from_str(
///     r##"{"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","displayName":"W","serial":123456789012345678901234567890}"##,
/// ).unwrap();
/// let extra = config.additional_data();
/// assert_eq!(extra.get("serial").unwrap().as_str(), "123456789012345678901234567890");
/// assert_eq!(extra.value("displayName"), None); // modelled: a field, not extra data
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct AdditionalData(Vec<(String, RawJson)>);

impl AdditionalData {
    /// No properties.
    pub fn new() -> Self {
        AdditionalData(Vec::new())
    }

    /// How many properties there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// Whether `key` is held.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// The text of `key`.
    pub fn get(&self, key: &str) -> Option<&RawJson> {
        self.position(key).ok().map(|i| &self.0[i].1)
    }

    /// The value of `key`, parsed now.
    pub fn value(&self, key: &str) -> Option<Value> {
        self.get(key).map(RawJson::to_value)
    }

    /// Sets `key`, returning what it held before.
    pub fn insert(&mut self, key: String, value: RawJson) -> Option<RawJson> {
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`, returning what it held.
    pub fn remove(&mut self, key: &str) -> Option<RawJson> {
        self.position(key).ok().map(|i| self.0.remove(i).1)
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> + '_ {
        self.0.iter().map(|(key, _)| key)
    }

    /// The entries, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &RawJson)> + '_ {
        self.0.iter().map(|(key, value)| (key, value))
    }

    /// Every property as a [`Value`] (parsed now).
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter().map(|(key, value)| (key.clone(), value.to_value())).collect()
    }
}

impl fmt::Debug for AdditionalData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl std::ops::Index<&str> for AdditionalData {
    type Output = RawJson;

    /// The text of `key`; panics when it is absent, as `serde_json::Map`'s index does.
    fn index(&self, key: &str) -> &RawJson {
        match self.get(key) {
            Some(value) => value,
            None => panic!("no additional property {key:?}"),
        }
    }
}

impl From<Map<String, Value>> for AdditionalData {
    fn from(map: Map<String, Value>) -> Self {
        map.into_iter().map(|(key, value)| (key, RawJson::from(value))).collect()
    }
}

impl FromIterator<(String, RawJson)> for AdditionalData {
    fn from_iter<I: IntoIterator<Item = (String, RawJson)>>(iter: I) -> Self {
        let mut data = AdditionalData::new();
        for (key, value) in iter {
            data.insert(key, value);
        }
        data
    }
}
