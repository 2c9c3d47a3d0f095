//! The subcommands.

pub mod completions;
pub mod config;
pub mod delete;
pub mod delete_where;
#[cfg(feature = "emulator")]
pub mod demo;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod list;
pub mod show;
