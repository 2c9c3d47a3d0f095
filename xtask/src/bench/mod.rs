//! `cargo xtask bench [--quick]`: every benchmark side by side, written to BENCHMARKS.md.
//!
//! One run builds the release binaries, sets up what it needs (the pinned Python SDK venv,
//! wrk and GNU time from Debian), then measures:
//! 1. sequential deletes: the SDK's `Client` against the official Python SDK core, each on a
//!    fresh standalone `api-emulator` process with AK/SK verification on;
//! 2. bulk deletes: the `processor-tasks` CLI at concurrency 64 against wrk at the same
//!    concurrency, each on a fresh emulator; and the CLI's peak RSS for 100,000 ids;
//! 3. criterion microbenchmarks (signing, path, error body, the whole client path);
//! 4. `HyperTransport` against a bare hyper http1 connection;
//! 5. throttling: the CLI's `--throttling off|aimd|adaptive` under the emulator's gateway-like
//!    rate limit, side by side, and their recovery after a step change in the limit.
//!
//! It never fails on a number, only when a measurement cannot be made. `--quick` shrinks every
//! count (a CI smoke run) and writes `target/bench/BENCHMARKS.quick.md` instead.

mod criterion;
mod machine;
mod procs;
mod report;
mod sections;
mod stats;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::venv;
use machine::Machine;

const USAGE: &str = "usage: cargo xtask bench [--quick] [--out FILE] [--only LIST] [--max-load L] [--max-wait SECONDS]

  --quick            small counts and very short criterion times (a smoke run for CI);
                     writes target/bench/BENCHMARKS.quick.md unless --out is given
  --out FILE         where to write the report (default: BENCHMARKS.md, or the quick file)
  --only LIST        comma-separated subset of: seq,bulk,rss,startup,throttle,micro,transport
                     (writes target/bench/BENCHMARKS.partial.md unless --out is given)
  --max-load L       before measuring, wait until the 1-minute load average is at most L
                     (default: 1.0 for a full run; no wait with --quick)
  --max-wait SECONDS how long to wait for that at most (default 180)";

/// The sections a run can have.
pub(crate) const SECTIONS: [&str; 7] = [
    "seq",
    "bulk",
    "rss",
    "startup",
    "throttle",
    "micro",
    "transport",
];

/// What to measure and how much.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) quick: bool,
    pub(crate) only: Vec<String>,
    pub(crate) out: PathBuf,
    pub(crate) max_load: Option<f64>,
    pub(crate) max_wait: Duration,
    /// Deletes per side and repetition, and repetitions, of the sequential comparison.
    pub(crate) seq_deletes: usize,
    pub(crate) seq_reps: usize,
    /// Ids per bulk run, and repetitions.
    pub(crate) bulk_ids: usize,
    pub(crate) bulk_reps: usize,
    pub(crate) concurrency: usize,
    pub(crate) wrk_threads: usize,
    /// Ids of the peak-RSS run.
    pub(crate) rss_ids: usize,
    /// Runs of each setup of the start-up comparison.
    pub(crate) startup_reps: usize,
    /// The throttling comparison: cells, work per cell, the step-change test.
    pub(crate) throttle: sections::ThrottlePlan,
    pub(crate) transport_requests: usize,
    pub(crate) transport_rounds: usize,
    pub(crate) criterion: criterion::CriterionTimes,
}

impl Settings {
    fn parse(root: &Path, args: &[&str]) -> Result<Self> {
        let quick = args.contains(&"--quick");
        let mut out = None;
        let mut only = Vec::new();
        let mut max_load = if quick { None } else { Some(1.0) };
        let mut max_wait = Duration::from_secs(180);
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            let mut value = || {
                rest.next()
                    .copied()
                    .with_context(|| format!("{arg} needs a value\n{USAGE}"))
            };
            match *arg {
                "--quick" => {}
                "--out" => out = Some(PathBuf::from(value()?)),
                "--only" => {
                    only = value()?.split(',').map(str::to_owned).collect();
                    if let Some(bad) = only.iter().find(|s| !SECTIONS.contains(&s.as_str())) {
                        bail!("unknown section {bad:?}\n{USAGE}");
                    }
                }
                "--max-load" => max_load = Some(value()?.parse().context("--max-load")?),
                "--max-wait" => {
                    max_wait = Duration::from_secs(value()?.parse().context("--max-wait")?)
                }
                "-h" | "--help" => bail!("{USAGE}"),
                other => bail!("unknown argument {other:?}\n{USAGE}"),
            }
        }
        let out = out.unwrap_or_else(|| {
            if quick {
                root.join("target/bench/BENCHMARKS.quick.md")
            } else if !only.is_empty() {
                root.join("target/bench/BENCHMARKS.partial.md")
            } else {
                root.join("BENCHMARKS.md")
            }
        });
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(if quick {
            Self {
                quick,
                only,
                out,
                max_load,
                max_wait,
                seq_deletes: 200,
                seq_reps: 3,
                bulk_ids: 2_000,
                bulk_reps: 3,
                concurrency: 64,
                wrk_threads: cores.clamp(1, 4),
                rss_ids: 10_000,
                startup_reps: 3,
                throttle: throttle_plan(true),
                transport_requests: 2_000,
                transport_rounds: 3,
                criterion: criterion::CriterionTimes {
                    warm_up_s: 0.05,
                    measurement_s: 0.1,
                    sample_size: 10,
                },
            }
        } else {
            Self {
                quick,
                only,
                out,
                max_load,
                max_wait,
                seq_deletes: 5_000,
                seq_reps: 7,
                bulk_ids: 50_000,
                bulk_reps: 5,
                concurrency: 64,
                wrk_threads: cores.clamp(1, 4),
                rss_ids: 100_000,
                startup_reps: 30,
                throttle: throttle_plan(false),
                transport_requests: 20_000,
                transport_rounds: 7,
                criterion: criterion::CriterionTimes {
                    warm_up_s: 1.0,
                    measurement_s: 3.0,
                    sample_size: 50,
                },
            }
        })
    }

    pub(crate) fn runs(&self, section: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == section)
    }
}

/// The throttling section's cells: R ∈ {20, 100, 500}/s at 20 ms and R = 20/s at 200 ms,
/// 20 s of work each, and the 100 → 20 → 100/s step test (10 s per phase); `quick`: 2 s of
/// work per cell and a step test of 2 s phases for `adaptive` only (the smoke run stays
/// under a minute).
fn throttle_plan(quick: bool) -> sections::ThrottlePlan {
    use sections::{StepPlan, ThrottleCell as Cell};
    let cell = |rate, latency_ms| Cell { rate, latency_ms };
    sections::ThrottlePlan {
        cells: vec![cell(20, 20), cell(100, 20), cell(500, 20), cell(20, 200)],
        work_seconds: if quick { 2 } else { 20 },
        warmup_seconds: if quick { 0.5 } else { 2.0 },
        step: Some(if quick {
            StepPlan {
                high: 100,
                low: 20,
                down_at: 2,
                up_at: 4,
                // 200 + 40 at the limit by 4 s, then at least 5 s at 100/s.
                tasks: 740,
                latency_ms: 20,
                adaptive_only: true,
            }
        } else {
            StepPlan {
                high: 100,
                low: 20,
                down_at: 10,
                up_at: 20,
                // 1,000 + 200 at the limit by 20 s, then at least 18 s at 100/s.
                tasks: 3_000,
                latency_ms: 20,
                adaptive_only: false,
            }
        }),
        no_limit: Some(sections::NoLimitPlan {
            tasks: if quick { 300 } else { 3_000 },
            latency_ms: 20,
            runs: if quick { 1 } else { 5 },
        }),
        concurrency: 64,
        max_attempts: 10,
    }
}

/// Paths and tools a run uses.
#[derive(Debug, Clone)]
pub(crate) struct Env {
    pub(crate) root: PathBuf,
    pub(crate) cargo: String,
    /// `target/bench` (or `target/bench/quick`): scratch files of the run.
    pub(crate) work: PathBuf,
    pub(crate) emulator: PathBuf,
    pub(crate) cli: PathBuf,
    pub(crate) seq_delete: PathBuf,
    pub(crate) bulk_delete: PathBuf,
    pub(crate) presign: PathBuf,
    pub(crate) ids: PathBuf,
    pub(crate) transport: PathBuf,
    /// The venv's Python, or why there is none.
    pub(crate) python: Result<PathBuf, String>,
    pub(crate) sdk_version: Option<String>,
    /// Whether wrk is there (after trying to install it).
    pub(crate) wrk: Option<String>,
    pub(crate) gnu_time: bool,
}

/// Runs the benchmarks.
pub(crate) fn run(root: &Path, args: &[&str]) -> Result<()> {
    let settings = Settings::parse(root, args)?;
    let started = Instant::now();
    let machine = Machine::describe();
    let load_before_build = machine::load_text();
    let env = prepare(root, &settings)?;
    let load_after_build = machine::load_text();
    let load_start = match settings.max_load {
        Some(max) => machine::wait_for_quiet(max, settings.max_wait),
        None => machine::load_text(),
    };
    eprintln!("bench: measuring (load average {load_start})");
    let mut sections = Vec::new();
    if settings.runs("seq") {
        sections.push(sections::sequential(&env, &settings));
    }
    if settings.runs("bulk") {
        sections.push(sections::bulk(&env, &settings));
    }
    if settings.runs("rss") {
        sections.push(sections::rss(&env, &settings));
    }
    if settings.runs("startup") {
        sections.push(sections::startup(&env, &settings));
    }
    if settings.runs("throttle") {
        sections.push(sections::throttle(&env, &settings));
    }
    if settings.runs("micro") {
        sections.push(sections::micro(&env, &settings));
    }
    if settings.runs("transport") {
        sections.push(sections::transport(&env, &settings));
    }
    let load_end = machine::load_text();
    let run = report::RunInfo {
        machine,
        loads: vec![
            ("before the build", load_before_build),
            ("after the build", load_after_build),
            ("when measuring started", load_start),
            ("when measuring ended", load_end),
        ],
        took: started.elapsed(),
    };
    let text = report::render(&env, &settings, &run, &sections);
    if let Some(dir) = settings.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&settings.out, &text)
        .with_context(|| format!("cannot write {}", settings.out.display()))?;
    eprintln!("{}", report::summary_for_terminal(&sections));
    eprintln!(
        "bench: wrote {} in {:.0} s",
        settings.out.display(),
        run.took.as_secs_f64()
    );
    let failed: Vec<&str> = sections
        .iter()
        .filter(|s| s.error.is_some())
        .map(|s| s.title.as_str())
        .collect();
    if !failed.is_empty() {
        bail!("some measurements could not be made: {}", failed.join("; "));
    }
    Ok(())
}

/// Builds the release binaries and the criterion benches, and sets up Python, wrk and time.
fn prepare(root: &Path, settings: &Settings) -> Result<Env> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let work = root.join(if settings.quick {
        "target/bench/quick"
    } else {
        "target/bench/full"
    });
    std::fs::create_dir_all(&work)?;

    let wrk = if settings.runs("bulk") && machine::ensure_debian_tool("wrk", "wrk") {
        machine::first_line_of("wrk", &["--version"])
            .map(|v| v.split(" Copyright").next().unwrap_or(&v).trim().to_owned())
            .or_else(|| Some("wrk".to_owned()))
    } else {
        None
    };
    let gnu_time = settings.runs("rss") && machine::ensure_debian_tool("/usr/bin/time", "time");
    let python = if settings.runs("seq") {
        venv::ensure(root).map_err(|e| format!("{e:#}"))
    } else {
        Err("not needed".to_owned())
    };
    let sdk_version = python.as_ref().ok().and_then(|python| {
        machine::first_line_of(
            &python.display().to_string(),
            &[
                "-c",
                "from importlib.metadata import version; print(version('huaweicloudsdkcore'))",
            ],
        )
    });

    let build = [
        "build",
        "--release",
        "--locked",
        "-p",
        "modelarts-processor-tasks-emulator",
        "-p",
        "modelarts-processor-tasks-cli",
        "-p",
        "bench",
        "--bins",
    ];
    cargo_step(root, &cargo, &build)?;
    if settings.runs("micro") {
        for micro in micro_benches(root) {
            let mut args = vec![
                "bench",
                "--locked",
                "-p",
                micro.package,
                "--bench",
                micro.bench,
            ];
            if let Some(features) = micro.features {
                args.extend(["--features", features]);
            }
            args.push("--no-run");
            cargo_step(root, &cargo, &args)?;
        }
    }
    let release = root.join("target/release");
    Ok(Env {
        root: root.to_path_buf(),
        cargo,
        work,
        emulator: release.join("api-emulator"),
        cli: release.join("processor-tasks"),
        seq_delete: release.join("bench-seq-delete"),
        bulk_delete: release.join("bench-bulk-delete"),
        presign: release.join("bench-presign"),
        ids: release.join("bench-ids"),
        transport: release.join("bench-transport"),
        python,
        sdk_version,
        wrk,
        gnu_time,
    })
}

/// A criterion bench the micro section runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MicroBench {
    pub(crate) package: &'static str,
    pub(crate) bench: &'static str,
    /// Features to build the package with, when the package has them.
    pub(crate) features: Option<&'static str>,
    /// A name for its results directory and the report.
    pub(crate) name: &'static str,
}

const MICRO_BENCHES: [MicroBench; 6] = [
    MicroBench {
        package: "modelarts-processor-tasks-auth",
        bench: "sign",
        features: None,
        name: "api-auth/sign",
    },
    MicroBench {
        package: "modelarts-processor-tasks-auth",
        bench: "sign",
        features: Some("ring"),
        name: "api-auth/sign --features ring",
    },
    MicroBench {
        package: "bench",
        bench: "signing",
        features: None,
        name: "bench/signing",
    },
    MicroBench {
        package: "bench",
        bench: "hashing",
        features: None,
        name: "bench/hashing",
    },
    MicroBench {
        package: "bench",
        bench: "model",
        features: None,
        name: "bench/model",
    },
    MicroBench {
        package: "modelarts-processor-tasks",
        bench: "client_path",
        features: None,
        name: "api-client/client_path",
    },
];

/// The micro benches to run: those whose features exist in their package's Cargo.toml.
pub(crate) fn micro_benches(root: &Path) -> Vec<MicroBench> {
    MICRO_BENCHES
        .iter()
        .copied()
        .filter(|m| match m.features {
            None => true,
            Some(feature) => {
                let dir = if m.package == "bench" {
                    "bench".to_owned()
                } else {
                    format!("crates/{}", m.package)
                };
                std::fs::read_to_string(root.join(dir).join("Cargo.toml")).is_ok_and(|toml| {
                    toml.lines()
                        .any(|line| line.trim_start().starts_with(&format!("{feature} = [")))
                })
            }
        })
        .collect()
}

fn cargo_step(root: &Path, cargo: &str, args: &[&str]) -> Result<()> {
    eprintln!("bench: cargo {}", args.join(" "));
    let status = Command::new(cargo)
        .current_dir(root)
        .args(args)
        .status()
        .with_context(|| format!("cannot run cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}
