//! OData system query options (`$select`, `$filter`, `$top`, …) as a typed value.

use std::fmt::Write as _;

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::error::{Error, Result};

/// Largest `$top` accepted by [`Query::validate`].
pub const MAX_TOP: u32 = 999;

/// Default cap on the number of pages one listing follows (see [`Query::max_pages`]).
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// Headers a query may not set: the send path owns them, and an `Authorization` set here
/// would override the client's token handling.
fn is_forbidden_header(name: &HeaderName) -> bool {
    name == header::AUTHORIZATION
        || name == header::PROXY_AUTHORIZATION
        || name == header::HOST
        || name == header::CONTENT_LENGTH
        || name == header::CONTENT_TYPE
        || name == header::TRANSFER_ENCODING
        || name == header::COOKIE
        || matches!(name.as_str(), "client-request-id" | "retry-attempt")
}

/// OData query options for a list (or a single read), plus the request headers and paging
/// limits that go with them.
///
/// Parameter names keep their `$` literally (`$top=5`, the conventional spelling); values
/// are percent-encoded for a URL query: spaces become `%20` (never `+`), `'` becomes
/// `%27` (as the WHATWG URL rules used by reqwest would do anyway), `&`, `=`, `+`, `#`, `;`
/// and `%` are escaped, and `,`, `(`, `)`, `/`, `:` and `@` stay readable.
///
/// ```
/// use intune_graph::odata::Query;
///
/// let query = Query::new()
///     .select(["id", "displayName"])
///     .filter("isof('microsoft.graph.iosScepCertificateProfile')")
///     .top(50)
///     .order_by("displayName")
///     .expand("assignments")
///     .count(true);
/// assert_eq!(
///     query.to_query_string(),
///     "$select=id,displayName&$filter=isof(%27microsoft.graph.iosScepCertificateProfile%27)\
///      &$orderby=displayName&$expand=assignments&$top=50&$count=true"
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct Query {
    select: Vec<String>,
    filter: Option<String>,
    search: Option<String>,
    order_by: Vec<String>,
    expand: Vec<String>,
    top: Option<u32>,
    skip: Option<u32>,
    count: Option<bool>,
    params: Vec<(String, String)>,
    headers: HeaderMap,
    carry_headers: bool,
    max_pages: usize,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            select: Vec::new(),
            filter: None,
            search: None,
            order_by: Vec::new(),
            expand: Vec::new(),
            top: None,
            skip: None,
            count: None,
            params: Vec::new(),
            headers: HeaderMap::new(),
            carry_headers: true,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }
}

impl Query {
    /// No options: the service's defaults.
    pub fn new() -> Self {
        Query::default()
    }

    /// `$select`: the properties to return (added to any selected before).
    pub fn select<I: IntoIterator<Item = S>, S: Into<String>>(mut self, properties: I) -> Self {
        self.select.extend(properties.into_iter().map(Into::into));
        self
    }

    /// `$filter`, written as OData text (replaces an earlier filter).
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        self.filter = Some(expression.into());
        self
    }

    /// `$filter=isof('<type>')`: only objects of one `@odata.type` (with or without `#`).
    pub fn of_type(self, odata_type: &str) -> Self {
        let name = odata_type.strip_prefix('#').unwrap_or(odata_type);
        self.filter(format!("isof('{}')", name.replace('\'', "''")))
    }

    /// `$search`, as OData text (Intune may not implement it for every collection).
    pub fn search(mut self, expression: impl Into<String>) -> Self {
        self.search = Some(expression.into());
        self
    }

    /// `$orderby`: sort ascending by a property (added after earlier sort keys).
    pub fn order_by(mut self, property: impl Into<String>) -> Self {
        self.order_by.push(property.into());
        self
    }

    /// `$orderby`: sort descending by a property (added after earlier sort keys).
    pub fn order_by_desc(mut self, property: impl Into<String>) -> Self {
        self.order_by.push(format!("{} desc", property.into()));
        self
    }

    /// `$expand`: a navigation property to return inline, e.g. `assignments`.
    pub fn expand(mut self, navigation: impl Into<String>) -> Self {
        self.expand.push(navigation.into());
        self
    }

    /// `$top`: the page size asked for (1 to [`MAX_TOP`]).
    pub fn top(mut self, n: u32) -> Self {
        self.top = Some(n);
        self
    }

    /// `$skip`: items to skip (Intune may not implement it for every collection).
    pub fn skip(mut self, n: u32) -> Self {
        self.skip = Some(n);
        self
    }

    /// `$count`: with `true` the response carries `@odata.count` ([`Page::count`]).
    ///
    /// [`Page::count`]: crate::odata::Page::count
    pub fn count(mut self, count: bool) -> Self {
        self.count = Some(count);
        self
    }

    /// Any other query parameter, e.g. a custom option (name and value are percent-encoded
    /// like the others; `$` stays literal).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// A request header sent with the request (and, unless
    /// [`carry_headers(false)`](Self::carry_headers), with every later page).
    ///
    /// `Authorization`, `Host`, framing headers, `client-request-id` and `Retry-Attempt`
    /// belong to the send path; [`validate`](Self::validate) refuses them.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// `ConsistencyLevel: eventual` (needed by some Graph collections for `$count` and
    /// `$search`), on every page.
    pub fn consistency_level_eventual(self) -> Self {
        self.header(HeaderName::from_static("consistencylevel"), HeaderValue::from_static("eventual"))
    }

    /// Whether the headers go with every page (default) or with the first request only.
    pub fn carry_headers(mut self, carry: bool) -> Self {
        self.carry_headers = carry;
        self
    }

    /// The most pages a listing follows before it stops with [`Error::Paging`] (default
    /// [`DEFAULT_MAX_PAGES`]). Not sent to the service.
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages;
        self
    }

    /// The headers set on this query.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Whether the headers go with every page.
    pub fn carries_headers(&self) -> bool {
        self.carry_headers
    }

    /// The page cap.
    pub fn page_limit(&self) -> usize {
        self.max_pages
    }

    /// True when no query parameter would be written.
    pub fn is_empty(&self) -> bool {
        self.to_query_string().is_empty()
    }

    /// Checks the options before anything is sent.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for `$top` outside 1 to [`MAX_TOP`], an empty property name, an
    /// empty `$filter`/`$search`, an empty parameter name, a page cap of 0, or a header the
    /// send path owns.
    pub fn validate(&self) -> Result<()> {
        if let Some(top) = self.top {
            if !(1..=MAX_TOP).contains(&top) {
                return Err(Error::invalid("query", format!("$top must be 1 to {MAX_TOP}, is {top}")));
            }
        }
        for (option, list) in
            [("$select", &self.select), ("$orderby", &self.order_by), ("$expand", &self.expand)]
        {
            if list.iter().any(|p| p.trim().is_empty()) {
                return Err(Error::invalid("query", format!("{option} has an empty entry")));
            }
        }
        for (option, text) in [("$filter", &self.filter), ("$search", &self.search)] {
            if text.as_deref().is_some_and(|t| t.trim().is_empty()) {
                return Err(Error::invalid("query", format!("{option} is empty")));
            }
        }
        if self.params.iter().any(|(name, _)| name.is_empty()) {
            return Err(Error::invalid("query", "a query parameter has an empty name"));
        }
        if self.max_pages == 0 {
            return Err(Error::invalid("query", "max_pages must be at least 1"));
        }
        if let Some(name) = self.headers.keys().find(|name| is_forbidden_header(name)) {
            return Err(Error::invalid(
                "query",
                format!("the header {name} is set by the client and cannot be set on a query"),
            ));
        }
        Ok(())
    }

    /// The query string (without `?`), percent-encoded; empty when no option is set.
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        let mut add = |name: &str, value: &str| {
            if !out.is_empty() {
                out.push('&');
            }
            encode_into(&mut out, name);
            out.push('=');
            encode_into(&mut out, value);
        };
        if !self.select.is_empty() {
            add("$select", &self.select.join(","));
        }
        if let Some(filter) = &self.filter {
            add("$filter", filter);
        }
        if let Some(search) = &self.search {
            add("$search", search);
        }
        if !self.order_by.is_empty() {
            add("$orderby", &self.order_by.join(","));
        }
        if !self.expand.is_empty() {
            add("$expand", &self.expand.join(","));
        }
        if let Some(top) = self.top {
            add("$top", &top.to_string());
        }
        if let Some(skip) = self.skip {
            add("$skip", &skip.to_string());
        }
        if let Some(count) = self.count {
            add("$count", if count { "true" } else { "false" });
        }
        for (name, value) in &self.params {
            add(name, value);
        }
        out
    }

    /// Appends the options to `url`'s query (after any parameters it already has).
    pub fn apply(&self, url: &mut Url) {
        let ours = self.to_query_string();
        if ours.is_empty() {
            return;
        }
        let query = match url.query() {
            Some(existing) if !existing.is_empty() => format!("{existing}&{ours}"),
            _ => ours,
        };
        url.set_query(Some(&query));
    }
}

/// Percent-encodes `text` for a URL query name or value (see [`Query`]).
fn encode_into(out: &mut String, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'!'
            | b'$'
            | b'('
            | b')'
            | b'*'
            | b','
            | b':'
            | b'@'
            | b'/'
            | b'?' => out.push(byte as char),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brief_example_encodes_conventionally() {
        let query = Query::new()
            .select(["id", "displayName"])
            .filter("isof('microsoft.graph.iosScepCertificateProfile')")
            .top(50)
            .order_by("displayName")
            .expand("assignments")
            .count(true);
        assert_eq!(
            query.to_query_string(),
            "$select=id,displayName&$filter=isof(%27microsoft.graph.iosScepCertificateProfile%27)\
             &$orderby=displayName&$expand=assignments&$top=50&$count=true"
        );
        query.validate().unwrap();
    }

    #[test]
    fn spaces_are_percent_20_and_reserved_characters_escaped() {
        let query =
            Query::new().filter("displayName eq 'A&B=C+D #1; 100%'").order_by_desc("lastModifiedDateTime");
        assert_eq!(
            query.to_query_string(),
            "$filter=displayName%20eq%20%27A%26B%3DC%2BD%20%231%3B%20100%25%27&$orderby=lastModifiedDateTime%20desc"
        );
        // Non-ASCII is UTF-8 percent-encoded.
        assert_eq!(Query::new().search("\"café\"").to_query_string(), "$search=%22caf%C3%A9%22");
    }

    #[test]
    fn apply_survives_url_normalization_and_keeps_existing_parameters() {
        let query = Query::new().filter("startswith(displayName,'SCEP x')").top(5);
        let mut url =
            Url::parse("https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations").unwrap();
        query.apply(&mut url);
        assert_eq!(
            url.query(),
            Some("$filter=startswith(displayName,%27SCEP%20x%27)&$top=5"),
            "the url crate must not re-encode what we wrote"
        );
        // Parsing the serialization again changes nothing (what reqwest sends is stable).
        assert_eq!(Url::parse(url.as_str()).unwrap(), url);
        let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
        assert_eq!(pairs[0], ("$filter".into(), "startswith(displayName,'SCEP x')".into()));

        let mut with_existing = Url::parse("https://graph.microsoft.com/beta/x?api=1").unwrap();
        Query::new().top(3).apply(&mut with_existing);
        assert_eq!(with_existing.query(), Some("api=1&$top=3"));

        let mut untouched = Url::parse("https://graph.microsoft.com/beta/x").unwrap();
        Query::new().apply(&mut untouched);
        assert_eq!(untouched.as_str(), "https://graph.microsoft.com/beta/x");
        assert!(Query::new().is_empty());
    }

    #[test]
    fn of_type_strips_hash_and_escapes_quotes() {
        assert_eq!(
            Query::new().of_type("#microsoft.graph.iosScepCertificateProfile").to_query_string(),
            "$filter=isof(%27microsoft.graph.iosScepCertificateProfile%27)"
        );
        assert_eq!(Query::new().of_type("a'b").to_query_string(), "$filter=isof(%27a%27%27b%27)");
    }

    #[test]
    fn custom_parameters_and_skip() {
        let query = Query::new().skip(10).count(false).param("$skiptoken", "abc=");
        assert_eq!(query.to_query_string(), "$skip=10&$count=false&$skiptoken=abc%3D");
    }

    #[test]
    fn validation() {
        let config = |q: Query| match q.validate() {
            Err(Error::InvalidArgument { what: "query", reason }) => reason,
            other => panic!("expected an invalid query, got {other:?}"),
        };
        assert!(config(Query::new().top(0)).contains("$top"));
        assert!(config(Query::new().top(1000)).contains("$top"));
        Query::new().top(1).validate().unwrap();
        Query::new().top(MAX_TOP).validate().unwrap();
        assert!(config(Query::new().select(["id", " "])).contains("$select"));
        assert!(config(Query::new().filter("")).contains("$filter"));
        assert!(config(Query::new().max_pages(0)).contains("max_pages"));
        assert!(config(Query::new().param("", "x")).contains("empty name"));
        let auth = Query::new().header(header::AUTHORIZATION, HeaderValue::from_static("Bearer stolen"));
        assert!(config(auth).contains("authorization"));
        let crid =
            Query::new().header(HeaderName::from_static("client-request-id"), HeaderValue::from_static("x"));
        assert!(config(crid).contains("client-request-id"));
        Query::new().consistency_level_eventual().validate().unwrap();
    }

    #[test]
    fn headers_and_paging_settings() {
        let query = Query::new().consistency_level_eventual().carry_headers(false).max_pages(7);
        assert_eq!(query.headers()["consistencylevel"], "eventual");
        assert!(!query.carries_headers());
        assert_eq!(query.page_limit(), 7);
        assert!(query.is_empty(), "headers and paging settings are not query parameters");
        assert!(Query::new().carries_headers());
        assert_eq!(Query::new().page_limit(), DEFAULT_MAX_PAGES);
    }
}
