//! Every read of a tenant that export, plan and apply make, in one place: switching to
//! `$batch` reads is a change here only.

use futures_util::{StreamExt, TryStreamExt, stream};

use crate::models::object::strip_hash;

use crate::{
    GraphClient,
    api::DeviceConfigurations,
    models::{DeviceConfiguration, DeviceConfigurationAssignment},
    odata::Query,
};

/// The `@odata.type` whose objects link a trusted root through `rootCertificate`.
pub(crate) const SCEP_TYPE: &str = "#microsoft.graph.iosScepCertificateProfile";

/// How many per-object reads run at once (the client's limiters pace them further).
const READ_CONCURRENCY: usize = 8;

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
    /// assignments (one `$expand=assignments` list) and, for SCEP profiles, the linked root
    /// (one read each).
    ///
    /// # Errors
    /// The first failed read.
    pub async fn read(&self, keep: impl Fn(&str) -> bool) -> crate::Result<Vec<TenantObject>> {
        let listed = self.configurations.list_all(&Query::new().expand("assignments")).collect_all().await?;
        let objects =
            listed.into_iter().filter(|config| keep(config.odata_type())).filter_map(|mut config| {
                let id = config.id()?.to_string();
                let expanded = config.base_mut().assignments.take();
                Some((id, config, expanded))
            });
        stream::iter(objects)
            .map(|(id, config, expanded)| self.complete(id, config, expanded.map(|v| *v)))
            .buffered(READ_CONCURRENCY)
            .try_collect()
            .await
    }

    /// Adds the root link, and the assignments when the list did not expand them.
    async fn complete(
        &self,
        id: String,
        config: DeviceConfiguration,
        expanded: Option<serde_json::Value>,
    ) -> crate::Result<TenantObject> {
        let assignments = match expanded.map(serde_json::from_value::<Vec<DeviceConfigurationAssignment>>) {
            Some(Ok(assignments)) => assignments,
            _ => self.configurations.assignments(&id).await?,
        };
        let root_id = if strip_hash(config.odata_type()) == strip_hash(SCEP_TYPE) {
            self.configurations.root_certificate(&id).await?.and_then(|root| root.base.id)
        } else {
            None
        };
        Ok(TenantObject { id, config, root_id, assignments })
    }
}
