//! Reading JSON input files (`-` = standard input) the way people have them: UTF-8 with or
//! without a byte order mark, UTF-16 LE/BE with one, a single object or a page
//! `{"value":[…]}`. Every command that takes a file reads it here; failures are exit 2.

use std::io::Read;

use intune_graph::models::{DeviceConfiguration, read_json_document};
use serde::{Deserialize, de::DeserializeOwned, de::IgnoredAny};

use crate::Outcome;

/// The bytes of `file`, or of stdin for `-`.
pub(crate) fn read(file: &str) -> Result<Vec<u8>, Outcome> {
    let result = if file == "-" {
        let mut buffer = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buffer).map(|_| buffer)
    } else {
        std::fs::read(file)
    };
    result.map_err(|e| {
        eprintln!("error: cannot read {}: {e}", describe(file));
        Outcome::BadInput
    })
}

/// The JSON text of `file`, whatever its encoding.
pub(crate) fn text(file: &str) -> Result<String, Outcome> {
    let bytes = read(file)?;
    match read_json_document(&bytes) {
        // Plain UTF-8: the bytes are the text, no copy.
        Ok(text) if text.len() == bytes.len() => Ok(String::from_utf8(bytes).unwrap_or_default()),
        Ok(text) => Ok(text.into_owned()),
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", describe(file));
            Err(Outcome::BadInput)
        }
    }
}

/// Decodes `file` as one `T`, naming the JSON path of a failure.
pub(crate) fn decode<T: DeserializeOwned>(file: &str) -> Result<T, Outcome> {
    let text = text(file)?;
    decode_text(file, &text)
}

/// Decodes `text` (read from `file`) as one `T`, naming the JSON path of a failure.
fn decode_text<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Outcome> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            eprintln!("error: cannot decode {}: {}", describe(file), e.inner());
        } else {
            eprintln!("error: cannot decode {} at `{path}`: {}", describe(file), e.inner());
        }
        Outcome::BadInput
    })?;
    de.end().map_err(|e| {
        eprintln!("error: cannot decode {}: {e}", describe(file));
        Outcome::BadInput
    })?;
    Ok(value)
}

/// What a file of device configurations holds.
pub(crate) enum Configurations {
    /// One object.
    One(Box<DeviceConfiguration>),
    /// A page `{"value":[…]}` (a list response or an export of one).
    Page(Vec<DeviceConfiguration>),
}

/// The keys that tell a page from an object, the rest skipped without being decoded.
#[derive(Deserialize)]
struct Shape {
    value: Option<IgnoredAny>,
    #[serde(rename = "@odata.type")]
    odata_type: Option<IgnoredAny>,
}

/// A page `{"value":[…]}`, its other members (`@odata.context`, `@odata.nextLink`) ignored.
#[derive(Deserialize)]
struct PageFile {
    value: Vec<DeviceConfiguration>,
}

/// Decodes `file` as one device configuration or a page of them: an object with a
/// `value` member and no `@odata.type` is a page.
pub(crate) fn decode_configurations(file: &str) -> Result<Configurations, Outcome> {
    let text = text(file)?;
    let is_page = serde_json::from_str::<Shape>(&text)
        .is_ok_and(|shape| shape.value.is_some() && shape.odata_type.is_none());
    if is_page {
        decode_text::<PageFile>(file, &text).map(|page| Configurations::Page(page.value))
    } else {
        let config: DeviceConfiguration = decode_text(file, &text)?;
        // The models keep an object without a type (as `Other`); a file must name it.
        if config.odata_type().is_empty() {
            eprintln!("error: cannot decode {}: missing field `@odata.type`", describe(file));
            return Err(Outcome::BadInput);
        }
        Ok(Configurations::One(Box::new(config)))
    }
}

/// `standard input` for `-`, the path otherwise.
pub(crate) fn describe(file: &str) -> String {
    if file == "-" { "standard input".to_owned() } else { file.to_owned() }
}
