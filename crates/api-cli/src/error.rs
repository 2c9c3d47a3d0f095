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
    /// A call to the service failed: exit 1.
    #[error("{message}")]
    Call {
        /// What happened, for people.
        message: String,
        /// The HTTP status the service answered, if it answered.
        http_status: Option<u16>,
        /// The service's error code, such as `ModelArts.4700`.
        code: Option<String>,
        /// The service's request id, to quote to support.
        request_id: Option<String>,
    },
    /// Reading input or writing output failed: exit 1.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl CliError {
    /// The process exit status: 2 for bad usage or input, 1 otherwise.
    pub fn exit_status(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Failed(_) | CliError::Call { .. } | CliError::Io(_) => 1,
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit_status())
    }
}

impl From<api_client::Error> for CliError {
    fn from(e: api_client::Error) -> Self {
        match e {
            // A setup that is wrong is bad usage (exit 2); a source of credentials that is
            // down for now (STS, IAM, metadata timing out) is a failure that may pass (exit 1).
            api_client::Error::InvalidInput(_) => CliError::Usage(for_people(&e.to_string())),
            api_client::Error::Credentials(ref c) if !c.is_transient() => {
                CliError::Usage(for_people(&e.to_string()))
            }
            other => CliError::Call {
                message: for_people(&other.to_string()),
                http_status: other.service_error().map(|s| s.status().as_u16()),
                code: other.code().map(|c| c.as_str().to_owned()),
                request_id: other.request_id().map(str::to_owned),
            },
        }
    }
}

/// The library's advice, in the CLI's words: the flags to use rather than the methods.
const IN_CLI_WORDS: [(&str, &str); 3] = [
    (
        "add a CA with add_root_certificate",
        "trust its CA with --ca-bundle FILE",
    ),
    (
        "add that CA with add_root_certificate",
        "trust that CA with --ca-bundle FILE",
    ),
    (
        "or call .allow_insecure_http(true) for a trusted network",
        "or give --allow-insecure-http for a trusted network",
    ),
];

/// An error message as a person at the command line should read it: hints that name library
/// methods name the CLI's flags instead.
pub fn for_people(message: &str) -> String {
    let mut text = message.to_owned();
    for (library, cli) in IN_CLI_WORDS {
        text = text.replace(library, cli);
    }
    text
}
