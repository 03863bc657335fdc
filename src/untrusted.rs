//! Text that came from a server, made safe to show.
//!
//! Error messages, codes and request ids are written by whoever answered, and an error's
//! `Display` ends up in logs and terminals. A newline there forges a log line, an escape
//! sequence drives the terminal, and a bidi override (U+202E) shows `exe.txt` as `txt.exe`.
//! The errors of this crate show such text through [`Untrusted`], which escapes those
//! characters; the error's fields keep the text exactly as received.

use std::{borrow::Cow, fmt};

/// Shows `text` with control characters and invisible format characters escaped
/// (`\n`, `\u{1b}`, `\u{202e}`, …); everything else, any script included, as it is.
///
/// ```
/// use intune_graph::untrusted::Untrusted;
///
/// let message = "Bad request\n2026-11-27T10:00:00Z INFO all good \u{202e}txt.exe";
/// assert_eq!(
///     Untrusted(message).to_string(),
///     r"Bad request\n2026-11-27T10:00:00Z INFO all good \u{202e}txt.exe"
/// );
/// assert_eq!(Untrusted("Zertifikat ungültig 証明書").to_string(), "Zertifikat ungültig 証明書");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Untrusted<'a>(pub &'a str);

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(needs_escape) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(f, "{}", c.escape_default())?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// `text` as [`Untrusted`] shows it, borrowed when there is nothing to escape.
pub fn escape(text: &str) -> Cow<'_, str> {
    if text.contains(needs_escape) { Cow::Owned(Untrusted(text).to_string()) } else { Cow::Borrowed(text) }
}

/// Control characters, and the invisible format characters that reorder or hide text:
/// bidi marks, embeddings, overrides and isolates, zero-width characters, the soft hyphen,
/// the byte-order mark and the interlinear annotation characters.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_invisible_format_characters_are_escaped_and_nothing_else() {
        let cases = [
            ("plain text", "plain text"),
            ("a\r\nb\tc", r"a\r\nb\tc"),
            ("\u{1b}[31mred\u{1b}[0m", r"\u{1b}[31mred\u{1b}[0m"),
            ("\u{202e}cod.exe", r"\u{202e}cod.exe"),
            ("zero\u{200b}width\u{feff}", r"zero\u{200b}width\u{feff}"),
            ("ü é 証明書 — “quotes” \\ \"", "ü é 証明書 — “quotes” \\ \""),
            ("", ""),
        ];
        for (text, shown) in cases {
            assert_eq!(Untrusted(text).to_string(), shown, "{text:?}");
            assert_eq!(escape(text), shown, "{text:?}");
        }
        assert!(matches!(escape("nothing to do"), Cow::Borrowed(_)));
    }
}
