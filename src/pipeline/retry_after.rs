//! Reading the server's retry hint in every form Graph and Azure send it.
//!
//! `Retry-After` may be integer seconds, decimal seconds (`2.128`; rounded **up** — a
//! truncated `0.249` would retry at once), an HTTP date (computed against UTC; a past date
//! means "now"), or a duplicated value (`"5, 5"`; the largest wins). `retry-after-ms` and
//! `x-ms-retry-after-ms` carry milliseconds. Anything unreadable is ignored, so the caller
//! falls back to backoff: a bad hint is never an error.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;

/// The longest hint taken at face value; Graph has been seen asking for 315 s.
pub(crate) const MAX_HINT: Duration = Duration::from_secs(24 * 3600);

/// The server's hint, if any header carries a readable one. `now` is the wall clock in UTC
/// (injected so tests of date hints need no real time).
pub(crate) fn parse_retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let mut best: Option<Duration> = None;
    let mut consider = |d: Duration| best = Some(best.map_or(d, |b| b.max(d)));
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        for value in headers.get_all(name) {
            let Ok(text) = value.to_str() else { continue };
            for piece in text.split(',') {
                if let Some(ms) = parse_seconds(piece.trim()) {
                    consider(ceil_to_millis(ms));
                }
            }
        }
    }
    for value in headers.get_all(reqwest::header::RETRY_AFTER) {
        let Ok(text) = value.to_str() else { continue };
        if let Some(d) = parse_http_date(text.trim(), now) {
            consider(d);
            continue;
        }
        for piece in text.split(',') {
            if let Some(seconds) = parse_seconds(piece.trim()) {
                consider(ceil_to_millis(seconds * 1000.0));
            }
        }
    }
    best.map(|d| d.min(MAX_HINT))
}

/// Whether any header that may carry a hint is present (the clock is read only then).
pub(crate) fn has_hint(headers: &HeaderMap) -> bool {
    HINT_HEADERS.iter().any(|name| headers.contains_key(*name))
}

const HINT_HEADERS: [&str; 3] = ["retry-after", "retry-after-ms", "x-ms-retry-after-ms"];

/// A non-negative, finite decimal number.
fn parse_seconds(text: &str) -> Option<f64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value)
}

/// Milliseconds rounded up to a whole millisecond, never truncated to zero. A value within
/// a nanosecond of a whole millisecond is that millisecond (`2.128 * 1000` is not quite
/// 2128 in floating point).
fn ceil_to_millis(millis: f64) -> Duration {
    let nearest = millis.round();
    let millis = if (millis - nearest).abs() < 1e-6 { nearest } else { millis.ceil() };
    Duration::from_millis(millis.min(MAX_HINT.as_millis() as f64) as u64)
}

/// An HTTP date (RFC 9110 IMF-fixdate, or RFC 2822 forms) as a delay from `now`.
fn parse_http_date(text: &str, now: DateTime<Utc>) -> Option<Duration> {
    if !text.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let at = DateTime::parse_from_rfc2822(text)
        .ok()
        .or_else(|| DateTime::parse_from_str(text, "%a, %d %b %Y %H:%M:%S GMT").ok())
        .map(|d| d.with_timezone(&Utc))
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(text, "%a, %d %b %Y %H:%M:%S GMT").ok().map(|n| n.and_utc())
        })?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn hint(pairs: &[(&'static str, &str)]) -> Option<Duration> {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_str(value).unwrap());
        }
        let now = DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z").unwrap().with_timezone(&Utc);
        parse_retry_after(&headers, now)
    }

    #[test]
    fn integer_and_decimal_seconds() {
        assert_eq!(hint(&[("retry-after", "7")]), Some(Duration::from_secs(7)));
        assert_eq!(hint(&[("retry-after", "2.128")]), Some(Duration::from_millis(2128)));
        // Rounded up, never truncated to zero.
        assert_eq!(hint(&[("retry-after", "0.0001")]), Some(Duration::from_millis(1)));
        assert_eq!(hint(&[("retry-after", "0.249")]), Some(Duration::from_millis(249)));
        assert_eq!(hint(&[("retry-after", "0")]), Some(Duration::ZERO));
    }

    #[test]
    fn http_dates_are_utc_and_past_means_now() {
        assert_eq!(hint(&[("retry-after", "Thu, 26 Nov 2026 12:02:00 GMT")]), Some(Duration::from_secs(120)));
        assert_eq!(hint(&[("retry-after", "Thu, 26 Nov 2026 11:00:00 GMT")]), Some(Duration::ZERO));
        assert_eq!(
            hint(&[("retry-after", "Thu, 26 Nov 2026 13:00:30 +0100")]),
            Some(Duration::from_secs(30))
        );
    }

    #[test]
    fn millisecond_headers_and_duplicates() {
        assert_eq!(hint(&[("retry-after-ms", "1500")]), Some(Duration::from_millis(1500)));
        assert_eq!(hint(&[("x-ms-retry-after-ms", "250")]), Some(Duration::from_millis(250)));
        assert_eq!(hint(&[("retry-after", "5, 9")]), Some(Duration::from_secs(9)));
        assert_eq!(hint(&[("retry-after", "3"), ("retry-after", "4")]), Some(Duration::from_secs(4)));
        assert_eq!(
            hint(&[("retry-after", "2"), ("retry-after-ms", "2500")]),
            Some(Duration::from_millis(2500))
        );
    }

    #[test]
    fn garbage_is_ignored() {
        for bad in ["", "soon", "-5", "1e9999", "NaN", "inf", "Thu, 99 Nov 2026 12:00:00 GMT"] {
            assert_eq!(hint(&[("retry-after", bad)]), None, "{bad:?}");
        }
        assert_eq!(hint(&[]), None);
        assert_eq!(hint(&[("retry-after", "99999999999")]), Some(MAX_HINT));
        // Far beyond what a Duration holds: capped, never a panic.
        let huge = "9".repeat(40);
        assert_eq!(hint(&[("retry-after-ms", &huge)]), Some(MAX_HINT));
        assert_eq!(hint(&[("retry-after", &huge)]), Some(MAX_HINT));
        assert_eq!(hint(&[("retry-after-ms", "1.5")]), Some(Duration::from_millis(2)));
        for (text, millis) in [("0.001", 1), ("1.234", 1234), ("2.128", 2128), ("0.3", 300), ("4.1", 4100)] {
            assert_eq!(hint(&[("retry-after", text)]), Some(Duration::from_millis(millis)), "{text}");
        }
    }
}
