//! Groups, assignment filters and scope tags by name: ids differ between tenants, names are
//! how they travel. Export reads the name of every id it writes; a plan looks every name
//! (and every bare id) up in the target, and an unresolved or ambiguous one stops it.
//!
//! Reads are one probe (a tenant, or an app, that may not read the directory costs one
//! request, not one per name), then the rest through `$batch`, 20 per round trip.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::key::nfc;
use crate::{GraphClient, odata::Query};

/// The built-in scope tag every tenant has.
pub(crate) const DEFAULT_SCOPE_TAG: (&str, &str) = ("0", "Default");

/// One kind of directory object the snapshot names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum DirectoryKind {
    /// Entra ID groups (`/groups`).
    Group,
    /// Intune assignment filters (`/deviceManagement/assignmentFilters`).
    AssignmentFilter,
    /// Intune scope tags (`/deviceManagement/roleScopeTags`).
    ScopeTag,
}

impl DirectoryKind {
    fn collection(self) -> &'static str {
        match self {
            DirectoryKind::Group => "groups",
            DirectoryKind::AssignmentFilter => "deviceManagement/assignmentFilters",
            DirectoryKind::ScopeTag => "deviceManagement/roleScopeTags",
        }
    }

    /// The kind in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            DirectoryKind::Group => "group",
            DirectoryKind::AssignmentFilter => "assignment filter",
            DirectoryKind::ScopeTag => "scope tag",
        }
    }
}

/// What a tenant's directory said about the ids and names that were looked up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Directory {
    /// (kind, lower-case id) → its display name; `None`: no such object.
    ids: BTreeMap<(DirectoryKind, String), Option<String>>,
    /// (kind, lower-case NFC name) → the ids of the objects with that name.
    names: BTreeMap<(DirectoryKind, String), Vec<String>>,
    /// Why a kind could not be read, when it could not.
    unreadable: BTreeMap<DirectoryKind, String>,
}

/// What to look up.
#[derive(Clone, Debug, Default)]
pub(crate) struct Wanted {
    pub(crate) ids: BTreeSet<(DirectoryKind, String)>,
    pub(crate) names: BTreeSet<(DirectoryKind, String)>,
}

/// The answer of a lookup of one id or name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Found<'a> {
    /// Exactly this object.
    One(&'a str),
    /// None.
    Nothing,
    /// Several objects (names only).
    Several(&'a [String]),
    /// The kind could not be read (why).
    Unreadable(&'a str),
    /// It was not looked up.
    NotAsked,
}

impl Directory {
    /// An empty directory (nothing looked up).
    pub fn new() -> Self {
        Directory::default()
    }

    /// Records that the object `id` of `kind` is named `name` (`None`: it does not exist).
    pub fn with_id(mut self, kind: DirectoryKind, id: &str, name: Option<&str>) -> Self {
        self.ids.insert((kind, id.to_lowercase()), name.map(str::to_owned));
        if let Some(name) = name {
            let ids = self.names.entry((kind, name_key(name))).or_default();
            if !ids.iter().any(|known| known.eq_ignore_ascii_case(id)) {
                ids.push(id.to_owned());
            }
        }
        self
    }

    /// Records that no object of `kind` is named `name` (it was looked up).
    pub fn without_name(mut self, kind: DirectoryKind, name: &str) -> Self {
        self.names.entry((kind, name_key(name))).or_default();
        self
    }

    /// Records that `kind` could not be read, and why.
    pub fn unreadable(mut self, kind: DirectoryKind, why: impl Into<String>) -> Self {
        self.unreadable.insert(kind, why.into());
        self
    }

    /// The display name of the object `id` of `kind`, when it was read.
    pub fn name_of(&self, kind: DirectoryKind, id: &str) -> Option<&str> {
        self.ids.get(&(kind, id.to_lowercase()))?.as_deref()
    }

    /// Why `kind` could not be read, when it could not.
    pub fn why_unreadable(&self, kind: DirectoryKind) -> Option<&str> {
        self.unreadable.get(&kind).map(String::as_str)
    }

    pub(crate) fn find_id<'a>(&'a self, kind: DirectoryKind, id: &'a str) -> Found<'a> {
        if kind == DirectoryKind::ScopeTag && id == DEFAULT_SCOPE_TAG.0 {
            return Found::One(DEFAULT_SCOPE_TAG.0);
        }
        match self.ids.get(&(kind, id.to_lowercase())) {
            Some(Some(_)) => Found::One(id),
            Some(None) => Found::Nothing,
            None => self.unreadable.get(&kind).map_or(Found::NotAsked, |why| Found::Unreadable(why)),
        }
    }

    pub(crate) fn find_name(&self, kind: DirectoryKind, name: &str) -> Found<'_> {
        if kind == DirectoryKind::ScopeTag && name_key(name) == name_key(DEFAULT_SCOPE_TAG.1) {
            return Found::One(DEFAULT_SCOPE_TAG.0);
        }
        match self.names.get(&(kind, name_key(name))).map(Vec::as_slice) {
            Some([]) => Found::Nothing,
            Some([one]) => Found::One(one),
            Some(several) => Found::Several(several),
            None => self.unreadable.get(&kind).map_or(Found::NotAsked, |why| Found::Unreadable(why)),
        }
    }

    /// Looks `wanted` up in the tenant behind `client`. A kind the tenant does not let the
    /// app read is recorded as unreadable (the plan then says what it could not resolve).
    pub(crate) async fn read(client: &GraphClient, wanted: &Wanted) -> Directory {
        let mut directory = Directory::new();
        let kinds: BTreeSet<DirectoryKind> =
            wanted.ids.iter().chain(&wanted.names).map(|(kind, _)| *kind).collect();
        for kind in kinds {
            let ids: Vec<&str> =
                wanted.ids.iter().filter(|(k, _)| *k == kind).map(|(_, id)| id.as_str()).collect();
            let names: Vec<&str> =
                wanted.names.iter().filter(|(k, _)| *k == kind).map(|(_, name)| name.as_str()).collect();
            if let Err(why) = directory.read_kind(client, kind, &ids, &names).await {
                directory = directory.unreadable(kind, why);
            }
        }
        directory
    }

    async fn read_kind(
        &mut self,
        client: &GraphClient,
        kind: DirectoryKind,
        ids: &[&str],
        names: &[&str],
    ) -> Result<(), String> {
        let mut paths: Vec<String> = ids
            .iter()
            .filter(|id| !(kind == DirectoryKind::ScopeTag && **id == DEFAULT_SCOPE_TAG.0))
            .map(|id| by_id_path(kind, id))
            .collect();
        paths.extend(names.iter().map(|name| by_name_path(kind, name)));
        let Some((probe, rest)) = paths.split_first() else { return Ok(()) };
        let mut answers = vec![match client.get_json::<Value>(probe).await {
            Ok(body) => Ok(body),
            Err(e) if e.is_not_found() => Err(e),
            Err(e) => return Err(describe(&e)),
        }];
        if !rest.is_empty() {
            let mut batch = client.batch();
            for (n, path) in rest.iter().enumerate() {
                batch.raw::<Value>(n.to_string(), Method::GET, path, None);
            }
            let results = batch.send().await.map_err(|e| describe(&e))?;
            for (_, result) in results {
                answers.push(result.and_then(|v| v.into_raw().map_or(Ok(Value::Null), |raw| raw.json())));
            }
        }
        let (id_answers, name_answers) = answers.split_at(paths.len() - names.len());
        let asked_ids =
            ids.iter().filter(|id| !(kind == DirectoryKind::ScopeTag && **id == DEFAULT_SCOPE_TAG.0));
        for (id, answer) in asked_ids.zip(id_answers) {
            match answer {
                Ok(object) => *self = std::mem::take(self).with_id(kind, id, display_name(object)),
                Err(e) if e.is_not_found() => *self = std::mem::take(self).with_id(kind, id, None),
                Err(e) => return Err(describe(e)),
            }
        }
        for (name, answer) in names.iter().zip(name_answers) {
            let page = answer.as_ref().map_err(describe)?;
            *self = std::mem::take(self).without_name(kind, name);
            for object in page.get("value").and_then(Value::as_array).into_iter().flatten() {
                let (Some(id), Some(found)) =
                    (object.get("id").and_then(Value::as_str), display_name(object))
                else {
                    continue;
                };
                // The service's filter may match more loosely (case); only the same name counts.
                if name_key(found) == name_key(name) {
                    *self = std::mem::take(self).with_id(kind, id, Some(found));
                }
            }
        }
        Ok(())
    }
}

/// How names are compared: NFC, then lower case (the directory's own comparison ignores case).
fn name_key(name: &str) -> String {
    nfc(name).to_lowercase()
}

fn display_name(object: &Value) -> Option<&str> {
    object.get("displayName").and_then(Value::as_str)
}

fn by_id_path(kind: DirectoryKind, id: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    let query = Query::new().select(["id", "displayName"]).to_query_string();
    format!("{}/{id}?{query}", kind.collection())
}

fn by_name_path(kind: DirectoryKind, name: &str) -> String {
    let query = Query::new()
        .filter(format!("displayName eq '{}'", name.replace('\'', "''")))
        .select(["id", "displayName"])
        .to_query_string();
    format!("{}?{query}", kind.collection())
}

/// The status of a failed read, or the error when there is none.
fn describe(error: &crate::Error) -> String {
    error.status().map_or_else(|| error.to_string(), |s| format!("HTTP {}", s.as_u16()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_answer_one_nothing_several_unreadable_or_not_asked() {
        let directory = Directory::new()
            .with_id(DirectoryKind::Group, "A1", Some("iOS devices"))
            .with_id(DirectoryKind::Group, "a2", Some("IOS DEVICES"))
            .with_id(DirectoryKind::Group, "gone", None)
            .without_name(DirectoryKind::Group, "Nobody")
            .with_id(DirectoryKind::AssignmentFilter, "f", Some("Corporate"))
            .unreadable(DirectoryKind::ScopeTag, "HTTP 403");
        assert_eq!(directory.find_id(DirectoryKind::Group, "a1"), Found::One("a1"));
        assert_eq!(directory.find_id(DirectoryKind::Group, "gone"), Found::Nothing);
        assert_eq!(directory.find_id(DirectoryKind::Group, "other"), Found::NotAsked);
        assert_eq!(
            directory.find_name(DirectoryKind::Group, "ios devices"),
            Found::Several(&["A1".to_string(), "a2".to_string()])
        );
        assert_eq!(directory.find_name(DirectoryKind::Group, "nobody"), Found::Nothing);
        assert_eq!(directory.find_name(DirectoryKind::AssignmentFilter, "corporate"), Found::One("f"));
        assert_eq!(directory.find_name(DirectoryKind::ScopeTag, "EU"), Found::Unreadable("HTTP 403"));
        assert_eq!(directory.find_name(DirectoryKind::ScopeTag, "default"), Found::One("0"), "built in");
        assert_eq!(directory.find_id(DirectoryKind::ScopeTag, "0"), Found::One("0"));
        assert_eq!(directory.name_of(DirectoryKind::Group, "A1"), Some("iOS devices"));
    }

    #[test]
    fn names_are_looked_up_with_odata_quoting() {
        assert_eq!(
            by_name_path(DirectoryKind::Group, "O'Brien & co"),
            "groups?$select=id,displayName&$filter=displayName%20eq%20%27O%27%27Brien%20%26%20co%27"
        );
        assert_eq!(
            by_id_path(DirectoryKind::ScopeTag, "7"),
            "deviceManagement/roleScopeTags/7?$select=id,displayName"
        );
    }
}
