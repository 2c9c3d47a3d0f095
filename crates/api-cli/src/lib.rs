//! The `processor-tasks` command-line tool: find and delete ModelArts processing tasks safely
//! and quickly.
//!
//! The binary is a thin shell over this library, so that the batching logic can be tested
//! with a mock of the client (`api_client::MockProcessorTasks`, feature `mock`).
#![warn(missing_docs)]
// A command-line tool prints its results: the workspace lint against stdout is for libraries.
#![allow(clippy::print_stdout)]
// Doc comments of the clap types are the --help text, where bare URLs read best.
#![allow(rustdoc::bare_urls)]

pub mod batch;
pub mod cli;
pub mod commands;
pub mod config;
pub mod confirm;
pub mod error;
pub mod filter;
pub mod ids;
pub mod pacing;
pub mod report;
pub mod table;

use std::process::ExitCode;

use clap::CommandFactory;

use crate::{
    cli::{Cli, Command},
    error::CliError,
};

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match &cli.command {
        Command::Delete(args) if args.where_filter => {
            commands::delete_where::run(&cli.global, args).await
        }
        Command::Delete(args) => commands::delete::run(&cli.global, args).await,
        Command::List(args) => commands::list::run(&cli.global, args).await,
        Command::Show(args) => commands::show::run(&cli.global, args).await,
        Command::Demo(args) => commands::demo::run(&cli.global, args).await,
        Command::Emulator(args) => commands::emulator::run(args).await,
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "processor-tasks",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
