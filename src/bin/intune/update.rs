//! `intune update ID FILE`: change properties of a device configuration.
//!
//! FILE is a JSON object of the properties to change: a key present is set, a key with
//! `null` is cleared, a key absent is left unchanged. The PATCH carries the object's
//! `@odata.type`: FILE's when it has one, else the stored object's (read first).
//! Read-only properties are refused before anything is sent.

use clap::Args;
use intune_graph::models::DeviceConfigurationPatch;
use serde_json::{Map, Value};

use crate::{
    Outcome,
    context::{self, GlobalArgs},
    input, output,
};

#[derive(Args, Debug)]
pub(crate) struct UpdateArgs {
    /// The device configuration's id.
    id: String,
    /// A JSON object of the properties to change (`null` clears one), or `-` for stdin.
    file: String,
}

/// Stands in for the real type while the keys are checked, before the object is read.
const PLACEHOLDER_TYPE: &str = "#microsoft.graph.deviceConfiguration";

fn patch(odata_type: &str, fields: &Map<String, Value>) -> DeviceConfigurationPatch {
    fields.iter().fold(DeviceConfigurationPatch::new(odata_type), |patch, (key, value)| {
        if value.is_null() { patch.set_null(key) } else { patch.set(key, value) }
    })
}

pub(crate) async fn run(global: &GlobalArgs, args: UpdateArgs) -> Outcome {
    let source = input::describe(&args.file);
    let mut fields: Map<String, Value> = match input::decode::<Value>(&args.file) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            eprintln!("error: {source} must hold a JSON object of the properties to change");
            return Outcome::BadInput;
        }
        Err(outcome) => return outcome,
    };
    let odata_type = match fields.remove("@odata.type") {
        None => None,
        Some(Value::String(t)) if !t.trim().trim_start_matches('#').is_empty() => Some(t),
        Some(_) => {
            eprintln!(
                "error: `@odata.type` in {source} must be a type name such as #microsoft.graph.iosScepCertificateProfile"
            );
            return Outcome::BadInput;
        }
    };
    if fields.is_empty() {
        eprintln!("error: {source} sets no property: nothing to update");
        return Outcome::BadInput;
    }
    // The keys are checked before anything is sent (even the read of the type).
    if let Err(invalid) = patch(odata_type.as_deref().unwrap_or(PLACEHOLDER_TYPE), &fields).validate() {
        output::report_validation(&format!("{source} cannot be sent as an update"), &invalid);
        return Outcome::Refused;
    }

    let ctx = or_return!(context::connect(global).await);
    let configurations = ctx.client.device_configurations();
    let odata_type = match odata_type {
        Some(t) => t,
        None => match configurations.get(&args.id).await {
            Ok(stored) => stored.odata_type().to_owned(),
            Err(e) => return output::report(&e),
        },
    };
    let patch = patch(&odata_type, &fields);
    let updated = match configurations.update(&args.id, &patch).await {
        Ok(Some(updated)) => updated,
        // 204 No Content (what the live service answers): read the result.
        Ok(None) => match configurations.get(&args.id).await {
            Ok(updated) => updated,
            Err(e) => {
                eprintln!("note: the update succeeded (204) but the object could not be read back");
                return output::report(&e);
            }
        },
        Err(e) => return output::report(&e),
    };
    output::print_configuration(ctx.format, &updated)
}
