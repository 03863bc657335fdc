//! Every read of a tenant's configurations that export, plan and apply make, in one place:
//! one list with `$expand=assignments`; one list of the objects that have references, ids
//! only, with the references expanded; then whatever those did not carry (assignments the
//! list did not expand, references the service would not expand) through `$batch`, 20 per
//! round trip.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::links;
use crate::{
    GraphClient,
    api::DeviceConfigurations,
    models::{
        DeviceConfiguration, DeviceConfigurationAssignment,
        schema::{self, Reference},
    },
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

    /// Every reference of every object, in the fewest quota requests the service allows:
    /// one listing of the objects whose types have references, ids only, with those
    /// references expanded (`$expand=microsoft.graph.{type}/{navigation}`); what that
    /// listing does not carry (or all of it, when the service refuses it) through `$batch`,
    /// 20 navigation reads per round trip.
    async fn read_references(&self, objects: &mut [TenantObject]) -> crate::Result<()> {
        let mut wanted: Vec<(usize, &'static Reference)> = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            wanted.extend(schema::references(object.config.odata_type()).map(|reference| (i, reference)));
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let expanded = self.expanded_references(objects, &wanted).await?;
        let mut unread = Vec::new();
        for &(i, reference) in &wanted {
            match expanded.get(&(objects[i].id.to_lowercase(), reference.navigation)) {
                Some(ids) => {
                    objects[i].references.insert(reference.navigation.to_owned(), ids.clone());
                }
                None => unread.push((i, reference)),
            }
        }
        if unread.is_empty() {
            return Ok(());
        }
        let reads: Vec<links::ReferenceRead<'_>> = unread
            .iter()
            .map(|&(i, reference)| links::ReferenceRead {
                id: &objects[i].id,
                odata_type: objects[i].config.odata_type(),
                reference,
            })
            .collect();
        let read = links::read_many(&self.configurations, &reads).await?;
        for (&(i, reference), targets) in unread.iter().zip(read) {
            objects[i].references.insert(reference.navigation.to_owned(), targets?);
        }
        Ok(())
    }

    /// (lower-case id, navigation) → target ids, for what one listing with the references
    /// expanded carried; empty when the service refuses such a listing (a `4xx` other than
    /// throttling or an authorisation failure), which the caller then reads another way.
    async fn expanded_references(
        &self,
        objects: &[TenantObject],
        wanted: &[(usize, &'static Reference)],
    ) -> crate::Result<HashMap<(String, &'static str), Vec<String>>> {
        let mut casts = BTreeSet::new();
        let mut types = BTreeSet::new();
        for &(i, reference) in wanted {
            let short = schema::short_type(objects[i].config.odata_type());
            types.insert(short);
            casts.insert(format!("microsoft.graph.{short}/{}", reference.navigation));
        }
        let filter: Vec<String> = types.iter().map(|t| format!("isof('microsoft.graph.{t}')")).collect();
        let mut query = Query::new().select(["id"]).filter(filter.join(" or "));
        for cast in &casts {
            query = query.expand(cast.clone());
        }
        let listed =
            match self.configurations.client().list_items::<Value>(LIST_PATH, &query).collect_all().await {
                Ok(listed) => listed,
                Err(e) if refused(&e) => return Ok(HashMap::new()),
                Err(e) => return Err(e),
            };
        let by_id: HashMap<String, &TenantObject> =
            objects.iter().map(|o| (o.id.to_lowercase(), o)).collect();
        let mut found = HashMap::new();
        for item in &listed {
            let Some(object) =
                item.get("id").and_then(Value::as_str).and_then(|id| by_id.get(&id.to_lowercase()))
            else {
                continue;
            };
            for reference in schema::references(object.config.odata_type()) {
                let ids = match item.get(reference.navigation) {
                    Some(Value::Null) => Vec::new(),
                    Some(Value::Array(members)) => members.iter().filter_map(id_of).collect(),
                    Some(one @ Value::Object(_)) => id_of(one).into_iter().collect(),
                    // Not expanded (the service ignored it): read another way.
                    Some(_) | None => continue,
                };
                found.insert((object.id.to_lowercase(), reference.navigation), ids);
            }
        }
        Ok(found)
    }
}

/// The path of the collection.
const LIST_PATH: &str = "deviceManagement/deviceConfigurations";

fn id_of(value: &Value) -> Option<String> {
    value.get("id").and_then(Value::as_str).map(str::to_owned)
}

/// Whether the service refused a request as such (it cannot do it), rather than failing:
/// a `4xx` other than `401`, `403` and `429`.
fn refused(error: &crate::Error) -> bool {
    error.status().is_some_and(|s| s.is_client_error() && ![401, 403, 429].contains(&s.as_u16()))
}
