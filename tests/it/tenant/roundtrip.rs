//! Export → plan → apply between two tenants: the round trip, idempotence, edits,
//! conflicts, interrupted applies, unknown outcomes, prune.

use std::sync::atomic::{AtomicUsize, Ordering};

use intune_graph::{
    emulator::{FaultConfig, FaultKind},
    tenant::{self, Action, ApplyEvent, PlanOptions, Snapshot},
};
use serde_json::{Value, json};

use super::*;

/// Tenant A: a trusted root and a SCEP profile bound to it, both assigned to "iOS
/// devices", plus an unassigned second root.
pub(super) async fn seeded() -> RunningEmulator {
    let emu = tenant_a().await;
    let root = create(
        &emu,
        json!({
            "@odata.type": ROOT, "displayName": "Contoso Root CA", "certFileName": "root.cer",
            "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xp"
        }),
    )
    .await;
    create(
        &emu,
        json!({
            "@odata.type": ROOT, "displayName": "Spare Root", "certFileName": "spare.cer",
            "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xq"
        }),
    )
    .await;
    let scep = create(
        &emu,
        json!({
            "@odata.type": SCEP, "displayName": "iOS SCEP: Wi-Fi", "description": "corporate Wi-Fi",
            "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
            "keyUsage": "digitalSignature,keyEncipherment", "keySize": "size2048",
            "subjectNameFormat": "commonNameAsEmail", "certificateValidityPeriodValue": 1,
            "certificateValidityPeriodScale": "years", "renewalThresholdPercentage": 20,
            "extendedKeyUsages": [{"name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"}],
            "certificateStore": "user", "rootCertificate@odata.bind": bind(&emu, &root)
        }),
    )
    .await;
    assign(&emu, &scep, &[GROUP_A]).await;
    assign(&emu, &root, &[GROUP_A]).await;
    emu
}

/// Tenant A, seeded, and its export written to the temporary folder `name` and read back.
async fn seeded_and_exported(name: &str) -> (RunningEmulator, PathBuf, Snapshot) {
    let a = seeded().await;
    let (dir, snapshot) = export_to(&a, name).await;
    (a, dir, snapshot)
}

#[tokio::test]
async fn export_apply_plan_export_round_trips_between_two_tenants() {
    let (a, dir_a, snapshot) = seeded_and_exported("roundtrip-a").await;
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
    assert_eq!(
        scep_file["references"],
        json!({"rootCertificate": {"@odata.type": ROOT, "displayName": "Contoso Root CA"}})
    );
    assert_eq!(
        scep_file["assignments"],
        json!([{"assignment": {"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": GROUP_A}},
                "groupDisplayName": "iOS devices"}]),
        "what the service fills in by default is not written"
    );
    assert_eq!(scep_file["scopeTags"], json!(["Default"]));
    assert_eq!(scep_file["object"]["keyUsage"], "keyEncipherment,digitalSignature", "the service's order");
    for server_field in
        ["id", "version", "createdDateTime", "lastModifiedDateTime", "supportsScopeTags", "roleScopeTagIds"]
    {
        assert!(scep_file["object"].get(server_field).is_none(), "{server_field} is not exported");
    }
    // Exporting twice gives the same bytes, manifest included.
    let (dir_a2, _) = export_to(&a, "roundtrip-a2").await;
    assert_eq!(files(&dir_a), files(&dir_a2));
    assert_eq!(
        std::fs::read(dir_a.join(tenant::MANIFEST)).unwrap(),
        std::fs::read(dir_a2.join(tenant::MANIFEST)).unwrap()
    );

    let b = tenant_b().await;
    let first = apply_to(&b, &snapshot, &PlanOptions::default()).await;
    assert!(first.succeeded(), "{first:#?}");
    assert_eq!(first.verified(), 3, "every object read back as written");
    assert_eq!(b.state().len(), 3);
    // Bound to B's root, assigned to B's group of the same name.
    assert_eq!(b.state().root_certificate(&id_of(&b, "iOS SCEP: Wi-Fi")), Some(id_of(&b, "Contoso Root CA")));
    let assigned = b.state().assignments(&id_of(&b, "Contoso Root CA")).unwrap();
    assert_eq!(assigned[0]["target"]["groupId"], GROUP_B);

    let again = plan_on(&b, &snapshot, &PlanOptions::default()).await;
    assert!(!again.has_changes(), "{again}");
    let (dir_b, _) = export_to(&b, "roundtrip-b").await;
    let without_ids = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        files(dir)
            .into_iter()
            .map(|(n, bytes)| (n, String::from_utf8(bytes).unwrap().replace(GROUP_B, GROUP_A).into_bytes()))
            .collect()
    };
    assert_eq!(
        files(&dir_a),
        without_ids(&dir_b),
        "export of B equals export of A, file for file (but B's group id)"
    );

    // A second apply writes nothing: its plan reads, and it stops.
    let requests = b.state().requests();
    let second = apply_to(&b, &snapshot, &PlanOptions::default()).await;
    assert_eq!(second.writes(), 0, "{second:#?}");
    assert!(second.outcomes.is_empty() && second.verifications.is_empty());
    // The list, the listing of the references, the group's name.
    assert_eq!(b.state().requests() - requests, 3);
    for dir in [dir_a, dir_a2, dir_b] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[tokio::test]
async fn an_edited_file_is_one_update_and_applies() {
    let (a, dir, _) = seeded_and_exported("edit").await;
    let path = dir.join("iosScepCertificateProfile/iOS SCEP_ Wi-Fi.json");
    let mut file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    file["object"]["renewalThresholdPercentage"] = json!(25);
    std::fs::write(&path, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
    let snapshot = Snapshot::read_dir(&dir).unwrap();

    let planned = plan_on(&a, &snapshot, &PlanOptions::default()).await;
    let updates: Vec<&Action> = planned.actions.iter().filter(|a| a.writes()).collect();
    assert_eq!(updates.len(), 1, "{planned}");
    let Action::Update { key, changes, references, assignments, file, .. } = updates[0] else {
        panic!("an update: {planned}")
    };
    assert_eq!(key.display_name, "iOS SCEP: Wi-Fi");
    assert_eq!(file, "iosScepCertificateProfile/iOS SCEP_ Wi-Fi.json");
    assert_eq!(
        (changes[0].field.as_str(), &changes[0].before, &changes[0].after, changes.len()),
        ("renewalThresholdPercentage", &Some(json!(20)), &json!(25), 1)
    );
    assert!(references.is_empty() && assignments.is_none());
    assert!(planned.to_string().contains("renewalThresholdPercentage: 20 → 25"), "{planned}");

    let report = tenant::apply(&client(&a), &planned, &no_settle(), no_events).await.unwrap();
    assert!(report.succeeded() && report.writes() == 1, "{report:#?}");
    let scep = a.state().get(&id_of(&a, "iOS SCEP: Wi-Fi")).unwrap();
    assert_eq!(scep["renewalThresholdPercentage"], 25);
    assert!(!plan_on(&a, &snapshot, &PlanOptions::default()).await.has_changes());
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_duplicate_display_name_in_the_target_is_a_conflict_and_nothing_is_written() {
    let (_a, dir, snapshot) = seeded_and_exported("conflict").await;
    let b = tenant_b().await;
    let one = b.state().insert_raw(json!({"@odata.type": ROOT, "displayName": "Spare Root"}));
    let two = b.state().insert_raw(json!({"@odata.type": ROOT, "displayName": "Spare Root"}));
    let planned = plan_on(&b, &snapshot, &PlanOptions::default()).await;
    let conflict = planned.actions.iter().find(|a| a.key().display_name == "Spare Root").unwrap();
    let Action::Conflict { ids, files, .. } = conflict else { panic!("a conflict: {planned}") };
    assert_eq!(ids, &[one, two]);
    assert_eq!(files, &["iosTrustedRootCertificate/Spare Root.json"]);
    let err = tenant::apply(&client(&b), &planned, &no_settle(), no_events).await.unwrap_err();
    assert!(matches!(err, tenant::TenantError::PlanNotApplicable { .. }), "{err}");
    assert_eq!(b.state().len(), 2, "nothing else was created");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn an_apply_cancelled_at_every_point_and_run_again_leaves_one_object_per_file() {
    let (_a, dir, snapshot) = seeded_and_exported("cancel").await;
    // Events of a whole apply: planned, 3 waves' starts, 3 creates, 2 assignments,
    // verifying, 3 verified. Cut after each of the first 8 in turn.
    for cut in 1..=8 {
        let b = tenant_b().await;
        let done = AtomicUsize::new(0);
        let notify = tokio::sync::Notify::new();
        let on_event = |_: &ApplyEvent| {
            if done.fetch_add(1, Ordering::SeqCst) + 1 == cut {
                notify.notify_one();
            }
        };
        let planned = plan_on(&b, &snapshot, &PlanOptions::default()).await;
        let b_client = client(&b);
        let options = no_settle();
        tokio::select! {
            _ = tenant::apply(&b_client, &planned, &options, on_event) => {}
            () = notify.notified() => {}
        }
        let report = apply_to(&b, &snapshot, &PlanOptions::default()).await;
        assert!(report.succeeded(), "cut {cut}: {report:#?}");
        assert_eq!(b.state().len(), 3, "cut {cut}: exactly one object per file");
        assert!(!plan_on(&b, &snapshot, &PlanOptions::default()).await.has_changes(), "cut {cut}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn creates_whose_outcome_is_unknown_are_reconciled_not_duplicated() {
    let (_a, dir, snapshot) = seeded_and_exported("faults").await;
    // Every write may be processed and then answered 504: the client cannot know.
    let b = tenant_with(GROUP_B, SALES_B)
        .faults(FaultConfig::new(0.4, 11).with_kinds([FaultKind::GatewayTimeout]))
        .start()
        .await
        .unwrap();
    let mut runs = 0;
    loop {
        runs += 1;
        let plan = tenant::plan_tenant(&client(&b), &snapshot, &PlanOptions::default()).await;
        let outcome = match plan {
            Ok(plan) => tenant::apply(&client(&b), &plan, &no_settle(), no_events).await.ok(),
            Err(_) => None,
        };
        if outcome.as_ref().is_some_and(|r| r.succeeded() && r.writes() == 0) || runs == 8 {
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
async fn the_group_map_wins_and_prune_deletes_what_the_files_do_not_hold() {
    let (_a, dir, snapshot) = seeded_and_exported("prune").await;
    let b = tenant_b().await;
    let extra = b.state().insert_raw(json!({"@odata.type": ROOT, "displayName": "Old Root"}));
    let options =
        PlanOptions::new().prune(true).group_map(tenant::GroupMap::new().with("iOS devices", SALES_B));
    let report = apply_to(&b, &snapshot, &options).await;
    assert!(report.succeeded(), "{report:#?}");
    assert!(b.state().get(&extra).is_none(), "pruned");
    let assignments = b.state().assignments(&id_of(&b, "iOS SCEP: Wi-Fi")).unwrap();
    assert_eq!(assignments[0]["target"]["groupId"], SALES_B);
    assert!(!plan_on(&b, &snapshot, &options).await.has_changes());
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn assignment_filters_and_scope_tags_travel_by_name() {
    use intune_graph::emulator::DirectoryEntry;
    let filter_a = "aaaaaaaa-0000-4000-8000-0000000000f1";
    let filter_b = "bbbbbbbb-0000-4000-8000-0000000000f2";
    let a = tenant_with(GROUP_A, SALES_A)
        .assignment_filters([DirectoryEntry::new(filter_a, "Corporate iPhones")])
        .scope_tags([DirectoryEntry::new("7", "EU")])
        .start()
        .await
        .unwrap();
    let b = tenant_with(GROUP_B, SALES_B)
        .assignment_filters([DirectoryEntry::new(filter_b, "Corporate iPhones")])
        .scope_tags([DirectoryEntry::new("12", "EU")])
        .start()
        .await
        .unwrap();
    let root = create(
        &a,
        json!({"@odata.type": ROOT, "displayName": "Root", "certFileName": "r.cer",
        "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xp", "roleScopeTagIds": ["0", "7"]}),
    )
    .await;
    let target = intune_graph::models::AssignmentTarget::group(GROUP_A)
        .with_filter(filter_a, intune_graph::models::AssignmentFilterType::Include);
    client(&a)
        .device_configurations()
        .assign(&root, &[intune_graph::models::DeviceConfigurationAssignment::new(target)])
        .await
        .unwrap();
    let (dir, snapshot) = export_to(&a, "filters").await;
    let file: Value = serde_json::from_slice(&files(&dir)[0].1).unwrap();
    assert_eq!(file["scopeTags"], json!(["Default", "EU"]));
    assert_eq!(file["assignments"][0]["filterDisplayName"], "Corporate iPhones");
    assert_eq!(file["assignments"][0]["groupDisplayName"], "iOS devices");

    let report = apply_to(&b, &snapshot, &PlanOptions::default()).await;
    assert!(report.succeeded(), "{report:#?}");
    let copied = b.state().get(&id_of(&b, "Root")).unwrap();
    let mut tags: Vec<&str> =
        copied["roleScopeTagIds"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    tags.sort();
    assert_eq!(tags, ["0", "12"]);
    let assigned = b.state().assignments(&id_of(&b, "Root")).unwrap();
    assert_eq!(assigned[0]["target"]["groupId"], GROUP_B);
    assert_eq!(assigned[0]["target"]["deviceAndAppManagementAssignmentFilterId"], filter_b);
    assert!(!plan_on(&b, &snapshot, &PlanOptions::default()).await.has_changes());

    // A tenant without that filter: the plan stops, naming it.
    let c = tenant_b().await;
    let planned = plan_on(&c, &snapshot, &PlanOptions::default()).await;
    let reasons: Vec<&str> = planned.problems.iter().map(|p| p.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "assignment 1: assignment filter \"Corporate iPhones\" does not exist in the target",
            "scope tag \"EU\" does not exist in the target"
        ]
    );
    std::fs::remove_dir_all(dir).unwrap();
}
