//! A resilience soak: creates N iOS SCEP profiles named `soak-00001`, `soak-00002`, …
//! concurrently, through the client's standard retry policy with reconcile on, and prints
//! exactly one line:
//!
//! ```text
//! SOAK n=200 ok=200 reconciled=9 failed=0 wall_s=41.7
//! ```
//!
//! ```sh
//! # Against the embedded emulator with 20 % injected faults (429, 503, 504, resets before
//! # and after storing, truncated bodies, slow responses), seeded:
//! cargo run --release --example soak -- --n 200 --concurrency 8 --seed 7
//! # Against another Graph endpoint:
//! cargo run --release --example soak -- --base-url https://graph.microsoft.com/beta --token "$TOKEN" --n 50 --concurrency 4
//! ```
//!
//! `ok` counts creates that returned an object (`reconciled` of them were found by the
//! lookup after an unknown outcome); `failed` counts errors. With the embedded emulator,
//! a summary of the stored objects (and any duplicate) goes to stderr.

use std::{collections::HashMap, process::ExitCode, time::Instant};

use clap::Parser;
use futures_util::StreamExt;
use intune_graph::{
    GraphClient,
    api::CreateOptions,
    emulator::{Emulator, FaultConfig, FaultKind, RunningEmulator},
    models::{
        AppleSubjectNameFormat, CertificateValidityPeriodScale, IosScepCertificateProfile, KeySize, KeyUsages,
    },
};

/// Create N profiles concurrently and count what happened.
#[derive(Debug, Parser)]
#[command(name = "soak")]
struct Args {
    /// Graph base URL (e.g. https://graph.microsoft.com/beta). Without it, the embedded
    /// emulator is started with injected faults.
    #[arg(long)]
    base_url: Option<String>,
    /// Bearer token for --base-url.
    #[arg(long, env = "GRAPH_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Number of profiles to create.
    #[arg(long, default_value_t = 100)]
    n: usize,
    /// Creates in flight at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Seed of the emulator's fault sequence.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Share of emulator requests that get a fault.
    #[arg(long, default_value_t = 0.2)]
    fault_rate: f64,
    /// Create without reconcile (unknown outcomes then count as failures).
    #[arg(long)]
    no_reconcile: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn profile(name: String) -> Result<IosScepCertificateProfile, intune_graph::models::ValidationError> {
    IosScepCertificateProfile::builder()
        .display_name(name)
        .description("created by the intune-graph soak example")
        .scep_server_url("https://ndes.contoso.com/certsrv/mscep/mscep.dll")
        .key_usage(KeyUsages::DIGITAL_SIGNATURE | KeyUsages::KEY_ENCIPHERMENT)
        .key_size(KeySize::Size2048)
        .subject_name_format(AppleSubjectNameFormat::CommonNameAsEmail)
        .validity(1, CertificateValidityPeriodScale::Years)
        .renewal_threshold_percentage(20)
        .build()
}

async fn run(args: Args) -> Result<bool, Box<dyn std::error::Error>> {
    let mut emulator: Option<RunningEmulator> = None;
    let client = match &args.base_url {
        Some(url) => {
            let token = args.token.clone().ok_or("--base-url needs --token (or GRAPH_TOKEN)")?;
            GraphClient::builder().base_url(url).bearer_token(token).build()?
        }
        None => {
            let started =
                Emulator::new().faults(FaultConfig::new(args.fault_rate, args.seed)).start().await?;
            let client = GraphClient::builder()
                .base_url(started.base_url().as_str())
                .bearer_token(started.token())
                .build()?;
            emulator = Some(started);
            client
        }
    };
    let options =
        if args.no_reconcile { CreateOptions::new() } else { CreateOptions::reconcile_by_display_name() };
    let configurations = client.device_configurations();

    let start = Instant::now();
    let outcomes: Vec<Result<bool, String>> = futures_util::stream::iter(1..=args.n)
        .map(|i| {
            let configurations = configurations.clone();
            let options = options.clone();
            async move {
                let profile = profile(format!("soak-{i:05}")).map_err(|e| e.to_string())?;
                match configurations.create_with(&profile, options).await {
                    Ok(created) => Ok(created.reconciled),
                    Err(e) => {
                        eprintln!("soak-{i:05}: {e}");
                        Err(e.to_string())
                    }
                }
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    let wall = start.elapsed().as_secs_f64();

    let ok = outcomes.iter().filter(|o| o.is_ok()).count();
    let reconciled = outcomes.iter().filter(|o| matches!(o, Ok(true))).count();
    let failed = outcomes.len() - ok;
    println!("SOAK n={} ok={ok} reconciled={reconciled} failed={failed} wall_s={wall:.1}", args.n);

    let mut clean = failed == 0;
    if let Some(emulator) = emulator {
        let mut names: HashMap<String, usize> = HashMap::new();
        for object in emulator.state().objects() {
            if let Some(name) = object["displayName"].as_str().filter(|n| n.starts_with("soak-")) {
                *names.entry(name.to_owned()).or_default() += 1;
            }
        }
        let duplicates: usize = names.values().map(|n| n - 1).sum();
        let faults: Vec<String> = FaultKind::ALL
            .iter()
            .map(|k| (k, emulator.state().fault_count(*k)))
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{k:?}={n}"))
            .collect();
        eprintln!(
            "emulator: {} requests, {} faults ({}); stored {} distinct soak profiles, {duplicates} duplicate(s)",
            emulator.state().requests(),
            emulator.state().faults_injected(),
            faults.join(" "),
            names.len(),
        );
        clean &= duplicates == 0;
        emulator.shutdown().await;
    }
    Ok(clean)
}
