//! `intune get ID`: read one device configuration, whatever its type.

use clap::Args;

use crate::{
    Outcome,
    context::{self, GlobalArgs},
    output,
};

#[derive(Args, Debug)]
pub(crate) struct GetArgs {
    /// The device configuration's id.
    id: String,
}

pub(crate) async fn run(global: &GlobalArgs, args: GetArgs) -> Outcome {
    let ctx = or_return!(context::connect(global).await);
    match ctx.client.device_configurations().get(&args.id).await {
        Ok(config) => output::print_configuration(ctx.format, &config),
        Err(e) => output::report(&e),
    }
}
