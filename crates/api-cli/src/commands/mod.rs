//! The subcommands.

pub mod delete;
pub mod demo;
pub mod emulator;
