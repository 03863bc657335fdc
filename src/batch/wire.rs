//! The JSON of a `$batch` envelope and of its answer, as Graph spells it (`dependsOn`).

use std::{borrow::Cow, collections::BTreeMap, fmt};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::{
    Deserialize, Deserializer, Serialize,
    de::{self, MapAccess, SeqAccess, Visitor},
};
use serde_json::{Value, value::RawValue};

use super::MAX_STEPS;
use crate::odata::read_capped;

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

/// The most step answers one envelope's answer may hold: Graph answers each step of an
/// envelope once, and an envelope holds at most [`MAX_STEPS`]. An answer with more is
/// refused while it is read, so a hostile one cannot fill memory with answers.
pub(crate) const MAX_ANSWERS: usize = MAX_STEPS;

/// The most headers one step answer may carry: Graph sends a handful (`Content-Type`,
/// `Retry-After`, `Location`…); more is refused while it is read, for the same reason.
pub(crate) const MAX_STEP_HEADERS: usize = 64;

/// `{"responses": [...]}`, in any order.
#[derive(Deserialize)]
pub(crate) struct ResponseEnvelope {
    #[serde(deserialize_with = "capped_answers")]
    pub(crate) responses: Vec<WireResponse>,
}

/// One step's answer. The body stays JSON text until the step's decode reads it into its
/// type (a step body never becomes a `serde_json::Value` tree, which costs many times its
/// size in memory); headers are read case-insensitively (Graph writes `Content-Type`).
#[derive(Deserialize)]
pub(crate) struct WireResponse {
    pub(crate) id: String,
    pub(crate) status: u16,
    #[serde(default, deserialize_with = "step_header_map")]
    pub(crate) headers: HeaderMap,
    #[serde(default)]
    pub(crate) body: Option<Box<RawValue>>,
}

impl WireResponse {
    /// The step's body as the bytes a single call would have read (empty when there is
    /// none), without copying it again.
    pub(crate) fn take_body(&mut self) -> Bytes {
        match self.body.take() {
            None => Bytes::new(),
            Some(raw) if raw.get() == "null" => Bytes::new(),
            Some(raw) => Bytes::from(String::from(Box::<str>::from(raw))),
        }
    }
}

/// At most [`MAX_ANSWERS`] answers.
fn capped_answers<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<WireResponse>, D::Error> {
    struct Answers;
    impl<'de> Visitor<'de> for Answers {
        type Value = Vec<WireResponse>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "an array of at most {MAX_ANSWERS} step answers")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            let too_long = format_args!(
                "the $batch answer holds more than {MAX_ANSWERS} step answers, more than an envelope has steps"
            );
            read_capped(seq, MAX_ANSWERS, &too_long)
        }
    }
    deserializer.deserialize_seq(Answers)
}

/// A step answer's headers as an HTTP header map, names in lower case whatever case they
/// came in; values that are not strings are kept as their JSON text, values that are not
/// valid header text are left out. At most [`MAX_STEP_HEADERS`].
fn step_header_map<'de, D: Deserializer<'de>>(deserializer: D) -> Result<HeaderMap, D::Error> {
    struct Headers;
    impl<'de> Visitor<'de> for Headers {
        type Value = HeaderMap;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "an object of at most {MAX_STEP_HEADERS} headers")
        }

        fn visit_unit<E: de::Error>(self) -> Result<HeaderMap, E> {
            Ok(HeaderMap::new())
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HeaderMap, A::Error> {
            let mut headers = HeaderMap::new();
            let mut read = 0usize;
            while let Some(name) = map.next_key::<Cow<'de, str>>()? {
                read += 1;
                if read > MAX_STEP_HEADERS {
                    return Err(de::Error::custom(format_args!(
                        "a step answer carries more than {MAX_STEP_HEADERS} headers"
                    )));
                }
                let value: Box<RawValue> = map.next_value()?;
                let text = match serde_json::from_str::<Cow<'_, str>>(value.get()) {
                    Ok(text) => text.into_owned(),
                    Err(_) => value.get().to_owned(),
                };
                if let (Ok(name), Ok(value)) =
                    (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&text))
                {
                    headers.append(name, value);
                }
            }
            Ok(headers)
        }
    }
    deserializer.deserialize_any(Headers)
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
    fn answers_read_headers_in_any_case_and_keep_bodies_as_text() {
        let mut answer: WireResponse = serde_json::from_str(
            r#"{"id":"1","status":429,"headers":{"Retry-After":"2.128","Content-Type":"application/json","x-n":5},"body":{"error": {"code":"x"}}}"#,
        )
        .unwrap();
        assert_eq!(answer.headers["retry-after"], "2.128");
        assert_eq!(answer.headers["content-type"], "application/json");
        assert_eq!(answer.headers["x-n"], "5");
        assert_eq!(&answer.take_body()[..], br#"{"error": {"code":"x"}}"#);
        let mut bare: WireResponse = serde_json::from_str(r#"{"id":"2","status":204,"body":null}"#).unwrap();
        assert!(bare.take_body().is_empty() && bare.headers.is_empty());
    }

    #[test]
    fn answers_beyond_what_an_envelope_holds_are_refused() {
        let answer = |i: usize| format!(r#"{{"id":"{i}","status":204}}"#);
        let many =
            |n: usize| format!(r#"{{"responses":[{}]}}"#, (0..n).map(answer).collect::<Vec<_>>().join(","));
        assert_eq!(serde_json::from_str::<ResponseEnvelope>(&many(MAX_ANSWERS)).unwrap().responses.len(), 20);
        let error = serde_json::from_str::<ResponseEnvelope>(&many(MAX_ANSWERS + 1)).err().unwrap();
        assert!(error.to_string().contains("more than 20 step answers"), "{error}");
        let headers: String =
            (0..=MAX_STEP_HEADERS).map(|i| format!(r#""h{i}":"v""#)).collect::<Vec<_>>().join(",");
        let error = serde_json::from_str::<WireResponse>(&format!(
            r#"{{"id":"1","status":200,"headers":{{{headers}}}}}"#
        ))
        .err()
        .unwrap();
        assert!(error.to_string().contains("more than 64 headers"), "{error}");
    }
}
