//! What an export costs: seeds an emulator with N objects (half trusted roots, half iOS SCEP
//! profiles each bound to a root, every object assigned to a group), exports it through
//! `intune_graph::tenant::export`, and prints the requests it took and the time.
//!
//! ```sh
//! cargo run --release --example export_load -- --n 2000 --page-size 1000
//! ```
//!
//! Output: `EXPORT n=… page_size=… requests=… batches=… quota_requests=… seconds=…
//! read_quota_windows=…`: `requests` are HTTP round trips, `batches` how many of them were
//! `$batch` envelopes, `quota_requests` what Intune's quota counts (each batch step is a
//! request of its own), and `read_quota_windows` is quota_requests / 1000 (Intune's per-app
//! request quota per 20 s window).

use std::time::Instant;

use intune_graph::{
    GraphClient,
    emulator::Emulator,
    models::{AssignmentTarget, DeviceConfiguration, DeviceConfigurationAssignment},
    tenant::{ExportOptions, export},
};
use serde_json::json;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().expect("a number"))
    };
    let n = flag("--n", 2000);
    let page_size = flag("--page-size", 1000);
    let emu = Emulator::new().page_size(page_size).start().await.expect("the emulator starts");
    let client = |limit| {
        GraphClient::builder()
            .base_url(emu.base_url().as_str())
            .bearer_token(emu.token())
            .write_rate_limit(limit)
            .build()
            .expect("a client")
    };
    // Seeding is not measured: no write pacing.
    let configs = client(None).device_configurations();
    let to_group =
        [DeviceConfigurationAssignment::new(AssignmentTarget::group("5a9b1e0c-1d2e-4f3a-9b8c-7d6e5f4a3b2c"))];
    for i in 0..n / 2 {
        let root: DeviceConfiguration = serde_json::from_value(json!({
            "@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "displayName": format!("Root {i}"),
            "certFileName": "root.cer", "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xp"
        }))
        .expect("a root");
        let root_id = configs.create(&root).await.expect("root created").id().expect("an id").to_string();
        let mut scep: DeviceConfiguration = serde_json::from_value(json!({
            "@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": format!("SCEP {i}"),
            "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
            "keyUsage": "digitalSignature", "keySize": "size2048", "subjectNameFormat": "commonName",
            "certificateValidityPeriodValue": 1, "certificateValidityPeriodScale": "years",
            "renewalThresholdPercentage": 20,
            "extendedKeyUsages": [{"name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"}]
        }))
        .expect("a SCEP profile");
        let reference = configs.root_certificate_reference(&root_id).expect("a reference");
        scep.additional_data_mut().insert("rootCertificate@odata.bind".into(), reference.as_str().into());
        let scep_id = configs.create(&scep).await.expect("SCEP created").id().expect("an id").to_string();
        configs.assign(&root_id, &to_group).await.expect("assigned");
        configs.assign(&scep_id, &to_group).await.expect("assigned");
    }
    let state = emu.state();
    let (requests, batches, steps) = (state.requests(), state.batches(), state.batch_steps());
    let started = Instant::now();
    let (snapshot, _notes) = export(&client(None), &ExportOptions::new()).await.expect("exported");
    let seconds = started.elapsed().as_secs_f64();
    let requests = state.requests() - requests;
    let batches = state.batches() - batches;
    let quota_requests = requests - batches + (state.batch_steps() - steps);
    assert_eq!(snapshot.entries().len(), n / 2 * 2);
    println!(
        "EXPORT n={} page_size={page_size} requests={requests} batches={batches} quota_requests={quota_requests} \
         seconds={seconds:.2} read_quota_windows={:.2}",
        snapshot.entries().len(),
        quota_requests as f64 / 1000.0
    );
}
