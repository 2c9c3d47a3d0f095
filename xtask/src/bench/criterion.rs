//! Runs criterion benches with short times and reads their results from `$CRITERION_HOME`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::stats::Series;

/// One criterion benchmark's result: the time of one iteration, in nanoseconds.
#[derive(Debug, Clone)]
pub(crate) struct MicroResult {
    pub(crate) id: String,
    /// Criterion's estimate of the median, with its 95 % confidence interval.
    pub(crate) median_ns: f64,
    pub(crate) median_low_ns: f64,
    pub(crate) median_high_ns: f64,
    /// The per-iteration time of each sample (min / median / max over samples).
    pub(crate) samples: Series,
}

/// Criterion's settings for a run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CriterionTimes {
    pub(crate) warm_up_s: f64,
    pub(crate) measurement_s: f64,
    pub(crate) sample_size: usize,
}

impl CriterionTimes {
    pub(crate) fn args(self) -> Vec<String> {
        vec![
            "--warm-up-time".into(),
            self.warm_up_s.to_string(),
            "--measurement-time".into(),
            self.measurement_s.to_string(),
            "--sample-size".into(),
            self.sample_size.to_string(),
            "--noplot".into(),
        ]
    }
}

/// The cargo command that runs bench `bench` of package `package`, with `features`.
pub(crate) fn command(
    package: &str,
    bench: &str,
    features: Option<&str>,
    times: CriterionTimes,
) -> Vec<String> {
    let mut args: Vec<String> = ["bench", "--locked", "-p", package, "--bench", bench]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    if let Some(features) = features {
        args.extend(["--features".to_owned(), features.to_owned()]);
    }
    args.push("--".to_owned());
    args.extend(times.args());
    args
}

/// Runs `cargo <args>` with `CRITERION_HOME=home`, its output going to `log`.
pub(crate) fn run(
    root: &Path,
    cargo: &str,
    args: &[String],
    home: &Path,
    log: &Path,
) -> Result<()> {
    let log_file = std::fs::File::create(log)?;
    let status = Command::new(cargo)
        .current_dir(root)
        .args(args)
        .env("CRITERION_HOME", home)
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .status()
        .with_context(|| format!("cannot run cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!(
            "cargo {} failed ({status}); see {}",
            args.join(" "),
            log.display()
        );
    }
    Ok(())
}

/// Every benchmark result under `home` (criterion's `<id>/new/` directories).
pub(crate) fn read_results(home: &Path) -> Result<Vec<MicroResult>> {
    let mut dirs = Vec::new();
    find_new_dirs(home, &mut dirs)?;
    let mut results = Vec::new();
    for dir in dirs {
        let read = |name: &str| -> Result<Value> {
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Ok(serde_json::from_str(&text)?)
        };
        let (benchmark, estimates, sample) = (
            read("benchmark.json")?,
            read("estimates.json")?,
            read("sample.json")?,
        );
        let id = benchmark["full_id"].as_str().unwrap_or("?").to_owned();
        let median = &estimates["median"];
        let number = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
        let mut samples = Series::default();
        if let (Some(iters), Some(times)) = (sample["iters"].as_array(), sample["times"].as_array())
        {
            for (i, t) in iters.iter().zip(times) {
                let (i, t) = (number(i), number(t));
                if i > 0.0 {
                    samples.push(t / i);
                }
            }
        }
        results.push(MicroResult {
            id,
            median_ns: number(&median["point_estimate"]),
            median_low_ns: number(&median["confidence_interval"]["lower_bound"]),
            median_high_ns: number(&median["confidence_interval"]["upper_bound"]),
            samples,
        });
    }
    Ok(results)
}

fn find_new_dirs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "new") && path.join("benchmark.json").exists()
            {
                out.push(path);
            } else {
                find_new_dirs(&path, out)?;
            }
        }
    }
    Ok(())
}

/// A duration in nanoseconds as `123 ns` or `4.56 µs`.
pub(crate) fn fmt_ns(ns: f64) -> String {
    if ns >= 1_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else if ns >= 1_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{ns:.0} ns")
    }
}
