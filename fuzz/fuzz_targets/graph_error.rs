//! The Graph error parser on arbitrary responses: any status, a `request-id` header, any
//! body (Graph JSON, Intune's JSON-inside-`message`, HTML, nothing, garbage). The status
//! always survives, the body excerpt stays within its cap and is the start of the body,
//! and whatever the JSON said is what the error says.
#![no_main]

use intune_graph::{
    __fuzz::{EXCERPT_LEN, SENT_CLIENT_REQUEST_ID, graph_error},
    StatusCode,
    header::{HeaderMap, HeaderValue},
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    // Input layout: 2 bytes of status, 1 byte of header length, the header, the body.
    let Some((&[hi, lo, header_len], rest)) = data.split_first_chunk::<3>() else { return };
    let status = StatusCode::from_u16(100 + u16::from_be_bytes([hi, lo]) % 900).expect("100..=999");
    let (header, body) = rest.split_at(rest.len().min(usize::from(header_len)));
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(header) {
        headers.insert("request-id", value);
    }

    let error = graph_error(status, &headers, body);
    assert_eq!(error.status, status);
    let shown = error.to_string();
    assert!(shown.contains(status.as_str()), "{shown}");

    check_excerpt(&error.body_excerpt, body);

    // Whatever Graph's envelope said is kept as said.
    // serde_json skips ignored strings without checking their UTF-8; so does the reference.
    let document = serde_json::from_str::<Value>(&String::from_utf8_lossy(body)).ok();
    let inner = document.as_ref().and_then(|d| d.get("error"));
    let text = |key: &str| inner.and_then(|e| e.get(key)).and_then(Value::as_str);
    if error.code.is_some() || error.message.is_some() {
        assert_eq!(error.code.as_deref(), text("code"));
        assert_eq!(error.message.as_deref(), text("message"));
    }
    if let Some(intune) = &error.intune {
        let message = error.message.as_deref().expect("Intune's document is inside `message`");
        assert!(message.trim_start().starts_with('{'));
        for id in [&intune.operation_id, &intune.activity_id].into_iter().flatten() {
            assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'), "{id:?}");
        }
        assert_eq!(error.display_message(), intune.message.as_deref().unwrap_or(message));
    }
    // An id the body did not give comes from the headers, else from the request.
    if error.request_id.is_none() {
        assert!(headers.get("request-id").and_then(|v| v.to_str().ok()).is_none());
    }
    assert!(error.client_request_id.is_some());
    if inner.and_then(|e| e.get("innerError").or_else(|| e.get("innererror"))).is_none() {
        assert_eq!(error.client_request_id.as_deref(), Some(SENT_CLIENT_REQUEST_ID));
    }
});

/// At most [`EXCERPT_LEN`] bytes of text, trimmed: the whole body as a lossy decode reads
/// it, or its start marked with `…`, and never a cut character's replacement.
fn check_excerpt(excerpt: &str, body: &[u8]) {
    let whole = String::from_utf8_lossy(body);
    if excerpt == whole.trim() {
        return;
    }
    let core = excerpt.strip_suffix('…').unwrap_or_else(|| panic!("a cut excerpt ends with …: {excerpt:?}"));
    assert!(core.len() <= EXCERPT_LEN, "{} bytes", core.len());
    assert_eq!(core, core.trim());
    assert!(whole.trim_start().starts_with(core), "{core:?} is not the start of {whole:?}");
}
