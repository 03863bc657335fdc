//! Group display names for exported assignments: one probe read, then the other groups
//! through `$batch`, 20 per round trip. A tenant (or a service) that refuses the probe
//! costs one request, not one per group.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::Value;

use crate::GraphClient;

/// The display name of each group in `ids` (`None`: it could not be read), and a note when
/// some could not.
pub(crate) async fn group_names(
    client: &GraphClient,
    ids: &[String],
) -> (HashMap<String, Option<String>>, Option<String>) {
    let mut names = HashMap::new();
    let Some((probe, rest)) = ids.split_first() else { return (names, None) };
    match client.get_json::<Value>(&group_path(probe)).await {
        Ok(group) => names.insert(probe.clone(), display_name(&group)),
        Err(error) => {
            let note = format!(
                "group display names could not be read ({}); assignments record group ids only",
                describe(&error)
            );
            return (names, Some(note));
        }
    };
    if rest.is_empty() {
        return (names, None);
    }
    let mut batch = client.batch();
    for (n, id) in rest.iter().enumerate() {
        batch.raw::<Value>(n.to_string(), Method::GET, &group_path(id), None);
    }
    let results = match batch.send().await {
        Ok(results) => results,
        Err(error) => {
            let note = format!("group display names past the first could not be read ({})", describe(&error));
            return (names, Some(note));
        }
    };
    let mut failed = Vec::new();
    for (id, (_, result)) in rest.iter().zip(results) {
        let name = match result.and_then(|value| value.into_raw().map_or(Ok(Value::Null), |raw| raw.json())) {
            Ok(group) => display_name(&group),
            Err(error) => {
                failed.push(format!("{id} ({})", describe(&error)));
                None
            }
        };
        names.insert(id.clone(), name);
    }
    let note = (!failed.is_empty()).then(|| {
        format!(
            "group display names could not be read for {}; those assignments record the group id only",
            failed.join(", ")
        )
    });
    (names, note)
}

/// `groups/{id}?$select=displayName`, the id percent-encoded.
fn group_path(id: &str) -> String {
    format!(
        "groups/{}?$select=displayName",
        url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
    )
}

fn display_name(group: &Value) -> Option<String> {
    group.get("displayName").and_then(Value::as_str).map(str::to_owned)
}

/// The status of a failed read, or the error when there is none.
fn describe(error: &crate::Error) -> String {
    error.status().map_or_else(|| error.to_string(), |s| s.to_string())
}
