//! Percent-encoding for the query strings the emulator writes
//! (`@odata.nextLink`) and percent-decoding for the paths it reads.

/// Bytes written as-is in a query key or value: RFC 3986 unreserved
/// characters plus the sub-delimiters OData uses (`$ ' ( ) * , : @ / !`).
/// `& = + ; # %` and everything else is escaped.
fn keep(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'_' | b'~' | b'$' | b'\'' | b'(' | b')' | b'*' | b',' | b':' | b'@' | b'/' | b'!'
        )
}

/// Percent-encodes one query key or value (space becomes `%20`).
pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes (not `+`, which is literal in a path). Malformed
/// escapes are kept verbatim; invalid UTF-8 is replaced, never a panic.
pub(crate) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let raw = "isof('microsoft.graph.x') and displayName eq 'a&b=c+d #1 é%'";
        let enc = encode_component(raw);
        assert!(!enc.contains(' ') && !enc.contains('&') && !enc.contains('+'));
        assert_eq!(decode(&enc), raw);
        assert_eq!(decode("%2"), "%2");
        assert_eq!(decode("a%zz"), "a%zz");
        assert_eq!(decode("%27x%27"), "'x'");
    }
}
