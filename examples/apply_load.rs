//! What an apply costs against Intune's write quota: exports N objects (half trusted roots,
//! half iOS SCEP profiles each bound to a root, every object assigned to a group) from one
//! emulator and applies them to an empty second one that enforces Intune's quota with its
//! 20 s windows scaled by `--time-scale` (as `intune emulator --quota --time-scale`). The
//! client's write limiter is scaled by the same factor (95 writes per 20 s × scale), so the
//! run is the real pacing, faster.
//!
//! ```sh
//! cargo run --release --example apply_load -- --n 500 --time-scale 0.05
//! ```
//!
//! Output: `APPLY n=… time_scale=… writes=… seconds=… writes_per_window=… quota_used=…
//! throttled=… throttled_share=…`, where `writes_per_window` is the mean number of writes
//! per (scaled) 20 s window, `quota_used` that number over the 100 writes a window allows
//! one app, and `throttled_share` the 429s over the writes.

use std::time::{Duration, Instant};

use intune_graph::{
    GraphClient, RateLimit,
    emulator::{Emulator, QuotaConfig},
    tenant::{ApplyOptions, ExportOptions, PlanOptions, apply, export},
};

#[path = "support/seed.rs"]
mod seed;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = seed::flag(&args, "--n", 500);
    let time_scale: f64 = args
        .iter()
        .position(|a| a == "--time-scale")
        .and_then(|i| args.get(i + 1))
        .map_or(0.05, |v| v.parse().expect("a number"));
    let client = |emu: &intune_graph::emulator::RunningEmulator, limit| {
        GraphClient::builder()
            .base_url(emu.base_url().as_str())
            .bearer_token(emu.token())
            .write_rate_limit(limit)
            .build()
            .expect("a client")
    };

    let source = Emulator::new().start().await.expect("the source emulator starts");
    seed::roots_and_scep_profiles(&client(&source, None).device_configurations(), n / 2).await;
    let (snapshot, _notes) = export(&client(&source, None), &ExportOptions::new()).await.expect("exported");

    let quota = QuotaConfig::scaled(time_scale);
    let window = quota.window();
    let app_writes = quota.app_writes;
    let target = Emulator::new().quota(quota).start().await.expect("the target emulator starts");
    let intune = RateLimit::intune_writes();
    let limit = RateLimit::new(intune.max_requests, intune.per.mul_f64(time_scale));
    let started = Instant::now();
    let report =
        apply(&client(&target, Some(limit)), &snapshot, &ApplyOptions::new(PlanOptions::default()), |_| {})
            .await
            .expect("applied");
    let elapsed = started.elapsed();
    assert!(
        report.succeeded(),
        "{:?}",
        report.outcomes.iter().find(|o| matches!(o.2, intune_graph::tenant::ObjectOutcome::Failed { .. }))
    );
    let writes = report.writes();
    let throttled = target.state().throttled();
    let windows = elapsed.as_secs_f64() / window.max(Duration::from_millis(1)).as_secs_f64();
    let per_window = writes as f64 / windows;
    println!(
        "APPLY n={} time_scale={time_scale} writes={writes} seconds={:.2} writes_per_window={per_window:.1} \
         quota_used={:.1}% throttled={throttled} throttled_share={:.2}%",
        snapshot.entries().len(),
        elapsed.as_secs_f64(),
        100.0 * per_window / f64::from(app_writes),
        100.0 * throttled as f64 / writes.max(1) as f64
    );
}
