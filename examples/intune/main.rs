//! `intune`: a command-line client for Intune device configurations on Graph beta.
//!
//! ```sh
//! cargo run --example intune -- check profile.json
//! cargo run --example intune -- check --as create - < profile.json
//! ```
//!
//! Exit codes: 0 success; 1 refused (validation or the service); 2 usage or decode error.

mod check;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Command-line client for Intune device configurations (Microsoft Graph beta).
#[derive(Parser, Debug)]
#[command(name = "intune", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Decode a deviceConfiguration JSON file and print what the crate writes back.
    Check(check::CheckArgs),
}

/// How a command ended, mapped to the process exit code.
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: validation or the service refused.
    Refused,
    /// Exit 2: usage, input or decode error.
    BadInput,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let outcome = match cli.command {
        Command::Check(args) => check::run(&args),
    };
    match outcome {
        Outcome::Success => ExitCode::SUCCESS,
        Outcome::Refused => ExitCode::from(1),
        Outcome::BadInput => ExitCode::from(2),
    }
}
