//! `cargo xtask test`: every test of the workspace, with whatever the tests need set up first.

use std::process::Command;

use anyhow::{Result, bail};

use crate::venv;

/// Features that only tests and test helpers need, enabled for the whole run.
const TEST_FEATURES: &[&str] = &[];

/// Runs all unit, integration and doc tests of the workspace.
pub(crate) fn run(root: &std::path::Path, extra: &[&str]) -> Result<()> {
    let python = venv::ensure(root)?;
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cargo.args(["test", "--workspace", "--locked"]);
    if !TEST_FEATURES.is_empty() {
        cargo.args(["--features", &TEST_FEATURES.join(",")]);
    }
    cargo.args(extra);
    cargo.env(venv::PYTHON_ENV, &python);
    eprintln!("running {cargo:?}");
    let status = cargo.status()?;
    if !status.success() {
        bail!("tests failed ({status})");
    }
    Ok(())
}
