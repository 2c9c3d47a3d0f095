//! `emulator`: serve the emulator standalone until Ctrl-C.

use std::process::ExitCode;

use crate::error::CliError;

/// Runs `emulator`.
pub async fn run(args: &api_emulator::EmulatorArgs) -> Result<ExitCode, CliError> {
    let emulator = args
        .builder()
        .map_err(|e| CliError::Usage(e.to_string()))?
        .start()
        .await
        .map_err(|e| CliError::Failed(format!("cannot start the emulator: {e}")))?;
    println!("{}", args.banner(&emulator));
    tokio::signal::ctrl_c().await?;
    eprintln!("stopping");
    emulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
