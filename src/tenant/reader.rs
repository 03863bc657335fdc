//! Every read of a tenant's configurations that export, plan and apply make, in one place:
//! one list with `$expand=assignments`, then whatever is read per object (the references
//! its type has, assignments the list did not expand) through `$batch`, 20 per round trip.

use std::collections::BTreeMap;

use super::links;
use crate::{
    GraphClient,
    api::DeviceConfigurations,
    models::{DeviceConfiguration, DeviceConfigurationAssignment, schema},
    odata::Query,
};

/// One device configuration of a tenant with what a snapshot needs besides its body.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TenantObject {
    /// Its id in this tenant.
    pub id: String,
    /// The object as the service returned it.
    pub config: DeviceConfiguration,
    /// For every reference its type has (`models::schema::references`), the ids of the
    /// objects it points at (empty: none).
    pub references: BTreeMap<String, Vec<String>>,
    /// Its assignments.
    pub assignments: Vec<DeviceConfigurationAssignment>,
}

/// Reads a tenant's device configurations with their assignments and references.
#[derive(Clone, Debug)]
pub struct TenantReader {
    configurations: DeviceConfigurations,
}

impl TenantReader {
    /// A reader through `client`.
    pub fn new(client: &GraphClient) -> Self {
        TenantReader { configurations: client.device_configurations() }
    }

    /// Every device configuration the service lists (those without an `@odata.type`
    /// included: they have no identity, and export says so), with assignments (one
    /// `$expand=assignments` list; objects the list did not expand are read through
    /// `$batch`) and every reference of its type (through `$batch`, 20 per round trip).
    ///
    /// # Errors
    /// The first failed read.
    pub async fn read(&self) -> crate::Result<Vec<TenantObject>> {
        let listed = self.configurations.list_all(&Query::new().expand("assignments")).collect_all().await?;
        let mut objects = Vec::new();
        let mut unexpanded = Vec::new();
        for mut config in listed {
            let Some(id) = config.id().map(str::to_owned) else { continue };
            let expanded = config.base_mut().assignments.take().map(|v| *v);
            let assignments = match expanded.map(serde_json::from_value::<Vec<DeviceConfigurationAssignment>>)
            {
                Some(Ok(assignments)) => assignments,
                _ => {
                    unexpanded.push(objects.len());
                    Vec::new()
                }
            };
            objects.push(TenantObject { id, config, references: BTreeMap::new(), assignments });
        }
        self.read_assignments(&mut objects, &unexpanded).await?;
        self.read_references(&mut objects).await?;
        Ok(objects)
    }

    /// The assignments of `objects[i]` for each `i` in `which`, in one batch.
    async fn read_assignments(&self, objects: &mut [TenantObject], which: &[usize]) -> crate::Result<()> {
        if which.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = which.iter().map(|&i| objects[i].id.as_str()).collect();
        let read = self.configurations.assignments_many(&ids).await?;
        for (&i, assignments) in which.iter().zip(read) {
            objects[i].assignments = assignments?;
        }
        Ok(())
    }

    /// Every reference of every object, in as few batches as the limits allow.
    async fn read_references(&self, objects: &mut [TenantObject]) -> crate::Result<()> {
        let mut wanted = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            for reference in schema::references(object.config.odata_type()) {
                wanted.push((i, reference));
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let reads: Vec<links::ReferenceRead<'_>> = wanted
            .iter()
            .map(|&(i, reference)| links::ReferenceRead {
                id: &objects[i].id,
                odata_type: objects[i].config.odata_type(),
                reference,
            })
            .collect();
        let read = links::read_many(&self.configurations, &reads).await?;
        for (&(i, reference), targets) in wanted.iter().zip(read) {
            objects[i].references.insert(reference.navigation.to_owned(), targets?);
        }
        Ok(())
    }
}
