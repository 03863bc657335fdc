//! Reads N device configurations with their assignments from the emulator in quota mode,
//! once through `$batch` and once with one GET per object, and prints what each took:
//!
//! ```sh
//! cargo run --example batch_read -- --profiles 2000 --time-scale 0.25
//! ```
//!
//! Both listings read the collection in pages of 999, then the assignments of every
//! profile: `assignments_many` (20 per envelope) or `assignments` (one GET each). Every
//! page and every step counts against the emulator's per-app quota (1,000 requests per
//! window of 20 s × time scale), so the least time the quota allows for R counted
//! requests is `(ceil(R / 1000) - 1)` windows; each run starts on a fresh window.
//! One line per mode: `RESULT mode=… http_requests=… counted=… throttled=… wall_s=…
//! quota_floor_s=… ratio=…`.

use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::TryStreamExt;
use intune_graph::{
    GraphClient, Query,
    emulator::{Emulator, QuotaConfig, RunningEmulator},
    models::{AssignmentTarget, DeviceConfigurationAssignment},
};
use serde_json::json;

#[derive(Parser)]
struct Args {
    /// How many SCEP profiles to seed and read.
    #[arg(long, default_value_t = 2000)]
    profiles: usize,
    /// The emulator's quota window is 20 s times this.
    #[arg(long, default_value_t = 0.25)]
    time_scale: f64,
    /// `batch`, `single` or `both`.
    #[arg(long, default_value = "both")]
    mode: String,
}

const PAGE: u32 = 999;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let quota = QuotaConfig::scaled(args.time_scale);
    let window = quota.window();
    let emu = Emulator::new().quota(quota.clone()).start().await?;
    let client =
        GraphClient::builder().base_url(emu.base_url().as_str()).bearer_token(emu.token()).build()?;
    // Seeding: one profile in ten is assigned to a group (through the quota too, so without
    // the client's own write limit, which would make it wait in real time).
    let seeder = GraphClient::builder()
        .base_url(emu.base_url().as_str())
        .bearer_token(emu.token())
        .write_rate_limit(None)
        .build()?;
    for i in 0..args.profiles {
        let id = emu.state().insert_raw(json!({
            "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
            "displayName": format!("profile {i}"),
        }));
        if i % 10 == 0 {
            // Group ids are GUIDs; the service refuses anything else.
            let target = AssignmentTarget::group(format!("00000000-0000-4000-8000-{i:012}"));
            seeder.device_configurations().assign(&id, &[DeviceConfigurationAssignment::new(target)]).await?;
        }
    }
    for mode in ["batch", "single"] {
        if args.mode != "both" && args.mode != mode {
            continue;
        }
        // A fresh quota window for each run.
        tokio::time::sleep(window + Duration::from_millis(50)).await;
        run(&emu, &client, mode, args.profiles, &quota, window).await?;
    }
    emu.shutdown().await;
    Ok(())
}

async fn run(
    emu: &RunningEmulator,
    client: &GraphClient,
    mode: &str,
    profiles: usize,
    quota: &QuotaConfig,
    window: Duration,
) -> Result<(), Box<dyn std::error::Error>> {
    let requests_before = emu.state().requests();
    let throttled_before = emu.state().throttled();
    let started = Instant::now();
    let dc = client.device_configurations();
    let pages: Vec<_> = dc.pages(&Query::new().select(["id"]).top(PAGE)).try_collect().await?;
    let ids: Vec<String> =
        pages.iter().flat_map(|p| p.items.iter().filter_map(|c| c.id().map(str::to_owned))).collect();
    let mut assigned = 0;
    if mode == "batch" {
        for result in dc.assignments_many(&ids).await? {
            assigned += usize::from(!result?.is_empty());
        }
    } else {
        for id in &ids {
            assigned += usize::from(!dc.assignments(id).await?.is_empty());
        }
    }
    let wall = started.elapsed();
    assert_eq!(ids.len(), profiles, "every profile listed");
    assert_eq!(assigned, profiles.div_ceil(10), "every assignment read");
    let http_requests = emu.state().requests() - requests_before;
    let throttled = emu.state().throttled() - throttled_before;
    // What the quota counts: every page and every step (or GET), throttled ones excepted.
    let counted = pages.len() + profiles;
    let limit = quota.app_requests.min(quota.tenant_requests) as usize;
    let floor = window.mul_f64((counted.div_ceil(limit) - 1) as f64);
    println!(
        "RESULT mode={mode} profiles={profiles} pages={} http_requests={http_requests} \
         bound={} counted={counted} throttled={throttled} wall_s={:.3} quota_floor_s={:.3} ratio={:.3}",
        pages.len(),
        pages.len() + profiles.div_ceil(20),
        wall.as_secs_f64(),
        floor.as_secs_f64(),
        wall.as_secs_f64() / floor.as_secs_f64().max(f64::MIN_POSITIVE),
    );
    Ok(())
}
