//! `emulator`: serve the emulator standalone until SIGINT or SIGTERM.

use std::{io::Write, process::ExitCode};

use crate::{error::CliError, interrupt::Interrupts};

/// Runs `emulator`: prints its banner, serves until SIGINT or SIGTERM, then shuts down
/// gracefully (exit 0).
pub async fn run(
    args: &api_emulator::EmulatorArgs,
    interrupts: &Interrupts,
) -> Result<ExitCode, CliError> {
    let emulator = args
        .builder()
        .map_err(|e| CliError::Usage(e.to_string()))?
        .start()
        .await
        .map_err(|e| CliError::Failed(format!("cannot start the emulator: {e}")))?;
    let mut out = std::io::stdout().lock();
    // A harness that reads the banner and closes the pipe is fine: the emulator serves on.
    let _ = writeln!(out, "{}", args.banner(&emulator)).and_then(|()| out.flush());
    drop(out);
    let cause = interrupts.stopped().await;
    crate::note!("stopping ({cause})");
    emulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
