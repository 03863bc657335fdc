//! Bounded randomized tests of the decode paths that are not public: error bodies of every
//! shape (`GraphError::from_response`) and retry hints (`parse_retry_after`). A fixed
//! number of cases per target keeps CI time bounded; every input must end in a value, never
//! a panic, and the status must survive.

use proptest::{prelude::*, test_runner::Config};
use reqwest::{
    StatusCode,
    header::{HeaderMap, HeaderName, HeaderValue},
};

use super::retry_after::{MAX_HINT, parse_retry_after};
use crate::error::GraphError;

const CASES: u32 = 2_000;

/// Valid bodies to mutate: Graph's error, Intune's JSON-in-message, the throttling
/// sample with extra inner keys, an HTML gateway page, nothing.
const TEMPLATES: &[&str] = &[
    r##"{"error":{"code":"BadRequest","message":"bad","target":"x","details":[{"code":"a","message":"b","target":"c"}],"innerError":{"@odata.type":"#microsoft.graph.innerError","request-id":"5f8c7c4e-1d1c-4a5e-9d3c-0b1a2c3d4e5f","client-request-id":"6f0c7f36-9f6c-4f51-9d36-2a3b2b1c0d11","date":"2026-11-26T13:00:00"}}}"##,
    r##"{"error":{"code":"InternalError","message":"{\r\n  \"_version\": 3,\r\n  \"Message\": \"An internal server error has occurred - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: 7e1f0b3a-2c4d-4e5f-8a9b-0c1d2e3f4a5b - Url: https://fef.msub02.manage.microsoft.com/x\",\r\n  \"CustomApiErrorPhrase\": \"\",\r\n  \"RetryAfter\": null,\r\n  \"ErrorSourceService\": \"\",\r\n  \"HttpHeaders\": \"{}\"\r\n}","innerError":{"date":"2026-11-26T13:00:00","request-id":"r","client-request-id":"c"}}}"##,
    r##"{"error":{"code":"TooManyRequests","innerError":{"code":"429","date":"2020-08-18T12:51:51","message":"Please retry after","request-id":"94fb3b52-452a-4535-a601-69e0a90e3aa2","status":"429"},"message":"Please retry again later."}}"##,
    "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
    "",
];

fn mutated_body() -> impl Strategy<Value = Vec<u8>> {
    (0..TEMPLATES.len(), 0usize..4, any::<prop::sample::Index>(), any::<u8>(), 0usize..6).prop_map(
        |(template, op, at, byte, token)| {
            let mut body = TEMPLATES[template].as_bytes().to_vec();
            let i = if body.is_empty() { 0 } else { at.index(body.len() + 1) };
            match op {
                0 => body.truncate(i),
                1 if i < body.len() => body[i] ^= byte.max(1),
                2 => {
                    let tokens: [&[u8]; 6] = [b"\0", b"null", b"{", b"\"", b"\xff\xfe", b"]]]]"];
                    body.splice(i..i, tokens[token].iter().copied());
                }
                _ => body.insert(i.min(body.len()), byte),
            }
            body
        },
    )
}

fn any_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![prop::collection::vec(any::<u8>(), 0..600), mutated_body()]
}

fn header_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        "[0-9]{1,30}",
        "[0-9]{0,6}\\.[0-9]{0,12}",
        "[0-9 ,]{0,20}",
        Just("Thu, 26 Nov 2026 12:02:00 GMT".to_owned()),
        "(Mon|Tue|Thu|Xyz), [0-9]{1,3} (Nov|Feb|Foo) [0-9]{1,5} [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2} (GMT|UTC|\\+0100|-9999)",
    ]
}

fn headers() -> impl Strategy<Value = HeaderMap> {
    let names = prop::sample::select(vec![
        "retry-after",
        "retry-after-ms",
        "x-ms-retry-after-ms",
        "request-id",
        "client-request-id",
        "content-type",
    ]);
    prop::collection::vec((names, header_text()), 0..6).prop_map(|pairs| {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_str(&value) {
                map.append(HeaderName::from_static(name), value);
            }
        }
        map
    })
}

fn error_status() -> impl Strategy<Value = StatusCode> {
    (100u16..1000).prop_map(|code| StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT))
}

proptest! {
    #![proptest_config(Config { cases: CASES, failure_persistence: None, ..Config::default() })]

    #[test]
    fn error_bodies_never_panic_and_keep_the_status(status in error_status(), headers in headers(), body in any_body()) {
        let now = chrono::Utc::now();
        let hint = parse_retry_after(&headers, now);
        let error = GraphError::from_response(status, &headers, &body, "POST /beta/x".into(), Some("crid"), hint);
        prop_assert_eq!(error.status, status);
        prop_assert!(error.body_excerpt.chars().count() <= crate::error::EXCERPT_LEN + 1);
        prop_assert!(error.client_request_id.is_some());
        let shown = error.to_string();
        prop_assert!(shown.contains(status.as_str()));
        let _ = error.display_message();
    }

    #[test]
    fn retry_hints_never_panic_and_stay_capped(headers in headers(), offset in -1_000_000_000i64..1_000_000_000) {
        let now = chrono::DateTime::from_timestamp(1_800_000_000 + offset, 0).unwrap();
        if let Some(hint) = parse_retry_after(&headers, now) {
            prop_assert!(hint <= MAX_HINT);
        }
    }
}

/// Every prefix of every template (a body cut at each position) still yields the status.
#[test]
fn every_truncation_of_an_error_body_keeps_the_status() {
    let mut cases = 0;
    for template in TEMPLATES {
        for cut in 0..=template.len() {
            let body = &template.as_bytes()[..cut];
            let error = GraphError::from_response(
                StatusCode::BAD_GATEWAY,
                &HeaderMap::new(),
                body,
                "GET /x".into(),
                None,
                None,
            );
            assert_eq!(error.status, StatusCode::BAD_GATEWAY);
            cases += 1;
        }
    }
    assert!(cases > 1_000);
}
