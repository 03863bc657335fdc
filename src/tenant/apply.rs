//! Executes a plan in waves and reports per object.
//!
//! Waves: trusted roots and every other object that binds nothing, then the profiles bound
//! to a root (`rootCertificate@odata.bind` to the target's id of the root), then
//! assignments, then (`prune`) deletes. Creates reconcile by display name when their outcome
//! is unknown, so an interrupted or retried apply never duplicates; a re-run plans again
//! from what the target holds, so it finishes the job and writes nothing that is right.
//! Every write goes through the client's send path and its write limiter.

use std::collections::HashMap;

use futures_util::{StreamExt, stream};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    Action, ObjectKey, Plan, PlanOptions, Snapshot, SnapshotEntry, TargetObject, TenantError, TenantReader,
    plan::plan,
};
use crate::{
    GraphClient,
    api::{CreateOptions, DeviceConfigurations},
    models::{DeviceConfiguration, DeviceConfigurationAssignment, DeviceConfigurationPatch},
};

/// How many writes of a wave are in flight at once (the write limiter sets the pace).
const WRITE_CONCURRENCY: usize = 8;

/// What apply may do: the plan's options.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// Prune, unmodelled types, group map.
    pub plan: PlanOptions,
}

impl ApplyOptions {
    /// Apply with these plan options.
    pub fn new(plan: PlanOptions) -> Self {
        ApplyOptions { plan }
    }
}

/// A stage of an apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Wave {
    /// Objects that bind nothing (trusted roots first of all).
    Roots,
    /// Profiles bound to a root.
    Profiles,
    /// Assignment sets.
    Assignments,
    /// Deletes (`prune`).
    Deletes,
}

/// What happened to one object in one wave.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum ObjectOutcome {
    /// Created (`reconciled`: found after an unknown outcome instead of returned).
    Created {
        /// Its id.
        id: String,
        /// Whether reconcile found it.
        reconciled: bool,
    },
    /// Updated.
    Updated {
        /// Its id.
        id: String,
    },
    /// Its assignment set was replaced.
    Assigned {
        /// Its id.
        id: String,
        /// How many assignments it has now.
        count: usize,
    },
    /// Deleted.
    Deleted {
        /// Its id.
        id: String,
    },
    /// Failed; the error as text (never holds a token).
    Failed {
        /// What went wrong.
        error: String,
    },
}

/// Progress, one event at a time.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum ApplyEvent {
    /// The plan is known.
    Planned {
        /// How many actions write.
        writes: usize,
        /// How many objects the plan covers.
        objects: usize,
    },
    /// A wave starts.
    WaveStarted {
        /// The wave.
        wave: Wave,
        /// How many objects it handles.
        objects: usize,
    },
    /// One object of a wave is done.
    ObjectDone {
        /// The wave.
        wave: Wave,
        /// The object.
        key: ObjectKey,
        /// What happened.
        #[serde(flatten)]
        outcome: ObjectOutcome,
    },
}

/// What an apply did.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ApplyReport {
    /// The plan it executed.
    pub plan: Plan,
    /// Every object's outcome per wave, in completion order.
    pub outcomes: Vec<(Wave, ObjectKey, ObjectOutcome)>,
}

impl ApplyReport {
    /// Whether every write succeeded and no object was left in conflict.
    pub fn succeeded(&self) -> bool {
        !self.outcomes.iter().any(|(_, _, o)| matches!(o, ObjectOutcome::Failed { .. }))
            && !self.plan.actions.iter().any(|a| matches!(a, Action::Conflict { .. }))
    }

    /// How many objects were written (created, updated, assigned or deleted).
    pub fn writes(&self) -> usize {
        self.outcomes.iter().filter(|(_, _, o)| !matches!(o, ObjectOutcome::Failed { .. })).count()
    }
}

/// Reads the target behind `client`, plans, and executes the plan; `on_event` sees every
/// step. Conflicts and skips are left alone and reported in the plan.
///
/// # Errors
/// [`TenantError::Graph`] when reading the target fails; failed writes are outcomes, not
/// errors, so the other objects still get done.
pub async fn apply(
    client: &GraphClient,
    snapshot: &Snapshot,
    options: &ApplyOptions,
    on_event: impl Fn(&ApplyEvent) + Send + Sync,
) -> Result<ApplyReport, TenantError> {
    let target = TargetObject::from_tenant(&TenantReader::new(client).read(|_| true).await?)?;
    let plan = plan(snapshot, &target, &options.plan);
    on_event(&ApplyEvent::Planned { writes: plan.write_count(), objects: plan.actions.len() });
    let entries: HashMap<&ObjectKey, &SnapshotEntry> =
        snapshot.entries().iter().map(|e| (&e.key, e)).collect();
    let mut run = Run { configs: client.device_configurations(), ids: HashMap::new(), outcomes: Vec::new() };
    let mut keys_per_target: HashMap<&ObjectKey, usize> = HashMap::new();
    for object in &target {
        *keys_per_target.entry(&object.entry.key).or_default() += 1;
    }
    for object in &target {
        if keys_per_target[&object.entry.key] == 1 {
            run.ids.insert(object.entry.key.clone(), object.id.clone());
        }
    }

    let writes_of = |bound: bool| -> Vec<(&Action, &SnapshotEntry)> {
        plan.actions
            .iter()
            .filter(|a| matches!(a, Action::Create { .. } | Action::Update { .. }))
            .filter_map(|a| entries.get(a.key()).map(|e| (a, *e)))
            .filter(|(_, e)| e.root_certificate.is_some() == bound)
            .collect()
    };
    for (wave, bound) in [(Wave::Roots, false), (Wave::Profiles, true)] {
        let work = writes_of(bound);
        on_event(&ApplyEvent::WaveStarted { wave, objects: work.len() });
        let done: Vec<_> = stream::iter(work)
            .map(|(action, entry)| run.write(action, entry))
            .buffer_unordered(WRITE_CONCURRENCY)
            .collect()
            .await;
        run.record(wave, done, &on_event);
    }

    let assignments: Vec<(&ObjectKey, Vec<Map<String, Value>>)> = plan
        .actions
        .iter()
        .filter_map(|action| match action {
            Action::Create { key, assignments, .. } if *assignments > 0 => {
                let entry = entries.get(key)?;
                Some((key, entry.assignments.iter().map(|a| options.plan.group_map.map(a)).collect()))
            }
            Action::Update { key, assignments: Some(change), .. } => Some((key, change.after.clone())),
            _ => None,
        })
        .collect();
    on_event(&ApplyEvent::WaveStarted { wave: Wave::Assignments, objects: assignments.len() });
    let done: Vec<_> = stream::iter(assignments)
        .map(|(key, set)| run.assign(key, set))
        .buffer_unordered(WRITE_CONCURRENCY)
        .collect()
        .await;
    run.record(Wave::Assignments, done, &on_event);

    let deletes: Vec<(&ObjectKey, &str)> = plan
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Delete { key, id } => Some((key, id.as_str())),
            _ => None,
        })
        .collect();
    if options.plan.prune {
        on_event(&ApplyEvent::WaveStarted { wave: Wave::Deletes, objects: deletes.len() });
        let done: Vec<_> = stream::iter(deletes)
            .map(|(key, id)| run.delete(key, id))
            .buffer_unordered(WRITE_CONCURRENCY)
            .collect()
            .await;
        run.record(Wave::Deletes, done, &on_event);
    }
    Ok(ApplyReport { plan, outcomes: run.outcomes })
}

/// The state of one apply: the target ids known so far and the outcomes.
struct Run {
    configs: DeviceConfigurations,
    ids: HashMap<ObjectKey, String>,
    outcomes: Vec<(Wave, ObjectKey, ObjectOutcome)>,
}

impl Run {
    fn record(
        &mut self,
        wave: Wave,
        done: Vec<(ObjectKey, ObjectOutcome)>,
        on_event: &(impl Fn(&ApplyEvent) + Send + Sync),
    ) {
        for (key, outcome) in done {
            if let ObjectOutcome::Created { id, .. } = &outcome {
                self.ids.insert(key.clone(), id.clone());
            }
            on_event(&ApplyEvent::ObjectDone { wave, key: key.clone(), outcome: outcome.clone() });
            self.outcomes.push((wave, key, outcome));
        }
    }

    /// A create or an update of one object.
    async fn write(&self, action: &Action, entry: &SnapshotEntry) -> (ObjectKey, ObjectOutcome) {
        let outcome = match action {
            Action::Create { .. } => self.create(entry).await,
            Action::Update { id, changes, root_certificate, .. } => {
                self.update(
                    entry,
                    id,
                    changes.iter().map(|c| (&c.field, &c.after)),
                    root_certificate.is_some(),
                )
                .await
            }
            _ => unreachable!("only creates and updates are written in these waves"),
        };
        (entry.key.clone(), outcome.unwrap_or_else(|e| ObjectOutcome::Failed { error: e.to_string() }))
    }

    fn root_id(&self, entry: &SnapshotEntry) -> Result<Option<&str>, TenantError> {
        let Some(root) = &entry.root_certificate else { return Ok(None) };
        match self.ids.get(root) {
            Some(id) => Ok(Some(id)),
            None => Err(TenantError::Graph(crate::Error::Config(format!(
                "its rootCertificate {root} has no id in the target (it was not created)"
            )))),
        }
    }

    async fn create(&self, entry: &SnapshotEntry) -> Result<ObjectOutcome, TenantError> {
        let mut config: DeviceConfiguration = serde_json::from_value(Value::Object(entry.object.clone()))
            .map_err(|e| TenantError::format(entry.key.to_string(), e.to_string()))?;
        if let Some(root_id) = self.root_id(entry)? {
            let reference = self.configs.root_certificate_reference(root_id)?;
            config
                .additional_data_mut()
                .insert("rootCertificate@odata.bind".into(), reference.as_str().into());
        }
        let created = self.configs.create_with(&config, CreateOptions::reconcile_by_display_name()).await?;
        let id = created.object.id().unwrap_or_default().to_string();
        Ok(ObjectOutcome::Created { id, reconciled: created.reconciled })
    }

    async fn update<'a>(
        &self,
        entry: &SnapshotEntry,
        id: &str,
        changes: impl Iterator<Item = (&'a String, &'a Value)>,
        relink: bool,
    ) -> Result<ObjectOutcome, TenantError> {
        let mut patch = DeviceConfigurationPatch::new(entry.key.odata_type.clone());
        let mut any = false;
        for (field, value) in changes {
            patch = patch.set(field.clone(), value);
            any = true;
        }
        if any {
            self.configs.update(id, &patch).await?;
        }
        if relink && let Some(root_id) = self.root_id(entry)? {
            self.configs.link_root_certificate(id, root_id).await?;
        }
        Ok(ObjectOutcome::Updated { id: id.to_string() })
    }

    async fn assign(&self, key: &ObjectKey, set: Vec<Map<String, Value>>) -> (ObjectKey, ObjectOutcome) {
        let outcome = async {
            let id = self.ids.get(key).ok_or_else(|| {
                TenantError::Graph(crate::Error::Config(format!("{key} has no id in the target")))
            })?;
            let assignments: Vec<DeviceConfigurationAssignment> = set
                .into_iter()
                .map(|a| serde_json::from_value(Value::Object(a)))
                .collect::<Result<_, _>>()
                .map_err(|e| TenantError::format(key.to_string(), e.to_string()))?;
            let count = assignments.len();
            self.configs.assign(id, &assignments).await?;
            Ok::<_, TenantError>(ObjectOutcome::Assigned { id: id.clone(), count })
        }
        .await;
        (key.clone(), outcome.unwrap_or_else(|e| ObjectOutcome::Failed { error: e.to_string() }))
    }

    async fn delete(&self, key: &ObjectKey, id: &str) -> (ObjectKey, ObjectOutcome) {
        let outcome = match self.configs.delete(id).await {
            Ok(()) => ObjectOutcome::Deleted { id: id.to_string() },
            Err(e) if e.is_not_found() => ObjectOutcome::Deleted { id: id.to_string() },
            Err(e) => ObjectOutcome::Failed { error: e.to_string() },
        };
        (key.clone(), outcome)
    }
}
