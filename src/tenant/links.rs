//! The reference calls the tenant job makes, for every edge of `models::schema::REFERENCES`:
//! reads of many objects' references through `$batch`, and the `$ref` writes.

use crate::{
    api::DeviceConfigurations,
    batch::StepValue,
    models::{DeviceConfiguration, schema::Reference},
};

/// One reference of one object to read.
pub(crate) struct ReferenceRead<'a> {
    pub(crate) id: &'a str,
    pub(crate) odata_type: &'a str,
    pub(crate) reference: &'static Reference,
}

/// The ids each reference points at (empty: none), one result per read, in order: one
/// `$batch` of typed reference steps (20 per round trip), whatever the types.
pub(crate) async fn read_many(
    configurations: &DeviceConfigurations,
    reads: &[ReferenceRead<'_>],
) -> crate::Result<Vec<crate::Result<Vec<String>>>> {
    let mut batch = configurations.client().batch();
    for (n, read) in reads.iter().enumerate() {
        batch.reference(n.to_string(), read.id, read.odata_type, read.reference.navigation);
    }
    let results = batch.send().await?;
    Ok(results
        .into_iter()
        .map(|(_, result)| match result {
            Ok(value) => Ok(ids(value)),
            Err(e) if e.is_not_found() => Ok(Vec::new()),
            Err(e) => Err(e),
        })
        .collect())
}

/// The ids a reference step's value holds.
fn ids(value: StepValue) -> Vec<String> {
    let id = |config: DeviceConfiguration| config.id().map(str::to_owned);
    match value {
        StepValue::Reference(one) => one.and_then(|c| id(*c)).into_iter().collect(),
        StepValue::ReferenceMembers(members) => members.into_iter().filter_map(id).collect(),
        _ => Vec::new(),
    }
}
