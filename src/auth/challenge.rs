//! Claims challenges (continuous access evaluation): on a 401 whose `WWW-Authenticate`
//! carries `claims="…"`, the client re-acquires a token once with those claims.

/// The `claims` parameter of the first `Bearer` challenge in a `WWW-Authenticate` value,
/// exactly as given (usually base64 of a JSON object; it is not decoded here).
///
/// Handles several challenges in one header (`Basic realm="x", Bearer claims="…"`),
/// quoted strings with commas and backslash escapes, bare token values and any case of
/// the scheme and parameter names. `None` when there is no non-empty `claims` in a
/// `Bearer` challenge.
pub(crate) fn parse_claims_challenge(www_authenticate: &str) -> Option<String> {
    let mut scheme_is_bearer = false;
    let mut rest = www_authenticate;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            return None;
        }
        let (token, after) = split_token(rest);
        if token.is_empty() {
            // A stray `=` or `"` where a name should be: skip it and resynchronize.
            let mut chars = rest.chars();
            chars.next();
            rest = chars.as_str();
            continue;
        }
        let after_ws = after.trim_start();
        if let Some(value_start) = after_ws.strip_prefix('=') {
            // `name=value`: a parameter of the current challenge.
            let (value, after_value) = split_value(value_start.trim_start());
            if scheme_is_bearer && token.eq_ignore_ascii_case("claims") && !value.is_empty() {
                return Some(value);
            }
            rest = after_value;
        } else {
            // A bare token starts a new challenge (or is a token68 we do not need).
            scheme_is_bearer = token.eq_ignore_ascii_case("bearer");
            rest = after;
        }
    }
}

/// Splits off an RFC 7230 token (here: anything up to whitespace, `,`, `=` or `"`).
fn split_token(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| c.is_ascii_whitespace() || matches!(c, ',' | '=' | '"')).unwrap_or(s.len());
    s.split_at(end)
}

/// Splits off a parameter value: a quoted string (unescaped) or a bare token (which may
/// end in `=` padding, as base64 does).
fn split_value(s: &str) -> (String, &str) {
    if let Some(quoted) = s.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (value, &quoted[i + 1..]),
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                c => value.push(c),
            }
        }
        // Unterminated: take what there is rather than nothing.
        (value, "")
    } else {
        let end = s.find(|c: char| c.is_ascii_whitespace() || c == ',').unwrap_or(s.len());
        (s[..end].to_owned(), &s[end..])
    }
}

/// The claims as the token endpoint wants them: a JSON object.
///
/// Graph sends the challenge's claims base64-encoded; callers may also pass the JSON
/// itself. Anything that is neither is passed through unchanged, and the token endpoint
/// will say what is wrong with it.
pub(crate) fn claims_json(claims: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = claims.trim();
    if trimmed.starts_with('{') {
        return trimmed.into();
    }
    match decode_base64(trimmed).and_then(|bytes| String::from_utf8(bytes).ok()) {
        Some(json) if json.trim_start().starts_with('{') => json.into(),
        _ => claims.into(),
    }
}

/// Decodes standard or URL-safe base64, with or without padding. A tiny hand-written
/// decoder, because this is the only base64 in the crate.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A single leftover sextet cannot encode a byte: not base64.
    (bits < 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAIMS: &str =
        "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwNDEwNjY1MSJ9fX0=";

    #[test]
    fn graph_cae_challenge() {
        let header = format!(
            r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="{CLAIMS}""#
        );
        assert_eq!(parse_claims_challenge(&header).as_deref(), Some(CLAIMS));
    }

    #[test]
    fn several_challenges_and_odd_spacing() {
        let header = format!(
            r#"Basic realm="a, claims=\"no\"", Bearer  error = "insufficient_claims" ,claims = "{CLAIMS}""#
        );
        assert_eq!(parse_claims_challenge(&header).as_deref(), Some(CLAIMS));
        let header =
            format!(r#"PoP nonce="n", claims="pop-claims", bearer claims={CLAIMS}, Basic realm="r""#);
        assert_eq!(parse_claims_challenge(&header).as_deref(), Some(CLAIMS));
        let header = r#"Negotiate abc==, Bearer realm="x", CLAIMS="e30""#;
        assert_eq!(parse_claims_challenge(header).as_deref(), Some("e30"));
    }

    #[test]
    fn quoted_values_are_unescaped() {
        assert_eq!(parse_claims_challenge(r#"Bearer claims="a\"b\\c,d""#).as_deref(), Some(r#"a"b\c,d"#));
        assert_eq!(parse_claims_challenge(r#"Bearer claims="unterminated"#).as_deref(), Some("unterminated"));
    }

    #[test]
    fn no_claims_means_none() {
        for header in [
            "",
            "Bearer",
            r#"Bearer realm="x", error="invalid_token""#,
            r#"Bearer claims="""#,
            r#"Basic realm="x", claims="e30""#,
            r#"PoP claims="e30""#,
            r#"claims="e30""#,
            r#"Bearer realm="claims=\"e30\"""#,
            "=,\"\"=, ,",
        ] {
            assert_eq!(parse_claims_challenge(header), None, "{header}");
        }
    }

    #[test]
    fn claims_json_decodes_base64_and_keeps_json() {
        assert_eq!(
            claims_json(CLAIMS),
            r#"{"access_token":{"nbf":{"essential":true, "value":"1604106651"}}}"#
        );
        assert_eq!(claims_json(r#" {"a":1} "#), r#"{"a":1}"#);
        // URL-safe alphabet without padding.
        assert_eq!(claims_json("eyJhIjoiPz8_In0"), r#"{"a":"??\u{3f}"}"#.replace("\\u{3f}", "?"));
        // Not base64 of JSON: passed through as given.
        assert_eq!(claims_json("not base64!"), "not base64!");
        assert_eq!(claims_json("aGVsbG8="), "aGVsbG8=");
    }

    #[test]
    fn base64_edge_cases() {
        assert_eq!(decode_base64("").unwrap(), b"");
        assert_eq!(decode_base64("Zg==").unwrap(), b"f");
        assert_eq!(decode_base64("Zm8").unwrap(), b"fo");
        assert_eq!(decode_base64("Zm9v").unwrap(), b"foo");
        assert_eq!(decode_base64("Z"), None);
        assert_eq!(decode_base64("Zm9v!"), None);
    }
}
