//! `processor-tasks`: parse the command line, set up logging, run, and exit with its code.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use api_cli::{cli::Cli, error::CliError};
use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            let shows = matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            );
            if !shows && api_cli::cli::asks_for_json(std::env::args_os()) {
                // Scripts read stdout: bad usage is a JSON object there too.
                use std::io::Write as _;
                let rendered = e.to_string();
                let first = rendered.lines().next().unwrap_or_default();
                let message = first.strip_prefix("error: ").unwrap_or(first).to_owned();
                let error = CliError::Usage(message);
                let mut out = std::io::stdout().lock();
                let _ =
                    writeln!(out, "{}", api_cli::records::error(&error)).and_then(|()| out.flush());
            }
            e.exit()
        }
    };
    let level = match cli.global.verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level)),
        )
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal: a log file or a pipe gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // One thread by default: measured on 2 cores, the bulk delete ran at 0.79 of wrk on one
    // thread against 0.62 on the multi-threaded scheduler (BENCHMARKS.md).
    let mut builder = match cli.global.threads {
        1 => tokio::runtime::Builder::new_current_thread(),
        n => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(usize::from(n));
            builder
        }
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            api_cli::note!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let json = cli.global.output == api_cli::cli::Output::Json;
    // Reading commands stop quietly when their reader has what it wanted (`list | head`); a
    // delete that cannot write its records says so by its exit code.
    let reads_only = matches!(
        cli.command,
        api_cli::cli::Command::List(_)
            | api_cli::cli::Command::Show(_)
            | api_cli::cli::Command::Config(_)
            | api_cli::cli::Command::Completions { .. }
    );
    let code = match runtime.block_on(api_cli::run(cli)) {
        Ok(code) => code,
        // The reader of stdout left (`list | head`): what it wanted, it got.
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            if reads_only {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(141)
            }
        }
        Err(e) => {
            api_cli::note!("error: {e}");
            if json {
                // Scripts read stdout: the failure is a JSON object there too.
                use std::io::Write as _;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{}", api_cli::records::error(&e)).and_then(|()| out.flush());
            }
            e.exit_code()
        }
    };
    // A prompt's reader thread may still be blocked on stdin after an interruption: do not
    // wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    code
}
