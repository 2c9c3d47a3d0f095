//! `cargo xtask conformance [--max-examples N] [--seed S] [--time-limit SECS]`: schemathesis
//! against the emulator with spec/openapi.json.
//!
//! It runs the same test as `cargo xtask test` does (`tests/interop/tests/conformance.rs`,
//! which starts the emulator and runs schemathesis from the interop venv), with more examples
//! per phase: 500 by default instead of the test's 40.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::venv;

const USAGE: &str =
    "usage: cargo xtask conformance [--max-examples N] [--seed S] [--time-limit SECONDS]";

/// Runs the conformance test with the given number of examples.
pub(crate) fn run(root: &std::path::Path, args: &[&str]) -> Result<()> {
    let mut max_examples = "500".to_owned();
    let mut seed = "1".to_owned();
    let mut time_limit = "900".to_owned();
    let mut iter = args.iter();
    while let Some(&arg) = iter.next() {
        let slot = match arg {
            "--max-examples" => &mut max_examples,
            "--seed" => &mut seed,
            "--time-limit" => &mut time_limit,
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        };
        let value = iter.next().context(USAGE)?;
        if value.parse::<u64>().map_or(true, |v| v == 0) {
            bail!("{arg} {value}: not a positive integer");
        }
        *slot = (*value).to_owned();
    }
    let python = venv::ensure(root)?;
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cargo
        .current_dir(root)
        .args([
            "test",
            "--locked",
            "-p",
            "interop-tests",
            "--test",
            "conformance",
            "--",
            "--nocapture",
        ])
        .env(venv::PYTHON_ENV, &python)
        .env("CONFORMANCE_MAX_EXAMPLES", &max_examples)
        .env("CONFORMANCE_SEED", &seed)
        .env("CONFORMANCE_TIME_LIMIT_SECS", &time_limit);
    eprintln!(
        "schemathesis against the emulator: {max_examples} examples per phase, seed {seed}: {cargo:?}"
    );
    let status = cargo.status().context("cannot run cargo test")?;
    if !status.success() {
        bail!("the emulator does not conform to spec/openapi.json ({status}); see above");
    }
    Ok(())
}
