//! Server-driven paging: `$skiptoken` cursors and `@odata.nextLink`.
//!
//! Choice of cursor: in the default (creation) order the skip token holds the
//! creation sequence number of the last object served, so a page continues
//! strictly after it — paging stays stable when objects are created or
//! deleted meanwhile (nothing is skipped or served twice; objects created
//! during the walk appear on later pages). With `$orderby` the token holds an
//! offset into the sorted result instead, so concurrent changes can shift
//! that walk, as with most offset-paged services. Tokens are opaque, carry a
//! checksum, and an altered token is a 400.

use std::cmp::Ordering;

use super::errors::ApiError;
use super::filter;
use super::percent;
use super::query::Options;
use super::store::{Entry, Store};

/// Where the next page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cursor {
    /// After this creation sequence number (default order).
    After(u64),
    /// At this offset into the sorted result (`$orderby`).
    Offset(u64),
}

fn checksum(text: &str) -> u32 {
    // FNV-1a: enough to reject a hand-edited or truncated token.
    text.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// Encodes a cursor as an opaque token.
pub(crate) fn encode(cursor: Cursor) -> String {
    let head = match cursor {
        Cursor::After(n) => format!("a{n:016x}"),
        Cursor::Offset(n) => format!("o{n:016x}"),
    };
    format!("{head}{:08x}", checksum(&head))
}

/// Decodes a token written by [`encode`].
pub(crate) fn decode(token: &str) -> Option<Cursor> {
    if token.len() != 25 || !token.is_ascii() {
        return None;
    }
    let (head, check) = token.split_at(17);
    if u32::from_str_radix(check, 16).ok()? != checksum(head) {
        return None;
    }
    let n = u64::from_str_radix(head.get(1..)?, 16).ok()?;
    match head.as_bytes().first()? {
        b'a' => Some(Cursor::After(n)),
        b'o' => Some(Cursor::Offset(n)),
        _ => None,
    }
}

/// One page of a listing.
pub(crate) struct Page<'a> {
    /// The objects on this page.
    pub(crate) entries: Vec<&'a Entry>,
    /// Where the next page starts, if there is one.
    pub(crate) next: Option<Cursor>,
    /// Total matches, when `$count=true`.
    pub(crate) count: Option<usize>,
}

fn invalid_token() -> ApiError {
    ApiError::bad("The $skiptoken is invalid or does not belong to this query.")
}

/// Computes one page. The response holds at most `page_size` objects; the
/// default order walks the store from the cursor and stops after one extra
/// match, `$orderby` sorts the matches.
pub(crate) fn page<'a>(store: &'a Store, opts: &Options, page_size: usize) -> Result<Page<'a>, ApiError> {
    let cursor = match &opts.skiptoken {
        Some(t) => Some(decode(t).ok_or_else(invalid_token)?),
        None => None,
    };
    let matches = |e: &&Entry| opts.filter.as_ref().is_none_or(|f| f.matches(&e.obj));
    let count = opts.count.then(|| store.iter().filter(matches).count());

    if opts.orderby.is_empty() {
        let iter: Box<dyn Iterator<Item = &Entry>> = match cursor {
            None => Box::new(store.iter()),
            Some(Cursor::After(seq)) => Box::new(store.iter_after(seq)),
            Some(Cursor::Offset(_)) => return Err(invalid_token()),
        };
        let mut entries = Vec::with_capacity(page_size.min(64));
        let mut more = false;
        for e in iter.filter(matches) {
            if entries.len() == page_size {
                more = true;
                break;
            }
            entries.push(e);
        }
        let next = if more { entries.last().map(|e| Cursor::After(e.seq)) } else { None };
        return Ok(Page { entries, next, count });
    }

    let offset = match cursor {
        None => 0,
        Some(Cursor::Offset(n)) => usize::try_from(n).map_err(|_| invalid_token())?,
        Some(Cursor::After(_)) => return Err(invalid_token()),
    };
    let mut all: Vec<&Entry> = store.iter().filter(matches).collect();
    all.sort_by(|a, b| {
        opts.orderby
            .iter()
            .map(|k| {
                let o = filter::compare_values(
                    filter::lookup(&a.obj, &k.property),
                    filter::lookup(&b.obj, &k.property),
                );
                if k.descending { o.reverse() } else { o }
            })
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
            .then(a.seq.cmp(&b.seq))
    });
    let start = offset.min(all.len());
    let end = start.saturating_add(page_size).min(all.len());
    let next = (end < all.len()).then_some(Cursor::Offset(end as u64));
    Ok(Page { entries: all[start..end].to_vec(), next, count })
}

/// The absolute `@odata.nextLink`: the same path with the original query
/// (minus any previous skip token) and `$skiptoken` appended.
pub(crate) fn next_link(origin: &str, path: &str, pairs: &[(String, String)], token: &str) -> String {
    let mut query = String::new();
    for (k, v) in pairs {
        let bare = k.strip_prefix('$').unwrap_or(k);
        if bare.eq_ignore_ascii_case("skiptoken") {
            continue;
        }
        query.push_str(&percent::encode_component(k));
        query.push('=');
        query.push_str(&percent::encode_component(v));
        query.push('&');
    }
    query.push_str("$skiptoken=");
    query.push_str(&percent::encode_component(token));
    format!("{}{path}?{query}", origin.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        for c in [Cursor::After(0), Cursor::After(u64::MAX), Cursor::Offset(25)] {
            assert_eq!(decode(&encode(c)), Some(c));
        }
        let mut t = encode(Cursor::After(7));
        t.replace_range(5..6, "f");
        assert_eq!(decode(&t), None);
        assert_eq!(decode("x"), None);
        assert_eq!(decode("éééééééééééé"), None);
    }

    #[test]
    fn link_keeps_query() {
        let pairs = vec![
            ("$filter".to_owned(), "displayName eq 'a&b'".to_owned()),
            ("$skiptoken".to_owned(), "old".to_owned()),
            ("$top".to_owned(), "2".to_owned()),
        ];
        let link = next_link("http://127.0.0.1:1/", "/beta/x", &pairs, "tok");
        assert_eq!(
            link,
            "http://127.0.0.1:1/beta/x?$filter=displayName%20eq%20'a%26b'&$top=2&$skiptoken=tok"
        );
    }
}
