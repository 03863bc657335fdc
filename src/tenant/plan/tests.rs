//! The plan's rules, with values: no tenant, no files.

use serde_json::{Value, json};

use super::*;
use crate::models::{
    AllDevicesAssignmentTarget, AllLicensedUsersAssignmentTarget, ExclusionGroupAssignmentTarget,
    GroupAssignmentTarget, IosEnterpriseWiFiConfiguration, IosScepCertificateProfile,
    IosTrustedRootCertificate, IosVpnConfiguration,
};
use crate::tenant::{AssignmentEntry, Directory, DirectoryKind, GroupMap, ReferenceValue};

const ROOT: &str = IosTrustedRootCertificate::ODATA_TYPE;
const SCEP: &str = IosScepCertificateProfile::ODATA_TYPE;
const WIFI: &str = IosEnterpriseWiFiConfiguration::ODATA_TYPE;
const VPN: &str = IosVpnConfiguration::ODATA_TYPE;
const GROUP: &str = GroupAssignmentTarget::ODATA_TYPE;
const EXCLUDED: &str = ExclusionGroupAssignmentTarget::ODATA_TYPE;
const ALL_DEVICES: &str = AllDevicesAssignmentTarget::ODATA_TYPE;
const ALL_USERS: &str = AllLicensedUsersAssignmentTarget::ODATA_TYPE;
const G1: &str = "11111111-1111-1111-1111-111111111111";
const G2: &str = "22222222-2222-2222-2222-222222222222";

/// The least a valid object of each type the tests use holds (a plan validates creates).
fn valid(odata_type: &str) -> Value {
    match odata_type {
        ROOT => json!({"certFileName": "root.cer", "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xp"}),
        SCEP => json!({
            "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"], "keyUsage": "digitalSignature",
            "keySize": "size2048", "subjectNameFormat": "commonName", "certificateValidityPeriodValue": 1,
            "certificateValidityPeriodScale": "years", "renewalThresholdPercentage": 20
        }),
        WIFI => json!({"ssid": "corp", "eapType": "eapTls"}),
        VPN => {
            json!({"connectionName": "corp", "connectionType": "ciscoAnyConnect", "server": {"address": "vpn.contoso.com"}})
        }
        _ => json!({}),
    }
}

fn entry(odata_type: &str, name: &str, extra: Value) -> SnapshotEntry {
    let mut object = json!({"@odata.type": odata_type, "displayName": name});
    object.as_object_mut().unwrap().extend(valid(odata_type).as_object().unwrap().clone());
    object.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let mut entry = SnapshotEntry::from_object(&object).unwrap();
    entry.file = Some(format!("{}/{name}.json", entry.key.short_type()).into());
    entry
}

fn refer(mut e: SnapshotEntry, navigation: &str, targets: &[&ObjectKey]) -> SnapshotEntry {
    let many = schema::reference(&e.key.odata_type, navigation).unwrap().many;
    let value = if many {
        ReferenceValue::Many(targets.iter().map(|k| (*k).clone()).collect())
    } else {
        ReferenceValue::One(targets.first().map(|k| (*k).clone()))
    };
    e.references.insert(navigation.into(), value);
    e
}

fn assigned(mut e: SnapshotEntry, targets: &[Value]) -> SnapshotEntry {
    e.assignments = Some(
        targets
            .iter()
            .map(|t| AssignmentEntry::new(json!({"target": t}).as_object().unwrap().clone()))
            .collect(),
    );
    e
}

fn group(id: &str) -> Value {
    json!({"@odata.type": GROUP, "groupId": id})
}

fn target_object(id: &str, entry: SnapshotEntry) -> TargetObject {
    let mut entry = entry;
    entry.file = None;
    if entry.assignments.is_none() {
        entry.assignments = Some(Vec::new());
    }
    TargetObject {
        id: id.into(),
        entry,
        reference_ids: Default::default(),
        expected: Expected { version: Some(1), last_modified_date_time: Some("2026-12-01T00:00:00Z".into()) },
    }
}

fn with_refs(mut t: TargetObject, navigation: &str, ids: &[&str]) -> TargetObject {
    t.reference_ids.insert(navigation.into(), ids.iter().map(|s| (*s).to_string()).collect());
    t
}

fn groups() -> Directory {
    Directory::new().with_id(DirectoryKind::Group, G1, Some("iOS devices")).with_id(
        DirectoryKind::Group,
        G2,
        Some("Sales"),
    )
}

fn run(snapshot: Vec<SnapshotEntry>, targets: Vec<TargetObject>, options: &PlanOptions) -> Plan {
    plan(&Snapshot::new(snapshot), &Target::new(targets, groups()), options)
}

fn kinds(plan: &Plan) -> Vec<(String, &'static str)> {
    plan.actions
        .iter()
        .map(|a| {
            let kind = match a {
                Action::Create { .. } => "create",
                Action::Update { .. } => "update",
                Action::NoChange { .. } => "no change",
                Action::Conflict { .. } => "conflict",
                Action::Delete { .. } => "delete",
                Action::Skip { .. } => "skip",
            };
            (a.key().display_name.clone(), kind)
        })
        .collect()
}

#[test]
fn create_update_no_change_and_prune() {
    let snapshot = vec![
        entry(ROOT, "New", json!({})),
        entry(ROOT, "Same", json!({"certFileName": "a.cer"})),
        entry(ROOT, "Edited", json!({"certFileName": "b.cer", "description": "d"})),
    ];
    let targets = vec![
        target_object("1", entry(ROOT, "Same", json!({"certFileName": "a.cer", "description": "unmanaged"}))),
        target_object("2", entry(ROOT, "Edited", json!({"certFileName": "old.cer", "description": "d"}))),
        target_object("3", entry(ROOT, "Gone", json!({}))),
        target_object("4", entry(SCEP, "Other type", json!({}))),
    ];
    assert_eq!(run(snapshot.clone(), targets.clone(), &PlanOptions::new()).actions.len(), 3);
    let pruned = run(snapshot, targets, &PlanOptions::new().prune(true));
    assert_eq!(
        kinds(&pruned),
        [
            ("Edited".into(), "update"),
            ("New".into(), "create"),
            ("Same".into(), "no change"),
            ("Gone".into(), "delete")
        ]
    );
    let Action::Update { changes, expected, id, .. } = &pruned.actions[0] else { unreachable!() };
    assert_eq!(
        changes,
        &[FieldChange {
            field: "certFileName".into(),
            before: Some(json!("old.cer")),
            after: json!("b.cer")
        }]
    );
    assert_eq!((id.as_str(), expected.version), ("2", Some(1)));
    assert_eq!(pruned.write_count(), 3);
    assert!(pruned.has_changes() && pruned.blockers().is_empty());
}

#[test]
fn a_conflict_names_both_files_and_the_ids() {
    let snapshot = vec![entry(ROOT, "Root", json!({})), entry(SCEP, "Twice", json!({})), {
        let mut second = entry(SCEP, "Twice", json!({"description": "x"}));
        second.file = Some("iosScepCertificateProfile/Twice (2).json".into());
        second
    }];
    let targets = vec![
        target_object("a", entry(ROOT, "Root", json!({}))),
        target_object("b", entry(ROOT, "Root", json!({}))),
    ];
    let planned = run(snapshot, targets, &PlanOptions::new());
    let Action::Conflict { files, ids, reason, .. } = &planned.actions[0] else { panic!("{planned}") };
    assert_eq!(files, &["iosScepCertificateProfile/Twice (2).json", "iosScepCertificateProfile/Twice.json"]);
    assert!(ids.is_empty());
    assert!(reason.starts_with("2 files have this type and display name: "), "{reason}");
    let Action::Conflict { ids, .. } = &planned.actions[1] else { panic!("{planned}") };
    assert_eq!(ids, &["a", "b"]);
    let text = planned.to_string();
    assert!(text.contains("! conflict iosTrustedRootCertificate \"Root\": the target has 2 objects with this type and display name; nothing done (files: iosTrustedRootCertificate/Root.json; ids: a, b)"), "{text}");
    assert_eq!(planned.write_count(), 0);
    assert_eq!(planned.blockers().len(), 2);
}

#[test]
fn the_chain_runs_roots_then_certificates_then_the_profiles_that_use_them() {
    let root = entry(ROOT, "Root", json!({}));
    let scep = refer(entry(SCEP, "SCEP", json!({})), "rootCertificate", &[&root.key]);
    let wifi = refer(
        refer(
            entry(WIFI, "Corp Wi-Fi", json!({})),
            "identityCertificateForClientAuthentication",
            &[&scep.key],
        ),
        "rootCertificatesForServerValidation",
        &[&root.key],
    );
    // (Unmodelled types are included in case the Wi-Fi profile is not typed.)
    let all = PlanOptions::new().include_unmodelled(true);
    let planned = run(vec![wifi.clone(), scep.clone(), root.clone()], vec![], &all);
    let waves: Vec<(String, Option<Wave>)> =
        planned.actions.iter().map(|a| (a.key().display_name.clone(), a.wave())).collect();
    assert_eq!(
        waves,
        [
            ("Root".into(), Some(Wave::Roots)),
            ("SCEP".into(), Some(Wave::Certificates)),
            ("Corp Wi-Fi".into(), Some(Wave::Profiles))
        ]
    );
    let Action::Create { references, .. } = &planned.actions[2] else { unreachable!() };
    assert_eq!(
        references,
        &[
            PlannedReference {
                navigation: "identityCertificateForClientAuthentication".into(),
                many: false,
                targets: vec![ReferenceTarget { key: Some(scep.key.clone()), id: None }],
            },
            PlannedReference {
                navigation: "rootCertificatesForServerValidation".into(),
                many: true,
                targets: vec![ReferenceTarget { key: Some(root.key.clone()), id: None }],
            },
        ]
    );
    assert!(planned.to_string().contains("    identityCertificateForClientAuthentication → iosScepCertificateProfile \"SCEP\" (created by this plan)"));

    // A root the target has already is bound by its id.
    let planned = run(vec![scep], vec![target_object("r1", root)], &PlanOptions::new());
    let Action::Create { references, wave, .. } = &planned.actions[0] else { panic!("{planned}") };
    assert_eq!(references[0].targets[0].id.as_deref(), Some("r1"));
    assert_eq!(*wave, Wave::Roots, "it references no object of the snapshot");
}

#[test]
fn a_reference_to_nothing_or_to_the_wrong_type_stops_the_plan_and_two_targets_are_a_conflict() {
    let root = entry(ROOT, "Root", json!({}));
    let scep = refer(entry(SCEP, "SCEP", json!({})), "rootCertificate", &[&root.key]);
    let planned = run(vec![scep.clone()], vec![], &PlanOptions::new());
    assert!(planned.actions.is_empty(), "{planned}");
    assert_eq!(
        planned.problems,
        [PlanProblem {
            file: Some("iosScepCertificateProfile/SCEP.json".into()),
            key: Some(scep.key.clone()),
            reason: "references.rootCertificate names iosTrustedRootCertificate \"Root\", which is neither in the files nor in the target".into()
        }]
    );
    assert!(!planned.blockers().is_empty());
    assert!(planned.to_string().ends_with("0 to create, 0 to update, 0 to delete, 0 unchanged, 0 conflicts, 0 skipped, 1 problems (nothing can be applied)\n"));

    let wifi = entry(WIFI, "Wi-Fi", json!({}));
    let bound_to_wifi = refer(entry(SCEP, "SCEP", json!({})), "rootCertificate", &[&wifi.key]);
    let planned = run(vec![bound_to_wifi, wifi], vec![], &PlanOptions::new());
    assert!(
        planned.problems.iter().any(|p| p.reason.contains("which is not a iosTrustedRootCertificate")),
        "{planned}"
    );

    let targets = vec![target_object("r1", root.clone()), target_object("r2", root.clone())];
    let planned = run(vec![scep], targets, &PlanOptions::new());
    let Action::Conflict { reason, .. } = &planned.actions[0] else { panic!("{planned}") };
    assert!(reason.contains("which 2 objects of the target have (ids: r1, r2)"), "{reason}");
}

#[test]
fn a_cycle_of_references_is_refused() {
    let a = ObjectKey::new(SCEP, "A");
    let b = ObjectKey::new(SCEP, "B");
    // Wrong by type too, but the cycle is found whatever the types.
    let one = refer(entry(SCEP, "A", json!({})), "rootCertificate", &[&b]);
    let two = refer(entry(SCEP, "B", json!({})), "rootCertificate", &[&a]);
    let planned = run(vec![one, two], vec![], &PlanOptions::new());
    assert!(
        planned.problems.iter().any(|p| p.reason.starts_with("its references form a cycle: ")),
        "{:?}",
        planned.problems
    );
}

#[test]
fn a_reference_changed_in_the_target_is_an_update() {
    let root_a = entry(ROOT, "Root A", json!({}));
    let root_b = entry(ROOT, "Root B", json!({}));
    let scep = refer(entry(SCEP, "SCEP", json!({})), "rootCertificate", &[&root_b.key]);
    let targets = vec![
        with_refs(target_object("s", entry(SCEP, "SCEP", json!({}))), "rootCertificate", &["ra"]),
        target_object("ra", root_a.clone()),
        target_object("rb", root_b.clone()),
    ];
    let planned = run(vec![scep.clone()], targets.clone(), &PlanOptions::new());
    let Action::Update { references, changes, .. } = &planned.actions[0] else { panic!("{planned}") };
    assert!(changes.is_empty());
    assert_eq!(
        references[0].before,
        [ReferenceTarget { key: Some(root_a.key.clone()), id: Some("ra".into()) }]
    );
    assert_eq!(
        references[0].after,
        [ReferenceTarget { key: Some(root_b.key.clone()), id: Some("rb".into()) }]
    );
    assert!(
        planned.to_string().contains(
            "    rootCertificate: iosTrustedRootCertificate \"Root A\" → iosTrustedRootCertificate \"Root B\""
        ),
        "{planned}"
    );

    let mut bound = targets;
    bound[0] = with_refs(target_object("s", entry(SCEP, "SCEP", json!({}))), "rootCertificate", &["RB"]);
    assert!(
        !run(vec![scep.clone()], bound.clone(), &PlanOptions::new()).has_changes(),
        "ids compare in any case"
    );
    // A file that does not state the reference leaves it alone.
    assert!(!run(vec![entry(SCEP, "SCEP", json!({}))], bound, &PlanOptions::new()).has_changes());
}

#[test]
fn assignments_are_checked_before_anything_is_written() {
    let cases: [(Vec<Value>, &str); 6] = [
        (
            vec![json!({"@odata.type": GROUP})],
            "assignment 1: its group target has neither a groupId nor a groupDisplayName",
        ),
        (
            vec![group(G1), group(G1)],
            "the same target (groupAssignmentTarget 11111111-1111-1111-1111-111111111111) is assigned twice",
        ),
        (
            vec![group(G1), json!({"@odata.type": EXCLUDED, "groupId": G1})],
            "group 11111111-1111-1111-1111-111111111111 is both included and excluded",
        ),
        (vec![json!({"groupId": G1})], "assignment 1: its target has no @odata.type"),
        (
            vec![group("99999999-9999-9999-9999-999999999999")],
            "assignment 1: group id 99999999-9999-9999-9999-999999999999 was not looked up in the target",
        ),
        (
            vec![json!({"@odata.type": ALL_DEVICES}), json!({"@odata.type": ALL_DEVICES})],
            "the same target (allDevicesAssignmentTarget) is assigned twice",
        ),
    ];
    for (set, problem) in cases {
        let planned = run(vec![assigned(entry(ROOT, "Root", json!({})), &set)], vec![], &PlanOptions::new());
        assert!(planned.problems.iter().any(|p| p.reason == problem), "{problem}: {:?}", planned.problems);
        assert!(planned.actions.is_empty());
    }
    let mut no_target = entry(ROOT, "Root", json!({}));
    no_target.assignments =
        Some(vec![AssignmentEntry::new(json!({"intent": "apply"}).as_object().unwrap().clone())]);
    let planned = run(vec![no_target], vec![], &PlanOptions::new());
    assert_eq!(planned.problems[0].reason, "assignment 1: has no target");

    let map = GroupMap::new().with("iOS devices", "not-a-guid");
    let mut named = assigned(entry(ROOT, "Root", json!({})), &[group(G1)]);
    named.assignments.as_mut().unwrap()[0].group_display_name = Some("iOS devices".into());
    let planned = run(vec![named], vec![], &PlanOptions::new().group_map(map));
    assert_eq!(
        planned.problems[0].reason,
        "assignment 1: the group map maps it to \"not-a-guid\", which is not an id (a GUID)"
    );
}

#[test]
fn groups_travel_by_name_and_a_name_the_target_lacks_or_has_twice_stops_the_plan() {
    let source_id = "0000aaaa-0000-0000-0000-000000000000";
    let mut named = assigned(entry(ROOT, "Root", json!({})), &[group(source_id)]);
    named.assignments.as_mut().unwrap()[0].group_display_name = Some("IOS Devices".into());
    let planned = run(vec![named.clone()], vec![], &PlanOptions::new());
    let Action::Create { assignments: Some(set), .. } = &planned.actions[0] else { panic!("{planned}") };
    assert_eq!(set[0]["target"]["groupId"], G1, "resolved by name, in the target");

    let twice = Directory::new().with_id(DirectoryKind::Group, G1, Some("iOS devices")).with_id(
        DirectoryKind::Group,
        G2,
        Some("iOS devices"),
    );
    let planned = plan(&Snapshot::new(vec![named.clone()]), &Target::new(vec![], twice), &PlanOptions::new());
    assert!(
        planned.problems[0].reason.contains("group \"IOS Devices\" names 2 objects in the target"),
        "{:?}",
        planned.problems
    );

    let none = Directory::new().without_name(DirectoryKind::Group, "IOS Devices");
    let planned = plan(&Snapshot::new(vec![named.clone()]), &Target::new(vec![], none), &PlanOptions::new());
    assert_eq!(
        planned.problems[0].reason,
        "assignment 1: group \"IOS Devices\" does not exist in the target"
    );

    let unreadable = Directory::new().unreadable(DirectoryKind::Group, "HTTP 403");
    let planned = plan(
        &Snapshot::new(vec![named.clone()]),
        &Target::new(vec![], unreadable.clone()),
        &PlanOptions::new(),
    );
    assert!(
        planned.problems[0]
            .reason
            .contains("cannot be looked up in the target (HTTP 403); map it with --group-map")
    );
    // The user's map wins.
    let mapped = PlanOptions::new().group_map(GroupMap::new().with("ios devices", G2));
    let planned = plan(&Snapshot::new(vec![named]), &Target::new(vec![], unreadable), &mapped);
    let Action::Create { assignments: Some(set), .. } = &planned.actions[0] else { panic!("{planned}") };
    assert_eq!(set[0]["target"]["groupId"], G2);
}

#[test]
fn absent_assignments_are_left_alone_and_an_empty_set_removes_them() {
    let held = target_object("r", assigned(entry(ROOT, "Root", json!({})), &[group(G1)]));
    let silent = entry(ROOT, "Root", json!({}));
    assert!(!run(vec![silent], vec![held.clone()], &PlanOptions::new()).has_changes());
    let none = assigned(entry(ROOT, "Root", json!({})), &[]);
    let planned = run(vec![none], vec![held], &PlanOptions::new());
    let Action::Update { assignments: Some(change), .. } = &planned.actions[0] else { panic!("{planned}") };
    assert_eq!((change.before.len(), change.after.len()), (1, 0));
}

#[test]
fn what_the_user_left_out_is_reported_and_is_not_a_change() {
    let wifi = entry("#microsoft.graph.windowsWifiConfiguration", "Wi-Fi", json!({"ssid": "corp"}));
    let unmodelled = run(vec![wifi.clone()], vec![], &PlanOptions::new());
    assert!(matches!(&unmodelled.actions[0], Action::Skip { reason: SkipReason::Unmodelled, .. }));
    assert!(!unmodelled.has_changes() && unmodelled.blockers().is_empty());
    assert!(unmodelled.to_string().contains("0 conflicts, 1 skipped\n"));
    let included = run(vec![wifi.clone()], vec![], &PlanOptions::new().include_unmodelled(true));
    assert!(matches!(&included.actions[0], Action::Create { .. }));
    let other_type = run(
        vec![entry(ROOT, "Root", json!({}))],
        vec![],
        &PlanOptions::new().with_type("iosScepCertificateProfile"),
    );
    assert!(matches!(&other_type.actions[0], Action::Skip { reason: SkipReason::NotSelected, .. }));
    assert!(!other_type.has_changes());
}

#[test]
fn a_profile_reaching_groups_its_certificate_does_not_is_a_warning_for_every_edge() {
    let scep = assigned(entry(SCEP, "SCEP", json!({})), &[json!({"@odata.type": ALL_USERS}), group(G1)]);
    let vpn = refer(
        assigned(entry(VPN, "VPN", json!({})), &[json!({"@odata.type": ALL_DEVICES}), group(G1), group(G2)]),
        "identityCertificate",
        &[&scep.key],
    );
    let all = PlanOptions::new().include_unmodelled(true);
    let planned = run(vec![scep.clone(), vpn.clone()], vec![], &all);
    assert_eq!(
        planned.warnings,
        [CoverageWarning {
            key: vpn.key.clone(),
            navigation: "identityCertificate".into(),
            certificate: scep.key.clone(),
            uncovered: vec![
                "all devices".into(),
                "group \"Sales\" (22222222-2222-2222-2222-222222222222)".into()
            ]
        }]
    );
    assert!(planned.to_string().contains(
        "warning: iosVpnConfiguration \"VPN\" is assigned to all devices, group \"Sales\" (22222222-2222-2222-2222-222222222222) that its identityCertificate iosScepCertificateProfile \"SCEP\" is not"
    ));
    let everywhere = assigned(
        entry(SCEP, "SCEP", json!({})),
        &[json!({"@odata.type": ALL_USERS}), json!({"@odata.type": ALL_DEVICES})],
    );
    assert!(run(vec![everywhere, vpn], vec![], &all).warnings.is_empty());
}

#[test]
fn prune_deletes_referrers_first_and_refuses_to_delete_what_a_kept_object_references() {
    let root = entry(ROOT, "Root", json!({}));
    let keep = entry(ROOT, "Keep", json!({}));
    let targets = vec![
        target_object("r", root.clone()),
        with_refs(target_object("s", entry(SCEP, "Old SCEP", json!({}))), "rootCertificate", &["r"]),
        target_object("k", keep.clone()),
        target_object("s2", entry(SCEP, "Kept SCEP", json!({}))),
    ];
    let scep_kept = entry(SCEP, "Kept SCEP", json!({}));
    let planned =
        run(vec![keep.clone(), scep_kept.clone()], targets.clone(), &PlanOptions::new().prune(true));
    let deletes: Vec<(&str, u32)> = planned
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::Delete { key, order, .. } => Some((key.display_name.as_str(), *order)),
            _ => None,
        })
        .collect();
    assert_eq!(deletes, [("Old SCEP", 0), ("Root", 1)], "{planned}");

    let mut targets = targets;
    targets[3] =
        with_refs(target_object("s2", entry(SCEP, "Kept SCEP", json!({}))), "rootCertificate", &["r"]);
    let planned = run(vec![keep, scep_kept], targets, &PlanOptions::new().prune(true));
    assert!(
        planned.problems.iter().any(|p| p.reason
            == "--prune would delete it, but iosScepCertificateProfile \"Kept SCEP\" (kept) references it"),
        "{:?}",
        planned.problems
    );
}

#[test]
fn scope_tags_travel_by_name() {
    let mut tagged = entry(ROOT, "Root", json!({}));
    tagged.scope_tags = Some(vec!["Default".into(), "EU".into()]);
    let directory = groups().with_id(DirectoryKind::ScopeTag, "7", Some("EU"));
    let held = target_object("r", entry(ROOT, "Root", json!({"roleScopeTagIds": ["0"]})));
    let planned = plan(
        &Snapshot::new(vec![tagged.clone()]),
        &Target::new(vec![held], directory.clone()),
        &PlanOptions::new(),
    );
    let Action::Update { changes, .. } = &planned.actions[0] else { panic!("{planned}") };
    assert_eq!(
        changes,
        &[FieldChange {
            field: "roleScopeTagIds".into(),
            before: Some(json!(["0"])),
            after: json!(["0", "7"])
        }]
    );
    let held = target_object("r", entry(ROOT, "Root", json!({"roleScopeTagIds": ["7", "0"]})));
    assert!(
        !plan(&Snapshot::new(vec![tagged.clone()]), &Target::new(vec![held], directory), &PlanOptions::new())
            .has_changes()
    );
    let planned = run(vec![tagged], vec![], &PlanOptions::new());
    assert_eq!(planned.problems[0].reason, "scope tag \"EU\" was not looked up in the target");
}

#[test]
fn names_in_either_normal_form_are_one_object_and_secrets_are_not_compared() {
    let file = entry(ROOT, "Cafe\u{301} Root", json!({"certFileName": "a.cer"}));
    let held = target_object("1", entry(ROOT, "Caf\u{e9} Root", json!({"certFileName": "a.cer"})));
    assert!(!run(vec![file], vec![held], &PlanOptions::new()).has_changes());

    let secret = entry(WIFI, "Wi-Fi", json!({"preSharedKey": "from the file", "ssid": "corp"}));
    let held = target_object(
        "w",
        SnapshotEntry::normalized(
            &json!({"@odata.type": WIFI, "displayName": "Wi-Fi", "ssid": "corp", "eapType": "eapTls", "preSharedKey": null}),
            crate::tenant::normalize::Origin::Service,
        )
        .unwrap(),
    );
    assert!(
        !run(vec![secret], vec![held], &PlanOptions::new()).has_changes(),
        "the service never returns it"
    );
}

#[test]
fn the_plan_is_data_that_reads_back_equal() {
    let root = assigned(entry(ROOT, "Root", json!({"certFileName": "r.cer"})), &[group(G1)]);
    let scep = refer(entry(SCEP, "SCEP", json!({})), "rootCertificate", &[&root.key]);
    let targets = vec![target_object("x", entry(ROOT, "Old", json!({})))];
    let planned = run(vec![root, scep], targets, &PlanOptions::new().prune(true));
    let text = serde_json::to_string(&planned).unwrap();
    let back: Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(back, planned);
    let value = serde_json::to_value(&planned).unwrap();
    assert_eq!(value["format"], 1);
    assert_eq!(value["actions"][0]["action"], "create");
    assert_eq!(value["actions"][0]["wave"], "roots");
    assert_eq!(value["actions"][0]["file"], "iosTrustedRootCertificate/Root.json");
    assert_eq!(
        value["actions"][1]["references"][0]["targets"][0],
        json!({"key": {"@odata.type": ROOT, "displayName": "Root"}, "id": null})
    );
    assert_eq!(
        value["actions"][2],
        json!({"action": "delete", "key": {"@odata.type": ROOT, "displayName": "Old"}, "id": "x",
        "expected": {"version": 1, "lastModifiedDateTime": "2026-12-01T00:00:00Z"}, "order": 0})
    );
}

#[test]
fn the_review_shows_invisible_characters_of_values_and_names_escaped() {
    let snapshot = vec![entry(ROOT, "Root\u{202e}reg.exe", json!({"certFileName": "new\u{202e}exe.cer"}))];
    let targets =
        vec![target_object("1", entry(ROOT, "Root\u{202e}reg.exe", json!({"certFileName": "a\nb.cer"})))];
    let text = run(snapshot, targets, &PlanOptions::new()).to_string();
    assert_eq!(
        text.lines().take(2).collect::<Vec<_>>(),
        [
            r#"~ update iosTrustedRootCertificate "Root\u{202e}reg.exe" (1)"#,
            r#"    certFileName: "a\nb.cer" → "new\u{202e}exe.cer""#,
        ]
    );
}
