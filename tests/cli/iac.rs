//! `intune export`, `plan`, `apply` and `completions`: the round trip, exit codes, what is
//! never touched or printed, saved plans, piped progress, and applies killed mid-way.

use std::path::{Path, PathBuf};

use crate::support::*;
use intune_graph::{
    emulator::{DirectoryEntry, Emulator, RunningEmulator},
    models::{DeviceConfiguration, GraphEntity},
    tenant::Snapshot,
};
use serde_json::{Value, json};

/// The group the samples assign to, by name; each tenant has it under an id of its own.
const SAMPLE_GROUP: &str = "iOS corporate devices";

pub fn samples() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/tenant").to_string_lossy().into_owned()
}

pub fn temp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-iac-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A tenant whose directory has the samples' group, under `group` as its id.
pub async fn tenant(group: &str) -> RunningEmulator {
    start(Emulator::new().groups([DirectoryEntry::new(group, SAMPLE_GROUP)])).await
}

const GROUP_A: &str = "5a9b1e0c-1d2e-4f3a-9b8c-7d6e5f4a3b2c";
const GROUP_B: &str = "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f";

fn events(run: &Run) -> Vec<Value> {
    run.lines().iter().map(|l| serde_json::from_str(l).expect("one JSON event per line")).collect()
}

/// Writes `files` (relative path → JSON) under a fresh folder `name`.
fn folder(name: &str, files: &[(&str, Value)]) -> PathBuf {
    let dir = temp(name);
    for (relative, value) in files {
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    }
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
            object.insert(
                format!("{navigation}@odata.bind"),
                json!("deviceManagement/deviceConfigurations('x')"),
            );
        }
        let config: DeviceConfiguration = serde_json::from_value(Value::Object(object)).unwrap();
        config.validate().unwrap_or_else(|e| panic!("{}: {e}", entry.key));
        assert_eq!(entry.assignments.as_ref().map(Vec::len), Some(1));
        assert!(entry.modelled, "{}", entry.key);
    }
    let [wifi, scep, root] = snapshot.entries() else { unreachable!() };
    assert_eq!(scep.references["rootCertificate"].targets(), std::slice::from_ref(&root.key));
    assert_eq!(
        wifi.references["identityCertificateForClientAuthentication"].targets(),
        std::slice::from_ref(&scep.key)
    );
    assert_eq!(
        wifi.references["rootCertificatesForServerValidation"].targets(),
        std::slice::from_ref(&root.key)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_to_a_then_export_plan_apply_plan_to_b_and_they_converge() {
    let a = tenant(GROUP_A).await;
    let b = tenant(GROUP_B).await;
    let samples = samples();

    let run = run_at(&a, "table", &["plan", &samples], None).await;
    run.assert_code(3).assert_stdout(Has("+ create iosTrustedRootCertificate \"Contoso Root CA\""));
    run.assert_stdout(EndsWith(
        "3 to create, 0 to update, 0 to delete, 0 unchanged, 0 conflicts, 0 skipped\n",
    ));
    assert_eq!(a.state().len(), 0, "plan writes nothing");

    let run = run_at(&a, "json", &["apply", &samples, "--yes"], None).await;
    run.assert_code(0);
    let events = events(&run);
    assert_eq!(events[0], json!({"event": "planned", "writes": 3, "objects": 3}));
    let waves: Vec<&str> =
        events.iter().filter(|e| e["event"] == "waveStarted").map(|e| e["wave"].as_str().unwrap()).collect();
    assert_eq!(waves, ["roots", "certificates", "profiles", "assignments"]);
    assert_eq!(events.iter().filter(|e| e["event"] == "verified" && e["verified"] == true).count(), 3);
    run.assert_stderr(EndsWith("6 writes, 3 of 3 objects verified\n"));
    // The samples converge: the service's defaults are no difference.
    let run = run_at(&a, "table", &["plan", &samples], None).await;
    run.assert_code(0).assert_stdout(EndsWith(
        "0 to create, 0 to update, 0 to delete, 3 unchanged, 0 conflicts, 0 skipped\n",
    ));
    let requests = a.state().requests();
    let run = run_at(&a, "table", &["apply", &samples, "--yes"], None).await;
    run.assert_code(0);
    assert_eq!(run.stderr, "nothing to apply\n");
    assert_eq!(a.state().requests() - requests, 3, "reads only: the list, the references, the group");

    let dir = temp("walkthrough");
    let dir_text = dir.to_string_lossy().into_owned();
    let run = run_at(&a, "table", &["export", &dir_text], None).await;
    run.assert_code(0).assert_stderr(Has("exported 3 objects"));
    assert!(dir.join("iosTrustedRootCertificate/Contoso Root CA.json").is_file());
    assert!(dir.join(".intune-snapshot.json").is_file());

    let run = run_at(&b, "json", &["plan", &dir_text], None).await;
    run.assert_code(3);
    let plan = run.json();
    let actions: Vec<&str> =
        plan["actions"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "create", "create"]);
    run_at(&b, "json", &["apply", &dir_text, "--yes"], None).await.assert_code(0);
    let root = b.state().objects().into_iter().find(|o| o["displayName"] == "Contoso Root CA").unwrap();
    assert_eq!(b.state().assignments(root["id"].as_str().unwrap()).unwrap()[0]["target"]["groupId"], GROUP_B);
    let run = run_at(&b, "table", &["plan", &dir_text], None).await;
    run.assert_code(0).assert_stdout(EndsWith(
        "0 to create, 0 to update, 0 to delete, 3 unchanged, 0 conflicts, 0 skipped\n",
    ));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_user_left_out_is_reported_and_exits_0() {
    let emu = tenant(GROUP_A).await;
    let unmodelled = json!({"object": {"@odata.type": "#microsoft.graph.windowsWifiConfiguration", "displayName": "Guest",
        "ssid": "guest"}, "assignments": []});
    let dir = folder("skip", &[("windowsWifiConfiguration/Guest.json", unmodelled)]);
    let dir = dir.to_string_lossy().into_owned();
    let run = run_at(&emu, "table", &["plan", &dir], None).await;
    run.assert_code(0);
    assert!(
        run.stdout.contains("  skip windowsWifiConfiguration \"Guest\": a type the crate does not model"),
        "{}",
        run.stdout
    );
    run.assert_stdout(EndsWith("0 unchanged, 0 conflicts, 1 skipped\n"));
    let run = run_at(&emu, "table", &["apply", &dir, "--yes"], None).await;
    run.assert_code(0).assert_stderr(EndsWith("nothing to apply\n"));
    let run = run_at(&emu, "table", &["plan", &samples(), "--type", "iosTrustedRootCertificate"], None).await;
    run.assert_code(3).assert_stdout(EndsWith(
        "1 to create, 0 to update, 0 to delete, 0 unchanged, 0 conflicts, 2 skipped\n",
    ));
    assert_eq!(emu.state().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_problem_stops_plan_and_apply_before_anything_is_written() {
    let emu = tenant(GROUP_A).await;
    let dangling = json!({"object": scep_profile("Bound"), "references": {"rootCertificate":
        {"@odata.type": ROOT, "displayName": "No such root"}}});
    let unassignable = json!({"object": root_profile("Root"), "assignments": [
        {"assignment": {"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": GROUP_A}}},
        {"assignment": {"target": {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": GROUP_A}}}]});
    let dir = folder(
        "problems",
        &[
            ("iosScepCertificateProfile/Bound.json", dangling),
            ("iosTrustedRootCertificate/Root.json", unassignable),
        ],
    );
    let dir = dir.to_string_lossy().into_owned();
    let run = run_at(&emu, "table", &["plan", &dir], None).await;
    run.assert_code(2).assert_stdout(Has("problem: iosScepCertificateProfile/Bound.json: references.rootCertificate names iosTrustedRootCertificate \"No such root\", which is neither in the files nor in the target"));
    assert!(
        run.stdout.contains(&format!(
            "problem: iosTrustedRootCertificate/Root.json: group {GROUP_A} is both included and excluded"
        )),
        "{}",
        run.stdout
    );
    let run = run_at(&emu, "table", &["apply", &dir, "--yes"], None).await;
    run.assert_code(2).assert_stderr(Has("the plan has problems; nothing was written"));
    assert_eq!(emu.state().len(), 0);

    let map = temp("map.json");
    std::fs::write(&map, br#"{"iOS corporate devices": "not-a-guid"}"#).unwrap();
    let run = run_at(&emu, "table", &["plan", &samples(), "--group-map", map.to_str().unwrap()], None).await;
    run.assert_code(2);
    assert!(
        run.stderr.contains("must be a group or filter id (a GUID), not \"not-a-guid\""),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(TOKEN) && !run.stdout.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_names_both_files_and_apply_writes_nothing() {
    let emu = tenant(GROUP_A).await;
    let one = json!({"object": root_profile("Root"), "assignments": []});
    let two = json!({"object": root_profile("Root"), "assignments": []});
    let dir =
        folder("conflict", &[("iosTrustedRootCertificate/Root.json", one), ("roots/Root copy.json", two)]);
    let dir = dir.to_string_lossy().into_owned();
    let run = run_at(&emu, "table", &["plan", &dir], None).await;
    run.assert_code(3).assert_stdout(Has("! conflict iosTrustedRootCertificate \"Root\": 2 files have this type and display name: iosTrustedRootCertificate/Root.json, roots/Root copy.json; nothing done (files: iosTrustedRootCertificate/Root.json, roots/Root copy.json; ids: none)"));
    let run = run_at(&emu, "table", &["apply", &dir, "--yes"], None).await;
    run.assert_code(1).assert_stderr(Has("the plan has conflicts; nothing was written"));
    assert_eq!(emu.state().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_without_assignments_leaves_them_alone_and_an_empty_set_removes_them() {
    let emu = tenant(GROUP_A).await;
    run_at(&emu, "json", &["apply", &samples(), "--yes"], None).await.assert_code(0);
    let mut root: Value = serde_json::from_slice(
        &std::fs::read(Path::new(&samples()).join("iosTrustedRootCertificate/Contoso Root CA.json")).unwrap(),
    )
    .unwrap();
    root.as_object_mut().unwrap().remove("assignments");
    let dir = folder("absent", &[("iosTrustedRootCertificate/Contoso Root CA.json", root.clone())]);
    let run = run_at(&emu, "table", &["plan", dir.to_str().unwrap()], None).await;
    run.assert_code(0);
    root["assignments"] = json!([]);
    let dir = folder("none", &[("iosTrustedRootCertificate/Contoso Root CA.json", root)]);
    let run = run_at(&emu, "table", &["plan", dir.to_str().unwrap()], None).await;
    run.assert_code(3).assert_stdout(Has("    assignments: 1 → 0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn piped_progress_is_json_on_stdout_or_lines_on_stderr_with_output_table() {
    let emu = tenant(GROUP_A).await;
    let base_url = emu.base_url().to_string();
    let run =
        run_with(&["--base-url", &base_url, "--token", TOKEN, "apply", &samples(), "--yes"], &[], None).await;
    run.assert_code(0);
    assert_eq!(events(&run)[0]["event"], "planned", "no --output: JSON events, stdout being piped");
    assert_eq!(
        run.stderr,
        "not restorable: iosEnterpriseWiFiConfiguration \"Corporate Wi-Fi\": preSharedKey (set by hand)\n\
         6 writes, 3 of 3 objects verified\n",
        "stderr holds what to do by hand and the summary only"
    );

    let emu = tenant(GROUP_A).await;
    let run = run_at(&emu, "table", &["apply", &samples(), "--yes"], None).await;
    run.assert_code(0);
    assert_eq!(run.stdout, "");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines[0], "3 objects, 3 to write");
    assert!(lines.contains(&"roots: 1") && lines.contains(&"reading back 3 objects"), "{}", run.stderr);
    assert!(
        lines.iter().any(|l| l.starts_with("  iosTrustedRootCertificate \"Contoso Root CA\": created ")),
        "{}",
        run.stderr
    );
    assert!(
        lines.contains(&"  iosEnterpriseWiFiConfiguration \"Corporate Wi-Fi\": verified"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_is_applied_exactly_and_refused_when_stale() {
    let emu = tenant(GROUP_A).await;
    let plan_file = temp("plan.json");
    let plan_text = plan_file.to_string_lossy().into_owned();
    let run = run_at(&emu, "table", &["plan", &samples(), "--out", &plan_text], None).await;
    run.assert_code(3);
    let saved: Value = serde_json::from_slice(&std::fs::read(&plan_file).unwrap()).unwrap();
    assert_eq!((saved["format"].clone(), saved["actions"].as_array().unwrap().len()), (json!(1), 3));
    let run = run_at(&emu, "json", &["apply", "--plan", &plan_text, "--prune", "--yes"], None).await;
    run.assert_code(2);
    assert!(run.stderr.contains("a saved plan (--plan) runs as it was made"), "{}", run.stderr);
    run_at(&emu, "json", &["apply", "--plan", &plan_text, "--yes"], None).await.assert_code(0);
    assert_eq!(emu.state().len(), 3);
    run_at(&emu, "table", &["plan", &samples()], None).await.assert_code(0);

    // A plan that updates the root, then the root changes behind its back.
    let root_path = "iosTrustedRootCertificate/Contoso Root CA.json";
    let mut root: Value =
        serde_json::from_slice(&std::fs::read(Path::new(&samples()).join(root_path)).unwrap()).unwrap();
    root["object"]["description"] = json!("edited in the files");
    let dir = folder("stale", &[(root_path, root)]);
    run_at(&emu, "table", &["plan", dir.to_str().unwrap(), "--out", &plan_text], None).await.assert_code(3);
    let id = emu.state().objects().into_iter().find(|o| o["displayName"] == "Contoso Root CA").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let run = run_at(&emu, "table", &["update", &id, "-"], Some(br##"{"@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "certFileName": "other.cer"}"##)).await;
    run.assert_code(0);
    let run = run_at(&emu, "table", &["apply", "--plan", &plan_text, "--yes"], None).await;
    run.assert_code(1);
    assert!(run.stderr.starts_with("error: the tenant changed since the plan was made; nothing was written:\n  iosTrustedRootCertificate \"Contoso Root CA\": changed in the tenant since the plan (version 1 → 2"), "{}", run.stderr);
    assert_ne!(emu.state().get(&id).unwrap()["description"], "edited in the files");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_refuses_a_folder_of_other_things_and_plan_refuses_an_unreadable_entry() {
    let emu = tenant(GROUP_A).await;
    let project =
        folder("project", &[("config/prod.json", json!({"db": "x"})), (".vscode/settings.json", json!({}))]);
    let run = run_at(&emu, "table", &["export", project.to_str().unwrap()], None).await;
    run.assert_code(2).assert_stderr(Has("is not empty and not a snapshot"));
    assert_eq!(
        std::fs::read(project.join("config/prod.json")).unwrap(),
        serde_json::to_vec_pretty(&json!({"db": "x"})).unwrap()
    );

    run_at(&emu, "json", &["apply", &samples(), "--yes"], None).await.assert_code(0);
    let dir = temp("unreadable");
    run_at(&emu, "table", &["export", dir.to_str().unwrap()], None).await.assert_code(0);
    #[cfg(unix)]
    {
        std::fs::remove_file(dir.join("iosTrustedRootCertificate/Contoso Root CA.json")).unwrap();
        std::os::unix::fs::symlink(
            dir.join("nowhere.json"),
            dir.join("iosTrustedRootCertificate/Contoso Root CA.json"),
        )
        .unwrap();
        let run = run_at(&emu, "table", &["apply", dir.to_str().unwrap(), "--prune", "--yes"], None).await;
        run.assert_code(2).assert_stderr(Has("Contoso Root CA.json: No such file or directory"));
        assert_eq!(emu.state().len(), 3, "nothing pruned");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_never_reaches_files_or_output() {
    let emu = tenant(GROUP_A).await;
    let mut root = root_profile("Root");
    root["description"] = json!(format!("seen Authorization: Bearer {TOKEN}"));
    emu.state().insert_raw(root);
    let dir = temp("token");
    let run = run_at(&emu, "table", &["export", dir.to_str().unwrap()], None).await;
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("held this command's token or client secret; replaced with [redacted] in the files"),
        "{}",
        run.stderr
    );
    let file = std::fs::read_to_string(dir.join("iosTrustedRootCertificate/Root.json")).unwrap();
    assert!(file.contains("seen Authorization: Bearer [redacted]") && !file.contains(TOKEN), "{file}");
    let mut clean = root_profile("Root");
    clean["description"] = json!("clean");
    let other = folder("token-plan", &[("iosTrustedRootCertificate/Root.json", json!({"object": clean}))]);
    for format in ["table", "json"] {
        let run = run_at(&emu, format, &["plan", other.to_str().unwrap()], None).await;
        run.assert_code(3);
        assert!(
            run.stdout.contains("[redacted]") && !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
            "{format}: {}",
            run.stdout
        );
    }
    // A token the tenant reflects is only shown: the saved plan redacts it and stays runnable.
    let saved = temp("token-plan.json");
    let run =
        run_at(&emu, "json", &["plan", other.to_str().unwrap(), "--out", saved.to_str().unwrap()], None)
            .await;
    run.assert_code(3);
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(text.contains("[redacted]") && !text.contains(TOKEN), "{text}");
    // A token the files hold would be written: a plan that must redact it is not saved.
    let mut holding = root_profile("Root");
    holding["description"] = json!(format!("Bearer {TOKEN}"));
    let files = folder("token-files", &[("iosTrustedRootCertificate/Root.json", json!({"object": holding}))]);
    let refused = temp("token-files-plan.json");
    let _ = std::fs::remove_file(&refused);
    let run =
        run_at(&emu, "json", &["plan", files.to_str().unwrap(), "--out", refused.to_str().unwrap()], None)
            .await;
    run.assert_code(2).assert_stderr(Has("the files hold this command's token or client secret"));
    assert!(!refused.exists() && !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_without_yes_off_a_terminal_refuses_and_writes_nothing() {
    let emu = tenant(GROUP_A).await;
    let run = run_at(&emu, "table", &["apply", &samples()], Some(b"y\n")).await;
    run.assert_code(2).assert_stderr(Has("pass --yes"));
    assert_eq!(emu.state().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_snapshot_files_and_group_maps_are_usage_errors_naming_the_file() {
    let emu = tenant(GROUP_A).await;
    let dir = temp("bad");
    std::fs::create_dir_all(dir.join("iosTrustedRootCertificate")).unwrap();
    std::fs::write(dir.join("iosTrustedRootCertificate/x.json"), b"{\"object\": {\"displayName\": \"x\"}")
        .unwrap();
    let run = run_at(&emu, "table", &["plan", dir.to_str().unwrap()], None).await;
    run.assert_code(2).assert_stderr(Has("x.json: not valid JSON"));

    let map = dir.join("map.json");
    std::fs::write(&map, b"{\"g\": 5}").unwrap();
    let run = run_at(&emu, "table", &["plan", &samples(), "--group-map", map.to_str().unwrap()], None).await;
    run.assert_code(2).assert_stderr(Has("the value of \"g\" must be a non-empty id string"));
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
        assert!(
            run.stdout.contains("export") && run.stdout.contains("apply") && run.stdout.contains("tenants"),
            "{shell}"
        );
    }
    run(&["completions", "tcsh"]).await.assert_code(2);
}

/// A tenant whose next request is answered 429 with `Retry-After: 1` (the first read of the
/// plan that apply starts with).
async fn throttled_once() -> RunningEmulator {
    let emu = tenant(GROUP_A).await;
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
    assert_eq!(emu.state().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttle_wait_is_a_json_event_with_output_json() {
    let emu = throttled_once().await;
    let run = run_at(&emu, "json", &["apply", &samples(), "--yes"], None).await;
    run.assert_code(0);
    let events = events(&run);
    assert_eq!(events[0]["event"], "throttled");
    let wait = events[0]["waitSeconds"].as_f64().unwrap();
    assert!((1.0..=2.0).contains(&wait), "Retry-After: 1, plus the client's jitter: {wait}");
    assert_eq!(events[0].as_object().unwrap().len(), 2, "{}", events[0]);
    assert_eq!(events[1], json!({"event": "planned", "writes": 3, "objects": 3}));
    assert_eq!(events.iter().filter(|e| e["event"] == "throttled").count(), 1);
}

/// `--write-rate 3/2`: of the samples' six writes (root, SCEP, Wi-Fi, three assignment sets),
/// three go at once and three after the window; `-v` shows each attempt's wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_rate_sets_the_clients_write_limit() {
    let emu = tenant(GROUP_A).await;
    let run = run_at(&emu, "table", &["--write-rate", "3/2", "-v", "apply", &samples(), "--yes"], None).await;
    run.assert_code(0);
    let waits: Vec<u64> = run
        .stderr
        .split("rate_limit_wait_ms=")
        .skip(1)
        .filter_map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .collect();
    // Every attempt, reads included, shows its wait; three writes waited for the window.
    assert!(waits.len() >= 6, "{waits:?}\n{}", run.stderr);
    assert_eq!(waits.iter().filter(|&&w| w >= 500).count(), 3, "{waits:?}");
    assert_eq!(emu.state().len(), 3);
}

/// Kills an apply with SIGKILL at moments drawn from a seeded sequence, runs it again each
/// time, and finds one object per file and a clean plan every time.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_killed_at_random_moments_and_run_again_leaves_one_object_per_file() {
    let files: Vec<(String, Value)> = (0..10)
        .flat_map(|i| {
            let root = format!("Root {i}");
            let scep = json!({"object": scep_profile(&format!("SCEP {i}")), "assignments": [],
                "references": {"rootCertificate": {"@odata.type": ROOT, "displayName": root}}});
            [
                (
                    format!("iosTrustedRootCertificate/{root}.json"),
                    json!({"object": root_profile(&root), "assignments": []}),
                ),
                (format!("iosScepCertificateProfile/SCEP {i}.json"), scep),
            ]
        })
        .collect();
    let refs: Vec<(&str, Value)> = files.iter().map(|(p, v)| (p.as_str(), v.clone())).collect();
    let dir = folder("killed", &refs);
    let dir = dir.to_str().unwrap();
    let mut seed: u64 = 0x5eed_1234;
    for round in 0..3 {
        let emu = tenant(GROUP_A).await;
        let base_url = emu.base_url().to_string();
        // 20 writes at 10 per second: about two seconds to cut into.
        let args = [
            "--base-url",
            &base_url,
            "--token",
            TOKEN,
            "--write-rate",
            "10/1",
            "--output",
            "json",
            "apply",
            dir,
            "--yes",
        ];
        let mut child = command(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let delay = std::time::Duration::from_millis(200 + (seed >> 33) % 1800);
        tokio::time::sleep(delay).await;
        child.start_kill().unwrap();
        child.wait().await.unwrap();
        let written = emu.state().len();
        let run = run_at(&emu, "json", &["apply", dir, "--yes"], None).await;
        run.assert_code(0);
        assert_eq!(emu.state().len(), 20, "round {round}: killed after {delay:?} with {written} written");
        run_at(&emu, "table", &["plan", dir], None).await.assert_code(0);
    }
}
