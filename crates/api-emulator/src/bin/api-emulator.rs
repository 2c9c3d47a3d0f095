//! `api-emulator`: runs the ModelArts processor-tasks emulator standalone until Ctrl-C.

use std::io::Write;
use std::process::ExitCode;

use api_emulator::EmulatorArgs;
use clap::Parser;
use tracing_subscriber::EnvFilter;

/// A local emulator of the ModelArts processor-tasks API, for end-to-end tests.
///
/// Credentials are accepted only when given: --ak with --sk-file FILE, and --token-file FILE;
/// never from the environment or a secret as a flag. With none, the public demo credentials
/// are accepted; the banner shows them.
#[derive(Debug, Parser)]
#[command(name = "api-emulator", version)]
struct Cli {
    #[command(flatten)]
    emulator: EmulatorArgs,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("api-emulator")
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&format!("cannot start the Tokio runtime: {error}")),
    };
    match runtime.block_on(run(cli.emulator)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

async fn run(args: EmulatorArgs) -> Result<(), String> {
    let builder = args.builder().map_err(|error| error.to_string())?;
    let emulator = builder.start().await.map_err(|error| error.to_string())?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", args.banner(&emulator))
            .and_then(|()| stdout.flush())
            .map_err(|error| format!("cannot write to stdout: {error}"))?;
    }
    stop_signal().await?;
    emulator.shutdown().await;
    Ok(())
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn stop_signal() -> Result<(), String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())
            .map_err(|error| format!("cannot listen for SIGTERM: {error}"))?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.map_err(|error| format!("cannot listen for Ctrl-C: {error}")),
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .map_err(|error| format!("cannot listen for Ctrl-C: {error}"))
    }
}

fn fail(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "api-emulator: {message}");
    ExitCode::FAILURE
}
