//! Secrets out of data: a server may hand the token it was sent back inside an object (a
//! `description` quoting the request), and what export writes is committed and what plan
//! prints is pasted. [`Snapshot::redact`] and [`Plan::redact`] replace every secret the
//! caller holds (its bearer token, its client secret) with `[redacted]`, wherever it stands.

use std::sync::Arc;

use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};

use super::{Plan, Snapshot};
use crate::{auth::Secret, redact::Redactor};

impl Snapshot {
    /// Replaces every occurrence of `secrets` in the snapshot's values and names with
    /// `[redacted]`; returns how many values held one.
    pub fn redact(&mut self, secrets: &[Secret]) -> usize {
        let redactor = Redactor::new(Arc::from(secrets.to_vec()));
        let mut count = 0;
        for entry in self.entries_mut() {
            count += map(&redactor, &mut entry.object);
            for assignment in entry.assignments.iter_mut().flatten() {
                count += map(&redactor, &mut assignment.assignment);
                for name in [&mut assignment.group_display_name, &mut assignment.filter_display_name] {
                    count += name.as_mut().map_or(0, |name| string(&redactor, name));
                }
            }
            for name in entry.scope_tags.iter_mut().flatten() {
                count += string(&redactor, name);
            }
        }
        count
    }
}

impl Plan {
    /// Replaces every occurrence of `secrets` in the plan (values, names, reasons) with
    /// `[redacted]`; returns how many values held one.
    pub fn redact(&mut self, secrets: &[Secret]) -> usize {
        let (redacted, count) = through_json(self, secrets);
        if let Some(redacted) = redacted {
            *self = redacted;
        }
        count
    }
}

/// `value` with its secrets redacted, by way of its JSON form (`None`: nothing to redact).
fn through_json<T: Serialize + DeserializeOwned>(value: &T, secrets: &[Secret]) -> (Option<T>, usize) {
    let redactor = Redactor::new(Arc::from(secrets.to_vec()));
    let Ok(mut json) = serde_json::to_value(value) else { return (None, 0) };
    let count = walk(&redactor, &mut json);
    if count == 0 {
        return (None, 0);
    }
    (serde_json::from_value(json).ok(), count)
}

fn map(redactor: &Redactor, map: &mut Map<String, Value>) -> usize {
    map.values_mut().map(|v| walk(redactor, v)).sum()
}

fn walk(redactor: &Redactor, value: &mut Value) -> usize {
    match value {
        Value::String(text) => string(redactor, text),
        Value::Array(items) => items.iter_mut().map(|v| walk(redactor, v)).sum(),
        Value::Object(object) => map(redactor, object),
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
    }
}

fn string(redactor: &Redactor, text: &mut String) -> usize {
    match redactor.text(text) {
        std::borrow::Cow::Borrowed(_) => 0,
        std::borrow::Cow::Owned(clean) => {
            *text = clean;
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::tenant::SnapshotEntry;

    #[test]
    fn a_token_inside_an_object_is_redacted_wherever_it_stands() {
        let token = "eyJ0eXAiOiJKV1QiLCJhbGciOi.secret-token";
        let entry = SnapshotEntry::from_object(&json!({
            "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
            "displayName": "Root",
            "description": format!("seen Bearer {token} in a request"),
            "certFileName": "root.cer"
        }))
        .unwrap();
        let mut snapshot = Snapshot::new(vec![entry]);
        assert_eq!(snapshot.redact(&[Secret::new(token)]), 1);
        let object = &snapshot.entries()[0].object;
        assert_eq!(object["description"], "seen Bearer [redacted] in a request");
        assert_eq!(object["certFileName"], "root.cer");
        assert_eq!(snapshot.redact(&[Secret::new(token)]), 0);
    }
}
