//! OData system query options (`$top`, `$select`, `$filter`, ...).
//!
//! Names are accepted with or without `$` (Graph beta allows both) and
//! case-insensitively. An unknown `$name` is a 400; a known option the
//! emulator does not implement (`$skip`, `$search`, ...) is a 400 with a
//! message saying so; other parameters are ignored.

use super::errors::ApiError;
use super::filter::{self, Expr};
use super::references;
use super::types;

/// The largest `$top` Graph accepts for this collection: 999, the limit the client
/// enforces too (`odata::MAX_TOP`), so a request the emulator accepts is one the client
/// can send.
pub(crate) const MAX_TOP: usize = 999;

/// Where the options are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The collection (`GET …/deviceConfigurations`).
    Collection,
    /// A single entity (`GET …/deviceConfigurations/{id}`).
    Entity,
}

/// One `$orderby` key.
#[derive(Debug, Clone)]
pub(crate) struct OrderKey {
    /// The property.
    pub(crate) property: String,
    /// `desc`.
    pub(crate) descending: bool,
}

/// Parsed options.
#[derive(Debug, Default)]
pub(crate) struct Options {
    /// `$top` (page size).
    pub(crate) top: Option<usize>,
    /// `$select`.
    pub(crate) select: Option<Vec<String>>,
    /// `$expand`.
    pub(crate) expand: Expand,
    /// `$filter`.
    pub(crate) filter: Option<Expr>,
    /// `$count=true`.
    pub(crate) count: bool,
    /// `$orderby`.
    pub(crate) orderby: Vec<OrderKey>,
    /// `$skiptoken`.
    pub(crate) skiptoken: Option<String>,
    /// The decoded pairs as received (for `@odata.nextLink`).
    pub(crate) pairs: Vec<(String, String)>,
}

const IMPLEMENTED: &[&str] = &["top", "select", "expand", "filter", "count", "orderby", "skiptoken"];
const NOT_IMPLEMENTED: &[&str] =
    &["skip", "search", "format", "apply", "compute", "levels", "index", "deltatoken", "schemaversion"];

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@' || c == '.')
}

/// Parses a raw query string.
pub(crate) fn parse(raw: Option<&str>, scope: Scope) -> Result<Options, ApiError> {
    let mut opts = Options::default();
    let mut seen: Vec<String> = Vec::new();
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for (key, value) in &pairs {
        let (dollar, bare) = match key.strip_prefix('$') {
            Some(b) => (true, b),
            None => (false, key.as_str()),
        };
        let name = bare.to_ascii_lowercase();
        if NOT_IMPLEMENTED.contains(&name.as_str()) {
            return Err(ApiError::bad(format!(
                "The query option '${name}' is not supported by this endpoint."
            )));
        }
        if !IMPLEMENTED.contains(&name.as_str()) {
            if dollar {
                return Err(ApiError::bad(format!("The query parameter '{key}' is not supported.")));
            }
            continue;
        }
        if seen.contains(&name) {
            return Err(ApiError::bad(format!("The query option '${name}' was specified more than once.")));
        }
        seen.push(name.clone());
        let entity_ok = matches!(name.as_str(), "select" | "expand");
        if scope == Scope::Entity && !entity_ok {
            return Err(ApiError::bad(format!(
                "The query option '${name}' is not allowed on a single entity."
            )));
        }
        match name.as_str() {
            "top" => opts.top = Some(parse_top(value)?),
            "select" => opts.select = Some(parse_select(value)?),
            "expand" => opts.expand = parse_expand(value)?,
            "filter" => {
                let expr = filter::parse(value)
                    .map_err(|e| ApiError::bad(format!("Invalid $filter '{value}': {e}.")))?;
                opts.filter = Some(expr);
            }
            "count" => {
                opts.count = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(ApiError::bad(format!(
                            "Invalid $count '{value}': expected true or false."
                        )));
                    }
                }
            }
            "orderby" => opts.orderby = parse_orderby(value)?,
            _ => opts.skiptoken = Some(value.clone()),
        }
    }
    opts.pairs = pairs;
    Ok(opts)
}

fn parse_top(value: &str) -> Result<usize, ApiError> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_TOP).contains(&n) => Ok(n),
        _ => Err(ApiError::bad(format!("Invalid $top '{value}': expected an integer from 1 to {MAX_TOP}."))),
    }
}

fn parse_select(value: &str) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for item in value.split(',') {
        let item = item.trim();
        if item != "*" && !is_identifier(item) {
            return Err(ApiError::bad(format!(
                "Invalid $select '{value}': '{item}' is not a property name."
            )));
        }
        out.push(item.to_owned());
    }
    Ok(out)
}

/// What `$expand` names: the contained `assignments` and references to other
/// configurations (`rootCertificate`, or cast: `microsoft.graph.T/rootCertificate`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Expand {
    /// `assignments` (or `*`).
    pub(crate) assignments: bool,
    /// The references, in the order named.
    pub(crate) references: Vec<ExpandReference>,
}

/// One reference named in `$expand`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExpandReference {
    /// The type of the cast form (normalised), `None` for a bare navigation name.
    pub(crate) cast: Option<String>,
    /// The navigation property, as the schema spells it.
    pub(crate) navigation: &'static str,
}

fn parse_expand(value: &str) -> Result<Expand, ApiError> {
    let mut expand = Expand::default();
    for item in value.split(',') {
        let item = item.trim();
        if item.contains('(') {
            return Err(ApiError::bad(format!(
                "Invalid $expand '{value}': nested query options are not supported."
            )));
        }
        if item == "*" || item.eq_ignore_ascii_case("assignments") {
            expand.assignments = true;
            continue;
        }
        let reference = expand_reference(item).ok_or_else(|| {
            ApiError::bad(format!(
                "Invalid $expand '{value}': could not find a navigation property named '{item}' \
                 (supported: assignments, and the references between configurations, e.g. \
                 'microsoft.graph.iosScepCertificateProfile/rootCertificate')."
            ))
        })?;
        expand.references.push(reference);
    }
    Ok(expand)
}

/// `nav` (a reference some type has) or `microsoft.graph.T/nav` (one `T` has).
fn expand_reference(item: &str) -> Option<ExpandReference> {
    match item.split_once('/') {
        Some((cast, navigation)) => {
            let cast = types::normalize(cast)?;
            let reference = references::find(&cast, navigation)?;
            Some(ExpandReference { cast: Some(cast), navigation: reference.navigation })
        }
        None => {
            let reference = references::named(item)?;
            Some(ExpandReference { cast: None, navigation: reference })
        }
    }
}

fn parse_orderby(value: &str) -> Result<Vec<OrderKey>, ApiError> {
    let mut keys = Vec::new();
    for item in value.split(',') {
        let mut words = item.split_whitespace();
        let property = words.next().unwrap_or_default();
        let dir = words.next();
        let valid = is_identifier(property) && !property.contains('.') && words.next().is_none();
        let descending = match dir.map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => {
                return Err(ApiError::bad(format!(
                    "Invalid $orderby '{value}': expected 'property [asc|desc]'."
                )));
            }
        };
        if !valid {
            return Err(ApiError::bad(format!(
                "Invalid $orderby '{value}': expected 'property [asc|desc]'."
            )));
        }
        keys.push(OrderKey { property: property.to_owned(), descending });
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_limit_is_the_clients() {
        assert_eq!(MAX_TOP, crate::odata::MAX_TOP as usize);
    }

    fn ok(q: &str, scope: Scope) -> Options {
        match parse(Some(q), scope) {
            Ok(o) => o,
            Err(e) => panic!("{q}: {e:?}"),
        }
    }

    #[test]
    fn parses() {
        let o = ok(
            "$top=5&select=id,displayName&$count=true&$orderby=displayName%20desc,\
             createdDateTime&$filter=isof(%27microsoft.graph.iosScepCertificateProfile%27)\
             &$expand=assignments&other=1",
            Scope::Collection,
        );
        assert_eq!(o.top, Some(5));
        assert_eq!(o.select.as_deref().map(<[String]>::len), Some(2));
        assert!(o.count && o.expand.assignments && o.filter.is_some());
        assert!(o.orderby[0].descending && !o.orderby[1].descending);
        assert_eq!(o.pairs.len(), 7);
    }

    #[test]
    fn expands_references_bare_and_cast() {
        let o = ok(
            "$expand=assignments,RootCertificate,microsoft.graph.iosEnterpriseWiFiConfiguration/\
             rootCertificatesForServerValidation",
            Scope::Entity,
        );
        assert!(o.expand.assignments);
        assert_eq!(
            o.expand.references,
            [
                ExpandReference { cast: None, navigation: "rootCertificate" },
                ExpandReference {
                    cast: Some("#microsoft.graph.iosEnterpriseWiFiConfiguration".into()),
                    navigation: "rootCertificatesForServerValidation"
                },
            ]
        );
    }

    #[test]
    fn rejects() {
        for (q, scope) in [
            ("$top=0", Scope::Collection),
            ("$top=1001", Scope::Collection),
            ("$top=x", Scope::Collection),
            ("$top=1&$top=2", Scope::Collection),
            ("$count=yes", Scope::Collection),
            ("$skip=1", Scope::Collection),
            ("$bogus=1", Scope::Collection),
            ("$orderby=a b c", Scope::Collection),
            ("$orderby=a sideways", Scope::Collection),
            ("$expand=deviceStatuses", Scope::Collection),
            ("$expand=microsoft.graph.iosPkcsCertificateProfile/rootCertificate", Scope::Entity),
            ("$expand=microsoft.graph.iosScepCertificateProfile/bogus", Scope::Entity),
            ("$expand=bogus/rootCertificate", Scope::Entity),
            ("$expand=rootCertificate(select=id)", Scope::Entity),
            ("$select=a,,b", Scope::Collection),
            ("$top=1", Scope::Entity),
        ] {
            assert!(parse(Some(q), scope).is_err(), "{q}");
        }
    }
}
