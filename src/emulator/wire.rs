//! JSON output: content type, and entity serialization with `@odata.*` first.
//!
//! `serde_json::Map` is a `BTreeMap` unless `preserve_order` is enabled
//! somewhere in the build, so key order is not something to rely on. Every
//! object the emulator returns goes through [`EntityView`], which writes
//! `@odata.context`, then `@odata.type`, then `id`, then the remaining keys —
//! whatever map implementation is in use. (Graph itself always emits
//! `@odata.type` first, and clients may take a fast path on that.)

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::shape::Shape;
use super::store::Entry;

/// The `Content-Type` Graph sends on JSON responses.
pub(crate) const GRAPH_JSON: &str = "application/json;odata.metadata=minimal;\
                                     odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// Serializes to bytes; the types serialized here cannot fail, but an error
/// still yields valid JSON rather than a panic.
pub(crate) fn to_vec<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec())
}

/// A response with a JSON body and Graph's content type.
pub(crate) fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    json_response_typed(status, body, GRAPH_JSON)
}

/// A response with a JSON body and the given content type.
pub(crate) fn json_response_typed(status: StatusCode, body: Vec<u8>, content_type: &'static str) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// A `204 No Content` response.
pub(crate) fn no_content() -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp
}

/// One object as Graph writes it, in its type's [`Shape`] (every property of a modelled
/// type, secrets `null`), optionally projected by `$select` and with expanded navigation.
pub(crate) struct EntityView<'a> {
    /// `@odata.context`, for top-level entities.
    pub(crate) context: Option<&'a str>,
    /// The stored object.
    pub(crate) obj: &'a Map<String, Value>,
    /// How its type is answered (`None`: as stored).
    pub(crate) shape: Option<&'a Shape>,
    /// `$select`: when set, only these keys (plus `@odata.type` and `id`).
    pub(crate) select: Option<&'a [String]>,
    /// `$expand=assignments`: the expanded navigation.
    pub(crate) assignments: Option<&'a [Map<String, Value>]>,
    /// Expanded references: the navigation property and its value (an object, `null` or
    /// an array), written after the properties.
    pub(crate) expanded: Vec<(&'static str, Value)>,
}

impl<'a> EntityView<'a> {
    /// A plain view of `obj` without context, shape, projection or expansion.
    pub(crate) fn plain(obj: &'a Map<String, Value>) -> Self {
        Self { context: None, obj, shape: None, select: None, assignments: None, expanded: Vec::new() }
    }

    /// A stored configuration in its type's shape.
    pub(crate) fn entry(entry: &'a Entry) -> Self {
        Self { shape: Some(&entry.shape), ..Self::plain(&entry.obj) }
    }

    fn selected(&self, key: &str) -> bool {
        match self.select {
            None => true,
            Some(keys) => keys.iter().any(|k| k == "*" || k.eq_ignore_ascii_case(key)),
        }
    }

    fn is_secret(&self, key: &str) -> bool {
        self.shape.is_some_and(|s| s.is_secret(key))
    }

    /// The value written for `key`: `null` for a secret.
    fn answer<'v>(&self, key: &str, value: &'v Value) -> &'v Value {
        if self.is_secret(key) { &Value::Null } else { value }
    }
}

/// Keys written before the others, or by the view itself.
fn is_leading(key: &str) -> bool {
    matches!(key, "@odata.type" | "id" | "@odata.context")
}

impl Serialize for EntityView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if let Some(ctx) = self.context {
            map.serialize_entry("@odata.context", ctx)?;
        }
        if let Some(t) = self.obj.get("@odata.type") {
            map.serialize_entry("@odata.type", t)?;
        }
        if let Some(id) = self.obj.get("id") {
            map.serialize_entry("id", id)?;
        }
        let properties = self.shape.map_or(&[] as &[&str], |s| s.properties);
        for key in properties.iter().filter(|k| !is_leading(k) && self.selected(k)) {
            map.serialize_entry(key, self.answer(key, self.obj.get(*key).unwrap_or(&Value::Null)))?;
        }
        let expanded = |k: &str| {
            (k == "assignments" && self.assignments.is_some()) || self.expanded.iter().any(|(n, _)| *n == k)
        };
        for (k, v) in self.obj {
            if is_leading(k) || properties.contains(&k.as_str()) || expanded(k) {
                continue;
            }
            if self.selected(k) {
                map.serialize_entry(k, self.answer(k, v))?;
            }
        }
        if let Some(assignments) = self.assignments {
            let items: Vec<EntityView<'_>> = assignments.iter().map(EntityView::plain).collect();
            map.serialize_entry("assignments", &items)?;
        }
        for (navigation, value) in &self.expanded {
            map.serialize_entry(navigation, value)?;
        }
        map.end()
    }
}

/// A collection response: `@odata.context`, `@odata.count`,
/// `@odata.nextLink` (before `value`, as Graph writes it), `value`.
pub(crate) struct ListBody<'a, T = EntityView<'a>> {
    /// `@odata.context`.
    pub(crate) context: &'a str,
    /// `@odata.count` when `$count=true`.
    pub(crate) count: Option<usize>,
    /// `@odata.nextLink` when more pages exist.
    pub(crate) next_link: Option<&'a str>,
    /// The page.
    pub(crate) value: Vec<T>,
}

impl<T: Serialize> Serialize for ListBody<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("@odata.context", self.context)?;
        if let Some(n) = self.count {
            map.serialize_entry("@odata.count", &n)?;
        }
        if let Some(link) = self.next_link {
            map.serialize_entry("@odata.nextLink", link)?;
        }
        map.serialize_entry("value", &self.value)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_shaped_object_has_every_property_and_no_secret() {
        let Value::Object(obj) = json!({
            "@odata.type": "#microsoft.graph.t", "id": "x", "b": 2, "secret": "s", "extra": 3
        }) else {
            panic!("object");
        };
        let shape = Shape { properties: &["id", "a", "b", "secret"], secrets: vec!["secret"] };
        let view = EntityView { shape: Some(&shape), ..EntityView::plain(&obj) };
        let text = String::from_utf8(to_vec(&view)).unwrap_or_default();
        assert_eq!(
            text,
            r##"{"@odata.type":"#microsoft.graph.t","id":"x","a":null,"b":2,"secret":null,"extra":3}"##
        );
        let select = ["a".to_owned()];
        let view = EntityView { shape: Some(&shape), select: Some(&select), ..EntityView::plain(&obj) };
        let text = String::from_utf8(to_vec(&view)).unwrap_or_default();
        assert_eq!(text, r##"{"@odata.type":"#microsoft.graph.t","id":"x","a":null}"##);
    }

    #[test]
    fn odata_type_comes_first() {
        let Value::Object(obj) = json!({
            "alpha": 1, "id": "x", "@odata.type": "#microsoft.graph.a", "zeta": 2
        }) else {
            panic!("object");
        };
        let view = EntityView { context: Some("ctx"), ..EntityView::plain(&obj) };
        let text = String::from_utf8(to_vec(&view)).unwrap_or_default();
        assert_eq!(
            text,
            r##"{"@odata.context":"ctx","@odata.type":"#microsoft.graph.a","id":"x","alpha":1,"zeta":2}"##
        );
    }
}
