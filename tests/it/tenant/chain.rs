//! The certificate chain travels whole: iOS and macOS roots, the SCEP profiles bound to
//! them, the Wi-Fi, VPN and email profiles that use those certificates, exported, applied to
//! an empty tenant, verified, and kept there.

use std::collections::BTreeMap;

use intune_graph::tenant::{self, Action, PlanOptions, ReferenceValue};
use serde_json::{Value, json};

use super::*;

fn scep_body(odata_type: &str, name: &str) -> Value {
    json!({
        "@odata.type": odata_type, "displayName": name,
        "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
        "keyUsage": "digitalSignature,keyEncipherment", "keySize": "size2048",
        "subjectNameFormat": "commonName", "certificateValidityPeriodValue": 1,
        "certificateValidityPeriodScale": "years", "renewalThresholdPercentage": 20,
        "extendedKeyUsages": [{"name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"}]
    })
}

fn with(mut body: Value, extra: Value) -> Value {
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

/// Tenant A with both chains; every object assigned to "iOS devices", the VPN profile also
/// to "Sales", which its identity certificate does not reach.
async fn chains() -> RunningEmulator {
    let a = tenant_a().await;
    let root = |odata_type: &str, name: &str| {
        json!({"@odata.type": odata_type, "displayName": name, "certFileName": "root.cer",
               "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xp"})
    };
    let ios_root = create(&a, root(ROOT, "iOS Root")).await;
    let spare_root = create(&a, root(ROOT, "Spare iOS Root")).await;
    let mac_root = create(&a, root(MAC_ROOT, "macOS Root")).await;
    let ios_scep = create(
        &a,
        with(scep_body(SCEP, "iOS SCEP"), json!({"rootCertificate@odata.bind": bind(&a, &ios_root)})),
    )
    .await;
    let mac_scep = create(
        &a,
        with(scep_body(MAC_SCEP, "macOS SCEP"), json!({"rootCertificate@odata.bind": bind(&a, &mac_root)})),
    )
    .await;
    let wifi = create(
        &a,
        json!({
            "@odata.type": WIFI, "displayName": "Corp Wi-Fi", "ssid": "corp", "eapType": "eapTls",
            "wiFiSecurityType": "wpa2Enterprise",
            "identityCertificateForClientAuthentication@odata.bind": bind(&a, &ios_scep),
            "rootCertificatesForServerValidation@odata.bind": [bind(&a, &ios_root), bind(&a, &spare_root)]
        }),
    )
    .await;
    let mac_wifi = create(
        &a,
        json!({
            "@odata.type": MAC_WIFI, "displayName": "Corp Wi-Fi (macOS)", "ssid": "corp", "eapType": "eapTls",
            "identityCertificateForClientAuthentication@odata.bind": bind(&a, &mac_scep),
            "rootCertificatesForServerValidation@odata.bind": [bind(&a, &mac_root)]
        }),
    )
    .await;
    // The VPN and email profiles name their identity certificate alike.
    let identity = json!({"identityCertificate@odata.bind": bind(&a, &ios_scep)});
    let vpn = json!({
        "@odata.type": VPN, "displayName": "Corp VPN", "connectionName": "Corp VPN",
        "connectionType": "ciscoAnyConnect", "authenticationMethod": "certificate",
        "server": {"address": "vpn.contoso.com", "description": "Contoso"}
    });
    let vpn = create(&a, with(vpn, identity.clone())).await;
    let email = json!({
        "@odata.type": EMAIL, "displayName": "Corp Mail", "hostName": "outlook.office365.com",
        "authenticationMethod": "certificate", "emailAddressSource": "primarySmtpAddress"
    });
    let email = create(&a, with(email, identity)).await;
    for id in [&ios_root, &spare_root, &mac_root, &ios_scep, &mac_scep, &wifi, &mac_wifi, &email] {
        assign(&a, id, &[GROUP_A]).await;
    }
    assign(&a, &vpn, &[GROUP_A, SALES_A]).await;
    a
}

/// Every reference of every object of `emu`, by names: (object, navigation) → target names.
fn references_by_name(emu: &RunningEmulator) -> BTreeMap<(String, String), Vec<String>> {
    let objects = emu.state().objects();
    let name = |id: &str| {
        objects.iter().find(|o| o["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id))).unwrap()["displayName"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut out = BTreeMap::new();
    for object in &objects {
        let id = object["id"].as_str().unwrap();
        for (navigation, targets) in emu.state().references(id).unwrap() {
            let mut names: Vec<String> = targets.iter().map(|t| name(t)).collect();
            names.sort();
            out.insert((name(id), navigation), names);
        }
    }
    out
}

/// The export names every reference of the chains by its target's key, unset ones too.
fn every_reference_is_in_the_export(snapshot: &Snapshot) {
    let file = |name: &str| snapshot.entries().iter().find(|e| e.key.display_name == name).unwrap();
    assert_eq!(
        file("macOS SCEP").references["rootCertificate"],
        ReferenceValue::One(Some(tenant::ObjectKey::new(MAC_ROOT, "macOS Root"))),
        "the macOS root travels too"
    );
    let wifi = file("Corp Wi-Fi");
    assert_eq!(
        wifi.references["rootCertificatesForServerValidation"],
        ReferenceValue::Many(vec![
            tenant::ObjectKey::new(ROOT, "Spare iOS Root"),
            tenant::ObjectKey::new(ROOT, "iOS Root")
        ])
    );
    assert_eq!(
        file("Corp Mail").references["smimeSigningCertificate"],
        ReferenceValue::One(None),
        "every reference of the type is written, unset ones too"
    );
}

/// Someone re-points the Wi-Fi profile's references in the target: a plan updates exactly
/// those references, and applying it puts them back as they are in `a`.
async fn repointed_references_are_put_back(
    a: &RunningEmulator,
    b: &RunningEmulator,
    snapshot: &Snapshot,
    options: &PlanOptions,
) {
    let wifi_id = id_of(b, "Corp Wi-Fi");
    b.state().set_reference(
        &wifi_id,
        "identityCertificateForClientAuthentication",
        vec![id_of(b, "macOS SCEP")],
    );
    b.state().set_reference(&wifi_id, "rootCertificatesForServerValidation", vec![id_of(b, "iOS Root")]);
    let planned = plan_on(b, snapshot, options).await;
    let Some(Action::Update { references, changes, .. }) =
        planned.actions.iter().find(|a| a.key().display_name == "Corp Wi-Fi")
    else {
        panic!("{planned}")
    };
    assert!(changes.is_empty());
    let navigations: Vec<&str> = references.iter().map(|r| r.navigation.as_str()).collect();
    assert_eq!(
        navigations,
        ["identityCertificateForClientAuthentication", "rootCertificatesForServerValidation"]
    );
    assert!(planned.to_string().contains(
        "    identityCertificateForClientAuthentication: macOSScepCertificateProfile \"macOS SCEP\" → iosScepCertificateProfile \"iOS SCEP\""
    ), "{planned}");
    let report = tenant::apply(&client(b), &planned, &no_settle(), no_events).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(references_by_name(b), references_by_name(a), "put back");
}

#[tokio::test]
async fn both_chains_travel_whole_and_stay_so() {
    let a = chains().await;
    let (dir_a, snapshot) = export_to(&a, "chain-a").await;
    every_reference_is_in_the_export(&snapshot);
    let b = tenant_b().await;
    let options = PlanOptions::new().include_unmodelled(true);
    let planned = plan_on(&b, &snapshot, &options).await;
    let waves: Vec<(String, Option<tenant::Wave>)> =
        planned.actions.iter().map(|a| (a.key().display_name.clone(), a.wave())).collect();
    assert_eq!(waves.iter().filter(|(_, w)| *w == Some(tenant::Wave::Profiles)).count(), 4, "{waves:?}");
    assert_eq!(
        planned
            .warnings
            .iter()
            .map(|w| (
                w.key.display_name.as_str(),
                w.navigation.as_str(),
                w.certificate.display_name.as_str(),
                w.uncovered.clone()
            ))
            .collect::<Vec<_>>(),
        [("Corp VPN", "identityCertificate", "iOS SCEP", vec![format!("group \"Sales\" ({SALES_B})")])]
    );
    let report = tenant::apply(&client(&b), &planned, &no_settle(), no_events).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(report.verified(), 9);
    assert_eq!(
        references_by_name(&b),
        references_by_name(&a),
        "every edge points at the target's object of the same name"
    );
    assert!(!plan_on(&b, &snapshot, &options).await.has_changes());
    let (dir_b, _) = export_to(&b, "chain-b").await;
    let same_ids = |dir: &Path| -> Vec<(String, String)> {
        files(dir)
            .into_iter()
            .map(|(n, bytes)| {
                (n, String::from_utf8(bytes).unwrap().replace(GROUP_B, GROUP_A).replace(SALES_B, SALES_A))
            })
            .collect()
    };
    assert_eq!(same_ids(&dir_a), same_ids(&dir_b), "an export of the target equals the source's");

    repointed_references_are_put_back(&a, &b, &snapshot, &options).await;
    std::fs::remove_dir_all(dir_a).unwrap();
    std::fs::remove_dir_all(dir_b).unwrap();
}
