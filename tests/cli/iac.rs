//! `intune export`, `plan`, `apply` and `completions`: the README walkthrough, exit codes
//! and output forms, against emulators in the test process.

use std::path::{Path, PathBuf};

use crate::support::*;
use intune_graph::{
    models::{DeviceConfiguration, GraphEntity},
    tenant::Snapshot,
};
use serde_json::{Value, json};

fn samples() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/tenant").to_string_lossy().into_owned()
}

fn temp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-iac-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_samples_are_a_valid_snapshot() {
    let snapshot = Snapshot::read_dir(Path::new(&samples())).unwrap();
    let names: Vec<&str> = snapshot.entries().iter().map(|e| e.key.display_name.as_str()).collect();
    assert_eq!(names, ["Corporate Wi-Fi", "iOS SCEP - Corporate Wi-Fi", "Contoso Root CA"]);
    for entry in snapshot.entries() {
        let mut object = entry.object.clone();
        // The references are bound on create; validation wants to see them.
        for navigation in entry.references.keys() {
            object.insert(format!("{navigation}@odata.bind"), json!("deviceManagement/deviceConfigurations('x')"));
        }
        let config: DeviceConfiguration = serde_json::from_value(Value::Object(object)).unwrap();
        config.validate().unwrap_or_else(|e| panic!("{}: {e}", entry.key));
        assert_eq!(entry.assignments.as_ref().map(Vec::len), Some(1));
        assert!(entry.modelled, "{}", entry.key);
    }
    let [wifi, scep, root] = snapshot.entries() else { unreachable!() };
    assert_eq!(scep.references["rootCertificate"].targets(), std::slice::from_ref(&root.key));
    assert_eq!(wifi.references["identityCertificateForClientAuthentication"].targets(), std::slice::from_ref(&scep.key));
    assert_eq!(wifi.references["rootCertificatesForServerValidation"].targets(), std::slice::from_ref(&root.key));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_to_a_then_export_plan_apply_plan_to_b() {
    let a = emulator().await;
    let b = emulator().await;
    let samples = samples();

    let run = run_at(&a, "table", &["plan", &samples], None).await;
    run.assert_code(3);
    assert!(run.stdout.contains("+ create iosTrustedRootCertificate \"Contoso Root CA\""), "{}", run.stdout);
    assert!(run.stdout.contains("2 to create, 0 to update, 0 to delete, 0 unchanged"), "{}", run.stdout);
    assert_eq!(a.state().len(), 0, "plan writes nothing");

    run_at(&a, "table", &["apply", &samples, "--yes"], None).await.assert_code(0);
    assert_eq!(a.state().len(), 2);

    let dir = temp("walkthrough");
    let dir_text = dir.to_string_lossy().into_owned();
    let run = run_at(&a, "table", &["export", &dir_text], None).await;
    run.assert_code(0);
    assert!(run.stderr.contains("exported 2 objects"), "{}", run.stderr);
    assert!(dir.join("iosTrustedRootCertificate/Contoso Root CA.json").is_file());

    let run = run_at(&b, "json", &["plan", &dir_text], None).await;
    run.assert_code(3);
    let plan = run.json();
    let actions: Vec<&str> =
        plan["actions"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "create"]);

    let run = run_at(&b, "json", &["apply", &dir_text, "--yes"], None).await;
    run.assert_code(0);
    let events: Vec<Value> =
        run.lines().iter().map(|l| serde_json::from_str(l).expect("one JSON event per line")).collect();
    assert_eq!(events[0], json!({"event": "planned", "writes": 2, "objects": 2}));
    assert_eq!(events[1], json!({"event": "waveStarted", "wave": "roots", "objects": 1}));
    assert_eq!(events.iter().filter(|e| e["outcome"] == "created").count(), 2);
    assert_eq!(events.iter().filter(|e| e["outcome"] == "assigned").count(), 2);

    let run = run_at(&b, "table", &["plan", &dir_text], None).await;
    run.assert_code(0);
    assert!(
        run.stdout.ends_with("0 to create, 0 to update, 0 to delete, 2 unchanged, 0 conflicts, 0 skipped\n"),
        "{}",
        run.stdout
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_without_yes_off_a_terminal_refuses_and_writes_nothing() {
    let emu = emulator().await;
    let run = run_at(&emu, "table", &["apply", &samples()], Some(b"y\n")).await;
    run.assert_code(2);
    assert!(run.stderr.contains("pass --yes"), "{}", run.stderr);
    assert_eq!(emu.state().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_snapshot_files_and_group_maps_are_usage_errors_naming_the_file() {
    let emu = emulator().await;
    let dir = temp("bad");
    std::fs::create_dir_all(dir.join("iosTrustedRootCertificate")).unwrap();
    std::fs::write(dir.join("iosTrustedRootCertificate/x.json"), b"{\"object\": {\"displayName\": \"x\"}")
        .unwrap();
    let run = run_at(&emu, "table", &["plan", dir.to_str().unwrap()], None).await;
    run.assert_code(2);
    assert!(run.stderr.contains("x.json: not valid JSON"), "{}", run.stderr);

    let map = dir.join("map.json");
    std::fs::write(&map, b"{\"g\": 5}").unwrap();
    let run = run_at(&emu, "table", &["plan", &samples(), "--group-map", map.to_str().unwrap()], None).await;
    run.assert_code(2);
    assert!(run.stderr.contains("the value of \"g\" must be a non-empty id string"), "{}", run.stderr);
    assert!(!run.stderr.contains(TOKEN) && !run.stdout.contains(TOKEN));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_intune()"),
        ("zsh", "#compdef intune"),
        ("fish", "complete -c intune"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let run = run(&["completions", shell]).await;
        run.assert_code(0);
        assert!(run.stdout.contains(marker), "{shell}: {}", &run.stdout[..run.stdout.len().min(300)]);
        assert!(run.stdout.contains("export") && run.stdout.contains("apply"), "{shell}");
    }
    run(&["completions", "tcsh"]).await.assert_code(2);
}

/// An emulator whose next request is answered 429 with `Retry-After: 1` (the read of the
/// target that apply starts with).
async fn throttled_once() -> intune_graph::emulator::RunningEmulator {
    let emu = emulator().await;
    emu.state().inject_fault(intune_graph::emulator::FaultKind::TooManyRequestsSeconds);
    emu
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttle_wait_is_a_progress_line_when_piped() {
    let emu = throttled_once().await;
    let run = run_at(&emu, "table", &["apply", &samples(), "--yes"], None).await;
    run.assert_code(0);
    let lines: Vec<&str> = run.stderr.lines().collect();
    let retry = lines.iter().position(|l| l.contains(": HTTP 429; retrying")).expect(&run.stderr);
    // The client's retry report (the sentence alone, no fields), then the progress line with
    // the same wait (Retry-After: 1, plus the client's jitter).
    let wait = lines[retry].rsplit_once(" in ").map(|(_, wait)| wait).expect(&run.stderr);
    assert!(
        wait.ends_with('s') && wait.trim_end_matches('s').parse::<f64>().is_ok_and(|w| w >= 1.0),
        "{wait}"
    );
    assert_eq!(lines[retry + 1], format!("  throttled, waiting {wait}"), "{}", run.stderr);
    assert_eq!(lines.iter().filter(|l| l.contains("throttled")).count(), 1, "{}", run.stderr);
    assert_eq!(emu.state().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttle_wait_is_a_json_event_with_output_json() {
    let emu = throttled_once().await;
    let run = run_at(&emu, "json", &["apply", &samples(), "--yes"], None).await;
    run.assert_code(0);
    let events: Vec<Value> =
        run.lines().iter().map(|l| serde_json::from_str(l).expect("one JSON event per line")).collect();
    assert_eq!(events[0]["event"], "throttled");
    let wait = events[0]["waitSeconds"].as_f64().unwrap();
    assert!((1.0..=2.0).contains(&wait), "Retry-After: 1, plus the client's jitter: {wait}");
    assert_eq!(events[0].as_object().unwrap().len(), 2, "{}", events[0]);
    assert_eq!(events[1], json!({"event": "planned", "writes": 2, "objects": 2}));
    assert_eq!(events.iter().filter(|e| e["event"] == "throttled").count(), 1);
}

/// `--write-rate 2/3`: of the samples' four writes (root, profile, two assignments), two go
/// at once and two after the window; `-v` shows each attempt's wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_rate_sets_the_clients_write_limit() {
    let emu = emulator().await;
    let run = run_at(&emu, "table", &["--write-rate", "2/3", "-v", "apply", &samples(), "--yes"], None).await;
    run.assert_code(0);
    let waits: Vec<u64> = run
        .stderr
        .split("rate_limit_wait_ms=")
        .skip(1)
        .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .collect();
    // Every attempt, reads included, shows its wait; two writes waited for the window.
    assert!(waits.len() >= 4, "{waits:?}\n{}", run.stderr);
    assert_eq!(waits.iter().filter(|&&w| w >= 1000).count(), 2, "{waits:?}");
    assert_eq!(emu.state().len(), 2);
}
