//! The `processor-tasks` command-line tool: find and delete ModelArts processing tasks safely
//! and quickly.
//!
//! The binary is a thin shell over this library, so that the batching logic can be tested
//! with a mock of the client (`api_client::MockProcessorTasks`, feature `mock`).
#![warn(missing_docs)]
// Output goes through writers whose errors are handled (a closed pipe is not a panic).
#![deny(clippy::print_stdout, clippy::print_stderr)]
// Doc comments of the clap types are the --help text, where bare URLs read best.
#![allow(rustdoc::bare_urls)]

/// Writes a line to stderr, for people. A stderr that is gone (`2>&1 | head`) is no reason to
/// fail, so write errors are ignored (`eprintln!` would panic).
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod batch;
pub mod cli;
pub mod commands;
pub mod config;
pub mod confirm;
pub mod duration;
pub mod error;
pub mod failed_to;
pub mod filter;
pub mod ids;
pub mod interrupt;
pub mod man;
pub mod pacing;
pub mod pipe;
pub mod records;
pub mod report;
pub mod resume;
pub mod sink;
pub mod table;
pub mod time;

use std::process::ExitCode;

use crate::{
    cli::{Cli, Command},
    error::CliError,
};

/// Runs a parsed command line. SIGINT and SIGTERM are the run's from here on: the first stops
/// it cleanly (exit 130 or 143), a second SIGINT stops waiting for what is in flight.
pub async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let interrupts = interrupt::Interrupts::install()?;
    let global = &cli.global;
    // Connection flags go before or after a command that calls the service.
    let client = |args: &cli::ClientArgs| cli.client.merged(args);
    if !matches!(
        cli.command,
        Command::Delete(_) | Command::List(_) | Command::Show(_) | Command::Config(_)
    ) && cli.client != cli::ClientArgs::default()
    {
        let emulator = if cfg!(feature = "emulator") {
            ", --emulator"
        } else {
            ""
        };
        return Err(CliError::Usage(format!(
            "connection flags (--endpoint, --region, --project-id, --ak{emulator}, …) go with \
             delete, list, show and config"
        )));
    }
    match &cli.command {
        Command::Delete(args) if args.where_filter => {
            commands::delete_where::run(global, &client(&args.client), args, &interrupts).await
        }
        Command::Delete(args) => {
            commands::delete::run(global, &client(&args.client), args, &interrupts).await
        }
        Command::List(args) => {
            commands::list::run(global, &client(&args.client), args, &interrupts).await
        }
        Command::Show(args) => {
            commands::show::run(global, &client(&args.client), args, &interrupts).await
        }
        Command::Config(args) => commands::config::run(global, &client(&args.client)).await,
        #[cfg(feature = "emulator")]
        Command::Demo(args) => commands::demo::run(global, args, &interrupts).await,
        #[cfg(feature = "emulator")]
        Command::Emulator(args) => commands::emulator::run(args, global.output, &interrupts).await,
        Command::Completions { shell } => commands::completions::run(*shell),
    }
}
