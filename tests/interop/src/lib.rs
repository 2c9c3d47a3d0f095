//! Helpers of the interop and conformance tests: finding the venv's Python and running the
//! scripts of `tests/interop/python/` with a time limit.
//!
//! The tests need `PROCESSOR_TASKS_PYTHON`, the interpreter of the venv that `cargo xtask test`
//! creates at `target/interop-venv` from `tests/interop/requirements.txt` (the official SDK
//! core, `huaweicloudsdkcore`, and `schemathesis`, both pinned). Without it they fail with a
//! message saying so; they never pass silently.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The environment variable naming the venv's Python.
pub const PYTHON_ENV: &str = "PROCESSOR_TASKS_PYTHON";

/// The environment variables that would send loopback traffic through a proxy.
const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The interpreter named by [`PYTHON_ENV`], or an error telling how to get one.
///
/// # Errors
///
/// When the variable is unset or empty: run the tests with `cargo xtask test`.
pub fn python() -> Result<PathBuf, String> {
    match std::env::var_os(PYTHON_ENV) {
        Some(python) if !python.is_empty() => Ok(PathBuf::from(python)),
        _ => Err(format!(
            "{PYTHON_ENV} is not set: this test runs the official Python SDK \
             (huaweicloudsdkcore) or schemathesis, pinned in tests/interop/requirements.txt. \
             Run the tests with `cargo xtask test`, which creates the venv at \
             target/interop-venv and sets {PYTHON_ENV}; or install the requirements into a venv \
             and set {PYTHON_ENV}=<venv>/bin/python yourself"
        )),
    }
}

/// The directory of this crate (`tests/interop`).
#[must_use]
pub fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root.
#[must_use]
pub fn workspace_root() -> PathBuf {
    crate_dir()
        .ancestors()
        .nth(2)
        .map_or_else(|| crate_dir().to_path_buf(), Path::to_path_buf)
}

/// A script of `tests/interop/python/`.
#[must_use]
pub fn script(name: &str) -> PathBuf {
    crate_dir().join("python").join(name)
}

/// A command running `python`, with no proxy for loopback and no stdin.
#[must_use]
pub fn python_command(python: &Path) -> Command {
    let mut command = Command::new(python);
    command
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::null());
    for name in PROXY_VARIABLES {
        command.env_remove(name);
    }
    command
}

/// Runs `command` to completion, killing it after `limit`.
///
/// # Errors
///
/// When it cannot start, or runs longer than `limit` (then it is killed and the error holds
/// what it had printed).
pub fn run_with_timeout(command: &mut Command, limit: Duration) -> Result<Output, String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    // Drain both pipes on threads, so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        if let Some(pipe) = stdout.as_mut() {
            let _ = pipe.read_to_end(&mut buffer);
        }
        buffer
    });
    let err = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        if let Some(pipe) = stderr.as_mut() {
            let _ = pipe.read_to_end(&mut buffer);
        }
        buffer
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("cannot wait for {command:?}: {e}")),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    match status {
        Ok(status) => Ok(Output {
            status,
            stdout,
            stderr,
        }),
        Err(()) => Err(format!(
            "{command:?} ran over {limit:?} and was killed\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        )),
    }
}

/// Runs `command` and parses its stdout as JSON.
///
/// # Errors
///
/// When it fails, times out, exits non-zero or prints no JSON; the error holds its output.
pub fn run_json(command: &mut Command, limit: Duration) -> Result<serde_json::Value, String> {
    let output = run_with_timeout(command, limit)?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("{command:?} failed ({}):\n{stderr}", output.status));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "{command:?} printed no JSON ({e}):\n{}\nstderr:\n{stderr}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}
