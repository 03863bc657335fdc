//! `intune export DIR`, `intune plan DIR [--out FILE]`, `intune apply DIR | --plan FILE`:
//! configuration as code over the library's `tenant` module.
//!
//! Exit codes: `export` 0 written; `plan` 0 no changes (objects left out by the user's own
//! choice are no change), 3 changes or conflicts, 2 problems (a name that resolves to
//! nothing, an assignment the service would refuse…); `apply` 0 done and verified (or
//! nothing to do), 1 an object failed, did not read back as written, was left in conflict,
//! or the tenant changed since the plan, 2 problems; all: 1 the service refused, 2 usage or
//! a bad file.

use std::{
    io::{self, BufRead, IsTerminal, Write},
    path::{Path, PathBuf},
};

use clap::Args;
use intune_graph::tenant::{
    self, ApplyOptions, ApplyReport, ExportOptions, GroupMap, Plan, PlanOptions, Snapshot, TenantError,
};

use crate::{
    Outcome,
    context::{self, Context, GlobalArgs},
    output::{self, Format},
    progress::Progress,
};

#[derive(Args, Debug)]
pub(crate) struct ExportArgs {
    /// The folder to write: empty, new, or one export wrote (it replaces only the files of
    /// the objects it exports and never touches other files).
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
pub(crate) struct PlanArgs {
    /// Also delete target objects of the folder's types that the folder does not hold.
    #[arg(long)]
    prune: bool,
    /// JSON object mapping source group (or filter) ids or names to target ids; wins over
    /// looking names up in the target.
    #[arg(long, value_name = "FILE")]
    group_map: Option<PathBuf>,
    /// Also act on types the crate does not model (their files are sent as they are).
    #[arg(long)]
    include_unmodelled: bool,
    /// Only objects of this type (e.g. iosScepCertificateProfile); repeat for several.
    /// The others are reported as skipped.
    #[arg(long = "type", value_name = "TYPE")]
    types: Vec<String>,
}

/// Many tenants at once.
#[derive(Args, Debug)]
pub(crate) struct TenantsArgs {
    /// Plan or apply for every tenant of this TOML file (a `[[tenant]]` table each: `name`,
    /// then `base_url` and `token` or `token_env`, or `tenant_id`, `client_id` and
    /// `client_secret_env`; optional `cloud`, `group_map`), each with its own client.
    #[arg(long, value_name = "FILE")]
    tenants: Option<PathBuf>,
    /// How many tenants run at once (with --tenants).
    #[arg(long, value_name = "N", requires = "tenants", default_value_t = crate::tenants::DEFAULT_PARALLEL,
          value_parser = parse_parallel)]
    parallel: usize,
}

/// A count of tenants at once, 1 to 256.
fn parse_parallel(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=256).contains(&n) => Ok(n),
        _ => Err(format!("{text:?} is not a whole number from 1 to 256")),
    }
}

#[derive(Args, Debug)]
pub(crate) struct PlanCommand {
    /// The snapshot folder (as `intune export` writes it).
    dir: PathBuf,
    #[command(flatten)]
    options: PlanArgs,
    /// Also write the plan to FILE as JSON, for `intune apply --plan FILE`.
    #[arg(long, value_name = "FILE", conflicts_with = "tenants")]
    out: Option<PathBuf>,
    #[command(flatten)]
    many: TenantsArgs,
}

#[derive(Args, Debug)]
pub(crate) struct ApplyArgs {
    /// The snapshot folder (as `intune export` writes it); planned, shown, then applied.
    #[arg(required_unless_present = "plan", conflicts_with = "plan")]
    dir: Option<PathBuf>,
    /// Apply exactly this saved plan (`intune plan DIR --out FILE`); refused, with nothing
    /// written, when an object it touches changed since.
    #[arg(long, value_name = "FILE", conflicts_with = "tenants")]
    plan: Option<PathBuf>,
    #[command(flatten)]
    options: PlanArgs,
    /// Do not ask for confirmation (needed when stdin is not a terminal).
    #[arg(long)]
    yes: bool,
    #[command(flatten)]
    many: TenantsArgs,
}

pub(crate) async fn export(global: &GlobalArgs, args: ExportArgs) -> Outcome {
    let ctx = or_return!(context::connect(global).await);
    let mut options = ExportOptions::new();
    for t in args.types {
        options = options.with_type(t);
    }
    if let Some(name) = args.name {
        options = options.with_name_containing(name);
    }
    let (mut snapshot, notes) = match tenant::export(&ctx.client, &options).await {
        Ok(done) => done,
        Err(e) => return report(&e),
    };
    for note in notes {
        eprintln!("note: {}", output::clean(&note));
    }
    say_redacted(snapshot.redact(&ctx.secrets), "the files");
    match snapshot.write_dir(&args.dir, |key| options.keeps(key)) {
        Ok(files) => {
            eprintln!("exported {} objects to {}", files.written.len(), args.dir.display());
            if !files.removed.is_empty() {
                eprintln!("removed {} files of objects the tenant no longer has", files.removed.len());
            }
            Outcome::Success
        }
        Err(e) => report(&e),
    }
}

/// The plan options of `args`, or the outcome of a bad group map.
pub(crate) fn plan_options(args: &PlanArgs) -> Result<PlanOptions, Outcome> {
    let mut options = PlanOptions::new().prune(args.prune).include_unmodelled(args.include_unmodelled);
    if let Some(path) = &args.group_map {
        options = options.group_map(GroupMap::from_file(path).map_err(|e| report(&e))?);
    }
    for t in &args.types {
        options = options.with_type(t.clone());
    }
    Ok(options)
}

/// The snapshot of `dir` planned against the tenant behind `ctx`.
async fn make_plan(ctx: &Context, dir: &Path, args: &PlanArgs) -> Result<Plan, Outcome> {
    Ok(read_and_plan(ctx, dir, args).await?.1)
}

/// The folder's snapshot and its plan against the tenant.
async fn read_and_plan(ctx: &Context, dir: &Path, args: &PlanArgs) -> Result<(Snapshot, Plan), Outcome> {
    let snapshot = Snapshot::read_dir(dir).map_err(|e| report(&e))?;
    let options = plan_options(args)?;
    let plan = tenant::plan_tenant(&ctx.client, &snapshot, &options).await.map_err(|e| report(&e))?;
    Ok((snapshot, plan))
}

/// Refuses to save a plan whose files hold the command's token or client secret: a saved
/// plan keeps no secret, so it would write `[redacted]` where the files hold the value.
/// (A secret the *tenant* reflects is only shown, never written, and is redacted freely.)
fn savable(snapshot: &Snapshot, secrets: &[intune_graph::auth::Secret]) -> Result<(), Outcome> {
    if snapshot.clone().redact(secrets) == 0 {
        return Ok(());
    }
    eprintln!(
        "error: the files hold this command's token or client secret; a saved plan keeps no secret and \
         would write [redacted] in its place: plan not saved"
    );
    Err(Outcome::BadInput)
}

pub(crate) async fn plan(global: &GlobalArgs, args: PlanCommand) -> Outcome {
    if let Some(file) = &args.many.tenants {
        return crate::tenants::plan(global, &args.dir, &args.options, file, args.many.parallel).await;
    }
    if let Err(outcome) = plan_options(&args.options) {
        return outcome;
    }
    let ctx = or_return!(context::connect(global).await);
    let (snapshot, mut plan) = or_return!(read_and_plan(&ctx, &args.dir, &args.options).await);
    if args.out.is_some() {
        or_return!(savable(&snapshot, &ctx.secrets));
    }
    say_redacted(plan.redact(&ctx.secrets), "the plan");
    if let Some(out) = &args.out {
        or_return!(save(&plan, out));
    }
    if let Err(e) = show(&plan, ctx.format, &mut io::stdout().lock()) {
        return output::write_failed(&e);
    }
    plan_outcome(&plan)
}

/// What a plan's review exits with: 2 problems, 3 changes or conflicts, 0 nothing to do.
pub(crate) fn plan_outcome(plan: &Plan) -> Outcome {
    if !plan.problems.is_empty() {
        Outcome::BadInput
    } else if plan.has_changes() {
        Outcome::Changes
    } else {
        Outcome::Success
    }
}

/// The plan as JSON (pretty, one document) or as the reviewer's view.
fn show(plan: &Plan, format: Format, out: &mut impl Write) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, plan)?;
            writeln!(out)
        }
        Format::Table => write!(out, "{plan}"),
    }
}

fn save(plan: &Plan, path: &Path) -> Result<(), Outcome> {
    let failed = |e: &dyn std::fmt::Display| {
        eprintln!("error: {}: {}", path.display(), e);
        Outcome::BadInput
    };
    let mut bytes = serde_json::to_vec_pretty(plan).map_err(|e| failed(&e))?;
    bytes.push(b'\n');
    std::fs::write(path, bytes).map_err(|e| failed(&e))
}

/// A plan saved by `plan --out`.
fn load(path: &Path) -> Result<Plan, Outcome> {
    let bad = |message: String| {
        eprintln!("error: {}: {}", path.display(), output::clean(&message));
        Outcome::BadInput
    };
    let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let text = intune_graph::models::read_json_document(&bytes).map_err(|e| bad(e.to_string()))?;
    let plan: Plan = serde_json::from_str(&text).map_err(|e| bad(format!("not a saved plan: {e}")))?;
    if plan.format != Plan::FORMAT {
        return Err(bad(format!(
            "a plan of format {}; this version reads format {}",
            plan.format,
            Plan::FORMAT
        )));
    }
    Ok(plan)
}

pub(crate) async fn apply(global: &GlobalArgs, args: ApplyArgs) -> Outcome {
    if let (Some(file), Some(dir)) = (&args.many.tenants, &args.dir) {
        return crate::tenants::apply(global, dir, &args.options, file, args.many.parallel, args.yes).await;
    }
    if let Err(outcome) = plan_options(&args.options) {
        return outcome;
    }
    let planning = &args.options;
    if args.plan.is_some()
        && (planning.prune
            || planning.include_unmodelled
            || planning.group_map.is_some()
            || !planning.types.is_empty())
    {
        eprintln!(
            "error: --prune, --group-map, --include-unmodelled and --type shape a plan; a saved plan (--plan) \
             runs as it was made: give them to `intune plan … --out FILE` instead"
        );
        return Outcome::BadInput;
    }
    let saved = or_return!(args.plan.as_deref().map(load).transpose());
    let ctx = or_return!(context::connect(global).await);
    // Progress from the first read on, so a throttle wait while planning shows too.
    let progress = Progress::start(ctx.format);
    let outcome = plan_and_apply(&ctx, &args, saved, &progress).await;
    progress.finish();
    outcome
}

async fn plan_and_apply(
    ctx: &Context,
    args: &ApplyArgs,
    saved: Option<Plan>,
    progress: &Progress,
) -> Outcome {
    let plan = match (saved, &args.dir) {
        (Some(plan), _) => plan,
        (None, Some(dir)) => or_return!(make_plan(ctx, dir, &args.options).await),
        (None, None) => unreachable!("clap requires a folder or --plan"),
    };
    if let Err(outcome) = review(ctx, &plan, args.yes) {
        return outcome;
    }
    match tenant::apply(&ctx.client, &plan, &ApplyOptions::new(), |e| progress.event(e)).await {
        Ok(report) => summarize(&report),
        Err(e) => report(&e),
    }
}

/// Shows the plan (redacted) when it will not run as it is or when asked to confirm; the
/// outcome when it does not run.
fn review(ctx: &Context, plan: &Plan, yes: bool) -> Result<(), Outcome> {
    let mut shown = plan.clone();
    say_redacted(shown.redact(&ctx.secrets), "the plan");
    let show_stderr = || {
        let _ = show(&shown, Format::Table, &mut io::stderr().lock());
    };
    if !plan.problems.is_empty() {
        show_stderr();
        eprintln!("error: the plan has problems; nothing was written");
        return Err(Outcome::BadInput);
    }
    if plan.actions.iter().any(|a| matches!(a, tenant::Action::Conflict { .. })) {
        show_stderr();
        eprintln!("error: the plan has conflicts; nothing was written");
        return Err(Outcome::Refused);
    }
    if plan.write_count() == 0 {
        if !yes {
            show_stderr();
        }
        eprintln!("nothing to apply");
        return Err(Outcome::Success);
    }
    if yes {
        return Ok(());
    }
    if !io::stdin().is_terminal() {
        eprintln!("error: apply asks for confirmation on a terminal; pass --yes to apply without asking");
        return Err(Outcome::BadInput);
    }
    show_stderr();
    eprint!("apply {} changes? [y/N] ", plan.write_count());
    let mut answer = String::new();
    if io::stdin().lock().read_line(&mut answer).is_err() || !answer.trim().eq_ignore_ascii_case("y") {
        eprintln!("not applied");
        return Err(Outcome::Refused);
    }
    Ok(())
}

/// What the apply did, on stderr; the outcome.
fn summarize(report: &ApplyReport) -> Outcome {
    for action in &report.plan.actions {
        if let tenant::Action::Create { key, not_restorable, .. }
        | tenant::Action::Update { key, not_restorable, .. } = action
            && !not_restorable.is_empty()
        {
            eprintln!("not restorable: {key}: {} (set by hand)", not_restorable.join(", "));
        }
    }
    for warning in &report.plan.warnings {
        eprintln!("{}", tenant_warning(warning));
    }
    for verification in report.verifications.iter().filter(|v| !v.verified) {
        eprintln!(
            "not verified: {}: {}",
            verification.key,
            output::clean(&verification.mismatches.join("; "))
        );
    }
    eprintln!(
        "{} writes, {} of {} objects verified",
        report.writes(),
        report.verified(),
        report.verifications.len()
    );
    if report.succeeded() { Outcome::Success } else { Outcome::Refused }
}

fn tenant_warning(warning: &tenant::CoverageWarning) -> String {
    format!(
        "warning: {} is assigned to {} that its {} {} is not",
        warning.key,
        output::clean(&warning.uncovered.join(", ")),
        warning.navigation,
        warning.certificate
    )
}

/// Says on stderr that `count` values of `what` held a secret of the client's.
fn say_redacted(count: usize, what: &str) {
    if count > 0 {
        eprintln!(
            "warning: {count} value(s) the service returned held this command's token or client secret; \
             replaced with [redacted] in {what}"
        );
    }
}

/// Prints a tenant error (one line per item it lists); the outcome it maps to.
pub(crate) fn report(error: &TenantError) -> Outcome {
    let print = |error: &TenantError| {
        for (n, line) in error.to_string().lines().enumerate() {
            eprintln!("{}{}", if n == 0 { "error: " } else { "" }, output::clean(line));
        }
    };
    match error {
        TenantError::Graph(e) => output::report(e),
        TenantError::Stale { .. } | TenantError::PlanNotApplicable { .. } => {
            print(error);
            Outcome::Refused
        }
        other => {
            print(other);
            Outcome::BadInput
        }
    }
}
