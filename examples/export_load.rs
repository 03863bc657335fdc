//! What an export costs: seeds an emulator with N objects, of which a share (`--using 0.2`:
//! a fifth) use certificates — iOS SCEP profiles bound to a trusted root and Wi-Fi
//! profiles that authenticate with such a SCEP profile and trust that root — and the rest
//! reference nothing (general configurations and the roots); every object is assigned to a
//! group. Then it exports through `intune_graph::tenant::export`, and prints the requests it
//! took and the time; then it reads the same references the way the export falls back to
//! when a service will not expand them (navigation reads through `$batch`), for comparison.
//!
//! ```sh
//! cargo run --release --example export_load -- --n 10000 --using 0.2 --page-size 1000
//! ```
//!
//! Output: `EXPORT n=… using=… page_size=… requests=… batches=… quota_requests=…
//! per_object=… seconds=…` and `FALLBACK references=… requests=… quota_requests=…
//! per_object=… seconds=…`: `requests` are HTTP round trips, `batches` how many of them were
//! `$batch` envelopes, `quota_requests` what Intune's quota counts (each batch step is a
//! request of its own), `per_object` quota requests per object using certificates.

use std::time::Instant;

use futures_util::{StreamExt, stream};
use intune_graph::{
    GraphClient,
    emulator::{DirectoryEntry, Emulator, RunningEmulator},
    models::{AssignmentTarget, DeviceConfigurationAssignment, schema},
    tenant::{ExportOptions, export},
};
use serde_json::json;

#[path = "support/seed.rs"]
mod seed;

/// Seeds `emu` directly (as stored objects: seeding is not what is measured): `n` objects,
/// `using` of them using certificates. Returns the (id, type) of those.
fn seed_tenant(emu: &RunningEmulator, n: usize, using: f64) -> Vec<(String, String)> {
    let state = emu.state();
    let users = ((n as f64 * using) as usize).min(n);
    let pairs = users / 2;
    let roots = (pairs / 10).max(1);
    let root_ids: Vec<String> = (0..roots)
        .map(|i| {
            state.insert_raw(json!({"@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "displayName": format!("Root {i}"),
                "certFileName": "root.cer", "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xp"}))
        })
        .collect();
    let mut using_ids = Vec::new();
    for i in 0..pairs {
        let root = &root_ids[i % roots];
        let scep = state.insert_raw(json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": format!("SCEP {i}"),
            "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"], "keyUsage": "digitalSignature",
            "keySize": "size2048", "subjectNameFormat": "commonName", "certificateValidityPeriodValue": 1,
            "certificateValidityPeriodScale": "years", "renewalThresholdPercentage": 20}));
        state.set_reference(&scep, "rootCertificate", vec![root.clone()]);
        let wifi = state.insert_raw(json!({"@odata.type": "#microsoft.graph.iosEnterpriseWiFiConfiguration", "displayName": format!("Wi-Fi {i}"),
            "ssid": "corp", "eapType": "eapTls"}));
        state.set_reference(&wifi, "identityCertificateForClientAuthentication", vec![scep.clone()]);
        state.set_reference(&wifi, "rootCertificatesForServerValidation", vec![root.clone()]);
        using_ids.push((scep, "#microsoft.graph.iosScepCertificateProfile".to_owned()));
        using_ids.push((wifi, "#microsoft.graph.iosEnterpriseWiFiConfiguration".to_owned()));
    }
    for i in 0..n.saturating_sub(roots + 2 * pairs) {
        state.insert_raw(json!({"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "displayName": format!("General {i}"),
            "passwordRequired": true}));
    }
    using_ids
}

/// Assigns every object of `emu` to the group, 16 at a time.
async fn assign_all(client: &GraphClient, emu: &RunningEmulator) {
    let configs = client.device_configurations();
    let to_group = [DeviceConfigurationAssignment::new(AssignmentTarget::group(seed::GROUP))];
    let ids: Vec<String> =
        emu.state().objects().iter().map(|o| o["id"].as_str().expect("an id").to_owned()).collect();
    stream::iter(ids)
        .map(|id| {
            let (configs, to_group) = (&configs, &to_group);
            async move { configs.assign(&id, to_group).await.expect("assigned") }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = seed::flag(&args, "--n", 2000);
    let page_size = seed::flag(&args, "--page-size", 1000);
    let using: f64 = args
        .iter()
        .position(|a| a == "--using")
        .and_then(|i| args.get(i + 1))
        .map_or(0.2, |v| v.parse().expect("a share"));
    let emu = Emulator::new()
        .page_size(page_size)
        .groups([DirectoryEntry::new(seed::GROUP, "iOS devices")])
        .start()
        .await
        .expect("the emulator starts");
    let client = GraphClient::builder()
        .base_url(emu.base_url().as_str())
        .bearer_token(emu.token())
        .build()
        .expect("a client");
    let users = seed_tenant(&emu, n, using);
    let seeding = GraphClient::builder()
        .base_url(emu.base_url().as_str())
        .bearer_token(emu.token())
        .write_rate_limit(None)
        .build()
        .expect("a client");
    assign_all(&seeding, &emu).await;
    let state = emu.state();
    let counts = || (state.requests(), state.batches(), state.batch_steps());
    let quota = |(r0, b0, s0): (usize, usize, usize), (r1, b1, s1): (usize, usize, usize)| {
        (r1 - r0, b1 - b0, (r1 - r0) - (b1 - b0) + (s1 - s0))
    };

    let before = counts();
    let started = Instant::now();
    let (snapshot, notes) = export(&client, &ExportOptions::new()).await.expect("exported");
    let seconds = started.elapsed().as_secs_f64();
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(snapshot.entries().len(), state.len());
    let (requests, batches, quota_requests) = quota(before, counts());
    println!(
        "EXPORT n={} using={} page_size={page_size} requests={requests} batches={batches} quota_requests={quota_requests} \
         per_object={:.3} seconds={seconds:.2}",
        snapshot.entries().len(),
        users.len(),
        quota_requests as f64 / users.len().max(1) as f64
    );

    // The fallback: every reference of every object that has some, through `$batch`.
    let before = counts();
    let started = Instant::now();
    let mut batch = client.batch();
    let mut steps = 0;
    for (id, odata_type) in &users {
        for reference in schema::references(odata_type) {
            batch.reference(steps.to_string(), id, odata_type, reference.navigation);
            steps += 1;
        }
    }
    let results = batch.send().await.expect("sent");
    assert!(results.into_iter().all(|(_, r)| r.is_ok()));
    let seconds = started.elapsed().as_secs_f64();
    let (requests, _, quota_requests) = quota(before, counts());
    println!(
        "FALLBACK references={steps} requests={requests} quota_requests={quota_requests} per_object={:.3} seconds={seconds:.2}",
        quota_requests as f64 / users.len().max(1) as f64
    );
}
