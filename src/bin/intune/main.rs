//! `intune`: a command-line client for Intune device configurations on Graph beta.
//!
//! ```sh
//! cargo install --path . --features cli
//! intune list --all                       # embedded emulator
//! intune --output json get <id>
//! intune create profile.json
//! intune update <id> changes.json
//! intune assign <id> --group <g1> --exclude-group <g2>
//! intune emulator --addr 127.0.0.1:8080   # a Graph to point at
//! intune check profile.json               # offline, no client
//! intune export DIR; intune plan DIR; intune apply DIR   # configuration as code
//! ```
//!
//! Where requests go (global options, before or after the subcommand):
//! - `--base-url URL` (`GRAPH_BASE_URL`) with `--token TOKEN` (`GRAPH_TOKEN`);
//! - else `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` (optional
//!   `AZURE_AUTHORITY_HOST`, `--cloud`/`GRAPH_CLOUD`), at `--base-url` when given;
//! - else an embedded emulator started in this process (said so on stderr).
//!
//! Every retry is reported on stderr as it happens (what failed, attempt n of m, the wait);
//! `-v/--verbose` adds the client's tracing (calls and attempts), and `RUST_LOG` (e.g.
//! `intune_graph=debug`) selects the events instead.
//!
//! Exit codes: 0 success; 1 refused (validation or the service) or failed (including a
//! create the service accepted whose answer could not be read: check before retrying);
//! 2 usage, input or decode error; 3 `plan` found changes.
// Every module of the command is private: its items say `pub(crate)`, never a bare `pub`.
#![warn(unreachable_pub)]

/// The value of a step that returns `Result<T, Outcome>`, or the end of the command with
/// the step's outcome (its reason is already on stderr). Defined before the modules that
/// use it.
macro_rules! or_return {
    ($step:expr) => {
        match $step {
            Ok(value) => value,
            Err(outcome) => return outcome,
        }
    };
}

mod assign;
mod check;
mod completions;
mod context;
mod create;
mod delete;
mod emulator;
mod get;
mod iac;
mod input;
mod link_root;
mod list;
mod output;
mod progress;
mod tenants;
mod update;
mod verbose;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Command-line client for Intune device configurations (Microsoft Graph beta).
///
/// Without a base URL or credentials, commands act on an embedded emulator (an empty,
/// in-memory Graph that lives as long as the command).
#[derive(Parser, Debug)]
#[command(name = "intune", version)]
struct Cli {
    #[command(flatten)]
    global: context::GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Decode a deviceConfiguration JSON file and print what the crate writes back.
    Check(check::CheckArgs),
    /// Read one device configuration.
    Get(context::IdArgs),
    /// List device configurations (one page, or every page with --all).
    List(list::ListArgs),
    /// Create a device configuration from a JSON file.
    Create(create::CreateArgs),
    /// Change properties of a device configuration (PATCH).
    Update(update::UpdateArgs),
    /// Delete a device configuration.
    Delete(context::IdArgs),
    /// Set the assignments of a device configuration (replaces the whole set).
    Assign(assign::AssignArgs),
    /// Link a trusted root certificate profile to an iOS SCEP profile.
    LinkRoot(link_root::LinkRootArgs),
    /// Run the Graph emulator in the foreground until Ctrl-C.
    Emulator(emulator::EmulatorArgs),
    /// Write the tenant's device configurations to a folder, one file per object.
    Export(iac::ExportArgs),
    /// Show what apply would change to bring the tenant to a folder (exit 3: changes).
    Plan(iac::PlanCommand),
    /// Bring the tenant to a folder (or run a saved plan): roots, certificate profiles, the
    /// profiles that use them, assignments; every write checked and read back (asks first).
    ///
    /// Progress: bars on a terminal; with stdout piped, one JSON event per line on stdout
    /// (stderr keeps warnings and the summary); with `--output table` off a terminal, one line
    /// per object on stderr.
    Apply(iac::ApplyArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
}

/// How a command ended, mapped to the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: validation or the service refused, or the call failed.
    Refused,
    /// Exit 2: usage, input or decode error.
    BadInput,
    /// Exit 3: `plan` found changes (or conflicts) to apply.
    Changes,
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
    verbose::init(cli.global.verbose);
    let outcome = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Completions(args) => completions::run(&args, &mut Cli::command()),
        Command::Emulator(args) => match runtime(true) {
            Ok(rt) => rt.block_on(emulator::run(args)),
            Err(outcome) => outcome,
        },
        command => match runtime(false) {
            Ok(rt) => rt.block_on(run_client_command(cli.global, command)),
            Err(outcome) => outcome,
        },
    };
    match outcome {
        Outcome::Success => ExitCode::SUCCESS,
        Outcome::Refused => ExitCode::from(1),
        Outcome::BadInput => ExitCode::from(2),
        Outcome::Changes => ExitCode::from(3),
    }
}

/// The commands that talk to Graph (or to the embedded emulator).
async fn run_client_command(global: context::GlobalArgs, command: Command) -> Outcome {
    match command {
        Command::Get(args) => get::run(&global, args).await,
        Command::List(args) => list::run(&global, args).await,
        Command::Create(args) => create::run(&global, args).await,
        Command::Update(args) => update::run(&global, args).await,
        Command::Delete(args) => delete::run(&global, args).await,
        Command::Assign(args) => assign::run(&global, args).await,
        Command::LinkRoot(args) => link_root::run(&global, args).await,
        Command::Export(args) => iac::export(&global, args).await,
        Command::Plan(args) => iac::plan(&global, args).await,
        Command::Apply(args) => iac::apply(&global, args).await,
        Command::Check(_) | Command::Emulator(_) | Command::Completions(_) => unreachable!("handled in main"),
    }
}

/// A multi-threaded runtime for the emulator (it serves concurrent clients), a
/// current-thread one for a single command (the embedded emulator runs on it too).
fn runtime(multi_thread: bool) -> Result<tokio::runtime::Runtime, Outcome> {
    let mut builder = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all().build().map_err(|e| {
        eprintln!("error: cannot start the async runtime: {e}");
        Outcome::Refused
    })
}
