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

/// One object as Graph writes it, optionally projected by `$select` and with
/// expanded assignments.
pub(crate) struct EntityView<'a> {
    /// `@odata.context`, for top-level entities.
    pub(crate) context: Option<&'a str>,
    /// The stored object.
    pub(crate) obj: &'a Map<String, Value>,
    /// `$select`: when set, only these keys (plus `@odata.type` and `id`).
    pub(crate) select: Option<&'a [String]>,
    /// `$expand=assignments`: the expanded navigation.
    pub(crate) assignments: Option<&'a [Map<String, Value>]>,
}

impl<'a> EntityView<'a> {
    /// A plain view of `obj` without context, projection or expansion.
    pub(crate) fn plain(obj: &'a Map<String, Value>) -> Self {
        Self { context: None, obj, select: None, assignments: None }
    }

    fn selected(&self, key: &str) -> bool {
        match self.select {
            None => true,
            Some(keys) => keys.iter().any(|k| k == "*" || k.eq_ignore_ascii_case(key)),
        }
    }
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
        for (k, v) in self.obj {
            if k == "@odata.type" || k == "id" || k == "@odata.context" {
                continue;
            }
            if k == "assignments" && self.assignments.is_some() {
                continue;
            }
            if self.selected(k) {
                map.serialize_entry(k, v)?;
            }
        }
        if let Some(assignments) = self.assignments {
            let items: Vec<EntityView<'_>> = assignments.iter().map(EntityView::plain).collect();
            map.serialize_entry("assignments", &items)?;
        }
        map.end()
    }
}

/// A collection response: `@odata.context`, `@odata.count`,
/// `@odata.nextLink` (before `value`, as Graph writes it), `value`.
pub(crate) struct ListBody<'a> {
    /// `@odata.context`.
    pub(crate) context: &'a str,
    /// `@odata.count` when `$count=true`.
    pub(crate) count: Option<usize>,
    /// `@odata.nextLink` when more pages exist.
    pub(crate) next_link: Option<&'a str>,
    /// The page.
    pub(crate) value: Vec<EntityView<'a>>,
}

impl Serialize for ListBody<'_> {
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
