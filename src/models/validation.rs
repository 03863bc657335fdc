//! Checks run before anything is sent: every problem is collected and reported at once.

use std::fmt;

/// One problem with one field of an object about to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationProblem {
    /// JSON path of the field, e.g. `extendedKeyUsages[2].objectIdentifier`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ValidationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// An object was refused before it was sent; lists every problem found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// The problems, in field order.
    pub problems: Vec<ValidationProblem>,
}

impl ValidationError {
    /// An error of one problem.
    pub(crate) fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationError { problems: vec![ValidationProblem { field: field.into(), message: message.into() }] }
    }

    /// True when some problem concerns `field` (an exact JSON path).
    pub fn has_problem_with(&self, field: &str) -> bool {
        self.problems.iter().any(|p| p.field == field)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid object ({} problem{}): ",
            self.problems.len(),
            if self.problems.len() == 1 { "" } else { "s" }
        )?;
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// Collects problems while checking an object.
#[derive(Default)]
pub(crate) struct Problems(Vec<ValidationProblem>);

impl Problems {
    pub(crate) fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(ValidationProblem { field: field.into(), message: message.into() });
    }

    pub(crate) fn into_result(self) -> Result<(), ValidationError> {
        if self.0.is_empty() { Ok(()) } else { Err(ValidationError { problems: self.0 }) }
    }
}

/// Requires a value to be present.
pub(crate) fn require<T>(problems: &mut Problems, field: &str, value: &Option<T>) -> bool {
    if value.is_none() {
        problems.push(field, "is required");
    }
    value.is_some()
}

/// Requires a text that is not blank; true when it is there.
pub(crate) fn require_text(problems: &mut Problems, field: &str, value: &Option<String>) -> bool {
    match value.as_deref() {
        None => problems.push(field, "is required"),
        Some(text) if text.trim().is_empty() => problems.push(field, "must not be empty"),
        Some(_) => return true,
    }
    false
}

/// How many entries an optional list has.
pub(crate) fn count<T>(list: &Option<Vec<T>>) -> usize {
    list.as_ref().map_or(0, Vec::len)
}

/// Refuses a list longer than the schema allows (`This collection can contain a maximum of
/// {max} elements`).
pub(crate) fn at_most(problems: &mut Problems, field: &str, len: usize, max: usize) {
    if len > max {
        problems.push(field, format!("has {len} entries, at most {max} are allowed"));
    }
}

/// Refuses a number outside `range` (the schema's `Valid values 0 to 65535`).
pub(crate) fn in_range(
    problems: &mut Problems,
    field: &str,
    value: Option<i32>,
    range: std::ops::RangeInclusive<i32>,
) {
    if let Some(value) = value.filter(|v| !range.contains(v)) {
        problems.push(field, format!("must be {} to {}, is {value}", range.start(), range.end()));
    }
}

/// A dotted-decimal OID: at least two arcs, the first 0–2, no leading zeros.
pub(crate) fn is_dotted_decimal_oid(oid: &str) -> bool {
    let mut arcs = oid.split('.');
    let first_ok = matches!(arcs.next(), Some("0" | "1" | "2"));
    let mut rest = 0;
    let rest_ok = arcs.all(|arc| {
        rest += 1;
        !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit()) && (arc == "0" || !arc.starts_with('0'))
    });
    first_ok && rest_ok && rest >= 1
}

/// An absolute `https` URL with a host.
pub(crate) fn https_url_problem(value: &str) -> Option<&'static str> {
    match url::Url::parse(value) {
        Err(_) => Some("is not an absolute URL"),
        Ok(url) if url.scheme() != "https" => Some("must use https"),
        Ok(url) if url.host_str().is_none_or(str::is_empty) => Some("has no host"),
        Ok(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids() {
        for ok in ["1.3.6.1.5.5.7.3.2", "2.5.29.37.0", "1.3.6.1.4.1.311.20.2.2", "0.9"] {
            assert!(is_dotted_decimal_oid(ok), "{ok}");
        }
        for bad in ["", "1", "3.1", "1..2", "1.2.", "1.02", "a.b", " 1.2", "Object Identifier value"] {
            assert!(!is_dotted_decimal_oid(bad), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert_eq!(https_url_problem("https://scep.contoso.com/certsrv/mscep/mscep.dll"), None);
        assert_eq!(https_url_problem("http://scep.contoso.com/"), Some("must use https"));
        assert_eq!(https_url_problem("Scep Server Urls value"), Some("is not an absolute URL"));
        assert_eq!(https_url_problem("/relative"), Some("is not an absolute URL"));
    }
}
