//! The writes of an apply, wave by wave, each answer checked before it is believed.

use std::collections::{HashMap, HashSet};

use futures_util::{StreamExt, stream};
use serde_json::{Map, Value};

use super::{ApplyEvent, ObjectOutcome, WRITE_CONCURRENCY};
use crate::{
    GraphClient,
    api::{CreateOptions, DeviceConfigurations},
    models::{DeviceConfiguration, DeviceConfigurationAssignment, DeviceConfigurationPatch},
    tenant::{
        Action, ObjectKey, Plan, ReferenceChange, ReferenceTarget, TargetObject, Wave,
        export::assignment_write_form, files::canonical_multiset, normalize::assignment_form,
    },
};

/// The state of one apply: the ids the tenant had before it, the ids of what it created,
/// and the outcomes.
pub(super) struct Run {
    configs: DeviceConfigurations,
    known: HashSet<String>,
    created: HashMap<ObjectKey, String>,
    outcomes: Vec<(Wave, ObjectKey, ObjectOutcome)>,
}

type Done = (ObjectKey, ObjectOutcome);

impl Run {
    pub(super) fn new(client: &GraphClient, before: &[TargetObject]) -> Self {
        Run {
            configs: client.device_configurations(),
            known: before.iter().map(|o| o.id.to_lowercase()).collect(),
            created: HashMap::new(),
            outcomes: Vec::new(),
        }
    }

    /// The id a create of this apply got for `key`, if it did.
    pub(super) fn created_id(&self, key: &ObjectKey) -> Option<&str> {
        self.created.get(key).map(String::as_str)
    }

    pub(super) fn into_outcomes(self) -> Vec<(Wave, ObjectKey, ObjectOutcome)> {
        self.outcomes
    }

    /// The outcome of `key` in `wave`, if it was written there.
    pub(super) fn outcome(&self, key: &ObjectKey) -> impl Iterator<Item = &ObjectOutcome> {
        self.outcomes.iter().filter(move |(_, k, _)| k == key).map(|(_, _, o)| o)
    }

    fn record(&mut self, wave: Wave, done: Vec<Done>, on_event: &(impl Fn(&ApplyEvent) + Send + Sync)) {
        for (key, mut outcome) in done {
            if let ObjectOutcome::Created { id, .. } = &outcome {
                match self.created.iter().find(|(_, known)| known.eq_ignore_ascii_case(id)) {
                    Some((other, _)) => {
                        outcome = ObjectOutcome::Failed {
                            error: format!(
                                "the service answered the create with {id}, the id it gave the create of {other}"
                            ),
                        };
                    }
                    None => {
                        self.created.insert(key.clone(), id.clone());
                    }
                }
            }
            on_event(&ApplyEvent::ObjectDone { wave, key: key.clone(), outcome: outcome.clone() });
            self.outcomes.push((wave, key, outcome));
        }
    }

    /// The creates and updates of one object wave.
    pub(super) async fn objects(
        &mut self,
        plan: &Plan,
        wave: Wave,
        on_event: &(impl Fn(&ApplyEvent) + Send + Sync),
    ) {
        let work: Vec<&Action> = plan
            .actions
            .iter()
            .filter(|a| matches!(a, Action::Create { .. } | Action::Update { .. }) && a.wave() == Some(wave))
            .collect();
        if work.is_empty() {
            return;
        }
        on_event(&ApplyEvent::WaveStarted { wave, objects: work.len() });
        let this = &*self;
        let done: Vec<Done> = stream::iter(work)
            .map(|action| this.write(action))
            .buffer_unordered(WRITE_CONCURRENCY)
            .collect()
            .await;
        self.record(wave, done, on_event);
    }

    async fn write(&self, action: &Action) -> Done {
        let outcome = match action {
            Action::Create { key, object, references, .. } => self.create(key, object, references).await,
            Action::Update { key, id, changes, references, .. } => {
                let fields = changes.iter().map(|c| (c.field.as_str(), &c.after));
                self.update(key, id, fields, references).await
            }
            Action::NoChange { .. }
            | Action::Conflict { .. }
            | Action::Delete { .. }
            | Action::Skip { .. } => Err("not a write of an object wave".into()),
        };
        (action.key().clone(), outcome.unwrap_or_else(|error| ObjectOutcome::Failed { error }))
    }

    /// The target's id of a reference target: the plan's, or the one a create of this apply got.
    fn target_id<'a>(&'a self, target: &'a ReferenceTarget, navigation: &str) -> Result<&'a str, String> {
        if let Some(id) = &target.id {
            return Ok(id);
        }
        let key = target.key.as_ref().ok_or_else(|| format!("its {navigation} names no object"))?;
        self.created_id(key).ok_or_else(|| format!("its {navigation} target {key} was not created"))
    }

    async fn create(
        &self,
        key: &ObjectKey,
        object: &Map<String, Value>,
        references: &[crate::tenant::PlannedReference],
    ) -> Result<ObjectOutcome, String> {
        let mut config: DeviceConfiguration = serde_json::from_value(Value::Object(object.clone()))
            .map_err(|e| format!("its object does not decode: {e}"))?;
        for reference in references {
            let mut urls = Vec::new();
            for target in &reference.targets {
                let id = self.target_id(target, &reference.navigation)?;
                urls.push(Value::from(self.configs.bind_url(id).map_err(|e| e.to_string())?.as_str()));
            }
            let bind = if reference.many { Value::Array(urls) } else { urls.pop().unwrap_or(Value::Null) };
            config.additional_data_mut().insert(format!("{}@odata.bind", reference.navigation), bind.into());
        }
        let created = self
            .configs
            .create_with(&config, CreateOptions::reconcile_by_display_name())
            .await
            .map_err(|e| e.to_string())?;
        let id = self.check_created(key, &created.object)?;
        Ok(ObjectOutcome::Created { id, reconciled: created.reconciled })
    }

    /// The new object's id, when the answer is the object that was sent: a new id, the type
    /// and the name sent.
    fn check_created(&self, key: &ObjectKey, answer: &DeviceConfiguration) -> Result<String, String> {
        let Some(id) = answer.id() else {
            return Err("the service answered the create without an id".into());
        };
        if self.known.contains(&id.to_lowercase()) {
            return Err(format!(
                "the service answered the create with {id}, an object the tenant already had; not believed"
            ));
        }
        let answered = ObjectKey::new(answer.odata_type(), answer.display_name().unwrap_or_default());
        if &answered != key {
            return Err(format!(
                "the service answered the create with {answered} ({id}) instead; not believed"
            ));
        }
        Ok(id.to_owned())
    }

    async fn update<'v>(
        &self,
        key: &ObjectKey,
        id: &str,
        fields: impl Iterator<Item = (&'v str, &'v Value)>,
        references: &[ReferenceChange],
    ) -> Result<ObjectOutcome, String> {
        let mut patch = DeviceConfigurationPatch::new(key.odata_type.clone());
        let mut any = false;
        for (field, value) in fields {
            patch = patch.set(field, value);
            any = true;
        }
        if any {
            self.configs.update(id, &patch).await.map_err(|e| e.to_string())?;
        }
        for change in references {
            self.change_reference(key, id, change).await?;
        }
        Ok(ObjectOutcome::Updated { id: id.to_owned() })
    }

    /// The service's way of changing a reference: `PUT …/$ref` or `DELETE …/$ref` for a
    /// single one, `POST` and `DELETE` of members for a collection.
    async fn change_reference(
        &self,
        key: &ObjectKey,
        id: &str,
        change: &ReferenceChange,
    ) -> Result<(), String> {
        let odata_type = &key.odata_type;
        let nav = change.navigation.as_str();
        let mut after = Vec::new();
        for target in &change.after {
            after.push(self.target_id(target, nav)?.to_owned());
        }
        let before: Vec<&str> = change.before.iter().filter_map(|t| t.id.as_deref()).collect();
        let held = |id: &str, set: &[&str]| set.iter().any(|s| s.eq_ignore_ascii_case(id));
        let e = |e: crate::Error| e.to_string();
        let configs = &self.configs;
        if !change.many {
            return match after.first() {
                Some(target) => configs.set_reference(id, odata_type, nav, target).await.map_err(e),
                None => match configs.clear_reference(id, odata_type, nav).await {
                    Err(err) if err.is_not_found() => Ok(()),
                    other => other.map_err(e),
                },
            };
        }
        let after_refs: Vec<&str> = after.iter().map(String::as_str).collect();
        for target in after_refs.iter().filter(|t| !held(t, &before)) {
            configs.add_reference_member(id, odata_type, nav, target).await.map_err(e)?;
        }
        for target in before.iter().filter(|t| !held(t, &after_refs)) {
            match configs.remove_reference_member(id, odata_type, nav, target).await {
                Err(err) if err.is_not_found() => {}
                other => other.map_err(e)?,
            }
        }
        Ok(())
    }

    /// The assignment sets the plan replaces.
    pub(super) async fn assignments(&mut self, plan: &Plan, on_event: &(impl Fn(&ApplyEvent) + Send + Sync)) {
        let mut work = Vec::new();
        for action in &plan.actions {
            let (key, id, set) = match action {
                Action::Create { key, assignments: Some(set), .. } if !set.is_empty() => {
                    (key, self.created_id(key).map(str::to_owned), set)
                }
                Action::Update { key, id, assignments: Some(change), .. } => {
                    (key, Some(id.clone()), &change.after)
                }
                Action::Create { .. }
                | Action::Update { .. }
                | Action::NoChange { .. }
                | Action::Conflict { .. }
                | Action::Delete { .. }
                | Action::Skip { .. } => continue,
            };
            if self.outcome(key).any(|o| matches!(o, ObjectOutcome::Failed { .. })) {
                continue;
            }
            work.push((key, id, set));
        }
        if work.is_empty() {
            return;
        }
        on_event(&ApplyEvent::WaveStarted { wave: Wave::Assignments, objects: work.len() });
        let this = &*self;
        let done: Vec<Done> = stream::iter(work)
            .map(|(key, id, set)| async move {
                let outcome = match id {
                    Some(id) => this.assign(&id, set).await,
                    None => Err(format!("{key} was not created")),
                };
                (key.clone(), outcome.unwrap_or_else(|error| ObjectOutcome::Failed { error }))
            })
            .buffer_unordered(WRITE_CONCURRENCY)
            .collect()
            .await;
        self.record(Wave::Assignments, done, on_event);
    }

    async fn assign(&self, id: &str, set: &[Map<String, Value>]) -> Result<ObjectOutcome, String> {
        let assignments: Vec<DeviceConfigurationAssignment> = set
            .iter()
            .map(|a| serde_json::from_value(Value::Object(a.clone())))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("an assignment does not decode: {e}"))?;
        let answered = self.configs.assign(id, &assignments).await.map_err(|e| e.to_string())?;
        let answered: Vec<Map<String, Value>> =
            answered.iter().map(|a| assignment_form(assignment_write_form(a))).collect();
        if canonical_multiset(&answered) != canonical_multiset(set) {
            return Err(format!(
                "the service answered the assignment of {} with {} other assignment(s); not believed",
                set.len(),
                answered.len()
            ));
        }
        Ok(ObjectOutcome::Assigned { id: id.to_owned(), count: set.len() })
    }

    /// `--prune`'s deletes, an object before what it references.
    pub(super) async fn deletes(&mut self, plan: &Plan, on_event: &(impl Fn(&ApplyEvent) + Send + Sync)) {
        let mut deletes: Vec<(u32, &ObjectKey, &str)> = plan
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::Delete { key, id, order, .. } => Some((*order, key, id.as_str())),
                Action::Create { .. }
                | Action::Update { .. }
                | Action::NoChange { .. }
                | Action::Conflict { .. }
                | Action::Skip { .. } => None,
            })
            .collect();
        if deletes.is_empty() {
            return;
        }
        deletes.sort();
        on_event(&ApplyEvent::WaveStarted { wave: Wave::Deletes, objects: deletes.len() });
        let orders: Vec<u32> = deletes
            .iter()
            .map(|(order, _, _)| *order)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for order in orders {
            let this = &*self;
            let done: Vec<Done> = stream::iter(deletes.iter().filter(|(o, _, _)| *o == order))
                .map(|(_, key, id)| async move {
                    let outcome = match this.configs.delete(id).await {
                        Ok(()) => ObjectOutcome::Deleted { id: (*id).to_owned() },
                        Err(e) if e.is_not_found() => ObjectOutcome::Deleted { id: (*id).to_owned() },
                        Err(e) => ObjectOutcome::Failed { error: e.to_string() },
                    };
                    ((*key).clone(), outcome)
                })
                .buffer_unordered(WRITE_CONCURRENCY)
                .collect()
                .await;
            self.record(Wave::Deletes, done, on_event);
        }
    }
}
