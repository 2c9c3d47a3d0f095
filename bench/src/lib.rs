//! Benchmark programs, driven by `cargo xtask bench`.
//!
//! Each binary takes `--name value` flags, does one measured job, and prints one JSON line on
//! stdout for the harness (`xtask/src/bench/`) to read. They are not tests: they never fail on
//! a number, only when the job itself cannot be done.
//!
//! - `bench-ids`: the ids the emulator seeds, one per line.
//! - `bench-seq-delete`: deletes ids one by one through the SDK's `Client` (HyperTransport,
//!   AK/SK signing), sequentially.
//! - `bench-transport`: `HyperTransport` against a bare hyper http1 connection, on one server.

use std::collections::HashMap;
use std::fmt;
use std::io::Write as _;

/// A failure of a benchmark program: a message for stderr.
#[derive(Debug)]
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for Failure {
    fn from(error: E) -> Self {
        Self(error.to_string())
    }
}

/// `--name value` flags.
#[derive(Debug, Default)]
pub struct Flags {
    values: HashMap<String, String>,
}

impl Flags {
    /// Reads the process's flags: every argument must be `--name value`.
    pub fn from_env() -> Result<Self, Failure> {
        let mut values = HashMap::new();
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(Failure(format!(
                    "unexpected argument {arg:?}: flags are --name value"
                )));
            };
            let value = args
                .next()
                .ok_or_else(|| Failure(format!("--{name} needs a value")))?;
            values.insert(name.to_owned(), value);
        }
        Ok(Self { values })
    }

    /// A required flag.
    pub fn required(&self, name: &str) -> Result<&str, Failure> {
        self.values
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| Failure(format!("missing --{name}")))
    }

    /// An optional flag parsed as `T`, or `default`.
    pub fn parsed<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, Failure> {
        match self.values.get(name) {
            None => Ok(default),
            Some(text) => text
                .parse()
                .map_err(|_| Failure(format!("--{name} {text:?} is not valid"))),
        }
    }
}

/// Prints one JSON line on stdout.
pub fn print_json(value: &serde_json::Value) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{value}")?;
    stdout.flush()?;
    Ok(())
}

/// Runs `job`, printing its failure on stderr with the program's name; the exit code says how it went.
pub fn main_with(name: &str, job: impl FnOnce() -> Result<(), Failure>) -> std::process::ExitCode {
    match job() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(failure) => {
            let _ = writeln!(std::io::stderr(), "{name}: {failure}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// CPU time of the calling thread so far (Linux `/proc/thread-self/schedstat`), in nanoseconds.
pub fn thread_cpu_ns() -> Option<u64> {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    schedstat.split_whitespace().next()?.parse().ok()
}

/// CPU time of this whole process so far, in seconds: the sum of its live threads'
/// `/proc/self/task/*/schedstat` (nanosecond resolution, Linux).
pub fn process_cpu_seconds() -> Option<f64> {
    let mut total_ns = 0_u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path().join("schedstat");
        if let Ok(text) = std::fs::read_to_string(path) {
            total_ns += text.split_whitespace().next()?.parse::<u64>().ok()?;
        }
    }
    Some(total_ns as f64 / 1e9)
}
