//! `StartError`: why an emulator could not start.

use std::io;
use std::net::SocketAddr;

use crate::faults::InvalidFaultConfig;
use crate::rate_limit::InvalidRateLimit;

/// Why [`EmulatorBuilder::start`](crate::EmulatorBuilder::start) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The address could not be bound.
    #[error(
        "cannot listen on {addr}: {source}; choose another port (0 picks a free one) or stop whatever uses it"
    )]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The fault configuration is invalid.
    #[error(transparent)]
    InvalidFaults(#[from] InvalidFaultConfig),
    /// The rate limit, or a step of its schedule, is invalid.
    #[error(transparent)]
    InvalidRateLimit(#[from] InvalidRateLimit),
    /// The emulator's own runtime, or its listener, could not be set up.
    #[error("cannot set up the emulator's runtime: {0}")]
    Runtime(#[source] io::Error),
}
