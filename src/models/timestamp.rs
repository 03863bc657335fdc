//! `Edm.DateTimeOffset` values as Graph sends them.
//!
//! Graph writes 7 fractional digits (`2017-01-01T00:00:35.1329464-08:00`), error bodies carry
//! dates with no offset at all (`2025-01-22T19:17:04`), and `0001-01-01T00:00:00Z` marks
//! "never". [`Timestamp`] reads all of these (0–9 fractional digits, any offset, none = UTC),
//! never converts to local time, and writes RFC 3339 with an offset and the same number of
//! fractional digits it was read with, so a read → write round trip gives the same text.
//!
//! Windows PowerShell 5.1 (`ConvertTo-Json`) writes dates the .NET way instead:
//! `/Date(1632833324961)/` (milliseconds since 1970, UTC) or `/Date(1632833324961+0100)/`
//! (the same instant, with the writer's offset). Backups made with it carry that form, so it
//! is read too and written back in the same form.

use std::{fmt, str::FromStr};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A point in time with its UTC offset and its fractional-second precision.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    instant: DateTime<FixedOffset>,
    fraction_digits: u8,
    form: Form,
}

/// The text form a timestamp was read in, and is written back in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Form {
    /// RFC 3339 (`2021-09-28T12:48:44.961Z`).
    Rfc3339,
    /// .NET JSON (`/Date(1632833324961)/`); `offset` says whether `±HHMM` was written.
    DotNet { offset: bool },
}

/// Why a timestamp string could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {input:?}: {reason}")]
pub struct TimestampError {
    input: String,
    reason: &'static str,
}

impl Timestamp {
    /// Graph's own precision: 7 fractional digits (100 ns ticks).
    pub const GRAPH_FRACTION_DIGITS: u8 = 7;

    /// The current time in UTC, with Graph's 7 fractional digits.
    pub fn now() -> Self {
        Self::from_utc(Utc::now())
    }

    /// A UTC time, written with Graph's 7 fractional digits.
    pub fn from_utc(instant: DateTime<Utc>) -> Self {
        Timestamp {
            instant: instant.fixed_offset(),
            fraction_digits: Self::GRAPH_FRACTION_DIGITS,
            form: Form::Rfc3339,
        }
    }

    /// The instant with the offset it was read with.
    pub fn as_datetime(&self) -> DateTime<FixedOffset> {
        self.instant
    }

    /// The instant in UTC.
    pub fn to_utc(&self) -> DateTime<Utc> {
        self.instant.with_timezone(&Utc)
    }

    /// How many fractional-second digits are written.
    pub fn fraction_digits(&self) -> u8 {
        self.fraction_digits
    }

    /// Whether the timestamp was read in the .NET form `/Date(…)/` (and is written so).
    pub fn is_dotnet_form(&self) -> bool {
        matches!(self.form, Form::DotNet { .. })
    }

    /// Parses RFC 3339 leniently: `T`, `t` or a space between date and time, 0–9 fractional
    /// digits (more are cut to 9), `Z`/`z`, `±HH:MM`, `±HHMM` or no offset (read as UTC).
    /// Also reads the .NET form `/Date(milliseconds)/` and `/Date(milliseconds±HHMM)/`.
    pub fn parse(input: &str) -> Result<Self, TimestampError> {
        if let Some(inner) = input.strip_prefix("/Date(").and_then(|rest| rest.strip_suffix(")/")) {
            return Self::parse_dotnet(input, inner);
        }
        Self::parse_rfc3339(input)
    }

    /// The inside of `/Date(…)/`: signed milliseconds since 1970 UTC, then an optional
    /// `±HHMM` offset that only says how the writer's clock read the instant.
    // Out of line: the RFC 3339 parser is on the hot path of every page decode, this is not.
    #[cold]
    #[inline(never)]
    fn parse_dotnet(input: &str, inner: &str) -> Result<Self, TimestampError> {
        let fail = |reason| TimestampError::new(input, reason);
        let digits_start = usize::from(inner.starts_with('-'));
        let millis_end = inner[digits_start..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(inner.len(), |i| i + digits_start);
        let (millis, offset) = inner.split_at(millis_end);
        if millis.len() == digits_start {
            return Err(fail("/Date(…)/ must hold milliseconds"));
        }
        let millis: i64 = millis.parse().map_err(|_| fail("milliseconds out of range"))?;
        let offset_seconds = match offset.as_bytes() {
            [] => 0,
            [sign @ (b'+' | b'-'), h1, h2, m1, m2] if [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()) => {
                let (h, m) =
                    (i32::from((h1 - b'0') * 10 + (h2 - b'0')), i32::from((m1 - b'0') * 10 + (m2 - b'0')));
                if h > 23 || m > 59 {
                    return Err(fail("offset out of range"));
                }
                if *sign == b'-' { -(h * 3600 + m * 60) } else { h * 3600 + m * 60 }
            }
            _ => return Err(fail("expected /Date(milliseconds)/ or /Date(milliseconds±HHMM)/")),
        };
        let offset_zone = FixedOffset::east_opt(offset_seconds).ok_or_else(|| fail("offset out of range"))?;
        let instant = DateTime::<Utc>::from_timestamp_millis(millis).ok_or_else(|| fail("out of range"))?;
        Ok(Timestamp {
            instant: instant.with_timezone(&offset_zone),
            fraction_digits: 3,
            form: Form::DotNet { offset: !offset.is_empty() },
        })
    }

    fn parse_rfc3339(input: &str) -> Result<Self, TimestampError> {
        let fail = |reason| TimestampError::new(input, reason);
        let b = input.as_bytes();
        if b.len() < 19 {
            return Err(fail("too short for YYYY-MM-DDTHH:MM:SS"));
        }
        let num = |range: std::ops::Range<usize>| decimal(&b[range]).ok_or_else(|| fail("expected a digit"));
        if b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't' | b' ')
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(fail("expected YYYY-MM-DDTHH:MM:SS"));
        }
        let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
            .ok_or_else(|| fail("no such date"))?;
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);

        let mut pos = 19;
        let mut nanos = 0u32;
        let mut fraction_digits = 0u8;
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            while pos < b.len() && b[pos].is_ascii_digit() {
                if pos - start < 9 {
                    nanos = nanos * 10 + u32::from(b[pos] - b'0');
                }
                pos += 1;
            }
            let count = pos - start;
            if count == 0 {
                return Err(fail("a '.' must be followed by digits"));
            }
            fraction_digits = count.min(9) as u8;
            nanos *= 10u32.pow(9 - u32::from(fraction_digits));
        }

        let offset_seconds = match &b[pos..] {
            [] | [b'Z'] | [b'z'] => 0,
            [sign @ (b'+' | b'-'), rest @ ..] => {
                let (h, m) = match rest {
                    [_, _, b':', _, _] => (num(pos + 1..pos + 3)?, num(pos + 4..pos + 6)?),
                    [_, _, _, _] => (num(pos + 1..pos + 3)?, num(pos + 3..pos + 5)?),
                    [_, _] => (num(pos + 1..pos + 3)?, 0),
                    _ => return Err(fail("offset must be ±HH:MM")),
                };
                if h > 23 || m > 59 {
                    return Err(fail("offset out of range"));
                }
                let seconds = (h * 3600 + m * 60) as i32;
                if *sign == b'-' { -seconds } else { seconds }
            }
            _ => return Err(fail("unexpected text after the time")),
        };
        // A leap second (`:60`) is kept the way chrono represents it.
        let time = if second == 60 {
            NaiveTime::from_hms_nano_opt(hour, minute, 59, 1_000_000_000 + nanos)
        } else {
            NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
        }
        .ok_or_else(|| fail("no such time of day"))?;
        let offset = FixedOffset::east_opt(offset_seconds).ok_or_else(|| fail("offset out of range"))?;
        let local = NaiveDateTime::new(date, time);
        let instant = local
            .checked_sub_offset(offset)
            .map(|utc| DateTime::<FixedOffset>::from_naive_utc_and_offset(utc, offset))
            .ok_or_else(|| fail("out of range"))?;
        Ok(Timestamp { instant, fraction_digits, form: Form::Rfc3339 })
    }
}

impl TimestampError {
    /// Kept out of line, so the parser's success path stays small.
    #[cold]
    #[inline(never)]
    fn new(input: &str, reason: &'static str) -> Self {
        TimestampError { input: input.chars().take(64).collect(), reason }
    }
}

/// The value of a run of ASCII digits (`None` if any byte is not one). Kept out of the
/// parser's error path so it inlines: a page of profiles reads two timestamps an item.
#[inline]
fn decimal(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        Timestamp::from_utc(value)
    }
}

impl From<DateTime<FixedOffset>> for Timestamp {
    fn from(value: DateTime<FixedOffset>) -> Self {
        Timestamp { instant: value, fraction_digits: Self::GRAPH_FRACTION_DIGITS, form: Form::Rfc3339 }
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Form::DotNet { offset } = self.form {
            write!(f, "/Date({}", self.instant.timestamp_millis())?;
            if offset {
                let seconds = self.instant.offset().local_minus_utc();
                let sign = if seconds < 0 { '-' } else { '+' };
                let abs = seconds.unsigned_abs();
                write!(f, "{sign}{:02}{:02}", abs / 3600, (abs % 3600) / 60)?;
            }
            return f.write_str(")/");
        }
        let local = self.instant.naive_local();
        write!(f, "{}", local.format("%Y-%m-%dT%H:%M:%S"))?;
        if self.fraction_digits > 0 {
            let nanos = local.nanosecond() % 1_000_000_000;
            let digits = usize::from(self.fraction_digits);
            let scaled = nanos / 10u32.pow(9 - u32::from(self.fraction_digits));
            write!(f, ".{scaled:0digits$}")?;
        }
        let offset = self.instant.offset().local_minus_utc();
        if offset == 0 {
            f.write_str("Z")
        } else {
            let sign = if offset < 0 { '-' } else { '+' };
            let abs = offset.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 or /Date(…)/ timestamp string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(input: &str) -> String {
        Timestamp::parse(input).unwrap().to_string()
    }

    #[test]
    fn keeps_text_for_graph_shapes() {
        for s in [
            "2017-01-01T00:00:35.1329464-08:00",
            "2026-11-26T13:00:00.1234567Z",
            "0001-01-01T00:00:00Z",
            "2020-02-29T23:59:59.123+05:30",
            "2020-01-01T00:00:00.000000001Z",
            "2020-01-01T00:00:00.5Z",
        ] {
            assert_eq!(round_trip(s), s);
        }
    }

    #[test]
    fn no_offset_is_utc() {
        let t = Timestamp::parse("2025-01-22T19:17:04").unwrap();
        assert_eq!(t.to_string(), "2025-01-22T19:17:04Z");
        assert_eq!(t.to_utc().to_rfc3339(), "2025-01-22T19:17:04+00:00");
    }

    #[test]
    fn offset_is_applied_not_local_time() {
        let t = Timestamp::parse("2017-01-01T00:00:35.1329464-08:00").unwrap();
        assert_eq!(t.to_utc().to_rfc3339(), "2017-01-01T08:00:35.132946400+00:00");
        assert_eq!(t.fraction_digits(), 7);
    }

    #[test]
    fn lenient_forms() {
        for (read, written) in [
            ("2020-01-01t00:00:00z", "2020-01-01T00:00:00Z"),
            ("2020-01-01 00:00:00+0100", "2020-01-01T00:00:00+01:00"),
            ("2020-01-01T00:00:00+00:00", "2020-01-01T00:00:00Z"),
            ("2020-01-01T00:00:00.12345678901Z", "2020-01-01T00:00:00.123456789Z"),
        ] {
            assert_eq!(round_trip(read), written, "{read}");
        }
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for s in [
            "",
            "2020",
            "2020-13-01T00:00:00Z",
            "2020-01-01T25:00:00Z",
            "2020-01-01T00:00:00.Z",
            "2020-01-01T00:00:00+99:00",
            "2020-01-01T00:00:00 trailing",
            "２０２０-01-01T00:00:00Z",
        ] {
            assert!(Timestamp::parse(s).is_err(), "{s} should be rejected");
        }
    }

    #[test]
    fn powershell_dates_keep_their_text() {
        let t = Timestamp::parse("/Date(1632833324961)/").unwrap();
        assert_eq!(t.to_utc().to_rfc3339(), "2021-09-28T12:48:44.961+00:00");
        assert!(t.is_dotnet_form());
        assert_eq!(t.to_string(), "/Date(1632833324961)/");
        let t = Timestamp::parse("/Date(1632833324961+0100)/").unwrap();
        assert_eq!(t.to_utc().to_rfc3339(), "2021-09-28T12:48:44.961+00:00");
        assert_eq!(t.as_datetime().to_rfc3339(), "2021-09-28T13:48:44.961+01:00");
        assert_eq!(t.to_string(), "/Date(1632833324961+0100)/");
        for s in ["/Date(-62135596800000)/", "/Date(0-0530)/", "/Date(1632833324961-0800)/"] {
            assert_eq!(round_trip(s), s);
        }
        // PowerShell escapes the slashes in JSON; the value is the same.
        let t: Timestamp = serde_json::from_str(r#""\/Date(1632833324961+0100)\/""#).unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), r#""/Date(1632833324961+0100)/""#);
        for bad in [
            "/Date()/",
            "/Date(abc)/",
            "/Date(1+01)/",
            "/Date(1+2400)/",
            "/Date(99999999999999999999)/",
            "/Date(1)",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn serde_round_trip() {
        let t: Timestamp = serde_json::from_str("\"2017-01-01T00:02:43.5775965-08:00\"").unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"2017-01-01T00:02:43.5775965-08:00\"");
    }
}
