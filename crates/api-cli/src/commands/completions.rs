//! `completions`: the shell's completion script on stdout, and where to put it on stderr.

use std::{
    io::{self, IsTerminal, Write},
    process::ExitCode,
};

use clap::CommandFactory;
use clap_complete::Shell;

use crate::{cli::Cli, error::CliError};

/// Writes the completion script for `shell` to stdout. On a terminal, also says on stderr how
/// to install it (`completions --help` lists every shell).
pub fn run(shell: Shell) -> Result<ExitCode, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "processor-tasks", &mut script);
    let mut stdout = io::stdout().lock();
    stdout.write_all(&script)?;
    stdout.flush()?;
    if io::stdout().is_terminal() {
        crate::note!(
            "\nthis is the completion script: redirect it to a file your shell reads; \
             `processor-tasks completions --help` says where"
        );
    }
    Ok(ExitCode::SUCCESS)
}
