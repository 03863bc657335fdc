//! A small, read-only directory: Entra ID groups (`/groups`), Intune assignment filters
//! (`/deviceManagement/assignmentFilters`) and scope tags
//! (`/deviceManagement/roleScopeTags`), seeded with [`DirectoryEntry`]s.
//!
//! Lists take `$filter` (e.g. `displayName eq 'Sales ''EU'''`, strings compared ignoring
//! case as Graph does), `$select`, `$top`, `$count`, `$orderby` and are paged with
//! `@odata.nextLink` like the configurations; one object takes `$select`. A missing group is
//! Entra ID's 404 `Request_ResourceNotFound` (a malformed id its 400
//! `Request_BadRequest`); a missing filter or tag is Intune's 404. Writes are not served.

use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::ctx::{Ctx, HandlerResult};
use super::errors::ApiError;
use super::filter;
use super::paging::{self, Cursor};
use super::query::{self, Options, Scope};
use super::wire::{self, ListBody};

/// One seeded directory object: its `id`, `displayName` and any other properties, answered
/// as given (a JSON file of them is `[{"id": "…", "displayName": "…"}, …]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "EntryFields")]
#[non_exhaustive]
pub struct DirectoryEntry {
    /// The object id (a GUID for groups and filters; `"0"` is the built-in scope tag).
    pub id: String,
    /// The display name, which `$filter=displayName eq '…'` finds.
    pub display_name: String,
    /// Other properties (e.g. a filter's `platform` and `rule`), answered as given.
    pub properties: Map<String, Value>,
}

impl DirectoryEntry {
    /// An object with this id and display name.
    pub fn new(id: impl Into<String>, display_name: impl Into<String>) -> Self {
        Self { id: id.into(), display_name: display_name.into(), properties: Map::new() }
    }

    /// Adds another property to the answers (`id` and `displayName` cannot be replaced).
    pub fn with_property(mut self, key: impl Into<String>, value: Value) -> Self {
        let key = key.into();
        if key != "id" && key != "displayName" {
            self.properties.insert(key, value);
        }
        self
    }
}

/// A file entry as read, before its id and name are checked.
#[derive(Deserialize)]
struct EntryFields {
    id: Value,
    #[serde(rename = "displayName")]
    display_name: Value,
    #[serde(flatten)]
    properties: Map<String, Value>,
}

impl TryFrom<EntryFields> for DirectoryEntry {
    type Error = String;

    fn try_from(fields: EntryFields) -> Result<Self, String> {
        let text = |name: &str, value: Value| match value {
            Value::String(s) if !s.trim().is_empty() => Ok(s),
            other => Err(format!("'{name}' must be a non-empty string, not {other}")),
        };
        Ok(Self {
            id: text("id", fields.id)?,
            display_name: text("displayName", fields.display_name)?,
            properties: fields.properties,
        })
    }
}

/// The seeded directory.
#[derive(Debug, Clone, Default)]
pub(crate) struct Directory {
    pub(crate) groups: Vec<DirectoryEntry>,
    pub(crate) assignment_filters: Vec<DirectoryEntry>,
    pub(crate) scope_tags: Vec<DirectoryEntry>,
}

/// Adds `entries` to `list`; an entry whose id is already there replaces it.
pub(crate) fn merge(list: &mut Vec<DirectoryEntry>, entries: impl IntoIterator<Item = DirectoryEntry>) {
    for entry in entries {
        match list.iter_mut().find(|e| e.id.eq_ignore_ascii_case(&entry.id)) {
            Some(slot) => *slot = entry,
            None => list.push(entry),
        }
    }
}

/// The kinds of directory object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Group,
    AssignmentFilter,
    ScopeTag,
}

impl Kind {
    /// The entity set's path in `@odata.context`.
    fn set(self) -> &'static str {
        match self {
            Kind::Group => "groups",
            Kind::AssignmentFilter => "deviceManagement/assignmentFilters",
            Kind::ScopeTag => "deviceManagement/roleScopeTags",
        }
    }

    /// The objects as answered, in seeding order (the built-in scope tag first).
    fn objects(self, directory: &Directory) -> Vec<Map<String, Value>> {
        match self {
            Kind::Group => directory.groups.iter().map(|e| answer(e, &[])).collect(),
            Kind::AssignmentFilter => directory
                .assignment_filters
                .iter()
                .map(|e| answer(e, &[("platform", Value::from("unknown")), ("rule", Value::from(""))]))
                .collect(),
            Kind::ScopeTag => {
                let builtin = DirectoryEntry::new("0", "Default");
                let seeded = directory.scope_tags.iter().filter(|e| e.id != "0");
                std::iter::once(&builtin)
                    .chain(seeded)
                    .map(|e| {
                        answer(e, &[("description", Value::Null), ("isBuiltIn", Value::Bool(e.id == "0"))])
                    })
                    .collect()
            }
        }
    }

    fn not_found(self, id: &str) -> ApiError {
        match self {
            Kind::Group => ApiError::Plain {
                status: StatusCode::NOT_FOUND,
                code: "Request_ResourceNotFound",
                message: format!(
                    "Resource '{id}' does not exist or one of its queried reference-property objects \
                     are not present."
                ),
            },
            Kind::AssignmentFilter => {
                ApiError::NotFound(format!("The assignment filter '{id}' was not found."))
            }
            Kind::ScopeTag => ApiError::NotFound(format!("The scope tag '{id}' was not found.")),
        }
    }
}

/// An entry as answered: `id`, `displayName`, its properties, then `defaults` it lacks.
fn answer(entry: &DirectoryEntry, defaults: &[(&str, Value)]) -> Map<String, Value> {
    let mut obj = entry.properties.clone();
    obj.insert("id".into(), Value::from(entry.id.as_str()));
    obj.insert("displayName".into(), Value::from(entry.display_name.as_str()));
    for (key, value) in defaults {
        obj.entry(*key).or_insert_with(|| value.clone());
    }
    obj
}

/// The routes of one kind: `GET` of the list and of one object (`rest` is what follows
/// the entity set's name).
pub(crate) fn route(ctx: &Ctx<'_>, kind: Kind, method: &Method, rest: &[String]) -> HandlerResult {
    match (method, rest) {
        (&Method::GET, []) => list(ctx, kind),
        (&Method::GET, [id]) => get(ctx, kind, id),
        _ if kind == Kind::Group => Err(ApiError::Plain {
            status: StatusCode::BAD_REQUEST,
            code: "Request_BadRequest",
            message: "The emulator serves GET /groups and GET /groups/{id} only.".into(),
        }),
        _ => Err(ApiError::NoRoute),
    }
}

fn get(ctx: &Ctx<'_>, kind: Kind, id: &str) -> HandlerResult {
    let opts = query::parse(ctx.query, Scope::Entity)?;
    refuse_expand(&opts)?;
    let objects = kind.objects(&ctx.shared.config.directory);
    let has_id = |o: &&Map<String, Value>| {
        o.get("id").and_then(Value::as_str).is_some_and(|x| x.eq_ignore_ascii_case(id))
    };
    let Some(obj) = objects.iter().find(has_id) else {
        if kind == Kind::Group && uuid::Uuid::try_parse(id).is_err() {
            return Err(ApiError::Plain {
                status: StatusCode::BAD_REQUEST,
                code: "Request_BadRequest",
                message: format!("Invalid object identifier '{id}'."),
            });
        }
        return Err(kind.not_found(id));
    };
    let context = ctx.metadata(&format!("{}/$entity", set_with_select(kind, &opts)));
    let view = DirectoryView { context: Some(&context), obj, select: opts.select.as_deref() };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&view)))
}

fn list(ctx: &Ctx<'_>, kind: Kind) -> HandlerResult {
    let opts = query::parse(ctx.query, Scope::Collection)?;
    refuse_expand(&opts)?;
    let mut objects = kind.objects(&ctx.shared.config.directory);
    objects.retain(|o| opts.filter.as_ref().is_none_or(|f| f.matches(o)));
    for key in opts.orderby.iter().rev() {
        objects.sort_by(|a, b| {
            let order =
                filter::compare_values(filter::lookup(a, &key.property), filter::lookup(b, &key.property));
            if key.descending { order.reverse() } else { order }
        });
    }
    let start = match opts.skiptoken.as_deref().map(paging::decode) {
        None => 0,
        Some(Some(Cursor::Offset(n))) => usize::try_from(n).unwrap_or(usize::MAX).min(objects.len()),
        Some(_) => return Err(ApiError::bad("The $skiptoken is invalid or does not belong to this query.")),
    };
    let end = start.saturating_add(opts.top.unwrap_or(ctx.shared.config.page_size)).min(objects.len());
    let next = (end < objects.len()).then(|| {
        paging::next_link(&ctx.origin, ctx.path, &opts.pairs, &paging::encode(Cursor::Offset(end as u64)))
    });
    let context = ctx.metadata(&set_with_select(kind, &opts));
    let select = opts.select.as_deref();
    let body = ListBody {
        context: &context,
        count: opts.count.then_some(objects.len()),
        next_link: next.as_deref(),
        value: objects[start..end].iter().map(|obj| DirectoryView { context: None, obj, select }).collect(),
    };
    Ok(wire::json_response(StatusCode::OK, wire::to_vec(&body)))
}

fn refuse_expand(opts: &Options) -> Result<(), ApiError> {
    if opts.expand.assignments || !opts.expand.references.is_empty() {
        return Err(ApiError::bad("$expand is not supported on directory objects."));
    }
    Ok(())
}

/// `groups` or `groups(displayName)` for `@odata.context`.
fn set_with_select(kind: Kind, opts: &Options) -> String {
    match &opts.select {
        Some(keys) => format!("{}({})", kind.set(), keys.join(",")),
        None => kind.set().to_owned(),
    }
}

/// A directory object as Graph writes it: `id` first, and with `$select` only the keys
/// selected (Graph adds no `id` the caller did not ask for).
struct DirectoryView<'a> {
    context: Option<&'a str>,
    obj: &'a Map<String, Value>,
    select: Option<&'a [String]>,
}

impl Serialize for DirectoryView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let selected = |key: &str| {
            self.select.is_none_or(|keys| keys.iter().any(|k| k == "*" || k.eq_ignore_ascii_case(key)))
        };
        let mut map = s.serialize_map(None)?;
        if let Some(context) = self.context {
            map.serialize_entry("@odata.context", context)?;
        }
        let id = self.obj.get("id").filter(|_| selected("id"));
        if let Some(id) = id {
            map.serialize_entry("id", id)?;
        }
        for (key, value) in self.obj.iter().filter(|(k, _)| *k != "id" && selected(k)) {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_read_from_json_keep_other_properties_and_refuse_blank_ids() {
        let entries: Vec<DirectoryEntry> = serde_json::from_value(json!([
            {"id": "g1", "displayName": "Sales", "description": "d"},
        ]))
        .unwrap_or_default();
        assert_eq!(entries, [DirectoryEntry::new("g1", "Sales").with_property("description", json!("d"))]);
        for bad in [
            json!([{"id": "", "displayName": "x"}]),
            json!([{"id": 1, "displayName": "x"}]),
            json!([{"id": "a"}]),
        ] {
            assert!(serde_json::from_value::<Vec<DirectoryEntry>>(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn seeding_replaces_by_id_and_the_builtin_tag_is_always_first() {
        let mut tags = Vec::new();
        merge(
            &mut tags,
            [DirectoryEntry::new("1", "a"), DirectoryEntry::new("0", "x"), DirectoryEntry::new("1", "b")],
        );
        let directory = Directory { scope_tags: tags, ..Directory::default() };
        let objects = Kind::ScopeTag.objects(&directory);
        assert_eq!(
            objects.iter().map(|o| Value::Object(o.clone())).collect::<Vec<_>>(),
            [
                json!({"id": "0", "displayName": "Default", "description": null, "isBuiltIn": true}),
                json!({"id": "1", "displayName": "b", "description": null, "isBuiltIn": false}),
            ]
        );
    }
}
