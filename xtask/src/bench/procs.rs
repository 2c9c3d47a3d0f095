//! The processes a benchmark starts: the standalone emulator, the measured programs, wrk.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

/// The bench-only credentials the emulator is started with (not secrets: loopback only).
pub(crate) const PROJECT_ID: &str = "a4a5d4098fb4474fa22cd05f897d6b99";
pub(crate) const AK: &str = "BENCHAKEXAMPLE000001";
pub(crate) const SK: &str = "bench-only-secret-key-not-a-real-one-0000";
pub(crate) const TOKEN: &str = "bench-only-token-not-a-real-one";

/// Removes proxy settings and sets `NO_PROXY` for loopback, so every client talks to the
/// emulator directly.
pub(crate) fn direct(command: &mut Command) -> &mut Command {
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        "HUAWEICLOUD_SDK_IAM_TOKEN",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN",
        "HUAWEICLOUD_SDK_PROJECT_ID",
        "HUAWEICLOUD_SDK_ENDPOINT",
        "HUAWEICLOUD_SDK_REGION",
        "RUST_LOG",
    ] {
        command.env_remove(name);
    }
    command
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
}

/// A command line as the report shows it: paths relative to the workspace root, the SK hidden.
#[derive(Debug, Clone)]
pub(crate) struct Shown(pub(crate) String);

impl Shown {
    pub(crate) fn of(root: &Path, env: &[(&str, &str)], program: &Path, args: &[String]) -> Self {
        let rel = |text: &str| {
            let root = format!("{}/", root.display());
            text.replace(&root, "")
        };
        let mut parts: Vec<String> = env
            .iter()
            .map(|(k, v)| {
                if k.ends_with("_SK") {
                    format!("{k}=<bench SK>")
                } else {
                    format!("{k}={v}")
                }
            })
            .collect();
        parts.push(rel(&program.display().to_string()));
        parts.extend(args.iter().map(|a| {
            let a = rel(a);
            if a.contains(' ') { format!("'{a}'") } else { a }
        }));
        Self(parts.join(" "))
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How an emulator is started.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmulatorConfig {
    /// Tasks seeded into [`PROJECT_ID`].
    pub(crate) seed: usize,
    /// Accept [`TOKEN`] as well as the AK/SK.
    pub(crate) token: bool,
}

/// A running `api-emulator` process, stopped on drop.
pub(crate) struct EmulatorProcess {
    child: Child,
    pub(crate) url: String,
    pub(crate) shown: Shown,
    /// The thread reading the emulator's reply log (see [`Self::start_logged`]).
    log: Option<std::thread::JoinHandle<Result<ReplyLog>>>,
}

/// One reply of the emulator's `DeleteProcessorTask` route, from its debug log.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reply {
    /// Seconds since the emulator logged that it is listening (its rate-limit schedule's
    /// start), both by the emulator's own clock.
    pub(crate) at: f64,
    pub(crate) status: u16,
}

/// The replies of the emulator's `DeleteProcessorTask` route, in the order it logged them.
#[derive(Debug, Default)]
pub(crate) struct ReplyLog {
    pub(crate) replies: Vec<Reply>,
    /// Connections the emulator dropped instead of answering.
    pub(crate) dropped: usize,
    /// Replies of other routes (e.g. a describe confirming a failed delete), by route.
    pub(crate) other_routes: std::collections::BTreeMap<String, usize>,
}

/// The `RUST_LOG` of a logged emulator: a line per reply, and the line saying it listens.
pub(crate) const REPLY_LOG_FILTER: &str = "warn,api_emulator::app=debug,api_emulator::builder=info";

impl EmulatorProcess {
    pub(crate) fn start(root: &Path, bin: &Path, config: EmulatorConfig) -> Result<Self> {
        Self::spawn(root, bin, config, &[], false)
    }

    /// Starts the emulator with `extra` flags and its debug log of replies on (its stderr,
    /// read by a thread: timestamps by the emulator's clock); [`Self::stop_logged`] returns the
    /// replies of the delete route. Other log lines go on to this process's stderr.
    pub(crate) fn start_logged(
        root: &Path,
        bin: &Path,
        config: EmulatorConfig,
        extra: &[String],
    ) -> Result<Self> {
        Self::spawn(root, bin, config, extra, true)
    }

    fn spawn(
        root: &Path,
        bin: &Path,
        config: EmulatorConfig,
        extra: &[String],
        logged: bool,
    ) -> Result<Self> {
        let mut args: Vec<String> = vec![
            "--port".into(),
            "0".into(),
            "--seed".into(),
            config.seed.to_string(),
            "--ak".into(),
            AK.into(),
            "--project-id".into(),
            PROJECT_ID.into(),
        ];
        // The emulator takes secrets from files only.
        let secrets = root.join("target/bench/secrets");
        std::fs::create_dir_all(&secrets)?;
        let sk_file = secrets.join("emulator-sk");
        std::fs::write(&sk_file, SK)?;
        args.extend(["--sk-file".into(), sk_file.display().to_string()]);
        if config.token {
            let token_file = secrets.join("emulator-token");
            std::fs::write(&token_file, TOKEN)?;
            args.extend(["--token-file".into(), token_file.display().to_string()]);
        }
        args.extend(extra.iter().cloned());
        let shown = Shown::of(root, &[], bin, &args);
        let mut command = Command::new(bin);
        direct(&mut command)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(if logged {
                Stdio::piped()
            } else {
                Stdio::inherit()
            });
        if logged {
            command
                .env("RUST_LOG", REPLY_LOG_FILTER)
                .env("NO_COLOR", "1");
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let log = match child.stderr.take() {
            Some(stderr) if logged => Some(std::thread::spawn(move || read_reply_log(stderr))),
            _ => None,
        };
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        let (tx, rx) = mpsc::channel();
        // Reads the banner, then keeps draining stdout until the emulator exits.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    // Nobody listens any more: keep reading so the pipe never fills.
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut url = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if url.is_none()
                        && let Some(at) = line.find("http://")
                    {
                        url = Some(line[at..].trim().to_owned());
                    }
                    if line.contains("Press Ctrl-C") {
                        break;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    bail!("the emulator printed no banner within 60 s ({shown})");
                }
            }
        }
        let url = url.ok_or_else(|| anyhow!("the emulator's banner has no http:// URL"))?;
        Ok(Self {
            child,
            url,
            shown,
            log,
        })
    }

    /// Stops it as [`Self::stop`] does, and returns its log of delete replies (an emulator
    /// started with [`Self::start_logged`]).
    pub(crate) fn stop_logged(mut self) -> Result<ReplyLog> {
        self.terminate();
        let log = self
            .log
            .take()
            .ok_or_else(|| anyhow!("the emulator was started without its reply log"))?;
        log.join()
            .map_err(|_| anyhow!("the thread reading the emulator's log panicked"))?
    }

    /// The CPU time (user + system) the emulator has used so far, in seconds.
    pub(crate) fn cpu_seconds(&self) -> Option<f64> {
        proc_cpu_seconds(self.child.id())
    }

    /// Stops it with SIGTERM (the emulator shuts down gracefully), SIGKILL after 5 s.
    pub(crate) fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        signal(self.child.id(), "TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// Reads a logged emulator's stderr to its end: the `listening` line (t = 0) and the
/// `answered` lines of the delete route. Lines of any other kind go on to our stderr.
fn read_reply_log(stderr: impl Read) -> Result<ReplyLog> {
    let mut start = None;
    let mut log = ReplyLog::default();
    let mut absolute = Vec::new();
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        let line = strip_ansi(&line);
        let delete_route = line.contains("route=DeleteProcessorTask");
        if line.contains("emulator is listening") {
            start = start.or_else(|| log_time(&line));
        } else if delete_route && line.contains(" answered ") {
            let status = line
                .split_whitespace()
                .find_map(|field| field.strip_prefix("status="))
                .and_then(|status| status.parse().ok());
            match (log_time(&line), status) {
                (Some(at), Some(status)) => absolute.push((at, status)),
                _ => eprintln!("api-emulator (unreadable log line): {line}"),
            }
        } else if delete_route && line.contains("dropped the connection") {
            log.dropped += 1;
        } else if let Some(route) = line
            .contains(" answered ")
            .then(|| {
                line.split_whitespace()
                    .find_map(|field| field.strip_prefix("route="))
            })
            .flatten()
        {
            *log.other_routes.entry(route.to_owned()).or_default() += 1;
        } else {
            eprintln!("{line}");
        }
    }
    let start = start.ok_or_else(|| {
        anyhow!("the emulator's log has no \"is listening\" line with a timestamp")
    })?;
    log.replies = absolute
        .into_iter()
        .map(|(at, status)| Reply {
            at: at - start,
            status,
        })
        .collect();
    Ok(log)
}

/// `text` without ANSI escape sequences (in case the log is coloured after all).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters final-byte (0x40..=0x7e).
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) && c != '[' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The leading RFC 3339 UTC timestamp of a tracing line (`2026-12-01T17:27:00.081049Z ...`),
/// in seconds since the Unix epoch.
fn log_time(line: &str) -> Option<f64> {
    let stamp = line.split_whitespace().next()?.strip_suffix('Z')?;
    let (date, time) = stamp.split_once('T')?;
    let mut ymd = date.split('-').map(str::parse::<i64>);
    let (y, m, d) = (ymd.next()?.ok()?, ymd.next()?.ok()?, ymd.next()?.ok()?);
    let mut hms = time.split(':');
    let (h, min) = (
        hms.next()?.parse::<f64>().ok()?,
        hms.next()?.parse::<f64>().ok()?,
    );
    let sec = hms.next()?.parse::<f64>().ok()?;
    // Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days as f64 * 86_400.0 + h * 3_600.0 + min * 60.0 + sec)
}

/// The CPU time of a running process so far, in seconds: the sum of its live threads'
/// `/proc/<pid>/task/*/schedstat` (nanosecond resolution).
pub(crate) fn proc_cpu_seconds(pid: u32) -> Option<f64> {
    let mut total_ns = 0_u64;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let path = task.ok()?.path().join("schedstat");
        if let Ok(text) = std::fs::read_to_string(path) {
            total_ns += text.split_whitespace().next()?.parse::<u64>().ok()?;
        }
    }
    Some(total_ns as f64 / 1e9)
}

/// Sends a signal to one process we started, by its id.
fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .args(["-s", name, &pid.to_string()])
        .stdin(Stdio::null())
        .status();
}

/// The last line of `text` that is a JSON object.
pub(crate) fn last_json_line(text: &str) -> Option<Value> {
    text.lines()
        .rev()
        .filter(|line| line.trim_start().starts_with('{'))
        .find_map(|line| serde_json::from_str(line).ok())
}

/// Runs a program that prints one JSON line, and returns it.
pub(crate) fn run_json(command: &mut Command, what: &str) -> Result<Value> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {what}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("{what} failed ({}): {}", output.status, stderr.trim());
    }
    last_json_line(&stdout).ok_or_else(|| anyhow!("{what} printed no JSON line: {stdout} {stderr}"))
}

/// What a run of the CLI reported, and its peak memory.
#[derive(Debug)]
pub(crate) struct CliRun {
    pub(crate) summary: Value,
    pub(crate) wall_seconds: f64,
    /// Peak RSS in KiB, and how it was measured.
    pub(crate) peak_rss_kib: Option<(u64, &'static str)>,
    /// User + system CPU seconds (from GNU time, when it ran the CLI).
    pub(crate) cpu_seconds: Option<f64>,
}

/// Runs the CLI with stdout to `stdout_file`; reads its `{"kind": "summary", ...}` line. When
/// `/usr/bin/time` exists the CLI runs under `time -v`, which gives its CPU time and peak RSS
/// (wait4's ru_maxrss); otherwise, with `measure_rss`, the peak RSS comes from polling `VmHWM`
/// in `/proc/<pid>/status`.
pub(crate) fn run_cli(
    cli: &Path,
    args: &[String],
    env: &[(&str, &str)],
    stdout_file: &Path,
    measure_rss: bool,
) -> Result<CliRun> {
    let gnu_time = Path::new("/usr/bin/time");
    let time_file = stdout_file.with_extension("time.txt");
    let use_time = gnu_time.exists();
    let mut command = if use_time {
        let mut c = Command::new(gnu_time);
        c.arg("-v").arg("-o").arg(&time_file).arg(cli);
        c
    } else {
        Command::new(cli)
    };
    direct(&mut command).args(args).envs(env.iter().copied());
    let out = std::fs::File::create(stdout_file)
        .with_context(|| format!("cannot create {}", stdout_file.display()))?;
    let started = Instant::now();
    let mut child = command
        .stdout(out)
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", cli.display()))?;
    let mut stderr = child.stderr.take().ok_or_else(|| anyhow!("no stderr"))?;
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut hwm_kib = 0;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if measure_rss && !use_time {
            hwm_kib = hwm_kib.max(vm_hwm_kib(child.id()).unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(if measure_rss { 5 } else { 20 }));
    };
    let wall_seconds = started.elapsed().as_secs_f64();
    let stderr = errors.join().unwrap_or_default();
    let text = std::fs::read_to_string(stdout_file)?;
    let summary = text
        .lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|v| v["kind"] == "summary");
    let Some(summary) = summary else {
        bail!("the CLI printed no summary ({status}): {}", stderr.trim());
    };
    let time_report = if use_time {
        std::fs::read_to_string(&time_file).unwrap_or_default()
    } else {
        String::new()
    };
    let time_field = |name: &str| -> Option<f64> {
        time_report
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
    };
    let cpu_seconds = match (
        time_field("User time (seconds):"),
        time_field("System time (seconds):"),
    ) {
        (Some(user), Some(system)) => Some(user + system),
        _ => None,
    };
    let peak_rss_kib = if use_time {
        time_field("Maximum resident set size (kbytes):")
            .map(|kib| (kib as u64, "GNU time -v (wait4 ru_maxrss)"))
    } else if measure_rss && hwm_kib > 0 {
        Some((hwm_kib, "VmHWM polled every 5 ms"))
    } else {
        None
    };
    Ok(CliRun {
        summary,
        wall_seconds,
        peak_rss_kib,
        cpu_seconds,
    })
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Runs wrk with `bench/wrk/delete.lua`; SIGINT once every thread has sent its share (wrk's
/// main thread would otherwise sleep the whole `-d`). Returns the script's JSON line, and wrk's
/// CPU seconds up to the moment its last thread was done.
pub(crate) fn run_wrk(args: &[String], threads: usize) -> Result<(Value, Option<f64>)> {
    let mut child = direct(&mut Command::new("wrk"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start wrk")?;
    let pid = child.id();
    let stderr = child.stderr.take().ok_or_else(|| anyhow!("no stderr"))?;
    let watcher = std::thread::spawn(move || {
        let mut done = 0;
        let mut cpu = None;
        let mut other = String::new();
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if line.trim() == "wrk-thread-done" {
                done += 1;
                if done == threads {
                    cpu = proc_cpu_seconds(pid);
                    signal(pid, "INT");
                }
            } else {
                other.push_str(&line);
                other.push('\n');
            }
        }
        (done, cpu, other)
    });
    // wrk ends by itself after -d at the latest, so this read ends too.
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout)?;
    }
    let status = child.wait()?;
    let (done, cpu, other) = watcher.join().unwrap_or_default();
    if done < threads {
        bail!(
            "wrk ended before its threads sent every id ({status}, {done}/{threads} done): {other}{stdout}"
        );
    }
    let result = last_json_line(&stdout)
        .ok_or_else(|| anyhow!("wrk printed no JSON line: {stdout}{other}"))?;
    Ok((result, cpu))
}

/// `path` relative to `root` when inside it.
pub(crate) fn rel(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reply_log() {
        let text = "2026-12-01T17:26:59.950000Z  INFO api_emulator::builder: the ModelArts processor-tasks emulator is listening addr=127.0.0.1:1 https=false
2026-12-01T17:27:00.081049Z DEBUG api_emulator::app: answered method=DELETE route=DeleteProcessorTask status=200
\u{1b}[2m2026-12-01T17:27:01.000000Z\u{1b}[0m DEBUG api_emulator::app: answered method=DELETE route=DeleteProcessorTask status=429
2026-12-01T17:27:01.500000Z DEBUG api_emulator::app: answered method=GET route=ListProcessorTasks status=200
";
        let log = read_reply_log(text.as_bytes()).unwrap();
        let got: Vec<(u16, i64)> = log
            .replies
            .iter()
            .map(|r| (r.status, (r.at * 1e6).round() as i64))
            .collect();
        assert_eq!(got, [(200, 131_049), (429, 1_050_000)]);
        assert_eq!(log.other_routes.get("ListProcessorTasks"), Some(&1));
        assert_eq!(log_time("1970-01-02T00:00:01Z rest"), Some(86_401.0));
        assert_eq!(log_time("2000-03-01T00:00:00Z"), Some(951_868_800.0));
    }
}
