//! `intune emulator [--addr A] [--fault-rate R] [--seed S] [--quota] [--time-scale X]
//! [--groups FILE] [--assignment-filters FILE] [--scope-tags FILE]`: run the crate's Graph
//! emulator in the foreground until Ctrl-C.
//!
//! stdout gets `key=value` lines for scripts, first `base_url=…`, then the static
//! `token=…` and the client-credentials pair (`tenant_id`, `client_id`, `client_secret`,
//! `authority_host`); stdout is flushed right after. Everything else goes to stderr.

use std::{
    io::{self, Write},
    net::SocketAddr,
};

use clap::Args;
use intune_graph::emulator::{
    DEFAULT_TENANT_ID, DirectoryEntry, Emulator, EmulatorState, FaultConfig, QuotaConfig, RunningEmulator,
};

use crate::Outcome;

#[derive(Args, Debug)]
pub(crate) struct EmulatorArgs {
    /// Address to listen on (port 0: a free port, printed on the first line).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Probability (0 to 1) that a request gets an injected fault (429, 503, 504,
    /// connection reset, truncated body, slow response).
    #[arg(long, value_name = "R", value_parser = parse_rate)]
    fault_rate: Option<f64>,
    /// Seed of the fault sequence (the same seed and requests give the same faults).
    #[arg(long, value_name = "S", default_value_t = 0, requires = "fault_rate")]
    seed: u64,
    /// Inject faults into writes (POST, PUT, PATCH, DELETE) only.
    #[arg(long, requires = "fault_rate")]
    fault_writes_only: bool,
    /// Enforce Intune's throttling limits (per app and tenant, per 20 s window; 429 with
    /// Retry-After beyond them).
    #[arg(long)]
    quota: bool,
    /// Scale of the 20 s quota window, e.g. 0.05 for 1 s windows.
    #[arg(long, value_name = "X", requires = "quota", value_parser = parse_scale)]
    time_scale: Option<f64>,
    /// Page size of listings without $top (default 25).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1000))]
    page_size: Option<u64>,
    /// Answer PATCH with 200 and the object (as documented) instead of 204 (as the live
    /// service does).
    #[arg(long)]
    patch_returns_entity: bool,
    /// Groups to serve at /groups: a JSON file holding an array of
    /// {"id": "<GUID>", "displayName": "…"} (other properties are served as given).
    #[arg(long, value_name = "FILE", value_parser = read_directory)]
    groups: Option<DirectoryFile>,
    /// Assignment filters to serve at /deviceManagement/assignmentFilters (a JSON file, as
    /// --groups; "platform" and "rule" may be given).
    #[arg(long, value_name = "FILE", value_parser = read_directory)]
    assignment_filters: Option<DirectoryFile>,
    /// Scope tags to serve at /deviceManagement/roleScopeTags besides the built-in "0"
    /// (a JSON file, as --groups).
    #[arg(long, value_name = "FILE", value_parser = read_directory)]
    scope_tags: Option<DirectoryFile>,
}

/// The entries of a `--groups`-style file.
#[derive(Clone, Debug)]
struct DirectoryFile(Vec<DirectoryEntry>);

/// Reads a JSON array of `{"id", "displayName"}` (a bad file is a usage error, exit 2,
/// clap naming the option and the file).
fn read_directory(path: &str) -> Result<DirectoryFile, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    serde_json::from_slice::<Vec<DirectoryEntry>>(&text)
        .map(DirectoryFile)
        .map_err(|e| format!("{path} is not a JSON array of {{\"id\": …, \"displayName\": …}} objects: {e}"))
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("{text:?} is not a probability between 0 and 1")),
    }
}

fn parse_scale(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(scale) if scale.is_finite() && scale > 0.0 => Ok(scale),
        _ => Err(format!("{text:?} is not a positive number")),
    }
}

pub(crate) async fn run(args: EmulatorArgs) -> Outcome {
    if !args.addr.ip().is_loopback() {
        eprintln!(
            "warning: listening on {} (not loopback): anyone who can reach it can use the emulator's \
             well-known token; the crate's client only accepts plain http on loopback",
            args.addr
        );
    }
    let running = match emulator(&args).start().await {
        Ok(running) => running,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.addr);
            return Outcome::Refused;
        }
    };
    let stop = StopSignals::install();
    if let Err(e) = print_lines(&running) {
        eprintln!("error: cannot write to stdout: {e}");
        running.shutdown().await;
        return Outcome::Refused;
    }
    eprintln!("{}", banner(&args, &running));
    stop.wait().await;
    let state = running.state().clone();
    running.shutdown().await;
    eprintln!("{}", summary(&state));
    Outcome::Success
}

/// The emulator the arguments describe.
fn emulator(args: &EmulatorArgs) -> Emulator {
    let mut emulator = Emulator::new().addr(args.addr).patch_returns_entity(args.patch_returns_entity);
    if let Some(rate) = args.fault_rate {
        let faults = FaultConfig { writes_only: args.fault_writes_only, ..FaultConfig::new(rate, args.seed) };
        emulator = emulator.faults(faults);
    }
    if args.quota {
        emulator = emulator.quota(QuotaConfig::scaled(args.time_scale.unwrap_or(1.0)));
    }
    if let Some(size) = args.page_size {
        emulator = emulator.page_size(usize::try_from(size).unwrap_or(usize::MAX));
    }
    let entries = |file: &Option<DirectoryFile>| file.iter().flat_map(|f| f.0.clone()).collect::<Vec<_>>();
    emulator
        .groups(entries(&args.groups))
        .assignment_filters(entries(&args.assignment_filters))
        .scope_tags(entries(&args.scope_tags))
}

/// The `key=value` lines for scripts, `base_url=` first, flushed at once.
fn print_lines(running: &RunningEmulator) -> io::Result<()> {
    let lines = [
        ("base_url", running.base_url().to_string()),
        ("token", running.token().to_owned()),
        ("tenant_id", DEFAULT_TENANT_ID.to_owned()),
        ("client_id", running.client_id().to_owned()),
        ("client_secret", running.client_secret().to_owned()),
        ("authority_host", running.origin().to_string()),
    ];
    let mut stdout = io::stdout().lock();
    lines.iter().try_for_each(|(key, value)| writeln!(stdout, "{key}={value}"))?;
    stdout.flush()
}

/// What stderr says once the emulator listens: its features and how to use it.
fn banner(args: &EmulatorArgs, running: &RunningEmulator) -> String {
    let mut features = Vec::new();
    if let Some(rate) = args.fault_rate {
        features.push(format!("faults at rate {rate} (seed {})", args.seed));
    }
    if args.quota {
        features.push(format!(
            "Intune quota, {:?} windows",
            QuotaConfig::scaled(args.time_scale.unwrap_or(1.0)).window()
        ));
    }
    for (name, file) in [
        ("group", &args.groups),
        ("assignment filter", &args.assignment_filters),
        ("scope tag", &args.scope_tags),
    ] {
        if let Some(file) = file {
            features.push(format!("{} {name}(s)", file.0.len()));
        }
    }
    let base_url = running.base_url();
    format!(
        "Graph emulator at {base_url}{}; Ctrl-C to stop.\n\
         Use it with a static token:  intune --base-url {base_url} --token {} list\n\
         or client credentials:       AZURE_TENANT_ID={DEFAULT_TENANT_ID} AZURE_CLIENT_ID={} \
         AZURE_CLIENT_SECRET={} AZURE_AUTHORITY_HOST={} intune --base-url {base_url} list",
        if features.is_empty() { String::new() } else { format!(" with {}", features.join(", ")) },
        running.token(),
        running.client_id(),
        running.client_secret(),
        running.origin(),
    )
}

/// The line stderr gets when the emulator stops.
fn summary(state: &EmulatorState) -> String {
    format!(
        "stopped: {} request(s) served, {} token(s) issued, {} fault(s) injected, {} throttled, {} object(s) held",
        state.requests(),
        state.tokens_issued(),
        state.faults_injected(),
        state.throttled(),
        state.len()
    )
}

/// Ctrl-C, or SIGTERM on Unix. Handlers are installed when this is created, so a signal
/// that arrives right after the `base_url=` line is printed is not lost (it would otherwise
/// kill the process with the default action).
struct StopSignals {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals =
                signal(SignalKind::interrupt()).and_then(|i| Ok((i, signal(SignalKind::terminate())?)));
            StopSignals { signals: signals.ok() }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut interrupt, mut terminate)) = self.signals {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
