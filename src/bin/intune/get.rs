//! `intune get ID`: read one device configuration, whatever its type.

use crate::{
    Outcome,
    context::{self, GlobalArgs, IdArgs},
    output,
};

pub(crate) async fn run(global: &GlobalArgs, args: IdArgs) -> Outcome {
    let ctx = or_return!(context::connect(global).await);
    match ctx.client.device_configurations().get(&args.id).await {
        Ok(config) => output::print_configuration(ctx.format, &config),
        Err(e) => output::report(&e),
    }
}
