//! `intune delete ID`: delete a device configuration (`204 No Content`).

use crate::{
    Outcome,
    context::{self, GlobalArgs, IdArgs},
    output,
};

pub(crate) async fn run(global: &GlobalArgs, args: IdArgs) -> Outcome {
    let ctx = or_return!(context::connect(global).await);
    match ctx.client.device_configurations().delete(&args.id).await {
        Ok(()) => {
            eprintln!("deleted {}", output::clean(&args.id));
            Outcome::Success
        }
        Err(e) => output::report(&e),
    }
}
