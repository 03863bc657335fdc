//! Where a model's entries are written: into any serde map, or straight into a write body.
//!
//! serde_json scans every string it writes for characters to escape, keys included. A
//! model's keys are its JSON property names, fixed at compile time and checked there to
//! need no escaping, so the write-body encoder copies them as they are and leaves the values
//! (and the keys of unknown properties, which come from the wire) to serde_json. Keys are
//! about 40% of a create body.

use serde::{Serialize, ser::SerializeMap};

/// Receives an object's entries in order.
pub(crate) trait EntrySink {
    /// The error of the underlying writer.
    type Error;

    /// An entry whose key is a model's property name (see [`plain_key`]).
    fn entry<V: ?Sized + Serialize>(&mut self, key: &'static str, value: &V) -> Result<(), Self::Error>;

    /// An entry whose key came from the wire and may need escaping.
    fn wire_entry<V: ?Sized + Serialize>(&mut self, key: &str, value: &V) -> Result<(), Self::Error>;
}

/// Entries into a serde map: what `Serialize` impls use, for any serializer.
pub(crate) struct SerdeMap<'a, M>(pub(crate) &'a mut M);

impl<M: SerializeMap> EntrySink for SerdeMap<'_, M> {
    type Error = M::Error;

    fn entry<V: ?Sized + Serialize>(&mut self, key: &'static str, value: &V) -> Result<(), M::Error> {
        self.0.serialize_entry(key, value)
    }

    fn wire_entry<V: ?Sized + Serialize>(&mut self, key: &str, value: &V) -> Result<(), M::Error> {
        self.0.serialize_entry(key, value)
    }
}

/// Entries of one JSON object written into a buffer, compactly, as serde_json would.
pub(crate) struct JsonObject<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> JsonObject<'a> {
    /// Writes `{`, the entries `write` gives, then `}`.
    pub(crate) fn write(
        out: &'a mut Vec<u8>,
        write: impl FnOnce(&mut JsonObject<'a>) -> Result<(), serde_json::Error>,
    ) -> Result<(), serde_json::Error> {
        out.push(b'{');
        let mut object = JsonObject { out, empty: true };
        write(&mut object)?;
        object.out.push(b'}');
        Ok(())
    }

    fn separate(&mut self) {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
    }
}

impl EntrySink for JsonObject<'_> {
    type Error = serde_json::Error;

    fn entry<V: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), serde_json::Error> {
        self.separate();
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        serde_json::to_writer(&mut *self.out, value)
    }

    fn wire_entry<V: ?Sized + Serialize>(&mut self, key: &str, value: &V) -> Result<(), serde_json::Error> {
        self.separate();
        serde_json::to_writer(&mut *self.out, key)?;
        self.out.push(b':');
        serde_json::to_writer(&mut *self.out, value)
    }
}

/// `key`, checked to be a JSON string without anything to escape (printable ASCII other
/// than `"` and `\`). Called in `const` context by the models, so a property name that
/// would need escaping fails the build rather than writing broken JSON.
pub(crate) const fn plain_key(key: &'static str) -> &'static str {
    let bytes = key.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        assert!(byte >= 0x20 && byte < 0x7f && byte != b'"' && byte != b'\\', "key needs escaping");
        i += 1;
    }
    key
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn writes_what_serde_json_writes() {
        let mut out = Vec::new();
        JsonObject::write(&mut out, |object| {
            object.entry(plain_key("@odata.type"), "#microsoft.graph.x")?;
            object.entry(plain_key("displayName"), "quote \" backslash \\ newline \n é")?;
            object.wire_entry("odd \"key\"\n", &json!({"a": [1, null, 2.5]}))?;
            object.entry(plain_key("none"), &())
        })
        .unwrap();
        let expected = serde_json::to_vec(&json!({
            "@odata.type": "#microsoft.graph.x",
            "displayName": "quote \" backslash \\ newline \n é",
            "odd \"key\"\n": {"a": [1, null, 2.5]},
            "none": null,
        }))
        .unwrap();
        // serde_json's map sorts keys; compare as values, and the text as written.
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&out).unwrap(),
            serde_json::from_slice::<serde_json::Value>(&expected).unwrap()
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r##"{"@odata.type":"#microsoft.graph.x","displayName":"quote \" backslash \\ newline \n é","odd \"key\"\n":{"a":[1,null,2.5]},"none":null}"##
        );
    }

    #[test]
    fn an_empty_object_is_braces() {
        let mut out = Vec::new();
        JsonObject::write(&mut out, |_| Ok(())).unwrap();
        assert_eq!(out, b"{}");
    }

    #[test]
    fn plain_keys() {
        assert_eq!(plain_key("rootCertificate@odata.bind"), "rootCertificate@odata.bind");
        for bad in ["a\"b", "a\\b", "a\nb", "é"] {
            let key: &'static str = Box::leak(bad.to_owned().into_boxed_str());
            assert!(std::panic::catch_unwind(|| plain_key(key)).is_err(), "{bad:?}");
        }
    }
}
