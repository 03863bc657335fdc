//! One snapshot, many tenants: each tenant is its own client (its own credential, throttle
//! gate, write limiter and retry budget: Intune's quota is per app and tenant), planned and
//! applied on its own, several at once; one tenant's throttling, faults, bad token or
//! failure never stops or slows the others. The results come back one per tenant, in the
//! order given.

use futures_util::{StreamExt, stream};
use serde::Serialize;
use tracing::Instrument;

use super::{
    Action, ApplyEvent, ApplyOptions, ApplyReport, Plan, PlanOptions, Snapshot, TenantError, apply,
    plan_tenant,
};
use crate::GraphClient;

/// One tenant of a run: its name (for reports), its client, and its own plan options (its
/// group map, mostly).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TenantTarget {
    /// The name reports use.
    pub name: String,
    /// The client of this tenant.
    pub client: GraphClient,
    /// How to plan for this tenant.
    pub options: PlanOptions,
}

impl TenantTarget {
    /// A tenant named `name`, reached through `client`, planned with `options`.
    pub fn new(name: impl Into<String>, client: GraphClient, options: PlanOptions) -> Self {
        TenantTarget { name: name.into(), client, options }
    }
}

/// What one tenant's run gave.
#[derive(Debug)]
#[non_exhaustive]
pub struct TenantRun<T> {
    /// The tenant's name.
    pub name: String,
    /// Its plan, or its apply's report; the error when it could not be done.
    pub result: Result<T, TenantError>,
    /// How long the tenant's job took, from its start to its result (a tenant waiting for
    /// its turn under `parallel` is not counted).
    pub elapsed: std::time::Duration,
}

/// How one tenant ended, counted: what a report table or a JSON summary shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TenantSummary {
    /// The tenant's name.
    pub name: String,
    /// Whether it succeeded (for an apply: every write verified; for a plan: planned).
    pub ok: bool,
    /// Objects created (for a plan: to create).
    pub created: usize,
    /// Objects updated (to update).
    pub updated: usize,
    /// Objects found as the files say.
    pub unchanged: usize,
    /// Objects deleted (to delete).
    pub deleted: usize,
    /// Objects whose write failed or did not read back as written.
    pub failed: usize,
    /// Identities (or references) that are not unique.
    pub conflicts: usize,
    /// Problems that stop the plan.
    pub problems: usize,
    /// Objects read back as written (apply only).
    pub verified: usize,
    /// Whether everything written was read back as written (apply only).
    pub all_verified: bool,
    /// Whether the tenant differs from the files (plan only).
    pub changes: bool,
    /// The error, when the tenant could not be planned or applied.
    pub error: Option<String>,
}

fn count(plan: &Plan, pred: fn(&Action) -> bool) -> usize {
    plan.actions.iter().filter(|a| pred(a)).count()
}

impl TenantSummary {
    /// The summary of a plan.
    pub fn of_plan(run: &TenantRun<Plan>) -> Self {
        let name = run.name.clone();
        match &run.result {
            Err(e) => TenantSummary { name, error: Some(e.to_string()), ..TenantSummary::default() },
            Ok(plan) => TenantSummary {
                name,
                ok: plan.problems.is_empty(),
                created: count(plan, |a| matches!(a, Action::Create { .. })),
                updated: count(plan, |a| matches!(a, Action::Update { .. })),
                unchanged: count(plan, |a| matches!(a, Action::NoChange { .. })),
                deleted: count(plan, |a| matches!(a, Action::Delete { .. })),
                conflicts: count(plan, |a| matches!(a, Action::Conflict { .. })),
                problems: plan.problems.len(),
                changes: plan.has_changes(),
                ..TenantSummary::default()
            },
        }
    }

    /// The summary of an apply.
    pub fn of_apply(run: &TenantRun<ApplyReport>) -> Self {
        let name = run.name.clone();
        let report = match &run.result {
            Err(e) => return TenantSummary { name, error: Some(e.to_string()), ..TenantSummary::default() },
            Ok(report) => report,
        };
        let outcome = |pred: fn(&super::ObjectOutcome) -> bool| {
            report.outcomes.iter().filter(|(_, _, o)| pred(o)).count()
        };
        let unverified = report.verifications.iter().filter(|v| !v.verified);
        let failed_keys: std::collections::BTreeSet<_> = report
            .outcomes
            .iter()
            .filter(|(_, _, o)| matches!(o, super::ObjectOutcome::Failed { .. }))
            .map(|(_, key, _)| key)
            .chain(unverified.map(|v| &v.key))
            .collect();
        TenantSummary {
            name,
            ok: report.succeeded(),
            created: outcome(|o| matches!(o, super::ObjectOutcome::Created { .. })),
            updated: outcome(|o| matches!(o, super::ObjectOutcome::Updated { .. })),
            unchanged: count(&report.plan, |a| matches!(a, Action::NoChange { .. })),
            deleted: outcome(|o| matches!(o, super::ObjectOutcome::Deleted { .. })),
            failed: failed_keys.len(),
            conflicts: count(&report.plan, |a| matches!(a, Action::Conflict { .. })),
            problems: report.plan.problems.len(),
            verified: report.verified(),
            all_verified: report.verifications.iter().all(|v| v.verified),
            changes: report.plan.has_changes(),
            error: None,
        }
    }
}

/// Plans `snapshot` for every tenant, `parallel` at a time (at least one); one result per
/// tenant, in the order of `tenants`.
pub async fn plan_many(
    snapshot: &Snapshot,
    tenants: &[TenantTarget],
    parallel: usize,
) -> Vec<TenantRun<Plan>> {
    each_tenant(tenants, parallel, |tenant| plan_tenant(&tenant.client, snapshot, &tenant.options)).await
}

/// Applies each tenant's plan (as [`plan_many`] made them and a person reviewed them),
/// `parallel` at a time; one result per tenant, in the order of `tenants`. A tenant whose
/// plan could not be made keeps that error; one whose plan cannot be applied (problems,
/// conflicts, or its objects changed since) gets that error, with nothing written there;
/// the others go on.
pub async fn apply_plans(
    tenants: &[TenantTarget],
    plans: Vec<TenantRun<Plan>>,
    parallel: usize,
    options: &ApplyOptions,
    on_event: impl Fn(&str, &ApplyEvent) + Send + Sync,
) -> Vec<TenantRun<ApplyReport>> {
    let on_event = &on_event;
    let plans: std::collections::HashMap<String, std::sync::Mutex<Option<Result<Plan, TenantError>>>> =
        plans.into_iter().map(|run| (run.name, std::sync::Mutex::new(Some(run.result)))).collect();
    let plans = &plans;
    each_tenant(tenants, parallel, |tenant| async move {
        let planned = plans
            .get(&tenant.name)
            .and_then(|slot| slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take())
            .unwrap_or_else(|| {
                Err(TenantError::PlanNotApplicable {
                    reasons: vec![format!("no plan was made for {}", tenant.name)],
                })
            });
        apply(&tenant.client, &planned?, options, |event| on_event(&tenant.name, event)).await
    })
    .await
}

/// `job` for every tenant, `parallel` at a time, each inside a `tenant` tracing span (whose
/// `name` field is the tenant's, so a subscriber can tell whose retry or throttle wait an
/// event reports); the results in the order of `tenants`, whatever order they finish in.
async fn each_tenant<'t, T, F>(
    tenants: &'t [TenantTarget],
    parallel: usize,
    job: impl Fn(&'t TenantTarget) -> F,
) -> Vec<TenantRun<T>>
where
    F: std::future::Future<Output = Result<T, TenantError>>,
{
    let job = &job;
    let mut runs: Vec<(usize, TenantRun<T>)> = stream::iter(tenants.iter().enumerate())
        .map(|(n, tenant)| async move {
            let span = tracing::info_span!("tenant", name = %tenant.name);
            let started = std::time::Instant::now();
            let result = job(tenant).instrument(span).await;
            (n, TenantRun { name: tenant.name.clone(), result, elapsed: started.elapsed() })
        })
        .buffer_unordered(parallel.max(1))
        .collect()
        .await;
    runs.sort_by_key(|(n, _)| *n);
    runs.into_iter().map(|(_, run)| run).collect()
}

/// Plans and applies `snapshot` to every tenant, `parallel` at a time (at least one): each
/// tenant's plan is checked (a plan with problems or conflicts is that tenant's error, with
/// nothing written there), applied, and read back. `on_event` sees every tenant's events
/// with its name. One result per tenant, in the order of `tenants`.
///
/// ```no_run
/// # async fn run(snapshot: intune_graph::tenant::Snapshot, contoso: intune_graph::GraphClient,
/// #              fabrikam: intune_graph::GraphClient) {
/// use intune_graph::tenant::{ApplyOptions, PlanOptions, TenantSummary, TenantTarget, apply_many};
///
/// let tenants = [
///     TenantTarget::new("contoso", contoso, PlanOptions::new()),
///     TenantTarget::new("fabrikam", fabrikam, PlanOptions::new()),
/// ];
/// let runs = apply_many(&snapshot, &tenants, 4, &ApplyOptions::new(), |_tenant, _event| {}).await;
/// for run in &runs {
///     let summary = TenantSummary::of_apply(run);
///     println!("{}: ok={} created={} verified={}", summary.name, summary.ok, summary.created, summary.verified);
/// }
/// # }
/// ```
pub async fn apply_many(
    snapshot: &Snapshot,
    tenants: &[TenantTarget],
    parallel: usize,
    options: &ApplyOptions,
    on_event: impl Fn(&str, &ApplyEvent) + Send + Sync,
) -> Vec<TenantRun<ApplyReport>> {
    let on_event = &on_event;
    each_tenant(tenants, parallel, |tenant| async move {
        let plan = plan_tenant(&tenant.client, snapshot, &tenant.options).await?;
        apply(&tenant.client, &plan, options, |event| on_event(&tenant.name, event)).await
    })
    .await
}
