//! What the benchmarks ran on, the load on it, and the system tools they need (wrk, GNU time).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The machine, as `/proc` and the tools describe it.
#[derive(Debug, Clone)]
pub(crate) struct Machine {
    pub(crate) cores: usize,
    pub(crate) cpu_model: String,
    pub(crate) sha_ni: bool,
    pub(crate) memory: String,
    pub(crate) kernel: String,
    pub(crate) rustc: String,
}

impl Machine {
    pub(crate) fn describe() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, model)| model.trim().to_owned())
            .unwrap_or_else(|| "unknown".to_owned());
        let sha_ni = cpuinfo
            .lines()
            .filter(|line| line.starts_with("flags"))
            .any(|line| line.split_whitespace().any(|flag| flag == "sha_ni"));
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|line| line.strip_prefix("MemTotal:"))
                    .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
            })
            .map(|kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0))
            .unwrap_or_else(|| "unknown".to_owned());
        Self {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            cpu_model,
            sha_ni,
            memory,
            kernel: first_line_of("uname", &["-r"]).unwrap_or_else(|| "unknown".to_owned()),
            rustc: first_line_of("rustc", &["--version"]).unwrap_or_else(|| "unknown".to_owned()),
        }
    }
}

/// The first line a command prints on stdout (or stderr), if it runs.
pub(crate) fn first_line_of(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let text = if output.stdout.is_empty() {
        output.stderr
    } else {
        output.stdout
    };
    String::from_utf8_lossy(&text)
        .lines()
        .next()
        .map(|line| line.trim().to_owned())
}

/// The 1, 5 and 15 minute load averages.
pub(crate) fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut parts = text.split_whitespace().map(|p| p.parse::<f64>().ok());
    Some([parts.next()??, parts.next()??, parts.next()??])
}

pub(crate) fn load_text() -> String {
    match load_average() {
        Some([a, b, c]) => format!("{a:.2} / {b:.2} / {c:.2}"),
        None => "unknown".to_owned(),
    }
}

/// Waits until the 1-minute load average is at most `max_load`, for at most `max_wait`.
/// Returns the load it ended with.
pub(crate) fn wait_for_quiet(max_load: f64, max_wait: Duration) -> String {
    let started = Instant::now();
    let mut told = false;
    while let Some([one, _, _]) = load_average() {
        if one <= max_load || started.elapsed() >= max_wait {
            break;
        }
        if !told {
            eprintln!(
                "bench: load average {one:.2} > {max_load}: waiting up to {}s for the machine to quieten",
                max_wait.as_secs()
            );
            told = true;
        }
        std::thread::sleep(Duration::from_secs(5));
    }
    load_text()
}

/// Makes sure `program` exists, installing the Debian package `package` with apt-get when it
/// does not (with `apt-get update` first if the plain install fails). Returns whether it is there.
pub(crate) fn ensure_debian_tool(program: &str, package: &str) -> bool {
    if which(program) {
        return true;
    }
    eprintln!("bench: {program} is missing: apt-get install -y {package}");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-q", package])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !install() {
        eprintln!("bench: the install failed: apt-get update, then again");
        let _ = Command::new("apt-get")
            .args(["update", "-q"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status();
        let _ = install();
    }
    which(program)
}

/// Whether `program` is on the PATH (or is an existing path).
pub(crate) fn which(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).exists();
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}
