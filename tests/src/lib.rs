//! Shared helpers of the end-to-end tests: fixed credentials and builders, a private CA, raw
//! TCP servers that misbehave on purpose, a recording transport, and a log buffer.
//!
//! Helpers panic on set-up failures (a port that cannot be bound, a certificate that cannot be
//! made): they exist only to serve tests, where a panic is the right report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![warn(missing_docs)]

pub mod fixtures;
pub mod logs;
pub mod pki;
pub mod raw_server;
pub mod recording;

pub use fixtures::*;
pub use logs::{CaptureGuard, LogBuffer};
pub use pki::TestPki;
pub use raw_server::{RawServer, Script};
pub use recording::{Exchange, RecordingTransport};
