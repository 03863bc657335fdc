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
    tenant::{ExportOptions, export},
};

#[path = "support/seed.rs"]
mod seed;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = seed::flag(&args, "--n", 2000);
    let page_size = seed::flag(&args, "--page-size", 1000);
    let emu = Emulator::new().page_size(page_size).start().await.expect("the emulator starts");
    // Neither seeding nor the export is paced by the write limiter.
    let client = GraphClient::builder()
        .base_url(emu.base_url().as_str())
        .bearer_token(emu.token())
        .write_rate_limit(None)
        .build()
        .expect("a client");
    seed::roots_and_scep_profiles(&client.device_configurations(), n / 2).await;
    let state = emu.state();
    let (requests, batches, steps) = (state.requests(), state.batches(), state.batch_steps());
    let started = Instant::now();
    let (snapshot, _notes) = export(&client, &ExportOptions::new()).await.expect("exported");
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
