//! `CliError`: what ended a command early, and the exit code it gives.

use std::{io, process::ExitCode};

/// A command that could not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad usage or invalid input: exit 2, nothing was changed.
    #[error("{0}")]
    Usage(String),
    /// Something failed while running: exit 1.
    #[error("{0}")]
    Failed(String),
    /// Reading input or writing output failed: exit 1.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) => ExitCode::from(2),
            CliError::Failed(_) | CliError::Io(_) => ExitCode::from(1),
        }
    }
}

impl From<api_client::Error> for CliError {
    fn from(e: api_client::Error) -> Self {
        match e {
            api_client::Error::InvalidInput(_) | api_client::Error::Credentials(_) => {
                CliError::Usage(e.to_string())
            }
            other => CliError::Failed(other.to_string()),
        }
    }
}
