//! The Python venv that interop tests and benchmarks use: the official SDK, pinned.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result, bail};

/// Pinned requirements, relative to the workspace root.
const REQUIREMENTS: &str = "tests/interop/requirements.txt";
/// Where the venv lives, relative to the workspace root (inside `target/`, so `cargo clean` removes it).
const VENV_DIR: &str = "target/interop-venv";
/// The environment variable that tells tests which Python to run.
pub(crate) const PYTHON_ENV: &str = "PROCESSOR_TASKS_PYTHON";

/// Creates the venv if needed, installs the pinned requirements when they changed, and
/// returns the venv's Python.
pub(crate) fn ensure(root: &Path) -> Result<PathBuf> {
    let venv = root.join(VENV_DIR);
    let python = venv.join("bin").join("python");
    if !python.exists() {
        let system_python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        eprintln!(
            "creating the interop venv at {} with {system_python}",
            venv.display()
        );
        run(Command::new(&system_python).args(["-m", "venv"]).arg(&venv)).with_context(|| {
            format!("cannot create a venv with {system_python}: is python3 (with venv) installed?")
        })?;
    }
    let requirements = root.join(REQUIREMENTS);
    let wanted = std::fs::read_to_string(&requirements)
        .with_context(|| format!("cannot read {}", requirements.display()))?;
    let stamp = venv.join(".installed-requirements");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        eprintln!("installing {} into the interop venv", REQUIREMENTS);
        run(Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements))
        .context("cannot install the interop requirements from PyPI")?;
        std::fs::write(&stamp, wanted)?;
    }
    Ok(python)
}

fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot run {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}
