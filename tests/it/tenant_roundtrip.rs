//! Export → plan → apply between emulator tenants, through the library: the round trip,
//! idempotence, edits, conflicts and interrupted applies.

use std::{
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
};

use intune_graph::{
    GraphClient,
    emulator::{Emulator, FaultConfig, FaultKind, RunningEmulator},
    models::{AssignmentTarget, DeviceConfiguration, DeviceConfigurationAssignment},
    tenant::{
        Action, ApplyEvent, ApplyOptions, ExportOptions, GroupMap, PlanOptions, Snapshot, TargetObject,
        TenantReader, apply, export, plan,
    },
};
use serde_json::{Value, json};

const ROOT: &str = "#microsoft.graph.iosTrustedRootCertificate";
const SCEP: &str = "#microsoft.graph.iosScepCertificateProfile";
const GROUP: &str = "5a9b1e0c-1d2e-4f3a-9b8c-7d6e5f4a3b2c";

fn client(emu: &RunningEmulator) -> GraphClient {
    GraphClient::builder().base_url(emu.base_url().as_str()).bearer_token(emu.token()).build().unwrap()
}

/// A fresh, empty folder under the system's temporary folder.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("intune-graph-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Tenant A: a trusted root and a SCEP profile bound to it, both assigned to one group,
/// plus an unassigned second root.
async fn seeded() -> RunningEmulator {
    let emu = Emulator::new().start().await.unwrap();
    let configs = client(&emu).device_configurations();
    let root: DeviceConfiguration = serde_json::from_value(json!({
        "@odata.type": ROOT, "displayName": "Contoso Root CA", "certFileName": "root.cer",
        "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xp"
    }))
    .unwrap();
    let root = configs.create(&root).await.unwrap();
    let root_id = root.id().unwrap().to_string();
    let spare: DeviceConfiguration = serde_json::from_value(json!({
        "@odata.type": ROOT, "displayName": "Spare Root", "certFileName": "spare.cer",
        "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xq"
    }))
    .unwrap();
    configs.create(&spare).await.unwrap();
    let mut scep: DeviceConfiguration = serde_json::from_value(json!({
        "@odata.type": SCEP, "displayName": "iOS SCEP: Wi-Fi", "description": "corporate Wi-Fi",
        "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
        "keyUsage": "keyEncipherment,digitalSignature", "keySize": "size2048",
        "subjectNameFormat": "commonNameAsEmail", "certificateValidityPeriodValue": 1,
        "certificateValidityPeriodScale": "years", "renewalThresholdPercentage": 20,
        "extendedKeyUsages": [{"name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"}],
        "certificateStore": "user"
    }))
    .unwrap();
    let reference = configs.root_certificate_reference(&root_id).unwrap();
    scep.additional_data_mut().insert("rootCertificate@odata.bind".into(), reference.as_str().into());
    let scep = configs.create(&scep).await.unwrap();
    let to_group = [DeviceConfigurationAssignment::new(AssignmentTarget::group(GROUP))];
    configs.assign(scep.id().unwrap(), &to_group).await.unwrap();
    configs.assign(&root_id, &to_group).await.unwrap();
    emu
}

async fn export_to(emu: &RunningEmulator, name: &str) -> (PathBuf, Snapshot) {
    let (snapshot, _notes) = export(&client(emu), &ExportOptions::new()).await.unwrap();
    let dir = temp_dir(name);
    snapshot.write_dir(&dir).unwrap();
    (dir, snapshot)
}

async fn plan_on(
    emu: &RunningEmulator,
    snapshot: &Snapshot,
    options: &PlanOptions,
) -> intune_graph::tenant::Plan {
    let target =
        TargetObject::from_tenant(&TenantReader::new(&client(emu)).read(|_| true).await.unwrap()).unwrap();
    plan(snapshot, &target, options)
}

/// Every file under `dir`, relative path → bytes.
fn files(dir: &PathBuf) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for folder in std::fs::read_dir(dir).unwrap() {
        let folder = folder.unwrap().path();
        for file in std::fs::read_dir(&folder).unwrap() {
            let file = file.unwrap().path();
            let relative = file.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            out.push((relative, std::fs::read(&file).unwrap()));
        }
    }
    out.sort();
    out
}

fn no_events(_: &ApplyEvent) {}

#[tokio::test]
async fn export_apply_plan_export_round_trips_between_two_tenants() {
    let a = seeded().await;
    let (dir_a, _) = export_to(&a, "roundtrip-a").await;
    let names: Vec<String> = files(&dir_a).into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        [
            "iosScepCertificateProfile/iOS SCEP_ Wi-Fi.json",
            "iosTrustedRootCertificate/Contoso Root CA.json",
            "iosTrustedRootCertificate/Spare Root.json"
        ]
    );
    let scep_file: Value = serde_json::from_slice(&files(&dir_a)[0].1).unwrap();
    assert_eq!(scep_file["rootCertificate"], json!({"@odata.type": ROOT, "displayName": "Contoso Root CA"}));
    assert_eq!(
        scep_file["assignments"],
        json!([{"assignment": {
            "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
            "intent": "apply",
            "source": "direct",
            "target": {
                "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                "deviceAndAppManagementAssignmentFilterType": "none",
                "groupId": GROUP
            }
        }}])
    );
    assert_eq!(scep_file["object"]["keyUsage"], "digitalSignature,keyEncipherment");
    for server_field in ["id", "version", "createdDateTime", "lastModifiedDateTime", "supportsScopeTags"] {
        assert!(scep_file["object"].get(server_field).is_none(), "{server_field} is not exported");
    }
    // Exporting twice gives the same bytes.
    let (dir_a2, _) = export_to(&a, "roundtrip-a2").await;
    assert_eq!(files(&dir_a), files(&dir_a2));

    let b = Emulator::new().start().await.unwrap();
    let snapshot = Snapshot::read_dir(&dir_a).unwrap();
    let first = apply(&client(&b), &snapshot, &ApplyOptions::default(), no_events).await.unwrap();
    assert!(first.succeeded(), "{first:#?}");
    assert_eq!(b.state().len(), 3);
    // The SCEP profile is bound to B's root, not A's.
    let objects = b.state().objects();
    let id_of = |name: &str| {
        objects.iter().find(|o| o["displayName"] == name).unwrap()["id"].as_str().unwrap().to_string()
    };
    assert_eq!(b.state().root_certificate(&id_of("iOS SCEP: Wi-Fi")), Some(id_of("Contoso Root CA")));
    assert_eq!(b.state().assignments(&id_of("Contoso Root CA")).unwrap().len(), 1);

    let again = plan_on(&b, &snapshot, &PlanOptions::default()).await;
    assert!(!again.has_changes(), "{again}");
    let (dir_b, _) = export_to(&b, "roundtrip-b").await;
    assert_eq!(files(&dir_a), files(&dir_b), "export of B equals export of A, file for file");

    // A second apply writes nothing.
    let requests = b.state().requests();
    let second = apply(&client(&b), &snapshot, &ApplyOptions::default(), no_events).await.unwrap();
    assert_eq!(second.writes(), 0, "{second:#?}");
    assert!(second.outcomes.is_empty());
    // Only reads: one list and one rootCertificate read per SCEP profile.
    assert_eq!(b.state().requests() - requests, 2);
    for dir in [dir_a, dir_a2, dir_b] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[tokio::test]
async fn an_edited_file_is_one_update_and_applies() {
    let a = seeded().await;
    let (dir, _) = export_to(&a, "edit").await;
    let path = dir.join("iosScepCertificateProfile/iOS SCEP_ Wi-Fi.json");
    let mut file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    file["object"]["renewalThresholdPercentage"] = json!(25);
    std::fs::write(&path, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
    let snapshot = Snapshot::read_dir(&dir).unwrap();

    let planned = plan_on(&a, &snapshot, &PlanOptions::default()).await;
    let updates: Vec<&Action> = planned.actions.iter().filter(|a| a.writes()).collect();
    assert_eq!(updates.len(), 1, "{planned}");
    let Action::Update { key, changes, root_certificate, assignments, .. } = updates[0] else {
        panic!("an update: {planned}")
    };
    assert_eq!(key.display_name, "iOS SCEP: Wi-Fi");
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (changes[0].field.as_str(), &changes[0].before, &changes[0].after),
        ("renewalThresholdPercentage", &Some(json!(20)), &json!(25))
    );
    assert!(root_certificate.is_none() && assignments.is_none());
    assert!(planned.to_string().contains("renewalThresholdPercentage: 20 → 25"), "{planned}");

    let report = apply(&client(&a), &snapshot, &ApplyOptions::default(), no_events).await.unwrap();
    assert!(report.succeeded() && report.writes() == 1, "{report:#?}");
    let scep = a.state().objects().into_iter().find(|o| o["@odata.type"] == SCEP).unwrap();
    assert_eq!(scep["renewalThresholdPercentage"], 25);
    assert!(!plan_on(&a, &snapshot, &PlanOptions::default()).await.has_changes());
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_duplicate_display_name_in_the_target_is_a_conflict_with_both_ids() {
    let a = seeded().await;
    let (dir, snapshot) = export_to(&a, "conflict").await;
    let b = Emulator::new().start().await.unwrap();
    let one = b.state().insert_raw(json!({"@odata.type": ROOT, "displayName": "Spare Root"}));
    let two = b.state().insert_raw(json!({"@odata.type": ROOT, "displayName": "Spare Root"}));

    let report = apply(&client(&b), &snapshot, &ApplyOptions::default(), no_events).await.unwrap();
    let conflict = report.plan.actions.iter().find(|a| a.key().display_name == "Spare Root").unwrap();
    let Action::Conflict { ids, .. } = conflict else { panic!("a conflict: {}", report.plan) };
    assert_eq!(ids, &[one.clone(), two.clone()]);
    assert!(!report.succeeded());
    // Nothing was done to them, nothing else was created under that name.
    assert_eq!(b.state().objects().iter().filter(|o| o["displayName"] == "Spare Root").count(), 2);
    assert_eq!(b.state().len(), 4);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn an_apply_cancelled_half_way_and_run_again_leaves_one_object_per_file() {
    let a = seeded().await;
    let (dir, snapshot) = export_to(&a, "cancel").await;
    let b = Emulator::new().start().await.unwrap();
    let done = AtomicUsize::new(0);
    let notify = tokio::sync::Notify::new();
    let on_event = |event: &ApplyEvent| {
        if matches!(event, ApplyEvent::ObjectDone { .. }) && done.fetch_add(1, Ordering::SeqCst) == 0 {
            notify.notify_one();
        }
    };
    let b_client = client(&b);
    let options = ApplyOptions::default();
    tokio::select! {
        _ = apply(&b_client, &snapshot, &options, on_event) => panic!("the apply was not cut short"),
        () = notify.notified() => {}
    }
    // Cut after the first object: the SCEP profile's assignment is not there yet.
    let assigned = b.state().objects().iter().filter(|o| o["@odata.type"] == SCEP).count();
    assert_eq!(assigned, 0, "the apply stopped in the roots' wave");

    let report = apply(&b_client, &snapshot, &ApplyOptions::default(), no_events).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(b.state().len(), 3, "exactly one object per file");
    assert!(!plan_on(&b, &snapshot, &PlanOptions::default()).await.has_changes());
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn creates_whose_outcome_is_unknown_are_reconciled_not_duplicated() {
    let a = seeded().await;
    let (dir, snapshot) = export_to(&a, "faults").await;
    // Every write may be processed and then answered 504: the client cannot know.
    let b = Emulator::new()
        .faults(FaultConfig::new(0.4, 11).with_kinds([FaultKind::GatewayTimeout]))
        .start()
        .await
        .unwrap();
    let mut runs = 0;
    loop {
        runs += 1;
        let outcome = apply(&client(&b), &snapshot, &ApplyOptions::default(), no_events).await;
        if outcome.as_ref().is_ok_and(|r| r.succeeded() && r.writes() == 0) || runs == 8 {
            break;
        }
    }
    let mut names: Vec<String> =
        b.state().objects().iter().map(|o| o["displayName"].as_str().unwrap().to_string()).collect();
    names.sort();
    assert_eq!(names, ["Contoso Root CA", "Spare Root", "iOS SCEP: Wi-Fi"], "after {runs} runs");
    assert!(b.state().fault_count(FaultKind::GatewayTimeout) > 0, "faults were injected");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn group_ids_are_mapped_and_prune_deletes_what_the_files_do_not_hold() {
    let a = seeded().await;
    let (dir, snapshot) = export_to(&a, "prune").await;
    let b = Emulator::new().start().await.unwrap();
    let extra = b.state().insert_raw(json!({"@odata.type": ROOT, "displayName": "Old Root"}));
    let mapped = "0f0e0d0c-0b0a-0908-0706-050403020100";
    let options =
        ApplyOptions::new(PlanOptions::new().prune(true).group_map(GroupMap::new().with(GROUP, mapped)));
    let report = apply(&client(&b), &snapshot, &options, no_events).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert!(b.state().get(&extra).is_none(), "pruned");
    let scep = b.state().objects().into_iter().find(|o| o["@odata.type"] == SCEP).unwrap();
    let assignments = b.state().assignments(scep["id"].as_str().unwrap()).unwrap();
    assert_eq!(assignments[0]["target"]["groupId"], mapped);
    assert!(!plan_on(&b, &snapshot, &options.plan).await.has_changes());
    std::fs::remove_dir_all(dir).unwrap();
}
