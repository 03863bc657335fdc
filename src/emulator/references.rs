//! References between configurations (`rootCertificate`,
//! `identityCertificateForClientAuthentication`, `rootCertificatesForServerValidation`, …):
//! every edge of [`crate::models::schema::REFERENCES`], checked like Graph checks them and
//! stored on the referring [`Entry`].
//!
//! A reference is checked before anything is stored: the object's type must have the
//! navigation, a single-valued one takes one URL and a collection an array of them, each
//! URL must name an existing configuration of the reference's target type, and a
//! collection never holds a target twice. Every refusal is a 400.

use serde_json::Value;

use super::body;
use super::errors::ApiError;
use super::query::ExpandReference;
use super::store::{Entry, Store};
use super::types;
use super::wire::EntityView;
use crate::models::schema::{self, Reference};

/// The reference `navigation` (matched ignoring ASCII case) of an object of `odata_type`.
pub(crate) fn find(odata_type: &str, navigation: &str) -> Option<&'static Reference> {
    schema::references(odata_type).find(|r| r.navigation.eq_ignore_ascii_case(navigation))
}

/// The schema's spelling of a navigation some type has as a reference.
pub(crate) fn named(navigation: &str) -> Option<&'static str> {
    schema::REFERENCES.iter().find(|r| r.navigation.eq_ignore_ascii_case(navigation)).map(|r| r.navigation)
}

/// References checked and ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bound {
    /// The navigation property, as the schema spells it.
    pub(crate) navigation: &'static str,
    /// Whether it holds a collection.
    pub(crate) many: bool,
    /// The target ids, as stored.
    pub(crate) targets: Vec<String>,
}

/// The id a reference URL names, checked: an existing configuration `reference` accepts.
pub(crate) fn check_target(store: &Store, reference: &Reference, url: &str) -> Result<String, ApiError> {
    let navigation = reference.navigation;
    let id = body::bind_target(url).ok_or_else(|| {
        ApiError::bad(format!(
            "'{url}' does not reference a deviceConfiguration; expected a URL ending in \
             'deviceConfigurations/{{id}}' or \"deviceConfigurations('{{id}}')\"."
        ))
    })?;
    let target = store
        .get(&id)
        .ok_or_else(|| ApiError::bad(format!("The {navigation} target '{id}' does not exist.")))?;
    if !reference.accepts(target.odata_type()) {
        return Err(ApiError::bad(format!(
            "The {navigation} target '{id}' is a '{}', not a '{}'.",
            types::short(target.odata_type()),
            reference.target
        )));
    }
    Ok(target.id().to_owned())
}

/// Checks the `{navigation}@odata.bind` entries of a body (`binds`: the navigation as
/// written and the annotation's value) for an object of `odata_type`. `current` is the
/// object an update changes: a collection bind adds to its members, which must not repeat.
pub(crate) fn resolve_binds(
    store: &Store,
    odata_type: &str,
    binds: &[(String, Value)],
    current: Option<&Entry>,
) -> Result<Vec<Bound>, ApiError> {
    let mut out = Vec::with_capacity(binds.len());
    for (navigation, value) in binds {
        let reference = find(odata_type, navigation).ok_or_else(|| {
            ApiError::bad(format!(
                "'{navigation}' is not a navigation property of '{}' that references another \
                 configuration ('{navigation}@odata.bind').",
                types::short(odata_type)
            ))
        })?;
        let urls = bind_urls(reference, value)?;
        let mut targets: Vec<String> = Vec::with_capacity(urls.len());
        for url in urls {
            let id = check_target(store, reference, url)?;
            let held = current.is_some_and(|entry| has_target(entry, reference.navigation, &id));
            if held || targets.iter().any(|t| t.eq_ignore_ascii_case(&id)) {
                return Err(already_referenced(reference.navigation));
            }
            targets.push(id);
        }
        out.push(Bound { navigation: reference.navigation, many: reference.many, targets });
    }
    Ok(out)
}

/// The URLs of a bind annotation: one string for a single-valued reference, an array of
/// strings for a collection.
fn bind_urls<'v>(reference: &Reference, value: &'v Value) -> Result<Vec<&'v str>, ApiError> {
    let navigation = reference.navigation;
    match (reference.many, value) {
        (false, Value::String(url)) => Ok(vec![url.as_str()]),
        (true, Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().ok_or_else(|| {
                    ApiError::bad(format!("Every item of '{navigation}@odata.bind' must be a URL string."))
                })
            })
            .collect(),
        (false, _) => Err(ApiError::bad(format!(
            "'{navigation}@odata.bind' must be one URL string: '{navigation}' is single-valued."
        ))),
        (true, _) => Err(ApiError::bad(format!(
            "'{navigation}@odata.bind' must be an array of URL strings: '{navigation}' is a collection."
        ))),
    }
}

/// What Graph answers when a collection would hold a target twice.
pub(crate) fn already_referenced(navigation: &str) -> ApiError {
    ApiError::bad(format!(
        "One or more added object references already exist for the following modified \
         properties: '{navigation}'."
    ))
}

/// Whether `entry`'s reference `navigation` holds `id`.
pub(crate) fn has_target(entry: &Entry, navigation: &str, id: &str) -> bool {
    entry.references.get(navigation).is_some_and(|t| t.iter().any(|x| x.eq_ignore_ascii_case(id)))
}

/// Stores checked references: a single-valued one is replaced, a collection grows.
pub(crate) fn apply(entry: &mut Entry, bound: Vec<Bound>) {
    for b in bound {
        if !b.many {
            entry.references.insert(b.navigation.to_owned(), b.targets);
        } else if !b.targets.is_empty() {
            entry.references.entry(b.navigation.to_owned()).or_default().extend(b.targets);
        }
    }
}

/// The stored targets of `entry`'s reference `navigation` that still exist.
pub(crate) fn targets<'s>(store: &'s Store, entry: &Entry, navigation: &str) -> Vec<&'s Entry> {
    entry
        .references
        .get(navigation)
        .map_or_else(Vec::new, |ids| ids.iter().filter_map(|id| store.get(id)).collect())
}

/// The `$expand`ed references of `entry`: a single-valued one is the target object or
/// `null`, a collection an array. A cast item for another type is skipped (as OData does);
/// a bare navigation the object's type does not have is a 400.
pub(crate) fn expanded(
    store: &Store,
    entry: &Entry,
    items: &[ExpandReference],
) -> Result<Vec<(&'static str, Value)>, ApiError> {
    let odata_type = entry.odata_type();
    let mut out: Vec<(&'static str, Value)> = Vec::with_capacity(items.len());
    for item in items {
        if item.cast.as_deref().is_some_and(|cast| !types::is_a(odata_type, cast)) {
            continue;
        }
        let reference = find(odata_type, item.navigation).ok_or_else(|| {
            ApiError::bad(format!(
                "Invalid $expand: could not find a navigation property named '{}' on '{}'.",
                item.navigation,
                types::short(odata_type)
            ))
        })?;
        if out.iter().any(|(n, _)| *n == reference.navigation) {
            continue;
        }
        let found = targets(store, entry, reference.navigation);
        let value = |target: &Entry| serde_json::to_value(EntityView::entry(target)).unwrap_or(Value::Null);
        let value = if reference.many {
            Value::Array(found.into_iter().map(value).collect())
        } else {
            found.first().map_or(Value::Null, |t| value(t))
        };
        out.push((reference.navigation, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, json};

    fn store_with(objects: &[(&str, &str)]) -> Store {
        let mut store = Store::default();
        for (id, ty) in objects {
            let mut obj = Map::new();
            obj.insert("@odata.type".into(), Value::from(format!("#microsoft.graph.{ty}")));
            obj.insert("id".into(), Value::from(*id));
            store.upsert(id, obj);
        }
        store
    }

    fn refusal(result: Result<Vec<Bound>, ApiError>) -> String {
        match result {
            Err(e) => format!("{e:?}"),
            Ok(b) => panic!("accepted: {b:?}"),
        }
    }

    #[test]
    fn binds_are_checked_against_the_schema() {
        let store = store_with(&[
            ("r1", "iosTrustedRootCertificate"),
            ("r2", "iosTrustedRootCertificate"),
            ("m1", "macOSTrustedRootCertificate"),
            ("s1", "iosScepCertificateProfile"),
        ]);
        let wifi = "#microsoft.graph.iosEnterpriseWiFiConfiguration";
        let bind = |nav: &str, v: Value| vec![(nav.to_owned(), v)];
        let ok = resolve_binds(
            &store,
            wifi,
            &[
                (
                    "rootCertificatesForServerValidation".into(),
                    json!(["x/deviceConfigurations('r1')", "x/deviceConfigurations/R2"]),
                ),
                ("IdentityCertificateForClientAuthentication".into(), json!("x/deviceConfigurations('s1')")),
            ],
            None,
        );
        assert_eq!(
            ok.ok(),
            Some(vec![
                Bound {
                    navigation: "rootCertificatesForServerValidation",
                    many: true,
                    targets: vec!["r1".into(), "r2".into()]
                },
                Bound {
                    navigation: "identityCertificateForClientAuthentication",
                    many: false,
                    targets: vec!["s1".into()]
                },
            ])
        );
        let cases = [
            (bind("rootCertificate", json!("x/deviceConfigurations('r1')")), "is not a navigation property"),
            (bind("rootCertificatesForServerValidation", json!("x/deviceConfigurations('r1')")), "an array"),
            (
                bind("identityCertificateForClientAuthentication", json!(["x/deviceConfigurations('s1')"])),
                "one URL string",
            ),
            (
                bind("rootCertificatesForServerValidation", json!(["x/deviceConfigurations('m1')"])),
                "not a 'iosTrustedRootCertificate'",
            ),
            (
                bind("rootCertificatesForServerValidation", json!(["x/deviceConfigurations('nope')"])),
                "does not exist",
            ),
            (
                bind(
                    "rootCertificatesForServerValidation",
                    json!(["x/deviceConfigurations('r1')", "x/deviceConfigurations('R1')"]),
                ),
                "already exist",
            ),
            (bind("rootCertificatesForServerValidation", json!([1])), "URL string"),
            (bind("identityCertificateForClientAuthentication", json!("not a url")), "does not reference"),
        ];
        for (binds, expected) in cases {
            let err = refusal(resolve_binds(&store, wifi, &binds, None));
            assert!(err.contains(expected), "{binds:?}: {err}");
        }
    }

    #[test]
    fn an_update_adds_to_a_collection_and_refuses_a_member_it_holds() {
        let mut store = store_with(&[
            ("w", "iosEnterpriseWiFiConfiguration"),
            ("r1", "iosTrustedRootCertificate"),
            ("r2", "iosTrustedRootCertificate"),
        ]);
        let nav = "rootCertificatesForServerValidation";
        let bind = |store: &Store, root: &str, current: Option<&Entry>| {
            let binds = [(nav.to_owned(), json!([format!("deviceConfigurations/{root}")]))];
            resolve_binds(store, "iosEnterpriseWiFiConfiguration", &binds, current)
        };
        let first = bind(&store, "r1", None);
        let entry = store.get_mut("w").expect("stored");
        apply(entry, first.unwrap_or_default());
        let current = store.get("w");
        assert!(refusal(bind(&store, "r1", current)).contains("already exist"));
        let more = bind(&store, "r2", current);
        let entry = store.get_mut("w").expect("stored");
        apply(entry, more.unwrap_or_default());
        assert_eq!(entry.references[nav], ["r1", "r2"]);
        assert_eq!(store.referrer_of("R2").map(|(e, n)| (e.id(), n)), Some(("w", nav)));
    }
}
