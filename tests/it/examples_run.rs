//! The examples as a user runs them: `cargo run --example …`, no credentials in the
//! environment, so the create goes to the embedded emulator.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use serde_json::Value;

/// `cargo run --quiet --example <example> -- <args>` in this package (for `intune`, the
/// binary: `cargo run --quiet --features cli --bin intune -- <args>`), with no Graph or Azure
/// settings in its environment, `stdin` written to its standard input.
fn run_example(example: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO"));
    let target: &[&str] =
        if example == "intune" { &["--features", "cli", "--bin", "intune"] } else { &["--example", example] };
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "--quiet"])
        .args(target)
        .arg("--")
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars_os() {
        let name_text = name.to_string_lossy();
        if name_text.starts_with("AZURE_") || name_text.starts_with("GRAPH_") {
            command.env_remove(&name);
        }
    }
    let mut child = command.spawn().expect("cargo starts");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().expect("cargo finishes")
}

fn describe(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn create_scep_profile_runs_against_the_embedded_emulator() {
    let output = run_example("create_scep_profile", &[], None);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let created: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", describe(&output)));

    assert_eq!(created["@odata.type"], "#microsoft.graph.iosScepCertificateProfile");
    let id = created["id"].as_str().expect("an id");
    uuid::Uuid::parse_str(id).unwrap_or_else(|e| panic!("id {id:?} is a GUID: {e}"));
    let created_at = created["createdDateTime"].as_str().expect("createdDateTime");
    created_at.parse::<intune_graph::models::Timestamp>().unwrap_or_else(|e| panic!("{created_at}: {e}"));
    assert_eq!(created["displayName"], "iOS SCEP - Corporate Wi-Fi");
    // What the example sent comes back as sent.
    assert_eq!(created["keyUsage"], "keyEncipherment,digitalSignature");
    assert_eq!(created["keySize"], "size2048");
    assert_eq!(
        created["scepServerUrls"],
        serde_json::json!(["https://ndes.contoso.com/certsrv/mscep/mscep.dll"])
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("emulator"), "it says where it sent the request: {stderr}");
}

#[test]
fn check_as_read_prints_the_fixture_back() {
    let output =
        run_example("intune", &["check", "--as", "read", "tests/fixtures/scep-full-current.json"], None);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed, fixture("scep-full-current.json"));

    // The live shape comes back with only the flags value normalised.
    let output = run_example("intune", &["check", "tests/fixtures/scep-live-nulls.json"], None);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let mut expected = fixture("scep-live-nulls.json");
    expected["keyUsage"] = "digitalSignature,futureUsage".into();
    assert_eq!(serde_json::from_slice::<Value>(&output.stdout).unwrap(), expected);
}

#[test]
fn check_as_create_prints_the_write_body_or_the_problems() {
    let output =
        run_example("intune", &["check", "--as", "create", "tests/fixtures/scep-full-current.json"], None);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let mut expected = fixture("scep-full-current.json");
    for key in ["@odata.context", "id", "createdDateTime", "lastModifiedDateTime", "supportsScopeTags"] {
        expected.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(serde_json::from_slice::<Value>(&output.stdout).unwrap(), expected);

    // The seed page's request has two placeholders that are not valid: exit 1, both named.
    let output =
        run_example("intune", &["check", "--as", "create", "tests/fixtures/seed-request.json"], None);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(output.stdout.is_empty(), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .starts_with("error: tests/fixtures/seed-request.json is not a valid create body: 2 problems:\n"),
        "{stderr}"
    );
    assert!(stderr.contains("scepServerUrls[0]"), "{stderr}");
    assert!(stderr.contains("extendedKeyUsages[0].objectIdentifier"), "{stderr}");
}

#[test]
fn check_exits_2_on_input_it_cannot_decode() {
    let mut bad = fixture("seed-response-201.json");
    bad["keySize"] = 5.into();
    let output = run_example("intune", &["check", "--as", "create", "-"], Some(bad.to_string().as_bytes()));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`keySize`"), "the path is named: {stderr}");

    let output = run_example(
        "intune",
        &["check", "-"],
        Some(b"{\"@odata.type\": \"#microsoft.graph.iosScepCertificateProfile\", "),
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));

    let output = run_example("intune", &["check", "tests/fixtures/does-not-exist.json"], None);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
}
