//! The in-memory object store: deviceConfigurations in creation order, with
//! their navigation data (assignments, references to other objects, cert states).

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use serde_json::{Map, Value};

use super::shape::Shape;

/// One stored deviceConfiguration.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Creation sequence number (monotonic, never reused).
    pub(crate) seq: u64,
    /// The object as stored (including `@odata.type` and `id`); reads answer it in
    /// `shape`.
    pub(crate) obj: Map<String, Value>,
    /// How reads answer objects of its type.
    pub(crate) shape: Shape,
    /// The contained `assignments` navigation.
    pub(crate) assignments: Vec<Map<String, Value>>,
    /// References to other objects: navigation property → target ids (one for a
    /// single-valued reference). Only set references have an entry.
    pub(crate) references: BTreeMap<String, Vec<String>>,
    /// `managedDeviceCertificateStates`, seeded by tests.
    pub(crate) certificate_states: Vec<Map<String, Value>>,
}

impl Entry {
    /// The stored `@odata.type` (empty when a seeded object has none).
    pub(crate) fn odata_type(&self) -> &str {
        self.obj.get("@odata.type").and_then(Value::as_str).unwrap_or_default()
    }

    /// The stored `id`.
    pub(crate) fn id(&self) -> &str {
        self.obj.get("id").and_then(Value::as_str).unwrap_or_default()
    }
}

/// Objects keyed by creation sequence, with a case-insensitive id index
/// (Graph ids are GUIDs, which Graph compares case-insensitively).
#[derive(Debug, Default)]
pub(crate) struct Store {
    next_seq: u64,
    by_seq: BTreeMap<u64, Entry>,
    by_id: HashMap<String, u64>,
}

fn key(id: &str) -> String {
    id.to_ascii_lowercase()
}

impl Store {
    /// Inserts a new object, or replaces the object with the same id in place
    /// (keeping its position and navigation data). Returns the sequence number.
    pub(crate) fn upsert(&mut self, id: &str, obj: Map<String, Value>) -> u64 {
        let shape = Shape::of(obj.get("@odata.type").and_then(Value::as_str).unwrap_or_default());
        if let Some(entry) = self.get_mut(id) {
            entry.obj = obj;
            entry.shape = shape;
            return entry.seq;
        }
        self.next_seq += 1;
        let seq = self.next_seq;
        self.by_id.insert(key(id), seq);
        self.by_seq.insert(
            seq,
            Entry {
                seq,
                obj,
                shape,
                assignments: Vec::new(),
                references: BTreeMap::new(),
                certificate_states: Vec::new(),
            },
        );
        seq
    }

    /// The object with this id.
    pub(crate) fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(&key(id)).and_then(|s| self.by_seq.get(s))
    }

    /// The object with this id, mutably.
    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Entry> {
        let seq = *self.by_id.get(&key(id))?;
        self.by_seq.get_mut(&seq)
    }

    /// Removes and returns the object with this id.
    pub(crate) fn remove(&mut self, id: &str) -> Option<Entry> {
        let seq = self.by_id.remove(&key(id))?;
        self.by_seq.remove(&seq)
    }

    /// Removes everything (sequence numbers keep increasing).
    pub(crate) fn clear(&mut self) {
        self.by_seq.clear();
        self.by_id.clear();
    }

    /// Number of objects.
    pub(crate) fn len(&self) -> usize {
        self.by_seq.len()
    }

    /// Objects in creation order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.by_seq.values()
    }

    /// The first other object with a reference to `id`, and the navigation property it uses.
    pub(crate) fn referrer_of(&self, id: &str) -> Option<(&Entry, &str)> {
        self.iter().filter(|entry| !entry.id().eq_ignore_ascii_case(id)).find_map(|entry| {
            entry
                .references
                .iter()
                .find(|(_, targets)| targets.iter().any(|t| t.eq_ignore_ascii_case(id)))
                .map(|(navigation, _)| (entry, navigation.as_str()))
        })
    }

    /// Objects created after `seq`, in creation order.
    pub(crate) fn iter_after(&self, seq: u64) -> impl Iterator<Item = &Entry> {
        self.by_seq.range((Bound::Excluded(seq), Bound::Unbounded)).map(|(_, e)| e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(id: &str) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("id".into(), Value::String(id.into()));
        m
    }

    #[test]
    fn order_and_lookup() {
        let mut s = Store::default();
        s.upsert("A", obj("A"));
        s.upsert("b", obj("b"));
        s.upsert("c", obj("c"));
        assert_eq!(s.get("a").map(Entry::id), Some("A"));
        assert!(s.remove("B").is_some());
        let ids: Vec<&str> = s.iter().map(Entry::id).collect();
        assert_eq!(ids, ["A", "c"]);
        let after: Vec<&str> = s.iter_after(1).map(Entry::id).collect();
        assert_eq!(after, ["c"]);
        s.upsert("a", obj("a2"));
        assert_eq!(s.len(), 2);
        assert_eq!(s.iter().next().map(Entry::id), Some("a2"));
    }
}
