//! The global options and the client they configure: an explicit endpoint and token, the
//! Azure environment variables, or an embedded emulator.

use std::time::Duration;

use clap::Args;
use intune_graph::{
    GraphClient, RateLimit,
    auth::{EnvironmentCredential, Secret},
    cloud::NationalCloud,
    emulator::{Emulator, RunningEmulator},
};

use crate::{Outcome, output::Format};

/// The argument of the commands on one device configuration (`get`, `delete`).
#[derive(Args, Debug)]
pub(crate) struct IdArgs {
    /// The device configuration's id.
    pub(crate) id: String,
}

/// Options of every command, before or after the subcommand (`global`).
#[derive(Args, Debug)]
pub(crate) struct GlobalArgs {
    /// Graph base URL, e.g. https://graph.microsoft.com/beta or an emulator's
    /// http://127.0.0.1:PORT/beta (needs --token or the AZURE_* variables).
    #[arg(long, env = "GRAPH_BASE_URL", value_name = "URL", global = true)]
    pub base_url: Option<String>,
    /// Bearer token sent to the base URL (never printed); a pasted `Bearer ` prefix is
    /// dropped.
    #[arg(
        long,
        env = "GRAPH_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true,
        value_parser = parse_secret,
        global = true
    )]
    pub token: Option<Secret>,
    /// National cloud for the AZURE_* credentials and the default base URL:
    /// global, usgov, usgov-dod or china.
    #[arg(long, env = "GRAPH_CLOUD", value_name = "CLOUD", global = true)]
    pub cloud: Option<NationalCloud>,
    /// Output format: `table` for people (type, id, name, modified), `json` for scripts
    /// (the objects as decoded, re-encoded losslessly). Default: table on a terminal,
    /// json otherwise.
    #[arg(long, value_enum, value_name = "FORMAT", global = true)]
    pub output: Option<Format>,
    /// Print the client's tracing (calls, attempts, waits) on stderr; `RUST_LOG` (e.g.
    /// `intune_graph=debug`) selects events more finely. Tokens are never printed.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// The client's limit on writes: `N/SECONDS`, at most N creates, updates, deletes and
    /// assignments in any SECONDS (e.g. `20/20` to leave most of Intune's 100 writes per
    /// 20 s to other tools), or `off`. Default: 95/20, just under Intune's limit.
    #[arg(long, env = "GRAPH_WRITE_RATE", value_name = "N/SECONDS", value_parser = parse_write_rate, global = true)]
    pub write_rate: Option<WriteRate>,
}

/// What `--write-rate` asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum WriteRate {
    /// No client-side limit.
    Off,
    /// At most this many writes per window.
    Limit(RateLimit),
}

/// `off`, or `N/SECONDS` with N a whole number of at least 1 and SECONDS above 0 (at most a
/// day).
fn parse_write_rate(value: &str) -> Result<WriteRate, String> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("off") {
        return Ok(WriteRate::Off);
    }
    let (count, seconds) =
        value.split_once('/').ok_or_else(|| format!("{value:?}: expected N/SECONDS (e.g. 95/20) or off"))?;
    let count: u32 = count
        .trim()
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| format!("{value:?}: N must be a whole number of at least 1"))?;
    let seconds: f64 = seconds
        .trim()
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
        .ok_or_else(|| format!("{value:?}: SECONDS must be a number above 0 and at most 86400"))?;
    Ok(WriteRate::Limit(RateLimit::new(count, Duration::from_secs_f64(seconds))))
}

/// The token, without the `Bearer ` that people paste along with it from a header.
fn parse_secret(value: &str) -> Result<Secret, String> {
    let value = value.trim();
    let token = match value.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim_start(),
        _ => value,
    };
    Ok(Secret::new(token))
}

impl GlobalArgs {
    /// The output format asked for, or the default for where stdout goes.
    pub(crate) fn format(&self) -> Format {
        self.output.unwrap_or_else(Format::for_stdout)
    }
}

/// A client ready to use, and the embedded emulator behind it when there is one.
pub(crate) struct Context {
    pub client: GraphClient,
    pub format: Format,
    /// What the client holds that must never be printed or written (its bearer token, its
    /// client secret): data a server sends back is scrubbed of them.
    pub secrets: Vec<Secret>,
    /// Kept alive for as long as the command runs.
    _emulator: Option<RunningEmulator>,
}

/// The Azure variables that select the client-credentials flow.
const AZURE_VARS: [&str; 3] = [
    EnvironmentCredential::TENANT_ID,
    EnvironmentCredential::CLIENT_ID,
    EnvironmentCredential::CLIENT_SECRET,
];

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.to_string_lossy().trim().is_empty())
}

/// Builds the client from the global options; on failure the reason is already on stderr.
pub(crate) async fn connect(global: &GlobalArgs) -> Result<Context, Outcome> {
    let base_url = global.base_url.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let token = global.token.clone().filter(|t| !t.is_empty());
    let azure = AZURE_VARS.iter().any(|name| env_set(name));
    let cloud = global.cloud;
    let builder = GraphClient::builder().user_agent(concat!("intune-cli/", env!("CARGO_PKG_VERSION")));
    let builder = match global.write_rate {
        None => builder,
        Some(WriteRate::Off) => builder.write_rate_limit(None),
        Some(WriteRate::Limit(limit)) => builder.write_rate_limit(Some(limit)),
    };

    let mut secrets = Vec::new();
    let (builder, emulator) = if let Some(token) = token {
        secrets.push(token.clone());
        let builder = builder.bearer_token(token);
        (with_endpoint(builder, base_url, cloud), None)
    } else if azure {
        let credential = match EnvironmentCredential::from_env() {
            Ok(credential) => credential,
            Err(e) => {
                eprintln!("error: {e}");
                return Err(Outcome::BadInput);
            }
        };
        if let Some(secret) = std::env::var_os(EnvironmentCredential::CLIENT_SECRET) {
            secrets.push(Secret::new(secret.to_string_lossy()));
        }
        // An explicit authority (e.g. an emulator's) wins over the cloud's.
        let credential = match cloud {
            Some(cloud) if !env_set(EnvironmentCredential::AUTHORITY_HOST) => credential.with_cloud(cloud),
            _ => credential,
        };
        (with_endpoint(builder.credential(credential), base_url, cloud), None)
    } else if base_url.is_some() {
        eprintln!(
            "error: --base-url (GRAPH_BASE_URL) needs a credential: --token (GRAPH_TOKEN), or \
             AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET"
        );
        return Err(Outcome::BadInput);
    } else {
        let emulator = match Emulator::new().start().await {
            Ok(emulator) => emulator,
            Err(e) => {
                eprintln!("error: cannot start the embedded emulator: {e}");
                return Err(Outcome::Refused);
            }
        };
        eprintln!(
            "note: no base URL or credentials configured: using an embedded emulator at {} \
             (empty, in memory, gone when the command ends)",
            emulator.base_url()
        );
        secrets.push(Secret::new(emulator.token()));
        let builder = builder.base_url(emulator.base_url().as_str()).bearer_token(emulator.token());
        (builder, Some(emulator))
    };

    match builder.build() {
        Ok(client) => Ok(Context { client, format: global.format(), secrets, _emulator: emulator }),
        Err(e) => {
            eprintln!("error: {e}");
            Err(Outcome::BadInput)
        }
    }
}

fn with_endpoint(
    builder: intune_graph::GraphClientBuilder,
    base_url: Option<String>,
    cloud: Option<NationalCloud>,
) -> intune_graph::GraphClientBuilder {
    match (base_url, cloud) {
        (Some(url), _) => builder.base_url(url),
        (None, Some(cloud)) => builder.cloud(cloud),
        (None, None) => builder,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_rates_read_as_a_count_per_seconds_or_off() {
        let limit = |n, ms| Ok(WriteRate::Limit(RateLimit::new(n, Duration::from_millis(ms))));
        assert_eq!(parse_write_rate("95/20"), limit(95, 20_000));
        assert_eq!(parse_write_rate(" 1 / 0.5 "), limit(1, 500));
        assert_eq!(parse_write_rate("OFF"), Ok(WriteRate::Off));
        for bad in
            ["", "fast", "95", "0/20", "-1/20", "1.5/20", "95/0", "95/-1", "95/inf", "95/NaN", "95/86401"]
        {
            let error = parse_write_rate(bad).unwrap_err();
            assert!(error.starts_with(&format!("{:?}: ", bad.trim())), "{error}");
        }
    }
}
