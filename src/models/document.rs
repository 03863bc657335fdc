//! JSON files as people have them: exports written by PowerShell, backup tools and editors
//! come as UTF-8 with or without a byte order mark, or as UTF-16 (little or big endian)
//! with one. Everything in the crate reads JSON text; this turns such a file into it.

use std::borrow::Cow;

/// Why a file's bytes are not a JSON text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// UTF-8 (no byte order mark, or the UTF-8 one) with an invalid byte sequence.
    #[error("the file is not valid UTF-8 (invalid byte sequence at byte {offset})")]
    InvalidUtf8 {
        /// Where the invalid sequence starts, counted from the start of the file.
        offset: usize,
    },
    /// A UTF-16 byte order mark followed by an odd number of bytes.
    #[error("the file starts with a UTF-16 byte order mark but has an odd number of bytes")]
    OddUtf16Length,
    /// UTF-16 with a surrogate that has no pair.
    #[error("the file is not valid UTF-16 (unpaired surrogate at byte {offset})")]
    InvalidUtf16 {
        /// Where the unpaired surrogate is, counted from the start of the file.
        offset: usize,
    },
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16_BE_BOM: &[u8] = b"\xFE\xFF";

/// The text of a JSON file: UTF-8 (a leading byte order mark is skipped), or UTF-16 LE/BE
/// told by its byte order mark (as Windows PowerShell's `Out-File` and `Set-Content
/// -Encoding Unicode` write). UTF-8 input is borrowed, not copied.
///
/// ```
/// use intune_graph::models::read_json_document;
///
/// let utf16le: Vec<u8> = [0xFF, 0xFE].into_iter()
///     .chain("{\"a\":1}".encode_utf16().flat_map(u16::to_le_bytes))
///     .collect();
/// assert_eq!(read_json_document(&utf16le).unwrap(), "{\"a\":1}");
/// assert_eq!(read_json_document(b"\xEF\xBB\xBF[]").unwrap(), "[]");
/// ```
///
/// # Errors
/// [`DocumentError`] when the bytes are not valid text in the encoding found.
pub fn read_json_document(bytes: &[u8]) -> Result<Cow<'_, str>, DocumentError> {
    if let Some(rest) = bytes.strip_prefix(UTF16_LE_BOM) {
        return utf16(rest, u16::from_le_bytes).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16_BE_BOM) {
        return utf16(rest, u16::from_be_bytes).map(Cow::Owned);
    }
    let (skipped, text) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (UTF8_BOM.len(), rest),
        None => (0, bytes),
    };
    std::str::from_utf8(text)
        .map(Cow::Borrowed)
        .map_err(|e| DocumentError::InvalidUtf8 { offset: skipped + e.valid_up_to() })
}

/// Decodes UTF-16 code units (after a 2-byte byte order mark) read with `unit`.
fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, DocumentError> {
    if bytes.len() % 2 != 0 {
        return Err(DocumentError::OddUtf16Length);
    }
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(c) => text.push(c),
            Err(_) => {
                // The code units decoded so far, after the byte order mark.
                let offset = 2 + 2 * text.encode_utf16().count();
                return Err(DocumentError::InvalidUtf16 { offset });
            }
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str) -> Vec<u8> {
        UTF16_LE_BOM.iter().copied().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect()
    }

    fn utf16be(text: &str) -> Vec<u8> {
        UTF16_BE_BOM.iter().copied().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect()
    }

    #[test]
    fn every_encoding_gives_the_same_text() {
        let text = "{\"displayName\":\"Zertifikat für WLAN 🔐\"}";
        assert!(matches!(read_json_document(text.as_bytes()).unwrap(), Cow::Borrowed(t) if t == text));
        let mut with_bom = UTF8_BOM.to_vec();
        with_bom.extend_from_slice(text.as_bytes());
        assert_eq!(read_json_document(&with_bom).unwrap(), text);
        assert_eq!(read_json_document(&utf16le(text)).unwrap(), text);
        assert_eq!(read_json_document(&utf16be(text)).unwrap(), text);
        assert_eq!(read_json_document(b"").unwrap(), "");
    }

    #[test]
    fn broken_text_is_a_typed_error() {
        assert_eq!(
            read_json_document(b"{\"a\":\"\xC3\x28\"}"),
            Err(DocumentError::InvalidUtf8 { offset: 6 })
        );
        assert_eq!(read_json_document(b"\xEF\xBB\xBF\xFF"), Err(DocumentError::InvalidUtf8 { offset: 3 }));
        assert_eq!(read_json_document(b"\xFF\xFE{\x00\""), Err(DocumentError::OddUtf16Length));
        // `{` then a lone high surrogate.
        assert_eq!(
            read_json_document(b"\xFF\xFE{\x00\x00\xD8"),
            Err(DocumentError::InvalidUtf16 { offset: 4 })
        );
        assert_eq!(read_json_document(b"\xFE\xFF\xDC\x00"), Err(DocumentError::InvalidUtf16 { offset: 2 }));
    }
}
