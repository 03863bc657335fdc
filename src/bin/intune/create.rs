//! `intune create FILE`: decode a device configuration, validate it, create it and print
//! the created object (`201 Created`).

use clap::Args;
use intune_graph::models::{DeviceConfiguration, GraphEntity};

use crate::{
    Outcome,
    context::{self, GlobalArgs},
    input::{self, Configurations},
    output,
};

#[derive(Args, Debug)]
pub(crate) struct CreateArgs {
    /// The deviceConfiguration JSON file (with `@odata.type`; UTF-8 or UTF-16 with a byte
    /// order mark), or `-` for standard input.
    file: String,
}

pub(crate) async fn run(global: &GlobalArgs, args: CreateArgs) -> Outcome {
    let config: DeviceConfiguration = match input::decode_configurations(&args.file) {
        Ok(Configurations::One(config)) => *config,
        Ok(Configurations::Page(items)) => {
            eprintln!(
                "error: {} holds a page of {} objects; create takes one object",
                input::describe(&args.file),
                items.len()
            );
            return Outcome::BadInput;
        }
        Err(outcome) => return outcome,
    };
    // Checked before connecting: an invalid profile never reaches the service.
    if let Err(invalid) = config.validate() {
        output::report_validation(
            &format!("{} is not a valid create body", input::describe(&args.file)),
            &invalid,
        );
        return Outcome::Refused;
    }
    let ctx = or_return!(context::connect(global).await);
    match ctx.client.device_configurations().create(&config).await {
        Ok(created) => {
            if let Some(id) = created.id() {
                eprintln!("created {id}");
            }
            output::print_configuration(ctx.format, &created)
        }
        Err(e) => output::report(&e),
    }
}
