//! Executes a [`Plan`] and reports per object, saying only what it verified.
//!
//! 1. **Refuse what cannot be done whole**: a plan with problems or conflicts is refused
//!    before anything is written ([`TenantError::PlanNotApplicable`]).
//! 2. **Refuse a stale plan**: the tenant is read again and every object the plan touches
//!    must be as the plan found it (same `version` and `lastModifiedDateTime`, the same
//!    references and assignments; no object has appeared where the plan creates one);
//!    otherwise nothing is written ([`TenantError::Stale`]).
//! 3. **Waves**: the objects that reference nothing (trusted roots first of all), those that
//!    reference them (certificate profiles, bound with `{nav}@odata.bind` to the target's
//!    ids), those that reference those (Wi-Fi, VPN, email profiles), then assignment sets,
//!    then deletes (referrers first). A create whose outcome is unknown is reconciled by
//!    display name, so an interrupted apply, run again from a new plan, finishes the job
//!    without duplicates.
//! 4. **Every answer is checked**: a create must answer with a new id (not one the tenant
//!    had before), the type and the name sent; an `/assign` with the set sent.
//! 5. **Read back**: at the end everything written is read again (one listing, references
//!    through `$batch`) and compared with what was meant; each object is reported verified
//!    or failed. A mismatch is read once more after [`ApplyOptions::settle`] (the service
//!    may answer a read before a write is visible everywhere).
//!
//! Every write goes through the client's send path and its write limiter.

mod check;
mod run;
mod verify;

use std::time::Duration;

use serde::Serialize;

use super::{Plan, TargetObject, TenantError, TenantReader, Wave};
use crate::{GraphClient, tenant::ObjectKey};

/// How many writes of a wave are in flight at once (the write limiter sets the pace).
const WRITE_CONCURRENCY: usize = 8;

/// How an apply runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// How long to wait before reading back once more what did not read back as written.
    pub settle: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions { settle: Duration::from_secs(5) }
    }
}

impl ApplyOptions {
    /// The defaults: a 5 s settle delay.
    pub fn new() -> Self {
        ApplyOptions::default()
    }

    /// Waits `settle` before reading back a second time what did not match the first.
    #[must_use]
    pub fn settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }
}

/// What happened to one object in one wave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
    /// Updated (properties and references).
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

/// Whether an object reads back as it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Verification {
    /// The object.
    pub key: ObjectKey,
    /// Its id, when it has one.
    pub id: Option<String>,
    /// Whether everything written reads back as written.
    pub verified: bool,
    /// What does not (empty when verified).
    pub mismatches: Vec<String>,
}

/// Progress, one event at a time.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum ApplyEvent {
    /// The plan is about to run (it was checked against the tenant: nothing it touches
    /// changed since it was made).
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
    /// The objects written are read back.
    Verifying {
        /// How many.
        objects: usize,
    },
    /// One object was read back.
    Verified {
        /// What it showed.
        #[serde(flatten)]
        verification: Verification,
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
    /// Every object written, read back.
    pub verifications: Vec<Verification>,
}

impl ApplyReport {
    /// Whether every write succeeded and read back as written.
    pub fn succeeded(&self) -> bool {
        !self.outcomes.iter().any(|(_, _, o)| matches!(o, ObjectOutcome::Failed { .. }))
            && self.verifications.iter().all(|v| v.verified)
    }

    /// How many writes succeeded (creates, updates, assignment sets, deletes).
    pub fn writes(&self) -> usize {
        self.outcomes.iter().filter(|(_, _, o)| !matches!(o, ObjectOutcome::Failed { .. })).count()
    }

    /// How many objects read back as written.
    pub fn verified(&self) -> usize {
        self.verifications.iter().filter(|v| v.verified).count()
    }
}

/// Executes `plan` against the tenant behind `client` (see the module docs); `on_event`
/// sees every step.
///
/// # Errors
/// [`TenantError::PlanNotApplicable`] or [`TenantError::Stale`] before anything is written;
/// [`TenantError::Graph`] when reading the tenant fails. A failed write is an outcome, not
/// an error, so the other objects still get done.
pub async fn apply(
    client: &GraphClient,
    plan: &Plan,
    options: &ApplyOptions,
    on_event: impl Fn(&ApplyEvent) + Send + Sync,
) -> Result<ApplyReport, TenantError> {
    let mut blockers = plan.blockers();
    if plan.format != Plan::FORMAT {
        blockers.push(format!(
            "the plan is of format {}; this version applies format {}",
            plan.format,
            Plan::FORMAT
        ));
    }
    if let Some(made_for) = plan.base_url.as_deref().filter(|url| *url != client.base_url().as_str()) {
        blockers.push(format!("the plan was made for {made_for}, not {}", client.base_url()));
    }
    if !blockers.is_empty() {
        return Err(TenantError::PlanNotApplicable { reasons: blockers });
    }
    let planned = ApplyEvent::Planned { writes: plan.write_count(), objects: plan.actions.len() };
    if plan.write_count() == 0 {
        on_event(&planned);
        return Ok(ApplyReport { plan: plan.clone(), outcomes: Vec::new(), verifications: Vec::new() });
    }
    let reader = TenantReader::new(client);
    let before = TargetObject::from_tenant(&reader.read().await?)?;
    check::still_current(plan, &before)?;
    on_event(&planned);
    let mut run = run::Run::new(client, &before);
    for wave in Wave::OBJECTS {
        run.objects(plan, wave, &on_event).await;
    }
    run.assignments(plan, &on_event).await;
    run.deletes(plan, &on_event).await;
    let verifications = verify::read_back(&reader, plan, &run, options, &on_event).await?;
    Ok(ApplyReport { plan: plan.clone(), outcomes: run.into_outcomes(), verifications })
}
