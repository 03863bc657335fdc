//! `intune export DIR`, `intune plan DIR`, `intune apply DIR`: configuration as code over
//! the library's `tenant` module.
//!
//! Exit codes: `export` 0 written; `plan` 0 no changes, 3 changes (or conflicts) pending;
//! `apply` 0 done (or nothing to do), 1 an object failed or was left in conflict; all: 1
//! the service refused, 2 usage or a bad file.

use std::{
    io::{self, BufRead, IsTerminal, Write},
    path::PathBuf,
};

use clap::Args;
use intune_graph::tenant::{
    self, ApplyOptions, ExportOptions, GroupMap, Plan, PlanOptions, Snapshot, TargetObject, TenantError,
    TenantReader,
};

use crate::{
    Outcome,
    context::{self, GlobalArgs},
    output::{self, Format},
    progress::Progress,
};

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The folder to write (created; its type folders' *.json files are replaced).
    dir: PathBuf,
    /// Only this type (e.g. iosScepCertificateProfile); repeat for several.
    #[arg(long = "type", value_name = "TYPE")]
    types: Vec<String>,
    /// Only objects whose display name contains this text (any case).
    #[arg(long, value_name = "TEXT")]
    name: Option<String>,
}

/// What plan and apply share.
#[derive(Args, Debug)]
pub struct TargetArgs {
    /// The snapshot folder (as `intune export` writes it).
    dir: PathBuf,
    /// Also delete target objects of the folder's types that the folder does not hold.
    #[arg(long)]
    prune: bool,
    /// JSON object mapping source group ids or names to target group ids.
    #[arg(long, value_name = "FILE")]
    group_map: Option<PathBuf>,
    /// Also act on types the crate does not model (their files are sent as they are).
    #[arg(long)]
    include_unmodelled: bool,
}

#[derive(Args, Debug)]
pub struct ApplyArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Do not ask for confirmation (needed when stdin is not a terminal).
    #[arg(long)]
    yes: bool,
}

pub async fn export(global: &GlobalArgs, args: ExportArgs) -> Outcome {
    let ctx = match context::connect(global).await {
        Ok(ctx) => ctx,
        Err(outcome) => return outcome,
    };
    let mut options = ExportOptions::new();
    for t in args.types {
        options = options.with_type(t);
    }
    if let Some(name) = args.name {
        options = options.with_name_containing(name);
    }
    let (snapshot, notes) = match tenant::export(&ctx.client, &options).await {
        Ok(done) => done,
        Err(e) => return report(&e),
    };
    for note in notes {
        eprintln!("note: {}", output::clean(&note));
    }
    match snapshot.write_dir(&args.dir) {
        Ok(written) => {
            eprintln!("exported {} objects to {}", written.len(), args.dir.display());
            Outcome::Success
        }
        Err(e) => report(&e),
    }
}

/// The snapshot and plan options of `args`, or the outcome of a bad file.
fn load(args: &TargetArgs) -> Result<(Snapshot, PlanOptions), Outcome> {
    let snapshot = Snapshot::read_dir(&args.dir).map_err(|e| report(&e))?;
    let mut options = PlanOptions::new().prune(args.prune).include_unmodelled(args.include_unmodelled);
    if let Some(path) = &args.group_map {
        options = options.group_map(GroupMap::from_file(path).map_err(|e| report(&e))?);
    }
    Ok((snapshot, options))
}

async fn read_plan(
    client: &intune_graph::GraphClient,
    snapshot: &Snapshot,
    options: &PlanOptions,
) -> Result<Plan, Outcome> {
    let objects = TenantReader::new(client).read(|_| true).await.map_err(|e| output::report(&e))?;
    let target = TargetObject::from_tenant(&objects).map_err(|e| report(&e))?;
    Ok(tenant::plan(snapshot, &target, options))
}

pub async fn plan(global: &GlobalArgs, args: TargetArgs) -> Outcome {
    let (snapshot, options) = match load(&args) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let ctx = match context::connect(global).await {
        Ok(ctx) => ctx,
        Err(outcome) => return outcome,
    };
    let plan = match read_plan(&ctx.client, &snapshot, &options).await {
        Ok(plan) => plan,
        Err(outcome) => return outcome,
    };
    let shown = match ctx.format {
        Format::Json => serde_json::to_string_pretty(&plan).map(|text| text + "\n").unwrap_or_default(),
        Format::Table => plan.to_string(),
    };
    if let Err(e) = io::stdout().lock().write_all(shown.as_bytes()) {
        return output::write_failed(&e);
    }
    if plan.has_changes() { Outcome::Changes } else { Outcome::Success }
}

pub async fn apply(global: &GlobalArgs, args: ApplyArgs) -> Outcome {
    let (snapshot, options) = match load(&args.target) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let ctx = match context::connect(global).await {
        Ok(ctx) => ctx,
        Err(outcome) => return outcome,
    };
    if !args.yes {
        if !io::stdin().is_terminal() {
            eprintln!("error: apply asks for confirmation on a terminal; pass --yes to apply without asking");
            return Outcome::BadInput;
        }
        let plan = match read_plan(&ctx.client, &snapshot, &options).await {
            Ok(plan) => plan,
            Err(outcome) => return outcome,
        };
        eprint!("{plan}");
        if plan.write_count() == 0 {
            eprintln!("nothing to apply");
            return if plan.has_changes() { Outcome::Refused } else { Outcome::Success };
        }
        eprint!("apply {} changes? [y/N] ", plan.write_count());
        let mut answer = String::new();
        if io::stdin().lock().read_line(&mut answer).is_err() || !answer.trim().eq_ignore_ascii_case("y") {
            eprintln!("not applied");
            return Outcome::Refused;
        }
    }
    let progress = Progress::start(ctx.format);
    let applied =
        tenant::apply(&ctx.client, &snapshot, &ApplyOptions::new(options), |e| progress.event(e)).await;
    progress.finish();
    let report = match applied {
        Ok(report) => report,
        Err(e) => return report(&e),
    };
    for action in &report.plan.actions {
        if let tenant::Action::Conflict { key, ids, reason } = action {
            eprintln!("conflict: {key}: {reason}; nothing done (ids: {})", ids.join(", "));
        }
        if let tenant::Action::Create { key, not_restorable, .. }
        | tenant::Action::Update { key, not_restorable, .. } = action
            && !not_restorable.is_empty()
        {
            eprintln!("not restorable: {key}: {} (set by hand)", not_restorable.join(", "));
        }
    }
    for warning in &report.plan.warnings {
        eprintln!(
            "warning: {} is assigned to {} that its root {} is not",
            warning.key,
            warning.uncovered.join(", "),
            warning.root_certificate
        );
    }
    eprintln!("{} writes", report.writes());
    if report.succeeded() { Outcome::Success } else { Outcome::Refused }
}

/// Prints a tenant error; the outcome it maps to.
fn report(error: &TenantError) -> Outcome {
    match error {
        TenantError::Graph(e) => output::report(e),
        other => {
            eprintln!("error: {}", output::clean(&other.to_string()));
            Outcome::BadInput
        }
    }
}
