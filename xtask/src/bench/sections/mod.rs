//! The measurements: each section runs its programs and renders its part of the report.

mod bulk;
mod micro;
mod rss;
mod sequential;
mod startup;
mod throttle;
mod throttle_cost;
mod transport;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Result, anyhow, bail};
use serde_json::Value;

use super::Env;
use super::procs::{PROJECT_ID, SK, Shown};

pub(crate) use bulk::bulk;
pub(crate) use micro::micro;
pub(crate) use rss::rss;
pub(crate) use sequential::sequential;
pub(crate) use startup::startup;
pub(crate) use throttle::{Cell as ThrottleCell, StepPlan, ThrottlePlan, throttle};
pub(crate) use throttle_cost::NoLimitPlan;
pub(crate) use transport::transport;

/// A goal of the issue and how the run did against it.
#[derive(Debug, Clone)]
pub(crate) struct Goal {
    pub(crate) what: String,
    pub(crate) target: String,
    pub(crate) measured: String,
    pub(crate) met: Option<bool>,
}

/// One section of the report.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) goals: Vec<Goal>,
    pub(crate) error: Option<String>,
}

pub(super) fn section(
    title: &str,
    run: impl FnOnce(&mut String, &mut Vec<Goal>) -> Result<()>,
) -> Section {
    eprintln!("bench: {title}");
    let (mut body, mut goals) = (String::new(), Vec::new());
    let error = run(&mut body, &mut goals).err().map(|e| format!("{e:#}"));
    if let Some(error) = &error {
        eprintln!("bench: {title}: NOT MEASURED: {error}");
        let _ = writeln!(body, "\n**Not measured (the run failed):** {error}\n");
    }
    Section {
        title: title.to_owned(),
        body,
        goals,
        error,
    }
}

pub(super) fn s(value: impl ToString) -> String {
    value.to_string()
}

/// Writes the first `count` seeded ids to a file, once.
pub(super) fn ids_file(env: &Env, count: usize) -> Result<PathBuf> {
    let path = env.work.join(format!("ids-{count}.txt"));
    let mut command = Command::new(&env.ids);
    command.args(["--project-id", PROJECT_ID, "--count", &count.to_string()]);
    let output = command.output()?;
    if !output.status.success() {
        bail!(
            "bench-ids failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::write(&path, output.stdout)?;
    Ok(path)
}

/// A command line for the report with the emulator's URL as `$EMULATOR_URL`.
pub(super) fn shown(env: &Env, url: &str, sk: bool, program: &Path, args: &[String]) -> String {
    let vars: &[(&str, &str)] = if sk {
        &[("HUAWEICLOUD_SDK_SK", SK)]
    } else {
        &[]
    };
    Shown::of(&env.root, vars, program, args)
        .0
        .replace(url, "$EMULATOR_URL")
}

pub(super) fn number(value: &Value, key: &str) -> Result<f64> {
    value[key]
        .as_f64()
        .ok_or_else(|| anyhow!("no number {key:?} in {value}"))
}

pub(super) fn commands_block(body: &mut String, lines: &[String]) {
    body.push_str("\n```sh\n");
    for line in lines {
        body.push_str(line);
        body.push('\n');
    }
    body.push_str("```\n");
}

fn met_text(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "**not met**",
        None => "not measured",
    }
}

pub(super) fn per_request_us(cpu_seconds: Option<f64>, count: f64) -> f64 {
    cpu_seconds.map_or(f64::NAN, |cpu| cpu * 1e6 / count)
}

pub(crate) fn goal_table(sections: &[Section]) -> String {
    let mut out =
        String::from("| goal | target | measured (medians) | status |\n|---|---|---|---|\n");
    for goal in sections.iter().flat_map(|s| &s.goals) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            goal.what,
            goal.target,
            goal.measured,
            met_text(goal.met)
        );
    }
    for section in sections
        .iter()
        .filter(|s| s.goals.is_empty() && s.error.is_some())
    {
        let _ = writeln!(out, "| {} | | not measured | run failed |", section.title);
    }
    out
}
