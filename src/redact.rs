//! Removing secrets from what a server sends back, before it reaches an error.
//!
//! A server (or a proxy, or a gateway) may echo the request: an error page quoting the
//! `Authorization` header, a body that reflects a form with the client secret. Every body
//! excerpt, message and header value an [`Error`](crate::Error) keeps is passed through a
//! [`Redactor`] where the error is built from the response, so no print site has to
//! remember it.

use std::{borrow::Cow, fmt, sync::Arc};

use reqwest::header::HeaderValue;

use crate::auth::Secret;

/// What a removed secret is replaced with.
pub(crate) const REDACTED: &str = "[redacted]";

/// Shorter values are not looked for: they cannot be told from ordinary text (a test token
/// `t` would take every `t` out of a message), and no real token or client secret is this
/// short.
const MIN_SECRET_LEN: usize = 8;

/// The secrets of one client: the bearer token sent on the attempt an error comes from,
/// and what the credential holds (a client secret).
///
/// Cheap to clone: the token is a shared header value, the secrets an `Arc`.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    /// The `Authorization` value sent (`Bearer <token>`).
    authorization: Option<HeaderValue>,
    /// The credential's own secrets.
    secrets: Arc<[Secret]>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redactor([redacted])")
    }
}

impl Redactor {
    /// A redactor for the credential's `secrets`, without a token yet.
    pub(crate) fn new(secrets: Arc<[Secret]>) -> Self {
        Redactor { authorization: None, secrets }
    }

    /// The same secrets, and the token of `authorization` (`Bearer <token>`).
    pub(crate) fn with_authorization(&self, authorization: &HeaderValue) -> Self {
        Redactor { authorization: Some(authorization.clone()), secrets: self.secrets.clone() }
    }

    /// Every form in which a secret may come back: as sent, form-encoded (a reflected
    /// token request), and JSON-escaped (a reflected JSON document).
    fn needles(&self) -> Vec<Vec<u8>> {
        let token = self.authorization.as_ref().map(|h| {
            let raw = h.as_bytes();
            raw.strip_prefix(b"Bearer ").unwrap_or(raw)
        });
        let secrets = self.secrets.iter().map(|s| s.expose().as_bytes());
        let mut needles: Vec<Vec<u8>> = Vec::new();
        for raw in token.into_iter().chain(secrets).filter(|raw| raw.len() >= MIN_SECRET_LEN) {
            let form: String = url::form_urlencoded::byte_serialize(raw).collect();
            let json = serde_json::to_string(&String::from_utf8_lossy(raw)).unwrap_or_default();
            // Without the enclosing quotes.
            let json = json.as_bytes().get(1..json.len().saturating_sub(1)).unwrap_or_default().to_vec();
            for needle in [raw.to_vec(), form.into_bytes(), json] {
                if !needle.is_empty() && !needles.contains(&needle) {
                    needles.push(needle);
                }
            }
        }
        // Longest first, so a secret is removed whole before a shorter one inside it.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles
    }

    /// `body` with every secret replaced by `[redacted]` (borrowed when there was none).
    pub(crate) fn bytes<'a>(&self, body: &'a [u8]) -> Cow<'a, [u8]> {
        let mut out = Cow::Borrowed(body);
        for needle in self.needles() {
            if let Some(replaced) = replace(&out, &needle, REDACTED.as_bytes()) {
                out = Cow::Owned(replaced);
            }
        }
        out
    }

    /// `text` with every secret replaced by `[redacted]`.
    pub(crate) fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.bytes(text.as_bytes()) {
            Cow::Borrowed(_) => Cow::Borrowed(text),
            // Replacing whole UTF-8 sequences by ASCII keeps the text valid UTF-8.
            Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        }
    }

    /// Redacts `text` in place.
    pub(crate) fn string(&self, text: &mut String) {
        if let Cow::Owned(clean) = self.text(text) {
            *text = clean;
        }
    }

    /// Redacts an optional text in place.
    pub(crate) fn option(&self, text: &mut Option<String>) {
        if let Some(text) = text {
            self.string(text);
        }
    }
}

/// `haystack` with every `needle` replaced by `with`, or `None` when it has none.
fn replace(haystack: &[u8], needle: &[u8], with: &[u8]) -> Option<Vec<u8>> {
    let first = find(haystack, needle)?;
    let mut out = Vec::with_capacity(haystack.len());
    out.extend_from_slice(&haystack[..first]);
    out.extend_from_slice(with);
    let mut rest = &haystack[first + needle.len()..];
    while let Some(at) = find(rest, needle) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(with);
        rest = &rest[at + needle.len()..];
    }
    out.extend_from_slice(rest);
    Some(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor() -> Redactor {
        Redactor::new(Arc::from(vec![Secret::new("a+b/c=d~e\"")]))
            .with_authorization(&HeaderValue::from_static("Bearer eyJ.tok-en_1"))
    }

    #[test]
    fn removes_the_token_and_the_secret_in_every_form() {
        let text = "auth=Bearer eyJ.tok-en_1; form client_secret=a%2Bb%2Fc%3Dd%7Ee%22; \
                    json \"a+b/c=d~e\\\"\"; raw a+b/c=d~e\" end";
        let clean = redactor().text(text);
        assert_eq!(
            clean,
            "auth=Bearer [redacted]; form client_secret=[redacted]; json \"[redacted]\"; raw [redacted] end"
        );
    }

    #[test]
    fn leaves_clean_text_borrowed_and_handles_binary() {
        assert!(matches!(redactor().text("nothing here"), Cow::Borrowed(_)));
        let body = [&[0xff, 0xfe][..], b"eyJ.tok-en_1", &[0x80]].concat();
        assert_eq!(redactor().bytes(&body).as_ref(), [&[0xff, 0xfe][..], b"[redacted]", &[0x80]].concat());
        // Without a token or secrets, nothing changes; nor with a token too short to find.
        assert_eq!(Redactor::default().text("Bearer x"), "Bearer x");
        let short = Redactor::default().with_authorization(&HeaderValue::from_static("Bearer t"));
        assert_eq!(short.text("at line 1"), "at line 1");
    }

    #[test]
    fn debug_shows_nothing() {
        assert_eq!(format!("{:?}", redactor()), "Redactor([redacted])");
    }
}
