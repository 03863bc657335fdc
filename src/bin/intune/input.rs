//! Reading JSON input files (`-` = standard input); failures are reported as exit 2.

use std::io::Read;

use serde::de::DeserializeOwned;

use crate::Outcome;

/// The bytes of `file`, or of stdin for `-`.
pub fn read(file: &str) -> Result<Vec<u8>, Outcome> {
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

/// Decodes `file` as one `T`, naming the JSON path of a failure.
pub fn decode<T: DeserializeOwned>(file: &str) -> Result<T, Outcome> {
    let bytes = read(file)?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
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

/// `standard input` for `-`, the path otherwise.
pub fn describe(file: &str) -> String {
    if file == "-" { "standard input".to_owned() } else { file.to_owned() }
}
