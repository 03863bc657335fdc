//! What an apply costs: exports N objects (half trusted roots, half iOS SCEP profiles each
//! bound to a root, every object assigned to a group) from one emulator and applies them to
//! `--tenants K` empty ones at once (`tenant::apply_many`), each enforcing Intune's quota
//! with its 20 s windows scaled by `--time-scale` (as `intune emulator --quota
//! --time-scale`). Each tenant's client paces its writes at the same scale (95 per 20 s ×
//! scale), so the run is the real pacing, faster. `--fault-rate R` injects faults into the
//! first tenant; `--wrong-token` gives the last tenant a token its emulator refuses.
//!
//! ```sh
//! cargo run --release --example apply_load -- --n 500 --time-scale 0.05
//! cargo run --release --example apply_load -- --n 200 --tenants 20 --time-scale 0.05
//! ```
//!
//! Output, one line per tenant and one in all:
//! `APPLY tenant=… ok=… writes=… seconds=… quota_used=… throttled=… verify_seconds=…
//! verify_requests=…` and `APPLY_ALL tenants=… n=… seconds=… peak_rss_kib=…`, where
//! `quota_used` is the tenant's writes per (scaled) 20 s window over the 100 a window allows
//! one app, and `verify_*` what reading everything back took.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use intune_graph::{
    GraphClient, RateLimit, RetryPolicy,
    emulator::{DirectoryEntry, Emulator, FaultConfig, QuotaConfig, RunningEmulator},
    tenant::{
        ApplyEvent, ApplyOptions, ApplyReport, ExportOptions, PlanOptions, Snapshot, TenantRun,
        TenantSummary, TenantTarget, apply_many, export,
    },
};

#[path = "support/seed.rs"]
mod seed;

struct Args {
    n: usize,
    tenants: usize,
    time_scale: f64,
    fault_rate: Option<f64>,
    wrong_token: bool,
}

fn args() -> Args {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| v.parse::<f64>().expect("a number"))
    };
    Args {
        n: seed::flag(&args, "--n", 500),
        tenants: seed::flag(&args, "--tenants", 1),
        time_scale: number("--time-scale").unwrap_or(0.05),
        fault_rate: number("--fault-rate"),
        wrong_token: args.iter().any(|a| a == "--wrong-token"),
    }
}

fn client(emu: &RunningEmulator, token: &str, limit: Option<RateLimit>) -> GraphClient {
    GraphClient::builder()
        .base_url(emu.base_url().as_str())
        .bearer_token(token)
        .write_rate_limit(limit)
        .retry_policy(RetryPolicy::default().with_max_attempts(12))
        .build()
        .expect("a client")
}

/// When each tenant's writes started (its plan checked), its read back started and ended,
/// and its emulator's request count then.
#[derive(Default)]
struct Verify {
    writing: Option<(Instant, usize)>,
    started: Option<(Instant, usize)>,
    ended: Option<(Instant, usize)>,
}

/// The source tenant, seeded with `n` objects, and its export.
async fn seeded_source(n: usize) -> (RunningEmulator, Snapshot) {
    let source = Emulator::new()
        .groups([DirectoryEntry::new(seed::GROUP, "iOS devices")])
        .start()
        .await
        .expect("starts");
    seed::roots_and_scep_profiles(&client(&source, source.token(), None).device_configurations(), n / 2)
        .await;
    let (snapshot, _notes) =
        export(&client(&source, source.token(), None), &ExportOptions::new()).await.expect("exported");
    (source, snapshot)
}

/// The `--tenants` empty target emulators, each enforcing `quota`, and a target for each
/// with a client pacing its writes at the same scale (faults and a wrong token as asked).
async fn targets(args: &Args, quota: &QuotaConfig) -> (Vec<RunningEmulator>, Vec<TenantTarget>) {
    let group = |n: usize| format!("{n:08x}-0000-4000-8000-000000000001");
    let intune = RateLimit::intune_writes();
    let limit = RateLimit::new(intune.max_requests, intune.per.mul_f64(args.time_scale));
    let mut emulators = Vec::new();
    let mut tenants = Vec::new();
    for n in 0..args.tenants {
        let mut emulator =
            Emulator::new().quota(quota.clone()).groups([DirectoryEntry::new(group(n), "iOS devices")]);
        if let (Some(rate), 0) = (args.fault_rate, n) {
            emulator = emulator.faults(FaultConfig::new(rate, 7));
        }
        let emu = emulator.start().await.expect("starts");
        let token = if args.wrong_token && n + 1 == args.tenants { "wrong-token" } else { emu.token() };
        tenants.push(TenantTarget::new(
            format!("tenant-{n:02}"),
            client(&emu, token, Some(limit)),
            PlanOptions::new(),
        ));
        emulators.push(emu);
    }
    (emulators, tenants)
}

/// Prints the `APPLY` line of each tenant; returns the quota shares of those that succeeded.
fn report_tenants(
    runs: &[TenantRun<ApplyReport>],
    emulators: &[RunningEmulator],
    verify: &HashMap<String, Verify>,
    started: Instant,
    quota: &QuotaConfig,
) -> Vec<f64> {
    let mut used = Vec::new();
    for (run, emu) in runs.iter().zip(emulators) {
        let summary = TenantSummary::of_apply(run);
        let writes = run.result.as_ref().map_or(0, |r| r.writes());
        let (seconds, writing, verify_seconds, verify_requests) = match verify.get(&run.name) {
            Some(Verify { writing: Some((w, _)), started: Some((t0, r0)), ended: Some((t1, r1)) }) => (
                (*t1 - started).as_secs_f64(),
                (*t0 - *w).as_secs_f64(),
                (*t1 - *t0).as_secs_f64(),
                r1 - r0 + 1,
            ),
            // No read back (the tenant failed): its own time, and no writing time.
            _ => (run.elapsed.as_secs_f64(), run.elapsed.as_secs_f64(), 0.0, 0),
        };
        // The share of the tenant's write quota its writes used while it was writing.
        let windows = writing / quota.window().max(Duration::from_millis(1)).as_secs_f64();
        let quota_used = 100.0 * writes as f64 / windows / f64::from(quota.app_writes);
        if summary.ok {
            used.push(quota_used);
        }
        println!(
            "APPLY tenant={} ok={} writes={writes} seconds={seconds:.2} writing_seconds={writing:.2} \
             quota_used={quota_used:.1}% throttled={} verify_seconds={verify_seconds:.2} verify_requests={verify_requests}",
            run.name,
            summary.ok,
            emu.state().throttled(),
        );
    }
    used
}

#[tokio::main]
async fn main() {
    let args = args();
    // The source stays up to the end, as the targets do: the peak RSS counts all of them.
    let (_source, snapshot) = seeded_source(args.n).await;
    let quota = QuotaConfig::scaled(args.time_scale);
    let (emulators, tenants) = targets(&args, &quota).await;
    let requests: HashMap<String, &RunningEmulator> =
        tenants.iter().map(|t| t.name.clone()).zip(&emulators).collect();
    let verify: Mutex<HashMap<String, Verify>> = Mutex::new(HashMap::new());
    let on_event = |tenant: &str, event: &ApplyEvent| {
        let now = (Instant::now(), requests[tenant].state().requests());
        let mut verify = verify.lock().expect("not poisoned");
        let entry = verify.entry(tenant.to_owned()).or_default();
        match event {
            ApplyEvent::Planned { .. } => entry.writing = Some(now),
            ApplyEvent::Verifying { .. } => entry.started = Some(now),
            ApplyEvent::Verified { .. } => entry.ended = Some(now),
            _ => {}
        }
    };
    let started = Instant::now();
    let options = ApplyOptions::new().settle(Duration::ZERO);
    let runs = apply_many(&snapshot, &tenants, tenants.len(), &options, on_event).await;
    let elapsed = started.elapsed();
    let verify = verify.into_inner().expect("not poisoned");
    let mut used = report_tenants(&runs, &emulators, &verify, started, &quota);
    used.sort_by(f64::total_cmp);
    println!(
        "APPLY_ALL tenants={} n={} seconds={:.2} quota_used_min={:.1}% quota_used_median={:.1}% peak_rss_kib={}",
        tenants.len(),
        snapshot.entries().len(),
        elapsed.as_secs_f64(),
        used.first().copied().unwrap_or_default(),
        used.get(used.len() / 2).copied().unwrap_or_default(),
        seed::peak_rss_kib().map_or("unknown".into(), |k| k.to_string())
    );
}
