//! `intune check [--as read|create] FILE`: decode with the crate's types, print what it
//! writes back. `--as read` is the lossless re-encoding; `--as create` the exact create body.

use std::io::{Read, Write};

use clap::{Args, ValueEnum};
use intune_graph::models::{DeviceConfiguration, GraphEntity};

use crate::{Outcome, input, output};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// What to print: the object re-encoded (`read`) or the body `create` would send.
    #[arg(long = "as", value_enum, default_value_t = View::Read)]
    view: View,
    /// The JSON file, or `-` for standard input.
    file: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum View {
    Read,
    Create,
}

pub fn run(args: &CheckArgs) -> Outcome {
    let input = match read_input(&args.file) {
        Ok(input) => input,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.file);
            return Outcome::BadInput;
        }
    };
    let mut de = serde_json::Deserializer::from_slice(&input);
    let config: DeviceConfiguration = match serde_path_to_error::deserialize(&mut de) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: cannot decode {} at `{}`: {}", args.file, e.path(), e.inner());
            return Outcome::BadInput;
        }
    };
    if let Err(e) = de.end() {
        eprintln!("error: cannot decode {}: {e}", args.file);
        return Outcome::BadInput;
    }
    let output = match args.view {
        View::Read => serde_json::to_vec(&config),
        View::Create => {
            if let Err(invalid) = config.validate() {
                // The same report as `create`: one way to say that a body is invalid.
                output::report_validation(
                    &format!("{} is not a valid create body", input::describe(&args.file)),
                    &invalid,
                );
                return Outcome::Refused;
            }
            config.to_write_json()
        }
    };
    match output {
        Ok(mut bytes) => {
            bytes.push(b'\n');
            if let Err(e) = std::io::stdout().lock().write_all(&bytes) {
                eprintln!("error: cannot write the output: {e}");
                return Outcome::BadInput;
            }
            Outcome::Success
        }
        Err(e) => {
            eprintln!("error: cannot encode: {e}");
            Outcome::BadInput
        }
    }
}

fn read_input(file: &str) -> std::io::Result<Vec<u8>> {
    if file == "-" {
        let mut buffer = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buffer)?;
        Ok(buffer)
    } else {
        std::fs::read(file)
    }
}
