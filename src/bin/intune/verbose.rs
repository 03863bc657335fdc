//! What the command prints of the client's tracing on stderr: by default the retry
//! reports only; with `-v` every call and attempt; `RUST_LOG` overrides both.

use tracing_subscriber::{EnvFilter, fmt::format::FmtSpan};

/// The retry reports (one line per retry) and "already gone after retry".
const DEFAULT_FILTER: &str = "intune_graph::retry=info";
/// Calls, attempts, waits and retry decisions.
const VERBOSE_FILTER: &str = "intune_graph=debug";

/// Installs the stderr subscriber.
pub fn init(verbose: bool) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => EnvFilter::new(directives),
        _ => EnvFilter::new(if verbose { VERBOSE_FILTER } else { DEFAULT_FILTER }),
    };
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).without_time();
    // A plain line for the default reports; levels, targets and a line per finished call
    // and attempt once more is asked for.
    let installed = if verbose || std::env::var_os("RUST_LOG").is_some() {
        builder.with_span_events(FmtSpan::CLOSE).try_init()
    } else {
        builder.with_target(false).with_level(false).try_init()
    };
    if let Err(e) = installed {
        eprintln!("warning: cannot report retries on stderr: {e}");
    }
}
