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
        let trimmed = text.trim_matches(|c: char| c.is_ascii() && is_json_space(c as u8));
        let compact = match compact(trimmed) {
            Some(compact) => compact,
            None if trimmed.len() == text.len() => text,
            None => trimmed.to_owned(),
        };
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

    /// The string a JSON string holds, when it needs no unescaping (an `@odata.type`);
    /// `None` for any other value.
    pub(crate) fn as_plain_str(&self) -> Option<&str> {
        let inner = self.as_str().strip_prefix('"')?.strip_suffix('"')?;
        (!inner.contains('\\')).then_some(inner)
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
            Some(text) => RawValue::from_string(text).map(RawJson).map_err(de::Error::custom)?,
            None => RawJson(raw),
        })
    }
}

/// JSON's whitespace (RFC 8259 `ws`).
fn is_json_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// `text` (one JSON value, without whitespace around it) without the whitespace between
/// its tokens, or `None` when it has none.
fn compact(text: &str) -> Option<String> {
    // A string, number or literal is one token: it has no whitespace to drop. Skipping the
    // scan below matters: a base64 certificate is kilobytes of one string.
    if !matches!(text.as_bytes().first(), Some(b'{' | b'[')) {
        return None;
    }
    // Graph writes objects and arrays compact; a plain byte search (vectorized) says so
    // faster than the string-aware walk.
    if !text.bytes().any(is_json_space) {
        return None;
    }
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
        } else if is_json_space(b) {
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
    Some(out)
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
        // Keys often come in order (files this crate writes, Graph's annotations): append.
        if self.0.last().is_none_or(|(last, _)| last.as_str() < key.as_str()) {
            self.0.push((key, value));
            return None;
        }
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// Appends an entry read from the wire, leaving the order to [`restore_order`]
    /// (called once the object is read): one sort per object costs less than a search per
    /// entry, which took a quarter of the decode time of an unmodelled object.
    ///
    /// [`restore_order`]: Self::restore_order
    pub(crate) fn push_unordered(&mut self, key: String, value: RawJson) {
        self.0.push((key, value));
    }

    /// Puts entries added by [`push_unordered`](Self::push_unordered) in key order; of
    /// duplicate keys the last read wins, as with [`insert`](Self::insert).
    pub(crate) fn restore_order(&mut self) {
        // Strictly increasing: already in order, without duplicates (files this crate writes).
        if self.0.is_sorted_by(|(a, _), (b, _)| a < b) {
            return;
        }
        // Stable, so duplicates stay in the order they were read…
        self.0.sort_by(|(a, _), (b, _)| a.cmp(b));
        // …and the last of them is kept, in the place of the first.
        self.0.dedup_by(|later, earlier| {
            let duplicate = later.0 == earlier.0;
            if duplicate {
                std::mem::swap(later, earlier);
            }
            duplicate
        });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::DeviceConfiguration;

    #[test]
    fn whitespace_goes_between_tokens_only() {
        let cases = [
            ("  \"a  b\"  ", r#""a  b""#),
            ("\t12 \n", "12"),
            ("true", "true"),
            (" [1, {\"a\" : \"x y\"},\n [ ] ] ", r#"[1,{"a":"x y"},[]]"#),
            (r#"{"k":"a\" b","n":[ 1 ]}"#, r#"{"k":"a\" b","n":[1]}"#),
            (r#"{"compact":["already"]}"#, r#"{"compact":["already"]}"#),
        ];
        for (text, compact) in cases {
            assert_eq!(RawJson::from_text(text).unwrap().as_str(), compact, "{text:?}");
        }
        // Read from a document, where serde_json hands over the value's text as written.
        let config: DeviceConfiguration = serde_json::from_str(
            "{ \"@odata.type\" : \"#microsoft.graph.windows10GeneralConfiguration\",\n  \"title\" : \"Two  spaces\",\n  \"list\" : [ \".log\" , \".tmp\" ] }",
        )
        .unwrap();
        assert_eq!(config.additional_data()["title"].as_str(), r#""Two  spaces""#);
        assert_eq!(config.additional_data()["list"].as_str(), r#"[".log",".tmp"]"#);
    }

    #[test]
    fn unknown_properties_read_out_of_order_are_kept_in_key_order_and_the_last_duplicate_wins() {
        // `zeta` and `alpha` are held until `@odata.type` is read; `alpha` comes again after.
        let body = r##"{"zeta":1,"alpha":"first","@odata.type":"#microsoft.graph.windows10GeneralConfiguration","mid":[1,2],"alpha":"last","beta":null,"zeta":2.50}"##;
        let config: DeviceConfiguration = serde_json::from_str(body).unwrap();
        let extra = config.additional_data();
        assert_eq!(extra.keys().map(String::as_str).collect::<Vec<_>>(), ["alpha", "beta", "mid", "zeta"]);
        assert_eq!(extra["alpha"].as_str(), r#""last""#);
        assert_eq!(extra["zeta"].as_str(), "2.50");
        assert_eq!(
            serde_json::to_string(&config).unwrap(),
            r##"{"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","alpha":"last","beta":null,"mid":[1,2],"zeta":2.50}"##
        );
        // Keys already in order, without duplicates, stay as they are.
        let mut data = AdditionalData::new();
        for key in ["a", "b", "c"] {
            data.push_unordered(key.to_owned(), RawJson::from(key));
        }
        data.restore_order();
        assert_eq!(
            data.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
            [r#"a="a""#, r#"b="b""#, r#"c="c""#]
        );
        // Three of one key: the last value, once.
        let mut data = AdditionalData::new();
        for (key, value) in [("k", 1), ("a", 0), ("k", 2), ("k", 3)] {
            data.push_unordered(key.to_owned(), RawJson::from_serialize(&value).unwrap());
        }
        data.restore_order();
        assert_eq!(data.len(), 2);
        assert_eq!(data["k"].as_str(), "3");
        assert_eq!(data.get("a").map(RawJson::as_str), Some("0"));
    }
}
