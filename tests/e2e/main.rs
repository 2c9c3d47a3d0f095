//! End-to-end tests across crates, over real sockets: the client, the transport and the
//! emulator (or a hand-written server) talking over loopback TCP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod family;
mod faults;
mod hostile;
mod hostile_props;
mod listing;
mod malformed;
mod secrets;
mod throttling;
mod timeouts;
mod tls;
