//! `intune assign ID --group G [--group G2] [--exclude-group G3]`: set the assignments of
//! a device configuration and print the assignments the service reports.
//!
//! Graph's `assign` action replaces the whole set: list every target the configuration
//! should keep. `--clear` removes them all (an empty set), on purpose only.

use clap::{ArgGroup, Args};
use intune_graph::models::{AssignmentTarget, DeviceConfigurationAssignment};

use crate::{
    Outcome,
    context::{self, GlobalArgs},
    output,
};

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("targets").required(true).multiple(true)
    .args(["group", "exclude_group", "all_devices", "all_licensed_users", "clear"])))]
pub(crate) struct AssignArgs {
    /// The device configuration's id.
    id: String,
    /// Include the members of this group (Entra object id); repeatable.
    #[arg(long, value_name = "G")]
    group: Vec<String>,
    /// Exclude the members of this group; repeatable.
    #[arg(long, value_name = "G")]
    exclude_group: Vec<String>,
    /// Include all devices.
    #[arg(long)]
    all_devices: bool,
    /// Include all licensed users.
    #[arg(long)]
    all_licensed_users: bool,
    /// Remove every assignment (sends an empty set).
    #[arg(long, conflicts_with_all = ["group", "exclude_group", "all_devices", "all_licensed_users"])]
    clear: bool,
}

/// The typed targets, or a usage error (already reported).
fn targets(args: &AssignArgs) -> Result<Vec<DeviceConfigurationAssignment>, Outcome> {
    if let Some(blank) = args.group.iter().chain(&args.exclude_group).find(|g| g.trim().is_empty()) {
        eprintln!("error: a group id is empty ({blank:?})");
        return Err(Outcome::BadInput);
    }
    let mut targets: Vec<AssignmentTarget> = Vec::new();
    targets.extend(args.group.iter().map(|g| AssignmentTarget::group(g.trim())));
    if args.all_devices {
        targets.push(AssignmentTarget::all_devices());
    }
    if args.all_licensed_users {
        targets.push(AssignmentTarget::all_licensed_users());
    }
    targets.extend(args.exclude_group.iter().map(|g| AssignmentTarget::exclude_group(g.trim())));
    Ok(targets.into_iter().map(DeviceConfigurationAssignment::new).collect())
}

pub(crate) async fn run(global: &GlobalArgs, args: AssignArgs) -> Outcome {
    let assignments = or_return!(targets(&args));
    let ctx = or_return!(context::connect(global).await);
    let configurations = ctx.client.device_configurations();
    let result = match configurations.assign(&args.id, &assignments).await {
        // Some services answer without the set: read it.
        Ok(reported) if reported.is_empty() && !assignments.is_empty() => {
            configurations.assignments(&args.id).await
        }
        other => other,
    };
    match result {
        Ok(reported) => output::print_assignments(ctx.format, &reported),
        Err(e) => output::report(&e),
    }
}
