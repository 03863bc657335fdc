//! `intune completions SHELL`: the shell's completion script on stdout.

use clap::Args;
use clap_complete::Shell;

use crate::Outcome;

#[derive(Args, Debug)]
pub(crate) struct CompletionsArgs {
    /// bash, zsh, fish, powershell or elvish.
    shell: Shell,
}

pub(crate) fn run(args: &CompletionsArgs, command: &mut clap::Command) -> Outcome {
    clap_complete::generate(args.shell, command, "intune", &mut std::io::stdout());
    Outcome::Success
}
