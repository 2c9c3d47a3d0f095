//! `cargo xtask test`: every test of the workspace, with whatever the tests need set up first.

use std::{path::Path, process::Command};

use anyhow::{Result, bail};

use crate::venv;

/// Features that only tests need, enabled for the whole workspace run.
const TEST_FEATURES: &[&str] = &[
    "modelarts-processor-tasks-transport/tower",
    "modelarts-processor-tasks-transport/test-util",
    "modelarts-processor-tasks-transport/mock",
];

/// Runs all unit, integration and doc tests of the workspace; then, because features unify
/// across a workspace build, the crates whose default features the first run cannot see.
pub(crate) fn run(root: &Path, extra: &[&str]) -> Result<()> {
    let python = venv::ensure(root)?;
    let mut all = cargo(&python);
    all.args([
        "test",
        "--workspace",
        "--features",
        &TEST_FEATURES.join(","),
    ])
    .args(extra);
    run_step(all)?;
    if extra.is_empty() {
        // api-auth on its own hashes with sha2/hmac; the workspace run enables ring.
        let mut auth_default = cargo(&python);
        auth_default.args([
            "test",
            "-p",
            "modelarts-processor-tasks-auth",
            "--lib",
            "--tests",
        ]);
        run_step(auth_default)?;
    }
    Ok(())
}

fn cargo(python: &Path) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.env(venv::PYTHON_ENV, python);
    command
}

fn run_step(mut command: Command) -> Result<()> {
    eprintln!("running {command:?}");
    let status = command.status()?;
    if !status.success() {
        bail!("tests failed ({status})");
    }
    Ok(())
}
