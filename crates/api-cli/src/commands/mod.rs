//! The subcommands.

pub mod completions;
pub mod config;
pub mod delete;
pub mod delete_where;
pub mod demo;
pub mod emulator;
pub mod list;
pub mod show;
