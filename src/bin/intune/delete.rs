//! `intune delete ID`: delete a device configuration (`204 No Content`).

use clap::Args;

use crate::{
    Outcome,
    context::{self, GlobalArgs},
    output,
};

#[derive(Args, Debug)]
pub(crate) struct DeleteArgs {
    /// The device configuration's id.
    id: String,
}

pub(crate) async fn run(global: &GlobalArgs, args: DeleteArgs) -> Outcome {
    let ctx = or_return!(context::connect(global).await);
    match ctx.client.device_configurations().delete(&args.id).await {
        Ok(()) => {
            eprintln!("deleted {}", output::clean(&args.id));
            Outcome::Success
        }
        Err(e) => output::report(&e),
    }
}
