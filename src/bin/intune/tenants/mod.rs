//! `intune plan DIR --tenants FILE` and `intune apply DIR --tenants FILE`: one snapshot,
//! many tenants, each its own client (credential, throttle gate, write limiter, retry
//! budget), several at once, one report.
//!
//! Exit codes: `plan` 0 no tenant has changes, 3 one has (a drift matrix), 2 one has
//! problems, 1 one could not be read; `apply` 0 every tenant done and verified, 1 any not;
//! 2 a bad snapshot or tenants file (nothing sent).

mod file;
mod report;

use std::{
    io::{self, BufRead, IsTerminal},
    path::Path,
};

use intune_graph::{
    GraphClient,
    auth::{ClientSecretCredential, Secret},
    tenant::{self, ApplyOptions, Plan, Snapshot, TenantRun, TenantSummary, TenantTarget},
};

use crate::{
    Outcome,
    context::{GlobalArgs, WriteRate},
    iac::{PlanArgs, plan_options, report as report_error},
    output::{self, Format},
    progress::Progress,
};

/// How many tenants run at once when `--parallel` is not given: enough to overlap their
/// round trips, few enough that a laptop's connections and memory stay modest.
pub(crate) const DEFAULT_PARALLEL: usize = 8;

/// What both commands start from: the snapshot, the tenants and their clients.
struct Run {
    snapshot: Snapshot,
    tenants: Vec<TenantTarget>,
    secrets: Vec<Secret>,
    format: Format,
}

fn prepare(global: &GlobalArgs, dir: &Path, args: &PlanArgs, tenants_file: &Path) -> Result<Run, Outcome> {
    let snapshot = Snapshot::read_dir(dir).map_err(|e| report_error(&e))?;
    let defaults = plan_options(args)?;
    let (specs, warnings) = file::read(tenants_file, |name| std::env::var(name).ok()).map_err(|message| {
        eprintln!("error: {}", output::clean(&message));
        Outcome::BadInput
    })?;
    for warning in warnings {
        eprintln!("warning: {}", output::clean(&warning));
    }
    let mut tenants = Vec::new();
    let mut secrets = Vec::new();
    for spec in specs {
        let client = client(global, &spec).map_err(|message| {
            eprintln!("error: tenant {:?}: {}", spec.name, output::clean(&message));
            Outcome::BadInput
        })?;
        let mut options = defaults.clone();
        if spec.group_map != tenant::GroupMap::new() {
            options = options.group_map(spec.group_map.clone());
        }
        secrets.push(spec.secret().clone());
        tenants.push(TenantTarget::new(spec.name.clone(), client, options));
    }
    Ok(Run { snapshot, tenants, secrets, format: global.format() })
}

/// The client of one tenant, with the global options that apply to each (`--write-rate`).
fn client(global: &GlobalArgs, spec: &file::TenantSpec) -> Result<GraphClient, String> {
    let builder = GraphClient::builder().user_agent(concat!("intune-cli/", env!("CARGO_PKG_VERSION")));
    let builder = match global.write_rate {
        None => builder,
        Some(WriteRate::Off) => builder.write_rate_limit(None),
        Some(WriteRate::Limit(limit)) => builder.write_rate_limit(Some(limit)),
    };
    let builder = match &spec.sign_in {
        file::SignIn::Token { token, base_url } => {
            builder.bearer_token(token.clone()).base_url(base_url.clone())
        }
        file::SignIn::ClientSecret { tenant_id, client_id, secret, authority_host } => {
            let mut credential =
                ClientSecretCredential::new(tenant_id.clone(), client_id.clone(), secret.clone())
                    .map_err(|e| e.to_string())?;
            if let Some(cloud) = spec.cloud {
                credential = credential.with_cloud(cloud);
            }
            if let Some(host) = authority_host {
                let url = host.parse().map_err(|e| format!("authority_host: {e}"))?;
                credential = credential.authority_host(url).map_err(|e| e.to_string())?;
            }
            let builder = builder.credential(credential);
            let builder = match spec.cloud {
                Some(cloud) => builder.cloud(cloud),
                None => builder,
            };
            match &spec.base_url {
                Some(url) => builder.base_url(url.clone()),
                None => builder,
            }
        }
    };
    builder.build().map_err(|e| e.to_string())
}

/// `plan DIR --tenants FILE`.
pub(crate) async fn plan(
    global: &GlobalArgs,
    dir: &Path,
    args: &PlanArgs,
    tenants_file: &Path,
    parallel: usize,
) -> Outcome {
    let run = or_return!(prepare(global, dir, args, tenants_file));
    let mut plans = tenant::plan_many(&run.snapshot, &run.tenants, parallel).await;
    for plan in plans.iter_mut().filter_map(|p| p.result.as_mut().ok()) {
        plan.redact(&run.secrets);
    }
    let summaries: Vec<TenantSummary> = plans.iter().map(TenantSummary::of_plan).collect();
    if let Err(e) = report::plans(run.format, &plans, &summaries) {
        return output::write_failed(&e);
    }
    if summaries.iter().any(|s| s.error.is_some()) {
        Outcome::Refused
    } else if summaries.iter().any(|s| s.problems > 0) {
        Outcome::BadInput
    } else if summaries.iter().any(|s| s.changes) {
        Outcome::Changes
    } else {
        Outcome::Success
    }
}

/// `apply DIR --tenants FILE`: plans every tenant, shows the drift matrix and asks (unless
/// `--yes`), then applies each tenant's plan as shown.
pub(crate) async fn apply(
    global: &GlobalArgs,
    dir: &Path,
    args: &PlanArgs,
    tenants_file: &Path,
    parallel: usize,
    yes: bool,
) -> Outcome {
    let run = or_return!(prepare(global, dir, args, tenants_file));
    if !yes && !io::stdin().is_terminal() {
        eprintln!("error: apply asks for confirmation on a terminal; pass --yes to apply without asking");
        return Outcome::BadInput;
    }
    let names: Vec<String> = run.tenants.iter().map(|t| t.name.clone()).collect();
    let runs = if yes {
        let progress = Progress::start_tenants(run.format, &names);
        let runs = tenant::apply_many(
            &run.snapshot,
            &run.tenants,
            parallel,
            &ApplyOptions::new(),
            |tenant, event| progress.tenant_event(tenant, event),
        )
        .await;
        progress.finish();
        runs
    } else {
        let plans = tenant::plan_many(&run.snapshot, &run.tenants, parallel).await;
        if !confirm(&plans, &run.secrets) {
            return Outcome::Refused;
        }
        let progress = Progress::start_tenants(run.format, &names);
        let runs =
            tenant::apply_plans(&run.tenants, plans, parallel, &ApplyOptions::new(), |tenant, event| {
                progress.tenant_event(tenant, event)
            })
            .await;
        progress.finish();
        runs
    };
    let summaries: Vec<TenantSummary> = runs.iter().map(TenantSummary::of_apply).collect();
    if let Err(e) = report::applies(run.format, &runs, &summaries) {
        return output::write_failed(&e);
    }
    if summaries.iter().all(|s| s.ok) { Outcome::Success } else { Outcome::Refused }
}

/// Shows every tenant's plan and the matrix on stderr and asks once: whether to apply them.
fn confirm(plans: &[TenantRun<Plan>], secrets: &[Secret]) -> bool {
    let summaries: Vec<TenantSummary> = plans.iter().map(TenantSummary::of_plan).collect();
    for run in plans {
        if let Ok(plan) = &run.result {
            let mut shown = plan.clone();
            shown.redact(secrets);
            eprintln!("== {}\n{shown}", output::clean(&run.name));
        }
    }
    let _ = report::matrix(&mut io::stderr().lock(), &summaries, false);
    let writes: usize = plans.iter().filter_map(|r| r.result.as_ref().ok()).map(Plan::write_count).sum();
    eprint!("apply {writes} changes in {} tenants? [y/N] ", plans.len());
    let mut answer = String::new();
    if io::stdin().lock().read_line(&mut answer).is_err() || !answer.trim().eq_ignore_ascii_case("y") {
        eprintln!("not applied");
        return false;
    }
    true
}
