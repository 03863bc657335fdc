//! Every read of a tenant that export, plan and apply make, in one place: one list with
//! `$expand=assignments`, then whatever is read per object (root links, assignments the
//! list did not expand) through `$batch`, 20 objects per round trip.

use crate::models::object::strip_hash;

use crate::{
    GraphClient,
    api::DeviceConfigurations,
    models::{DeviceConfiguration, DeviceConfigurationAssignment},
    odata::Query,
};

/// The `@odata.type` whose objects link a trusted root through `rootCertificate`.
pub(crate) const SCEP_TYPE: &str = "#microsoft.graph.iosScepCertificateProfile";

/// One device configuration of a tenant with what a snapshot needs besides its body.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TenantObject {
    /// Its id in this tenant.
    pub id: String,
    /// The object as the service returned it.
    pub config: DeviceConfiguration,
    /// The id of the trusted root it is bound to (SCEP profiles).
    pub root_id: Option<String>,
    /// Its assignments.
    pub assignments: Vec<DeviceConfigurationAssignment>,
}

/// Reads a tenant's device configurations with their assignments and root links.
#[derive(Clone, Debug)]
pub struct TenantReader {
    configurations: DeviceConfigurations,
}

impl TenantReader {
    /// A reader through `client`.
    pub fn new(client: &GraphClient) -> Self {
        TenantReader { configurations: client.device_configurations() }
    }

    /// Every device configuration whose type `keep` accepts (the type with its `#`), with
    /// assignments (one `$expand=assignments` list; objects the list did not expand are
    /// read through `$batch`) and, for SCEP profiles, the linked root (through `$batch`,
    /// 20 profiles per round trip).
    ///
    /// # Errors
    /// The first failed read.
    pub async fn read(&self, keep: impl Fn(&str) -> bool) -> crate::Result<Vec<TenantObject>> {
        let listed = self.configurations.list_all(&Query::new().expand("assignments")).collect_all().await?;
        let mut objects = Vec::new();
        let mut unexpanded = Vec::new();
        for mut config in listed.into_iter().filter(|config| keep(config.odata_type())) {
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
            objects.push(TenantObject { id, config, root_id: None, assignments });
        }
        self.read_assignments(&mut objects, &unexpanded).await?;
        self.read_root_links(&mut objects).await?;
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

    /// The root link of every SCEP profile among `objects`, in one batch.
    async fn read_root_links(&self, objects: &mut [TenantObject]) -> crate::Result<()> {
        let scep: Vec<usize> = (0..objects.len())
            .filter(|&i| strip_hash(objects[i].config.odata_type()) == strip_hash(SCEP_TYPE))
            .collect();
        if scep.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = scep.iter().map(|&i| objects[i].id.as_str()).collect();
        let read = self.configurations.root_certificates_many(&ids).await?;
        for (&i, root) in scep.iter().zip(read) {
            objects[i].root_id = root?.and_then(|root| root.base.id);
        }
        Ok(())
    }
}
