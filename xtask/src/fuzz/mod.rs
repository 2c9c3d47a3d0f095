//! `cargo xtask fuzz --seconds N [--target NAME]... [-- LIBFUZZER_ARGS]`: coverage-guided
//! fuzzing of the parsers, one target after another.
//!
//! The engine is libFuzzer, from the `libfuzzer-sys` crate (crates.io), linked into each target
//! of `fuzz/` (a workspace of its own). It needs no nightly toolchain and no cargo-fuzz: the
//! targets are built by plain `cargo build` with the stable `-C passes=sancov-module` and
//! `-C llvm-args=-sanitizer-coverage-*` flags that cargo-fuzz would pass (without its
//! `-Z sanitizer=address`, which is nightly-only). fuzz/README.md says more.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask fuzz --seconds N [--target NAME]... [-- LIBFUZZER_ARGS...]";

/// The instrumentation cargo-fuzz uses (its defaults, less the nightly-only sanitizer), plus
/// `--cfg fuzzing`. All stable rustc options.
const RUSTFLAGS: &[&str] = &[
    "--cfg",
    "fuzzing",
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "-Cllvm-args=-sanitizer-coverage-stack-depth",
];

struct Options {
    seconds: u64,
    targets: Vec<String>,
    libfuzzer_args: Vec<String>,
}

impl Options {
    fn parse(args: &[&str]) -> Result<Self> {
        let mut seconds = None;
        let mut targets = Vec::new();
        let mut libfuzzer_args = Vec::new();
        let mut iter = args.iter();
        while let Some(&arg) = iter.next() {
            match arg {
                "--seconds" => {
                    let value = iter.next().context(USAGE)?;
                    seconds = Some(
                        value
                            .parse::<u64>()
                            .ok()
                            .filter(|s| *s > 0)
                            .with_context(|| {
                                format!("--seconds {value}: not a positive integer")
                            })?,
                    );
                }
                "--target" => targets.push((*iter.next().context(USAGE)?).to_owned()),
                "--" => libfuzzer_args.extend(iter.by_ref().map(|s| (*s).to_owned())),
                other => bail!("unknown argument {other:?}\n{USAGE}"),
            }
        }
        Ok(Self {
            seconds: seconds.context(USAGE)?,
            targets,
            libfuzzer_args,
        })
    }
}

/// What one target's run did.
#[derive(Default)]
struct Report {
    name: String,
    elapsed: Duration,
    executions: Option<u64>,
    exec_per_sec: Option<u64>,
    coverage: Option<u64>,
    features: Option<u64>,
    new_units: Option<u64>,
    corpus_files: usize,
    corpus_bytes: u64,
    crashes: Vec<String>,
    exit: String,
    log: PathBuf,
}

/// Builds the fuzz targets and runs each for the given time.
pub(crate) fn run(root: &Path, args: &[&str]) -> Result<()> {
    let options = Options::parse(args)?;
    let fuzz = root.join("fuzz");
    let all = target_names(&fuzz)?;
    let targets = if options.targets.is_empty() {
        all
    } else {
        for target in &options.targets {
            if !all.contains(target) {
                bail!(
                    "no fuzz target {target:?}; the targets are {}",
                    all.join(", ")
                );
            }
        }
        options.targets.clone()
    };
    ensure_engine()?;
    let host = host_triple()?;
    build(&fuzz, &host)?;

    let mut reports = Vec::new();
    for target in &targets {
        let report = run_target(&fuzz, &host, target, &options)?;
        print_report(std::slice::from_ref(&report))?;
        reports.push(report);
    }
    eprintln!();
    print_report(&reports)?;
    let crashed: Vec<&Report> = reports.iter().filter(|r| !r.crashes.is_empty()).collect();
    if !crashed.is_empty() {
        let mut message = String::from("fuzzing found crashes:\n");
        for report in crashed {
            for crash in &report.crashes {
                let _ = writeln!(
                    message,
                    "  {}: {crash}\n    reproduce: fuzz/target/{host}/release/{} {crash}\n    log: {}",
                    report.name,
                    report.name,
                    report.log.display()
                );
            }
        }
        bail!("{message}");
    }
    Ok(())
}

/// The target names: the files of `fuzz/fuzz_targets/`, each a `[[bin]]` of fuzz/Cargo.toml.
fn target_names(fuzz: &Path) -> Result<Vec<String>> {
    let dir = fuzz.join("fuzz_targets");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let path = entry.path();
            (path.extension()? == "rs").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    if names.is_empty() {
        bail!("no fuzz targets in {}", dir.display());
    }
    Ok(names)
}

/// The engine, libFuzzer, comes from the `libfuzzer-sys` crate (crates.io), which cargo
/// downloads and builds with the targets: there is no tool to install. Its build compiles
/// libFuzzer's C++, so a C++ compiler must exist.
fn ensure_engine() -> Result<()> {
    let compiler = std::env::var("CXX").unwrap_or_else(|_| "c++".to_owned());
    let found = Command::new(&compiler)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        bail!(
            "no C++ compiler ({compiler}): libfuzzer-sys builds libFuzzer from C++ sources. \
             Install one (Debian: apt-get install g++) or set CXX"
        );
    }
    eprintln!(
        "fuzzing engine: libFuzzer from the libfuzzer-sys crate (crates.io), built by cargo with \
         stable sanitizer-coverage flags; C++ compiler: {compiler}"
    );
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

fn host_triple() -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(&rustc)
        .arg("-vV")
        .output()
        .with_context(|| format!("cannot run {rustc} -vV"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV names no host")
}

/// Builds every target. `--target` keeps the instrumentation off build scripts and proc macros
/// (which do not link libFuzzer), and `fuzz/target` keeps these flags out of the workspace's
/// target directory.
fn build(fuzz: &Path, host: &str) -> Result<()> {
    let mut command = cargo();
    command
        .current_dir(fuzz)
        .args(["build", "--release", "--bins", "--target", host])
        .arg("--target-dir")
        .arg(fuzz.join("target"))
        .env("CARGO_ENCODED_RUSTFLAGS", RUSTFLAGS.join("\u{1f}"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR");
    eprintln!("building the fuzz targets: {command:?}");
    let status = command.status().context("cannot run cargo build")?;
    if !status.success() {
        bail!("building the fuzz targets failed ({status})");
    }
    Ok(())
}

fn run_target(fuzz: &Path, host: &str, name: &str, options: &Options) -> Result<Report> {
    let binary = fuzz.join("target").join(host).join("release").join(name);
    let corpus = fuzz.join("corpus").join(name);
    let artifacts = fuzz.join("artifacts").join(name);
    let logs = fuzz.join("target").join("logs");
    for dir in [&corpus, &artifacts, &logs] {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let log = logs.join(format!("{name}.log"));
    let log_file =
        std::fs::File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;

    let mut command = Command::new(&binary);
    command
        .current_dir(fuzz)
        .arg(format!("-max_total_time={}", options.seconds))
        .arg("-print_final_stats=1")
        .arg("-timeout=10")
        .arg("-rss_limit_mb=2048")
        .arg(format!("-artifact_prefix={}/", artifacts.display()));
    let dict = fuzz.join("dicts").join(format!("{name}.dict"));
    if dict.exists() {
        command.arg(format!("-dict={}", dict.display()));
    }
    command.args(&options.libfuzzer_args).arg(&corpus);
    let seeds = fuzz.join("seeds").join(name);
    if seeds.is_dir() {
        command.arg(&seeds);
    }
    command
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file);
    eprintln!(
        "fuzzing {name} for {} s (log: {})",
        options.seconds,
        log.display()
    );
    let started = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    // libFuzzer stops itself at -max_total_time; this is only a guard against a hang.
    let deadline = Duration::from_secs(options.seconds.saturating_mul(2).saturating_add(120));
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let elapsed = started.elapsed();
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    let mut report = parse_output(name, &output);
    report.elapsed = elapsed;
    report.log = log;
    report.exit = match status {
        Some(status) if status.success() => "ok".to_owned(),
        Some(status) => format!("exit {}", status.code().unwrap_or(-1)),
        None => "killed (hung)".to_owned(),
    };
    (report.corpus_files, report.corpus_bytes) = dir_size(&corpus);
    Ok(report)
}

/// Reads libFuzzer's output: the last status line (`#N DONE cov: X ft: Y corp: A/B ...`), the
/// final stats (`stat::name: value`) and the units written for crashes, timeouts and OOMs.
fn parse_output(name: &str, output: &str) -> Report {
    let mut report = Report {
        name: name.to_owned(),
        ..Report::default()
    };
    let field = |line: &str, key: &str| -> Option<u64> {
        let rest = line.split(key).nth(1)?;
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    for line in output.lines() {
        if let Some(status) = line.strip_prefix('#') {
            report.executions = status
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .or(report.executions);
            report.coverage = field(line, "cov:").or(report.coverage);
            report.features = field(line, "ft:").or(report.features);
        } else if let Some(value) = line.strip_prefix("stat::number_of_executed_units:") {
            report.executions = value.trim().parse().ok().or(report.executions);
        } else if let Some(value) = line.strip_prefix("stat::average_exec_per_sec:") {
            report.exec_per_sec = value.trim().parse().ok();
        } else if let Some(value) = line.strip_prefix("stat::new_units_added:") {
            report.new_units = value.trim().parse().ok();
        } else if let Some((_, unit)) = line.split_once("Test unit written to ") {
            report.crashes.push(unit.trim().to_owned());
        }
    }
    report
}

fn dir_size(dir: &Path) -> (usize, u64) {
    std::fs::read_dir(dir).map_or((0, 0), |entries| {
        entries
            .filter_map(|e| e.ok()?.metadata().ok())
            .filter(std::fs::Metadata::is_file)
            .fold((0, 0), |(n, bytes), m| (n + 1, bytes + m.len()))
    })
}

fn print_report(reports: &[Report]) -> Result<()> {
    let show = |value: Option<u64>| value.map_or_else(|| "?".to_owned(), |v| v.to_string());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<14} {:>8} {:>13} {:>9} {:>6} {:>7} {:>9} {:>15} {:>8}  result",
        "target", "seconds", "executions", "exec/s", "cov", "ft", "new units", "corpus", "crashes"
    );
    for r in reports {
        let _ = writeln!(
            out,
            "{:<14} {:>8} {:>13} {:>9} {:>6} {:>7} {:>9} {:>15} {:>8}  {}",
            r.name,
            r.elapsed.as_secs(),
            show(r.executions),
            show(r.exec_per_sec),
            show(r.coverage),
            show(r.features),
            show(r.new_units),
            format!("{} / {} B", r.corpus_files, r.corpus_bytes),
            r.crashes.len(),
            r.exit
        );
        for crash in &r.crashes {
            let _ = writeln!(out, "    crash unit: {crash}");
        }
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let o = Options::parse(&["--seconds", "5", "--target", "ids", "--", "-runs=3"]).unwrap();
        assert_eq!(o.seconds, 5);
        assert_eq!(o.targets, ["ids"]);
        assert_eq!(o.libfuzzer_args, ["-runs=3"]);
        assert!(Options::parse(&[]).is_err());
        assert!(Options::parse(&["--seconds", "0"]).is_err());
        assert!(Options::parse(&["--seconds", "x"]).is_err());
        assert!(Options::parse(&["--bogus"]).is_err());
    }

    #[test]
    fn reads_libfuzzer_output() {
        let output = "INFO: Seed: 1\n\
            #2\tINITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 27Mb\n\
            #889983\tDONE   cov: 948 ft: 3070 corp: 1171/45Kb lim: 1540 exec/s: 42380 rss: 29Mb\n\
            stat::number_of_executed_units: 889983\n\
            stat::average_exec_per_sec:     42380\n\
            stat::new_units_added:          3898\n";
        let r = parse_output("t", output);
        assert_eq!(r.executions, Some(889_983));
        assert_eq!(r.exec_per_sec, Some(42_380));
        assert_eq!(r.coverage, Some(948));
        assert_eq!(r.features, Some(3070));
        assert_eq!(r.new_units, Some(3898));
        assert!(r.crashes.is_empty());
        let crashed = parse_output(
            "t",
            "#50\tNEW cov: 3 ft: 3\n==1== ERROR: libFuzzer: deadly signal\n\
             artifact_prefix='a/'; Test unit written to a/crash-bc99\n",
        );
        assert_eq!(crashed.crashes, ["a/crash-bc99"]);
        assert_eq!(crashed.executions, Some(50));
    }
}
