//! End-to-end tests of the emulator over real sockets, signed like the official SDKs sign.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(unreachable_pub)]

mod auth;
#[cfg(feature = "cli")]
mod binary;
mod common;
mod concurrency;
mod faults;
mod identity;
mod lifecycle;
mod python_identity;
mod python_sdk;
mod rate_limit;
mod routes;
mod task_queries;
#[cfg(feature = "tls")]
mod tls;
mod versions;
