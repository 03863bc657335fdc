//! `intune link-root SCEP_ID ROOT_ID`: link a trusted root certificate profile to an iOS
//! SCEP profile, then print the root the SCEP profile now points to.

use clap::Args;
use intune_graph::models::DeviceConfiguration;

use crate::{
    Outcome,
    context::{self, GlobalArgs},
    output,
};

#[derive(Args, Debug)]
pub(crate) struct LinkRootArgs {
    /// The iOS SCEP certificate profile's id.
    scep_id: String,
    /// The iOS trusted root certificate profile's id.
    root_id: String,
}

pub(crate) async fn run(global: &GlobalArgs, args: LinkRootArgs) -> Outcome {
    let ctx = or_return!(context::connect(global).await);
    let configurations = ctx.client.device_configurations();
    if let Err(e) = configurations.link_root_certificate(&args.scep_id, &args.root_id).await {
        return output::report(&e);
    }
    eprintln!("linked {} to root {}", output::clean(&args.scep_id), output::clean(&args.root_id));
    match configurations.root_certificate(&args.scep_id).await {
        Ok(Some(root)) => output::print_configuration(ctx.format, &DeviceConfiguration::from(root)),
        Ok(None) => {
            eprintln!("error: the link was accepted but the SCEP profile reports no root certificate");
            Outcome::Refused
        }
        Err(e) => output::report(&e),
    }
}
