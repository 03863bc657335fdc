//! Time formats used on the wire by Graph, Intune and Entra ID.

use chrono::{DateTime, Timelike, Utc};

/// `2026-11-26T13:00:00.1234567Z`: RFC 3339 in UTC with 7 fractional digits,
/// the form Intune uses for `createdDateTime` and `lastModifiedDateTime`.
pub(crate) fn graph_timestamp(t: DateTime<Utc>) -> String {
    // chrono has no `%.7f`; 100 ns ticks are what .NET (and so Intune) stores.
    let ticks = (t.nanosecond() / 100).min(9_999_999);
    format!("{}.{ticks:07}Z", t.format("%Y-%m-%dT%H:%M:%S"))
}

/// `2026-11-26T13:00:00`: the offset-less form of `innerError.date`.
pub(crate) fn inner_error_date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// IMF-fixdate (`Thu, 26 Nov 2026 13:00:00 GMT`) for `Date` and `Retry-After`.
pub(crate) fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// `2026-11-26 13:00:00Z`: the form Entra ID uses in token error bodies.
pub(crate) fn aad_timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 26, 13, 0, 0)
            .single()
            .map(|t| t + chrono::Duration::nanoseconds(123_456_789));
        let Some(t) = t else {
            panic!("valid date");
        };
        assert_eq!(graph_timestamp(t), "2026-11-26T13:00:00.1234567Z");
        assert_eq!(inner_error_date(t), "2026-11-26T13:00:00");
        assert_eq!(http_date(t), "Thu, 26 Nov 2026 13:00:00 GMT");
        assert_eq!(aad_timestamp(t), "2026-11-26 13:00:00Z");
    }
}
