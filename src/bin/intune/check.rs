//! `intune check [--as read|create] FILE`: decode with the crate's types, print what it
//! writes back. `--as read` is the lossless re-encoding; `--as create` the exact create body.
//! FILE may hold one object or a page `{"value":[…]}`: a page prints a page of re-encoded
//! objects (`read`) or a JSON array of create bodies (`create`).

use std::io::Write;

use clap::{Args, ValueEnum};
use intune_graph::models::{DeviceConfiguration, GraphEntity};

use crate::{
    Outcome,
    input::{self, Configurations},
    output,
};

#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// What to print: the object re-encoded (`read`) or the body `create` would send.
    #[arg(long = "as", value_enum, default_value_t = View::Read)]
    view: View,
    /// The JSON file (UTF-8 or UTF-16 with a byte order mark), or `-` for standard input.
    file: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum View {
    Read,
    Create,
}

pub(crate) fn run(args: &CheckArgs) -> Outcome {
    let configurations = or_return!(input::decode_configurations(&args.file));
    let source = input::describe(&args.file);
    let output = match (args.view, &configurations) {
        (View::Read, Configurations::One(config)) => serde_json::to_vec(config),
        (View::Read, Configurations::Page(items)) => serde_json::to_vec(&PageOut { value: items }),
        (View::Create, Configurations::One(config)) => match refuse_invalid(&source, "", config) {
            Err(outcome) => return outcome,
            Ok(()) => config.to_write_json(),
        },
        (View::Create, Configurations::Page(items)) => {
            let mut refused = false;
            for (i, config) in items.iter().enumerate() {
                refused |= refuse_invalid(&source, &format!("value[{i}]: "), config).is_err();
            }
            if refused {
                return Outcome::Refused;
            }
            create_bodies(items)
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

/// A page of re-encoded objects. Written through the models' own encoding (not a `Value`,
/// which would round numbers wider than `f64`).
#[derive(serde::Serialize)]
struct PageOut<'a> {
    value: &'a [DeviceConfiguration],
}

/// Reports why `config` is not a valid create body, if it is not.
fn refuse_invalid(source: &str, prefix: &str, config: &DeviceConfiguration) -> Result<(), Outcome> {
    let Err(invalid) = config.validate() else { return Ok(()) };
    // The same report as `create`: one way to say that a body is invalid.
    output::report_validation(&format!("{prefix}{source} is not a valid create body"), &invalid);
    Err(Outcome::Refused)
}

/// A JSON array of the create bodies of `items`, each exactly as `create` sends it.
fn create_bodies(items: &[DeviceConfiguration]) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = vec![b'['];
    for (i, config) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&config.to_write_json()?);
    }
    out.push(b']');
    Ok(out)
}
