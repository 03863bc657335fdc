//! `intune create`, `update`, `delete`, `assign` and `link-root` against an emulator in
//! the test process.

use crate::support::*;
use intune_graph::{emulator::Emulator, models::DeviceConfigurationAssignment};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_from_stdin_and_from_a_file() {
    let emu = emulator().await;
    let run = run_at(&emu, "json", &["create", "-"], Some(&bytes(&scep_profile("From stdin")))).await;
    run.assert_code(0);
    let created = run.json();
    let id = created["id"].as_str().expect("the created object has an id").to_owned();
    assert_eq!(emu.state().len(), 1);
    assert_eq!(created["@odata.type"], SCEP);
    assert_eq!(created["displayName"], "From stdin");
    assert!(created["createdDateTime"].is_string());
    // The 201 body as the crate decodes it: the object a GET returns.
    assert_eq!(created, reencoded(&raw_get(&emu, &id).await));
    run.assert_stderr(Has(&id));

    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-create-root.json");
    std::fs::write(&path, bytes(&root_profile("From a file"))).unwrap();
    let run = run_at(&emu, "table", &["create", path.to_str().unwrap()], None).await;
    run.assert_code(0);
    let lines = run.lines();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(lines[0].starts_with("TYPE"));
    assert!(
        lines[1].starts_with("iosTrustedRootCertificate ") && lines[1].contains("From a file"),
        "{}",
        lines[1]
    );
    assert_eq!(emu.state().len(), 2);
}

fn seeded_scep(emu: &intune_graph::emulator::RunningEmulator) -> String {
    let mut profile = scep_profile("Before");
    profile["version"] = json!(1);
    emu.state().insert_raw(profile)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_sets_and_clears_then_prints_the_stored_object() {
    let emu = emulator().await;
    let id = seeded_scep(&emu);

    // No @odata.type in the file: read it first, PATCH (204), read the result.
    let before = emu.state().requests();
    let changes = json!({"displayName": "After", "description": null, "renewalThresholdPercentage": 25});
    let run = run_at(&emu, "json", &["update", &id, "-"], Some(&bytes(&changes))).await;
    run.assert_code(0);
    assert_eq!(emu.state().requests() - before, 3, "GET, PATCH, GET");
    let stored = emu.state().get(&id).unwrap();
    assert_eq!(stored["displayName"], "After");
    assert_eq!(stored["renewalThresholdPercentage"], 25);
    assert!(stored.get("description").is_none_or(Value::is_null), "cleared: {stored}");
    assert_eq!(stored["keySize"], "size2048", "left unchanged");
    assert_eq!(run.json(), reencoded(&raw_get(&emu, &id).await));

    // With @odata.type in the file there is no first read.
    let before = emu.state().requests();
    let changes = json!({"@odata.type": SCEP, "displayName": "Again"});
    let run = run_at(&emu, "table", &["update", &id, "-"], Some(&bytes(&changes))).await;
    run.assert_code(0);
    assert_eq!(emu.state().requests() - before, 2, "PATCH, GET");
    assert!(run.lines()[1].contains("Again"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_prints_the_200_body_without_reading_again() {
    let emu = start(Emulator::new().patch_returns_entity(true)).await;
    let id = seeded_scep(&emu);
    let before = emu.state().requests();
    let changes = json!({"@odata.type": SCEP, "displayName": "Via 200"});
    let run = run_at(&emu, "json", &["update", &id, "-"], Some(&bytes(&changes))).await;
    run.assert_code(0);
    assert_eq!(emu.state().requests() - before, 1, "PATCH only");
    let printed = run.json();
    assert_eq!(printed["displayName"], "Via 200");
    assert_eq!(printed["id"], id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_refuses_read_only_keys_before_sending() {
    let emu = emulator().await;
    let id = seeded_scep(&emu);
    let stored = emu.state().get(&id).unwrap();
    let before = emu.state().requests();
    let changes = json!({"displayName": "X", "id": "other", "createdDateTime": "2020-01-01T00:00:00Z", "@odata.context": "x"});
    let run = run_at(&emu, "json", &["update", &id, "-"], Some(&bytes(&changes))).await;
    run.assert_code(1);
    for key in ["id", "createdDateTime", "@odata.context"] {
        assert!(run.stderr.contains(&format!("  {key}: ")), "names {key}: {}", run.stderr);
    }
    assert!(!run.stderr.contains("displayName"), "{}", run.stderr);
    assert_eq!(emu.state().requests(), before, "nothing was sent, not even the read of the type");
    assert_eq!(emu.state().get(&id).unwrap(), stored);
    assert!(run.stdout.is_empty());

    // Not an object, or nothing to change: input errors.
    for input in ["[1, 2]", "{}", "{\"@odata.type\": \"#microsoft.graph.iosScepCertificateProfile\"}", "{"] {
        let run = run_at(&emu, "json", &["update", &id, "-"], Some(input.as_bytes())).await;
        run.assert_code(2);
    }
    assert_eq!(emu.state().requests(), before);

    // An unknown id: the service's 404.
    let changes = json!({"@odata.type": SCEP, "displayName": "X"});
    let run = run_at(&emu, "json", &["update", "missing", "-"], Some(&bytes(&changes))).await;
    run.assert_code(1).assert_stderr(Has("HTTP 404 ResourceNotFound"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_then_delete_again() {
    let emu = emulator().await;
    let id = seeded_scep(&emu);
    let run = run_at(&emu, "json", &["delete", &id], None).await;
    run.assert_code(0);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains(&id));
    assert!(emu.state().is_empty());
    let run = run_at(&emu, "json", &["delete", &id], None).await;
    run.assert_code(1).assert_stderr(Has("HTTP 404"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assign_sends_typed_targets_and_prints_the_assignments() {
    let emu = emulator().await;
    let id = seeded_scep(&emu);
    // Group ids are GUIDs: the service refuses anything else.
    let g = |n: u8| format!("00000000-0000-4000-8000-00000000000{n}");
    let (g1, g2, g3, g4, g5) = (g(1), g(2), g(3), g(4), g(5));
    let args = ["assign", &id, "--group", &g1, "--group", &g2, "--exclude-group", &g3];
    let run = run_at(&emu, "json", &args, None).await;
    run.assert_code(0);

    let stored = emu.state().assignments(&id).unwrap();
    let targets: Vec<(&str, &str)> = stored
        .iter()
        .map(|a| (a["target"]["@odata.type"].as_str().unwrap(), a["target"]["groupId"].as_str().unwrap()))
        .collect();
    assert_eq!(
        targets,
        [
            ("#microsoft.graph.groupAssignmentTarget", g1.as_str()),
            ("#microsoft.graph.groupAssignmentTarget", g2.as_str()),
            ("#microsoft.graph.exclusionGroupAssignmentTarget", g3.as_str())
        ]
    );
    // What the service reported, as the crate decodes it.
    let raw: Value =
        client(&emu).get_json(&format!("{COLLECTION}/{id}/assignments")).await.expect("the assignments");
    let expected: Vec<Value> = raw["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let assignment: DeviceConfigurationAssignment = serde_json::from_value(a.clone()).unwrap();
            serde_json::to_value(assignment).unwrap()
        })
        .collect();
    assert_eq!(run.json(), Value::Array(expected));

    let run = run_at(&emu, "table", &["assign", &id, "--group", &g4, "--exclude-group", &g5], None).await;
    run.assert_code(0);
    let lines = run.lines();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    for column in ["ID", "TARGET", "GROUP", "INTENT"] {
        assert!(lines[0].contains(column), "{}", lines[0]);
    }
    assert!(lines[1].contains(" group ") && lines[1].contains(&format!(" {g4} ")), "{}", lines[1]);
    assert!(lines[2].contains(" exclusionGroup ") && lines[2].contains(&format!(" {g5} ")), "{}", lines[2]);

    let run = run_at(&emu, "json", &["assign", &id, "--clear"], None).await;
    run.assert_code(0);
    assert_eq!(run.json(), json!([]));
    assert_eq!(emu.state().assignments(&id).unwrap(), Vec::<Value>::new());

    let run = run_at(&emu, "json", &["assign", "missing", "--group", "g1"], None).await;
    run.assert_code(1).assert_stderr(Has("HTTP 404"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_root_links_and_prints_the_root() {
    let emu = emulator().await;
    let scep = seeded_scep(&emu);
    let root = emu.state().insert_raw(root_profile("Contoso Root"));
    let run = run_at(&emu, "json", &["link-root", &scep, &root], None).await;
    run.assert_code(0);
    assert_eq!(emu.state().root_certificate(&scep).as_deref(), Some(root.as_str()));
    let printed = run.json();
    assert_eq!(printed["@odata.type"], ROOT);
    assert_eq!(printed["id"], root.as_str());
    assert_eq!(printed["displayName"], "Contoso Root");

    let run = run_at(&emu, "json", &["link-root", &scep, "missing-root"], None).await;
    run.assert_code(1);
    assert!(run.stderr.contains("HTTP 400") || run.stderr.contains("HTTP 404"), "{}", run.stderr);
    assert_eq!(emu.state().root_certificate(&scep).as_deref(), Some(root.as_str()), "unchanged");
}
