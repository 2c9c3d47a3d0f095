//! 2d, last part: what `--throttling adaptive` (its slow start) costs the CLI when nothing is
//! throttled, side by side with `--throttling off`.

use std::fmt::Write as _;

use super::number;
use super::throttle::{Run, Strategy, ThrottlePlan, run_once};
use crate::bench::Env;
use crate::bench::stats::{Series, fmt_num};

/// The comparison with no rate limit: latency and size, and how many runs of each.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoLimitPlan {
    pub(crate) tasks: usize,
    pub(crate) latency_ms: u64,
    pub(crate) runs: usize,
}

/// Runs `adaptive` and `off` in turn against an emulator that only adds latency; appends the
/// table to `body` and the commands to `commands`.
pub(crate) fn no_limit(
    env: &Env,
    plan: &ThrottlePlan,
    no_limit: NoLimitPlan,
    body: &mut String,
    commands: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> anyhow::Result<()> {
    let flags = vec!["--latency-ms".to_owned(), no_limit.latency_ms.to_string()];
    let order = [Strategy::Adaptive, Strategy::Off];
    let mut runs: Vec<(Strategy, Run)> = Vec::new();
    for i in 0..no_limit.runs {
        // Alternate which goes first.
        for k in 0..order.len() {
            let strategy = order[(i + k) % order.len()];
            eprintln!(
                "bench:   no limit, {} ms, --throttling {}, {} tasks (run {} of {})",
                no_limit.latency_ms,
                strategy.flag(),
                no_limit.tasks,
                i + 1,
                no_limit.runs
            );
            let name = format!("nolimit-{}-{i}", strategy.flag());
            let run = run_once(env, plan, strategy, no_limit.tasks, &flags, &name)?;
            if i == 0 {
                if k == 0 {
                    commands.push(run.emulator_line.clone());
                }
                commands.push(run.cli_line.clone());
            }
            if run.count(429) > 0 || run.not_deleted() > 0.0 {
                notes.push(format!(
                    "no limit, {}: {} 429s and {} task(s) not deleted (expected none)",
                    strategy.flag(),
                    run.count(429),
                    fmt_num(run.not_deleted(), 0)
                ));
            }
            runs.push((strategy, run));
        }
    }
    let _ = writeln!(
        body,
        "\n**No throttling: what the slow start costs.** The same CLI command against an \
         emulator with no rate limit and {} ms latency, {} tasks, `adaptive` (which starts \
         with one request in flight and adds an eighth per reply) and `off` (64 in flight from \
         the start) alternating, {} runs each. **elapsed s** and **requests/s** are the CLI \
         summary's `elapsed_seconds` and `requests_per_second`: median (min – max, n).\n",
        no_limit.latency_ms, no_limit.tasks, no_limit.runs
    );
    let _ = writeln!(body, "| strategy | elapsed s | requests/s |");
    let _ = writeln!(body, "|---|---|---|");
    let mut medians = Vec::new();
    for strategy in order {
        let (mut elapsed, mut rate) = (Series::default(), Series::default());
        for (_, run) in runs.iter().filter(|(s, _)| *s == strategy) {
            elapsed.push(number(&run.summary, "elapsed_seconds").unwrap_or(f64::NAN));
            rate.push(number(&run.summary, "requests_per_second").unwrap_or(f64::NAN));
        }
        let _ = writeln!(
            body,
            "| {} | {} | {} |",
            strategy.label(),
            elapsed.describe(2),
            rate.describe(0)
        );
        medians.push(elapsed.median());
    }
    if let [Some(adaptive), Some(off)] = medians[..] {
        let _ = writeln!(
            body,
            "\nThe slow start costs {} s of elapsed time over this run (median against median).",
            fmt_num(adaptive - off, 2)
        );
    }
    Ok(())
}
