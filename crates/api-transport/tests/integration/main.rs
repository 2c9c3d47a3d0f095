//! Integration tests of api-transport against real loopback servers, one module per topic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub,
    dead_code
)]

mod common;
mod errors;
mod keep_alive;
#[cfg(feature = "mock")]
mod mock;
mod proxy;
#[cfg(feature = "test-util")]
mod replay;
mod tls;
#[cfg(feature = "tower")]
mod tower_adapter;
#[cfg(feature = "tower")]
mod tower_stack;
