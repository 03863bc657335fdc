//! Retry-After parsing on arbitrary header sets: `Retry-After` (seconds, decimals, HTTP
//! dates, lists), `retry-after-ms` and `x-ms-retry-after-ms`, in any number and order.
//! A hint never exceeds the cap, and adding a header whose meaning is known (whole seconds,
//! milliseconds, an HTTP date) gives exactly the larger of the two hints: the largest
//! readable hint wins, and unreadable ones are ignored, never an error.
#![no_main]

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use intune_graph::{
    __fuzz::{MAX_HINT, retry_after},
    header::{HeaderMap, HeaderName, HeaderValue},
};
use libfuzzer_sys::{
    arbitrary::{self, Arbitrary},
    fuzz_target,
};

const NAMES: [&str; 4] = ["retry-after", "retry-after-ms", "x-ms-retry-after-ms", "x-other"];

#[derive(Arbitrary, Debug)]
struct Input {
    /// Seconds since the Unix epoch (1970 to 2106, so every date has four digits).
    now: u32,
    headers: Vec<(u8, Vec<u8>)>,
    known: Known,
}

/// A header whose hint is known in advance.
#[derive(Arbitrary, Debug)]
enum Known {
    Seconds(u64),
    Millis(u64),
    /// An HTTP date this many seconds from now (negative: in the past).
    Date(i32),
}

fuzz_target!(|input: Input| {
    let now = DateTime::<Utc>::from_timestamp(i64::from(input.now), 0).expect("in range");
    let mut headers = HeaderMap::new();
    for (name, value) in &input.headers {
        let name = HeaderName::from_static(NAMES[usize::from(*name) % NAMES.len()]);
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(name, value);
        }
    }
    let before = retry_after(&headers, now);
    assert!(before.is_none_or(|d| d <= MAX_HINT), "{before:?}");

    let (name, value, expected) = match input.known {
        Known::Seconds(s) => ("retry-after", s.to_string(), Duration::from_secs(s)),
        Known::Millis(ms) => ("retry-after-ms", ms.to_string(), Duration::from_millis(ms)),
        Known::Date(offset) => {
            let at = now + TimeDelta::seconds(i64::from(offset));
            let text = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            ("retry-after", text, Duration::from_secs(u64::try_from(offset).unwrap_or(0)))
        }
    };
    headers.append(name, HeaderValue::from_str(&value).expect("ASCII"));
    let after = retry_after(&headers, now);
    let wanted = before.map_or(expected, |b| b.max(expected)).min(MAX_HINT);
    assert_eq!(after, Some(wanted), "{name}: {value} after {before:?}");
});
