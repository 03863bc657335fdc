//! An apply says only what is true: wrong answers are not believed, what is written is read
//! back, a stale plan is refused, faults do not end it, password settings travel, secrets
//! do not leak into data.

use std::time::Duration;

use intune_graph::{
    GraphClient, RetryPolicy,
    auth::Secret,
    emulator::{FaultConfig, QuotaConfig, WrongAnswer},
    tenant::{
        self, Action, AssignmentEntry, ObjectKey, ObjectOutcome, Plan, PlanOptions, ReferenceValue, Snapshot,
        SnapshotEntry, TenantError,
    },
};
use serde_json::{Map, Value, json};

use super::*;

fn root(name: &str) -> SnapshotEntry {
    SnapshotEntry::from_object(&json!({
        "@odata.type": ROOT, "displayName": name, "certFileName": "root.cer",
        "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xp"
    }))
    .unwrap()
}

fn scep(name: &str, root: &ObjectKey) -> SnapshotEntry {
    let mut entry = SnapshotEntry::from_object(&json!({
        "@odata.type": SCEP, "displayName": name,
        "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
        "keyUsage": "digitalSignature", "keySize": "size2048", "subjectNameFormat": "commonName",
        "certificateValidityPeriodValue": 1, "certificateValidityPeriodScale": "years",
        "renewalThresholdPercentage": 20
    }))
    .unwrap();
    entry.references.insert("rootCertificate".into(), ReferenceValue::One(Some(root.clone())));
    entry
}

/// `entry` assigned to the group named "iOS devices" (by name: the id is another tenant's).
fn to_devices(mut entry: SnapshotEntry) -> SnapshotEntry {
    let mut assignment: Map<String, Value> = Map::new();
    assignment.insert(
        "target".into(),
        json!({"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "00000000-0000-0000-0000-00000000000a"}),
    );
    let mut assignment = AssignmentEntry::new(assignment);
    assignment.group_display_name = Some("iOS devices".into());
    entry.assignments = Some(vec![assignment]);
    entry
}

fn chain() -> Snapshot {
    let r = to_devices(root("Root"));
    let s = to_devices(scep("SCEP", &r.key));
    Snapshot::new(vec![r, s])
}

async fn apply_with(emu: &RunningEmulator, snapshot: &Snapshot) -> tenant::ApplyReport {
    apply_to(emu, snapshot, &PlanOptions::new()).await
}

fn failed(report: &tenant::ApplyReport, name: &str) -> String {
    report
        .outcomes
        .iter()
        .find_map(|(_, key, outcome)| match outcome {
            ObjectOutcome::Failed { error } if key.display_name == name => Some(error.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{name} did not fail: {report:#?}"))
}

#[tokio::test]
async fn a_create_answered_with_an_object_the_tenant_had_is_not_believed_and_nothing_is_bound_or_assigned_to_it()
 {
    let emu = tenant_b().await;
    let other = create(
        &emu,
        json!({"@odata.type": ROOT, "displayName": "Unrelated", "certFileName": "u.cer",
        "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xz"}),
    )
    .await;
    emu.state().add_wrong_answer(WrongAnswer::CreateAnswersExisting.once());
    let report = apply_with(&emu, &chain()).await;
    assert!(!report.succeeded());
    assert!(
        failed(&report, "Root")
            .contains(&format!("answered the create with {other}, an object the tenant already had"))
    );
    assert!(
        failed(&report, "SCEP")
            .contains("its rootCertificate target iosTrustedRootCertificate \"Root\" was not created")
    );
    assert!(emu.state().assignments(&other).unwrap().is_empty(), "nothing went to the unrelated object");
    let root_check = report.verifications.iter().find(|v| v.key.display_name == "Root").unwrap();
    assert!(!root_check.verified && root_check.mismatches[0].starts_with("not created ("), "{root_check:?}");
    assert_eq!(emu.state().wrong_answers_given(WrongAnswer::CreateAnswersExisting), 1);
}

#[tokio::test]
async fn a_create_answered_with_another_name_or_type_is_not_believed() {
    for (lie, says) in [
        (WrongAnswer::CreateAnswersOtherName, "iosTrustedRootCertificate \"Root (2)\""),
        (WrongAnswer::CreateAnswersOtherType, "iosCustomConfiguration \"Root\""),
    ] {
        let emu = tenant_b().await;
        emu.state().add_wrong_answer(lie.once());
        let report = apply_with(&emu, &chain()).await;
        assert!(!report.succeeded(), "{lie:?}");
        let error = failed(&report, "Root");
        assert!(
            error.contains(&format!("answered the create with {says}"))
                && error.ends_with("instead; not believed"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn what_the_service_said_it_stored_but_did_not_fails_on_reading_back() {
    // An assignment set answered as stored, and not.
    let emu = tenant_b().await;
    emu.state().add_wrong_answer(WrongAnswer::AssignStoresNothing.once());
    let report = apply_with(&emu, &chain()).await;
    assert!(
        report.outcomes.iter().all(|(_, _, o)| !matches!(o, ObjectOutcome::Failed { .. })),
        "the answers looked right"
    );
    let unverified: Vec<_> = report.verifications.iter().filter(|v| !v.verified).collect();
    assert_eq!(unverified.len(), 1, "{report:#?}");
    assert_eq!(unverified[0].mismatches, ["its assignments read back as 0 (not the 1 written)"]);
    assert!(!report.succeeded());

    // A property and a reference answered as changed, and not.
    let emu = tenant_b().await;
    assert!(apply_with(&emu, &chain()).await.succeeded());
    let mut edited = chain();
    let other_root = to_devices(root("Other Root"));
    for entry in edited.entries_mut() {
        if entry.key.display_name == "SCEP" {
            entry.object.insert("renewalThresholdPercentage".into(), json!(30));
            entry
                .references
                .insert("rootCertificate".into(), ReferenceValue::One(Some(other_root.key.clone())));
        }
    }
    let mut entries = edited.entries().to_vec();
    entries.push(other_root);
    emu.state().add_wrong_answer(WrongAnswer::PatchStoresNothing.once());
    emu.state().add_wrong_answer(WrongAnswer::RefStoresNothing.once());
    let report = apply_with(&emu, &Snapshot::new(entries)).await;
    let scep = report.verifications.iter().find(|v| v.key.display_name == "SCEP").unwrap();
    assert_eq!(
        scep.mismatches,
        [
            "renewalThresholdPercentage reads back as 20".to_string(),
            format!("rootCertificate reads back as [\"{}\"]", id_of(&emu, "Root").to_lowercase())
        ]
    );
    assert!(!report.succeeded());
}

#[tokio::test]
async fn a_saved_plan_runs_as_saved_and_is_refused_when_what_it_touches_changed_since() {
    let emu = tenant_b().await;
    assert!(apply_with(&emu, &chain()).await.succeeded());
    let mut edited = chain();
    for entry in edited.entries_mut().iter_mut().filter(|e| e.key.display_name == "Root") {
        entry.object.insert("description".into(), json!("from the files"));
    }
    let planned = plan_on(&emu, &edited, &PlanOptions::new()).await;
    let saved: Plan = serde_json::from_str(&serde_json::to_string(&planned).unwrap()).unwrap();
    assert_eq!(saved, planned);

    // Someone edits the object behind the plan's back.
    let configs = client(&emu).device_configurations();
    let id = id_of(&emu, "Root");
    let patch = intune_graph::models::DeviceConfigurationPatch::new(ROOT).set("certFileName", "changed.cer");
    configs.update(&id, &patch).await.unwrap();
    let err = tenant::apply(&client(&emu), &saved, &no_settle(), no_events).await.unwrap_err();
    let TenantError::Stale { changes } = &err else { panic!("{err}") };
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(
        changes[0].starts_with(
            "iosTrustedRootCertificate \"Root\": changed in the tenant since the plan (version 1 → 2"
        ),
        "{}",
        changes[0]
    );
    assert_eq!(emu.state().get(&id).unwrap()["description"], Value::Null, "nothing was written");

    // Planned again, it runs.
    let planned = plan_on(&emu, &edited, &PlanOptions::new()).await;
    let report = tenant::apply(&client(&emu), &planned, &no_settle(), no_events).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");

    // A plan made for another tenant's URL is refused whole.
    let other = tenant_b().await;
    let err = tenant::apply(&client(&other), &planned, &no_settle(), no_events).await.unwrap_err();
    assert!(err.to_string().contains("the plan was made for"), "{err}");
}

#[tokio::test]
async fn faults_on_every_request_do_not_end_an_apply() {
    // 4 roots, 60 SCEP profiles bound to them, everything assigned.
    let roots: Vec<SnapshotEntry> = (0..4).map(|i| to_devices(root(&format!("Root {i}")))).collect();
    let mut entries: Vec<SnapshotEntry> =
        (0..60).map(|i| to_devices(scep(&format!("SCEP {i:02}"), &roots[i % 4].key))).collect();
    entries.extend(roots);
    let snapshot = Snapshot::new(entries);
    for seed in [1, 2, 3] {
        let emu = tenant_with(GROUP_B, SALES_B)
            .faults(FaultConfig::new(0.2, seed))
            .quota(QuotaConfig::scaled(0.05))
            .start()
            .await
            .unwrap();
        // The default retry decisions, with short waits (the test measures nothing).
        let client = GraphClient::builder()
            .base_url(emu.base_url().as_str())
            .bearer_token(emu.token())
            .retry_policy(
                RetryPolicy::default().with_backoff(Duration::from_millis(20), Duration::from_millis(200)),
            )
            .write_rate_limit(None)
            .build()
            .unwrap();
        let planned = tenant::plan_tenant(&client, &snapshot, &PlanOptions::new()).await.unwrap();
        let report = tenant::apply(&client, &planned, &no_settle(), no_events).await.unwrap();
        assert!(
            report.succeeded(),
            "seed {seed}: {:#?}",
            report
                .outcomes
                .iter()
                .filter(|o| matches!(o.2, ObjectOutcome::Failed { .. }))
                .collect::<Vec<_>>()
        );
        assert_eq!(emu.state().len(), 64, "seed {seed}: one object per file");
        assert!(emu.state().faults_injected() > 0);
    }
}

#[tokio::test]
async fn password_settings_are_kept_and_restored_and_only_secrets_are_not_restorable() {
    let a = tenant_a().await;
    create(
        &a,
        json!({"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "displayName": "Baseline",
        "passwordRequired": true, "passwordMinimumLength": 12, "passwordBlockSimple": true}),
    )
    .await;
    create(&a, json!({"@odata.type": "#microsoft.graph.iosWiFiConfiguration", "displayName": "Guest Wi-Fi",
        "ssid": "guest", "networkName": "guest", "wiFiSecurityType": "wpaPersonal", "preSharedKey": "s3cret-psk"}))
    .await;
    let (dir, snapshot) = export_to(&a, "passwords").await;
    let baseline = snapshot.entries().iter().find(|e| e.key.display_name == "Baseline").unwrap();
    assert_eq!(baseline.object["passwordMinimumLength"], 12);
    assert_eq!(
        (baseline.object["passwordRequired"].clone(), baseline.object["passwordBlockSimple"].clone()),
        (json!(true), json!(true))
    );
    assert!(baseline.not_restorable.is_empty());
    let wifi = snapshot.entries().iter().find(|e| e.key.display_name == "Guest Wi-Fi").unwrap();
    assert_eq!(wifi.not_restorable, ["preSharedKey"]);
    assert!(!files(&dir).iter().any(|(_, bytes)| String::from_utf8_lossy(bytes).contains("s3cret-psk")));

    let b = tenant_b().await;
    let options = PlanOptions::new().include_unmodelled(true);
    assert!(apply_to(&b, &snapshot, &options).await.succeeded());
    let copied = b.state().get(&id_of(&b, "Baseline")).unwrap();
    assert_eq!(
        (copied["passwordRequired"].clone(), copied["passwordMinimumLength"].clone()),
        (json!(true), json!(12))
    );
    assert!(!plan_on(&b, &snapshot, &options).await.has_changes());
    // A changed setting is seen.
    let id = id_of(&b, "Baseline");
    let patch =
        intune_graph::models::DeviceConfigurationPatch::new("#microsoft.graph.windows10GeneralConfiguration")
            .set("passwordMinimumLength", 4);
    client(&b).device_configurations().update(&id, &patch).await.unwrap();
    let planned = plan_on(&b, &snapshot, &options).await;
    assert!(planned.to_string().contains("passwordMinimumLength: 4 → 12"), "{planned}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn objects_without_a_type_are_named_in_a_note_and_a_reflected_token_is_redacted_from_data() {
    let a = tenant_a().await;
    a.state().insert_raw(json!({"displayName": "No type"}));
    let token = a.token().to_owned();
    create(
        &a,
        json!({"@odata.type": ROOT, "displayName": "Root", "certFileName": "r.cer",
        "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xp", "description": format!("seen Bearer {token}")}),
    )
    .await;
    let (mut snapshot, notes) = tenant::export(&client(&a), &tenant::ExportOptions::new()).await.unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with("1 object(s) have no @odata.type or no display name"), "{notes:?}");
    assert_eq!(snapshot.redact(&[Secret::new(token.clone())]), 1);
    assert_eq!(snapshot.entries()[0].object["description"], "seen Bearer [redacted]");
    let mut clean = root("Root");
    clean.object.insert("description".into(), json!("clean"));
    let mut planned = plan_on(&a, &Snapshot::new(vec![clean]), &PlanOptions::new()).await;
    let Action::Update { changes, .. } = &planned.actions[0] else { panic!("{planned}") };
    assert!(changes.iter().any(|c| c.field == "description"));
    assert_eq!(planned.redact(&[Secret::new(token.clone())]), 1);
    assert!(!serde_json::to_string(&planned).unwrap().contains(&token));
}
