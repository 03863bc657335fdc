//! Page decoding on arbitrary bodies, as the client decodes a 200 answer to a list request:
//! `{"value": [...], "@odata.nextLink": ..., "@odata.count": ...}` into typed and untyped
//! pages. A decoded page holds exactly the items, link and count the JSON holds; the typed
//! page agrees with the untyped one; a failure is a typed error with a capped excerpt.
#![no_main]

use intune_graph::{
    __fuzz::{EXCERPT_LEN, decode_page},
    Error, Page, Url,
    models::DeviceConfiguration,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const REQUEST: &str = "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations?$top=5";

fuzz_target!(|data: &[u8]| {
    let request = Url::parse(REQUEST).expect("a fixed URL");
    let untyped = decode_page::<Value>(data, &request);
    let typed = decode_page::<DeviceConfiguration>(data, &request);
    match &untyped {
        Ok(page) => check_untyped(page, data, &request),
        Err(error) => check_error(error),
    }
    match (&typed, &untyped) {
        (Ok(page), Ok(plain)) => {
            assert_eq!(page.items.len(), plain.items.len());
            assert_eq!(page.next_link, plain.next_link);
            assert_eq!(page.delta_link, plain.delta_link);
            assert_eq!(page.count, plain.count);
        }
        // Unknown properties keep their JSON text, so a number too large for an f64
        // (`20e1152`, valid JSON) is kept by the typed page where `Value` refuses it.
        (Ok(_), Err(e)) => {
            assert!(e.to_string().contains("number out of range"), "typed page decoded, untyped did not: {e}")
        }
        (Err(error), _) => check_error(error),
    }
});

/// The page says what the JSON document says.
fn check_untyped(page: &Page<Value>, data: &[u8], request: &Url) {
    // serde_json skips ignored strings without checking their UTF-8, so a page whose
    // unknown keys hold invalid bytes decodes; read the reference the same way.
    let text = String::from_utf8_lossy(data);
    let document: Value = serde_json::from_str(&text).expect("a decoded page is JSON");
    let object = document.as_object().expect("a decoded page is an object");
    match object.get("value").expect("a page has `value`") {
        Value::Null => assert!(page.items.is_empty()),
        Value::Array(items) => assert_eq!(&page.items, items),
        other => panic!("`value` decoded from {other}"),
    }
    let link = |key: &str| match object.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(request.join(text).expect("a decoded link resolves")),
        Some(other) => panic!("{key} decoded from {other}"),
    };
    assert_eq!(page.next_link, link("@odata.nextLink"));
    assert_eq!(page.delta_link, link("@odata.deltaLink"));
    let count = match object.get("@odata.count") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(n.as_i64().expect("a decoded count is an i64")),
        Some(Value::String(s)) => Some(s.trim().parse::<i64>().expect("a decoded count parses")),
        Some(other) => panic!("count decoded from {other}"),
    };
    assert_eq!(page.count, count);
}

fn check_error(error: &Error) {
    let shown = error.to_string();
    match error {
        Error::Decode(decode) => {
            assert_eq!(decode.status, 200);
            assert!(decode.body_excerpt.len() <= EXCERPT_LEN + '…'.len_utf8());
            assert!(decode.client_request_id.is_some());
            assert!(shown.contains("GET /beta/deviceManagement/deviceConfigurations"), "{shown}");
        }
        Error::Paging(_) => {}
        other => panic!("unexpected error kind: {other:?}"),
    }
}
