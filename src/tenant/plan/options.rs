//! What a plan may do.

use crate::tenant::{GroupMap, ObjectKey, key::nfc};

/// What a plan may do.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Delete target objects of the snapshot's (selected) types that the snapshot does not
    /// hold.
    pub prune: bool,
    /// Act on types the crate does not model (otherwise they are skipped).
    pub include_unmodelled: bool,
    /// The user's mapping of source groups and filters to target ids (wins over names).
    pub group_map: GroupMap,
    /// Only these types (`iosScepCertificateProfile` or `#microsoft.graph.…`, any case);
    /// empty: every type. The others are skipped.
    pub types: Vec<String>,
}

impl PlanOptions {
    /// No prune, modelled types only, every type, groups by name.
    pub fn new() -> Self {
        PlanOptions::default()
    }

    /// Deletes target objects of the snapshot's types that it does not hold.
    #[must_use]
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Acts on types the crate does not model too.
    #[must_use]
    pub fn include_unmodelled(mut self, include: bool) -> Self {
        self.include_unmodelled = include;
        self
    }

    /// Maps groups and filters through `map` before looking names up in the target.
    #[must_use]
    pub fn group_map(mut self, map: GroupMap) -> Self {
        self.group_map = map;
        self
    }

    /// Acts on objects of this type only (repeat for several).
    #[must_use]
    pub fn with_type(mut self, odata_type: impl Into<String>) -> Self {
        self.types.push(odata_type.into());
        self
    }

    /// Whether objects of `key`'s type are asked for.
    pub(crate) fn selects(&self, key: &ObjectKey) -> bool {
        type_selected(&self.types, key)
    }
}

/// Whether `key`'s type is one of `types` (empty: every type).
pub(crate) fn type_selected(types: &[String], key: &ObjectKey) -> bool {
    types.is_empty()
        || types.iter().any(|t| {
            let t = t.trim().trim_start_matches('#');
            t.eq_ignore_ascii_case(key.short_type())
                || t.eq_ignore_ascii_case(key.odata_type.trim_start_matches('#'))
        })
}

/// Whether `key`'s display name contains `text` (any case, any normal form).
pub(crate) fn name_contains(text: &str, key: &ObjectKey) -> bool {
    key.display_name.to_lowercase().contains(&nfc(text).to_lowercase())
}
