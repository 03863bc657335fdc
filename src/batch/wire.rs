//! The JSON of a `$batch` envelope and of its answer, as Graph spells it (`dependsOn`).

use std::collections::BTreeMap;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `{"requests": [...]}`.
#[derive(Serialize)]
pub(crate) struct RequestEnvelope<'a> {
    pub(crate) requests: Vec<WireStep<'a>>,
}

/// One step of the envelope.
#[derive(Serialize)]
pub(crate) struct WireStep<'a> {
    pub(crate) id: &'a str,
    pub(crate) method: &'a str,
    pub(crate) url: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) headers: BTreeMap<&'a str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<&'a Value>,
    #[serde(rename = "dependsOn", skip_serializing_if = "Vec::is_empty")]
    pub(crate) depends_on: Vec<&'a str>,
}

/// A step's headers as the envelope carries them: one string per name, several values of
/// one name joined with `", "` (as HTTP joins them), names in lower case.
pub(crate) fn step_headers(headers: &HeaderMap) -> BTreeMap<&str, String> {
    let mut out: BTreeMap<&str, String> = BTreeMap::new();
    for (name, value) in headers {
        let Ok(text) = value.to_str() else { continue };
        out.entry(name.as_str())
            .and_modify(|joined| {
                joined.push_str(", ");
                joined.push_str(text);
            })
            .or_insert_with(|| text.to_owned());
    }
    out
}

/// `{"responses": [...]}`, in any order.
#[derive(Deserialize)]
pub(crate) struct ResponseEnvelope {
    pub(crate) responses: Vec<WireResponse>,
}

/// One step's answer.
#[derive(Deserialize)]
pub(crate) struct WireResponse {
    pub(crate) id: String,
    pub(crate) status: u16,
    #[serde(default)]
    pub(crate) headers: Map<String, Value>,
    #[serde(default)]
    pub(crate) body: Option<Value>,
}

impl WireResponse {
    /// The step's headers as an HTTP header map (values that are not valid header text are
    /// left out).
    pub(crate) fn header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::with_capacity(self.headers.len());
        for (name, value) in &self.headers {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if let (Ok(name), Ok(value)) =
                (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&text))
            {
                map.append(name, value);
            }
        }
        map
    }

    /// The step's body as the bytes a single call would have read (empty when there is none).
    pub(crate) fn body_bytes(&self) -> Bytes {
        match &self.body {
            None | Some(Value::Null) => Bytes::new(),
            Some(value) => Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_valued_headers_are_joined_with_a_separator() {
        let mut headers = HeaderMap::new();
        headers.append("prefer", HeaderValue::from_static("a"));
        headers.append("prefer", HeaderValue::from_static("b"));
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        let joined = step_headers(&headers);
        assert_eq!(joined["prefer"], "a, b");
        assert_eq!(joined["content-type"], "application/json");
    }

    #[test]
    fn answers_read_headers_and_bodies() {
        let answer: WireResponse = serde_json::from_value(serde_json::json!({
            "id": "1", "status": 429, "headers": {"Retry-After": "2.128", "x-n": 5}, "body": {"error": {"code": "x"}}
        }))
        .unwrap();
        let map = answer.header_map();
        assert_eq!(map["retry-after"], "2.128");
        assert_eq!(map["x-n"], "5");
        assert_eq!(&answer.body_bytes()[..], br#"{"error":{"code":"x"}}"#);
        let bare: WireResponse = serde_json::from_str(r#"{"id":"2","status":204}"#).unwrap();
        assert!(bare.body_bytes().is_empty() && bare.header_map().is_empty());
    }
}
