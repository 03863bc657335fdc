//! File-system helpers of snapshots: reading a file's bytes as JSON, safe file names, and
//! the canonical byte form.

use std::{collections::HashSet, path::Path};

use serde_json::{Map, Value};

use super::TenantError;
use crate::models::read_json_document;

/// Reads a JSON file as people have them: UTF-8 with or without a byte-order mark, or
/// UTF-16 LE/BE with one (through the crate's one document reader). The one place snapshot
/// files are decoded.
pub(crate) fn read_json_file(path: &Path) -> Result<Value, TenantError> {
    let bytes = std::fs::read(path).map_err(|e| TenantError::io(path, e))?;
    let text = read_json_document(&bytes).map_err(|e| TenantError::format(path, e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| TenantError::format(path, format!("not valid JSON: {e}")))
}

/// `value` with every object's keys in sorted order, pretty-printed with a final newline:
/// the same value always gives the same bytes, whatever order it was built in.
pub(crate) fn canonical_bytes(value: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(&sorted(value)).expect("a JSON value always encodes");
    bytes.push(b'\n');
    bytes
}

/// A set of objects (assignments) as a comparable multiset: each one's canonical bytes,
/// sorted, so that the same objects in any order compare equal.
pub(crate) fn canonical_multiset(items: &[Map<String, Value>]) -> Vec<Vec<u8>> {
    let mut bytes: Vec<Vec<u8>> = items.iter().map(|a| canonical_bytes(&Value::Object(a.clone()))).collect();
    bytes.sort();
    bytes
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|k| (k.clone(), sorted(&map[k]))).collect::<Map<_, _>>())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Longest file stem, in characters, taken from a display name.
const MAX_STEM: usize = 100;

/// A file stem from a display name that every common file system accepts: reserved and
/// control characters become `_`, trailing dots and spaces go, Windows device names get a
/// `_` prefix, and the length is bounded.
pub(crate) fn safe_stem(name: &str) -> String {
    let mut stem: String = super::key::nfc(name)
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .take(MAX_STEM)
        .collect();
    while stem.ends_with(['.', ' ']) {
        stem.pop();
    }
    let stem = stem.trim_start().to_string();
    if stem.is_empty() {
        return "_".into();
    }
    let device = stem.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(device.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (device.len() == 4
            && (device.starts_with("COM") || device.starts_with("LPT"))
            && device.as_bytes()[3].is_ascii_digit());
    if reserved { format!("_{stem}") } else { stem }
}

/// Hands out file names unique within one folder, ignoring case and Unicode normal form (two
/// names differing only in those are one file on Windows and macOS): the second `Wi-Fi`
/// becomes `Wi-Fi (2)`.
#[derive(Default)]
pub(crate) struct UniqueNames {
    taken: HashSet<String>,
}

impl UniqueNames {
    pub(crate) fn file_name(&mut self, display_name: &str) -> String {
        let stem = safe_stem(display_name);
        let mut candidate = stem.clone();
        let mut n = 1;
        while !self.taken.insert(candidate.to_lowercase()) {
            n += 1;
            candidate = format!("{stem} ({n})");
        }
        format!("{candidate}.json")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn stems_are_safe_on_every_file_system() {
        assert_eq!(safe_stem("iOS SCEP: Wi-Fi / VPN?"), "iOS SCEP_ Wi-Fi _ VPN_");
        assert_eq!(safe_stem("trailing. "), "trailing");
        assert_eq!(safe_stem("CON"), "_CON");
        assert_eq!(safe_stem("com1.txt"), "_com1.txt");
        assert_eq!(safe_stem("COMPANY"), "COMPANY");
        assert_eq!(safe_stem("..."), "_");
        assert_eq!(safe_stem("a\u{7}b"), "a_b");
        assert_eq!(safe_stem(&"x".repeat(300)).len(), MAX_STEM);
        assert_eq!(safe_stem("Cafe\u{301}"), "Caf\u{e9}", "one normal form, as macOS file systems keep it");
    }

    #[test]
    fn colliding_names_are_made_unique_ignoring_case() {
        let mut names = UniqueNames::default();
        assert_eq!(names.file_name("Wi-Fi"), "Wi-Fi.json");
        assert_eq!(names.file_name("wi-fi"), "wi-fi (2).json");
        assert_eq!(names.file_name("Wi/Fi"), "Wi_Fi.json");
        assert_eq!(names.file_name("Wi_Fi"), "Wi_Fi (2).json");
        assert_eq!(names.file_name("Wi-Fi"), "Wi-Fi (3).json");
        assert_eq!(names.file_name("Caf\u{e9}"), "Caf\u{e9}.json");
        assert_eq!(names.file_name("CAFE\u{301}"), "CAF\u{c9} (2).json");
    }

    #[test]
    fn canonical_bytes_do_not_depend_on_insertion_order() {
        let a = json!({"b": 1, "a": {"z": [ {"y": 1, "x": 2} ], "c": null}});
        let mut map = Map::new();
        map.insert("a".into(), json!({"c": null, "z": [ {"x": 2, "y": 1} ]}));
        map.insert("b".into(), json!(1));
        assert_eq!(canonical_bytes(&a), canonical_bytes(&Value::Object(map)));
        let text = String::from_utf8(canonical_bytes(&a)).unwrap();
        assert!(text.starts_with("{\n  \"a\""), "{text}");
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn files_in_utf8_and_utf16_with_a_byte_order_mark_are_read() {
        let dir = std::env::temp_dir().join(format!("intune-graph-bom-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bom.json");
        std::fs::write(&path, b"\xEF\xBB\xBF{\"a\": 1}").unwrap();
        assert_eq!(read_json_file(&path).unwrap(), json!({"a": 1}));
        // PowerShell 5.1's `Out-File` default: UTF-16 LE with a byte-order mark.
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("{\"a\": 2}".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        std::fs::write(&path, utf16).unwrap();
        assert_eq!(read_json_file(&path).unwrap(), json!({"a": 2}));
        std::fs::write(&path, [0xFF, 0xFE, 0x00]).unwrap();
        assert!(matches!(read_json_file(&path), Err(TenantError::Format { .. })));
        std::fs::write(&path, b"{\"a\": ").unwrap();
        assert!(matches!(read_json_file(&path), Err(TenantError::Format { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
