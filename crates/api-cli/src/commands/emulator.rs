//! `emulator`: serve the emulator standalone until SIGINT or SIGTERM.

use std::{io::Write, process::ExitCode};

use crate::{cli::Output, error::CliError, interrupt::Interrupts, records};

/// Runs `emulator`: prints its banner (with `--output json`, one JSON line a test harness can
/// read: `{"kind": "emulator", "url": …}`), serves until SIGINT or SIGTERM, then shuts down
/// gracefully (exit 0).
pub async fn run(
    args: &api_emulator::EmulatorArgs,
    output: Output,
    interrupts: &Interrupts,
) -> Result<ExitCode, CliError> {
    let emulator = args
        .builder()
        .map_err(|e| CliError::Usage(e.to_string()))?
        .start()
        .await
        .map_err(|e| CliError::Failed(format!("cannot start the emulator: {e}")))?;
    let banner = match output {
        Output::Json => records::emulator_ready(
            &emulator.endpoint(),
            &args.project(),
            args.uses_demo_credentials(),
            args.seed,
        )
        .to_string(),
        Output::Text | Output::Table => args.banner(&emulator),
    };
    let mut out = std::io::stdout().lock();
    // A harness that reads the banner and closes the pipe is fine: the emulator serves on.
    let _ = writeln!(out, "{banner}").and_then(|()| out.flush());
    drop(out);
    let cause = interrupts.stopped().await;
    crate::note!("stopping ({cause})");
    emulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
