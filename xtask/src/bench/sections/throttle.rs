//! 2d. Throttling: the CLI's goodput under the emulator's gateway-like rate limit with each
//! `--throttling` strategy side by side, and its recovery after a step change in the limit.

use std::fmt::Write as _;
use std::time::Instant;

use super::{Goal, Section, commands_block, ids_file, number, s, section, shown};
use crate::bench::procs::{
    self, AK, EmulatorConfig, EmulatorProcess, PROJECT_ID, Reply, ReplyLog, SK,
};
use crate::bench::stats::fmt_num;
use crate::bench::{Env, Settings};

/// One rate limit and latency of the emulator.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell {
    /// Requests per second the emulator admits (a token bucket, burst = rate).
    pub(crate) rate: u32,
    /// Latency the emulator adds to every authenticated request.
    pub(crate) latency_ms: u64,
}

/// The step-change test: `high`/s, `low`/s from `down_at`, `high`/s again from `up_at`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepPlan {
    pub(crate) high: u32,
    pub(crate) low: u32,
    /// Seconds from the emulator's start.
    pub(crate) down_at: u32,
    pub(crate) up_at: u32,
    /// Enough tasks to keep deleting well past `up_at`.
    pub(crate) tasks: usize,
    pub(crate) latency_ms: u64,
    /// Run only `--throttling adaptive` (the quick run, to keep it short).
    pub(crate) adaptive_only: bool,
}

impl StepPlan {
    fn schedule(&self) -> String {
        format!(
            "0s={}/s,{}s={}/s,{}s={}/s",
            self.high, self.down_at, self.low, self.up_at, self.high
        )
    }
}

/// What the throttling section measures, and how much.
#[derive(Debug, Clone)]
pub(crate) struct ThrottlePlan {
    pub(crate) cells: Vec<Cell>,
    /// Tasks per cell = this × the cell's rate: the seconds of work at exactly the limit.
    pub(crate) work_seconds: u32,
    /// Seconds at the start of a run left out of the steady-state goodput.
    pub(crate) warmup_seconds: f64,
    pub(crate) step: Option<StepPlan>,
    /// The slow start's cost with no rate limit, `adaptive` against `off`.
    pub(crate) no_limit: Option<super::throttle_cost::NoLimitPlan>,
    pub(crate) concurrency: usize,
    /// `--max-attempts` of every run (generous, so that the comparison is about throttling).
    pub(crate) max_attempts: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strategy {
    Off,
    Aimd,
    Adaptive,
}

const STRATEGIES: [Strategy; 3] = [Strategy::Off, Strategy::Aimd, Strategy::Adaptive];

impl Strategy {
    pub(super) fn flag(self) -> &'static str {
        match self {
            Strategy::Off => "off",
            Strategy::Aimd => "aimd",
            Strategy::Adaptive => "adaptive",
        }
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            Strategy::Off => "`off`: fixed concurrency, plain retries",
            Strategy::Aimd => "`aimd`: concurrency halved on a 429 (before)",
            Strategy::Adaptive => "`adaptive`: the client's rate limiter (default)",
        }
    }
}

/// One CLI run against a fresh emulator (rate-limited, but for the no-limit comparison).
pub(super) struct Run {
    tasks: usize,
    pub(super) summary: serde_json::Value,
    /// Delete replies by the emulator's clock, sorted by time.
    replies: Vec<Reply>,
    dropped: usize,
    other_routes: std::collections::BTreeMap<String, usize>,
    wall_seconds: f64,
    pub(super) emulator_line: String,
    pub(super) cli_line: String,
}

impl Run {
    fn deleted(&self) -> f64 {
        number(&self.summary, "deleted").unwrap_or(f64::NAN)
    }

    fn already_gone(&self) -> f64 {
        number(&self.summary, "already_gone").unwrap_or(0.0)
    }

    /// Tasks the run did not delete: failed, unknown, or never attempted.
    pub(super) fn not_deleted(&self) -> f64 {
        self.tasks as f64 - self.deleted() - self.already_gone()
    }

    pub(super) fn count(&self, status: u16) -> usize {
        self.replies.iter().filter(|r| r.status == status).count()
    }

    /// Delete requests the emulator answered (or dropped): the attempts.
    fn attempts(&self) -> usize {
        self.replies.len() + self.dropped
    }

    fn throttled_fraction(&self) -> f64 {
        self.count(429) as f64 / self.attempts().max(1) as f64
    }

    /// 429s over the delete replies from `warmup` after the first one on.
    fn steady_throttled_fraction(&self, warmup: f64) -> Option<f64> {
        let from = self.replies.first()?.at + warmup;
        let later: Vec<&Reply> = self.replies.iter().filter(|r| r.at > from).collect();
        if later.is_empty() {
            return None;
        }
        Some(later.iter().filter(|r| r.status == 429).count() as f64 / later.len() as f64)
    }

    /// Successful deletes and 429s in each whole second since t = 0.
    fn per_second(&self) -> Vec<(usize, usize)> {
        let mut seconds = Vec::new();
        for reply in &self.replies {
            let second = reply.at.max(0.0) as usize;
            if seconds.len() <= second {
                seconds.resize(second + 1, (0, 0));
            }
            match reply.status {
                200 => seconds[second].0 += 1,
                429 => seconds[second].1 += 1,
                _ => {}
            }
        }
        seconds
    }

    fn attempts_per_task(&self) -> f64 {
        self.attempts() as f64 / self.tasks as f64
    }

    /// Times of the successful deletes (200), sorted.
    fn ok_times(&self) -> Vec<f64> {
        self.replies
            .iter()
            .filter(|r| r.status == 200)
            .map(|r| r.at)
            .collect()
    }

    fn all_times(&self) -> Vec<f64> {
        self.replies.iter().map(|r| r.at).collect()
    }

    /// Deletes per second over the run, from the emulator's first delete reply + `warmup`
    /// to its last successful one, over `rate`; `None` when that window is under a second.
    fn steady_goodput(&self, warmup: f64, rate: f64) -> Option<f64> {
        let first = self.replies.first()?.at;
        let ok = self.ok_times();
        let last = *ok.last()?;
        let from = first + warmup;
        let span = last - from;
        if span < 1.0 {
            return None;
        }
        let count = ok.iter().filter(|&&t| t > from).count();
        Some(count as f64 / span / rate)
    }

    /// The CLI's own figure: deleted over its elapsed_seconds, over `rate`.
    fn whole_goodput(&self, rate: f64) -> f64 {
        let elapsed = number(&self.summary, "elapsed_seconds").unwrap_or(f64::NAN);
        self.deleted() / elapsed / rate
    }

    /// Other statuses than 200 and 429, e.g. `{"404": 3}`, for the notes.
    fn other_statuses(&self) -> String {
        let mut others = std::collections::BTreeMap::new();
        for reply in &self.replies {
            if reply.status != 200 && reply.status != 429 {
                *others.entry(reply.status).or_insert(0_usize) += 1;
            }
        }
        let mut parts: Vec<String> = others
            .iter()
            .map(|(status, n)| format!("{n} × {status}"))
            .collect();
        if self.dropped > 0 {
            parts.push(format!("{} dropped connections", self.dropped));
        }
        for (route, n) in &self.other_routes {
            parts.push(format!("{n} × {route}"));
        }
        parts.join(", ")
    }
}

/// Events in `(t - 1, t]` of sorted `times`.
fn in_last_second(times: &[f64], t: f64) -> usize {
    times.partition_point(|&x| x <= t) - times.partition_point(|&x| x <= t - 1.0)
}

/// The first time on a 10 ms grid in `[from, to]` at which `test(events in the last second)`
/// holds, as seconds after `from`.
fn first_time(times: &[f64], from: f64, to: f64, test: impl Fn(usize) -> bool) -> Option<f64> {
    if !(from.is_finite() && to.is_finite()) || to < from {
        return None;
    }
    let steps = ((to - from) / 0.01).floor() as usize;
    (0..=steps)
        .map(|i| from + i as f64 * 0.01)
        .find(|&t| test(in_last_second(times, t)))
        .map(|t| t - from)
}

fn start_emulator(env: &Env, tasks: usize, extra: &[String]) -> anyhow::Result<EmulatorProcess> {
    EmulatorProcess::start_logged(
        &env.root,
        &env.emulator,
        EmulatorConfig {
            seed: tasks,
            token: false,
        },
        extra,
    )
}

/// Deletes every one of `tasks` seeded ids with the CLI and `strategy`, on a fresh emulator
/// started with `emulator_flags`.
pub(super) fn run_once(
    env: &Env,
    plan: &ThrottlePlan,
    strategy: Strategy,
    tasks: usize,
    emulator_flags: &[String],
    name: &str,
) -> anyhow::Result<Run> {
    let ids = ids_file(env, tasks)?;
    let emu = start_emulator(env, tasks, emulator_flags)?;
    let args = vec![
        s("--endpoint"),
        emu.url.clone(),
        s("--project-id"),
        s(PROJECT_ID),
        s("--ak"),
        s(AK),
        s("delete"),
        s("--from-file"),
        ids.display().to_string(),
        s("--concurrency"),
        plan.concurrency.to_string(),
        s("--if-exists"),
        s("--output"),
        s("json"),
        s("--throttling"),
        s(strategy.flag()),
        s("--max-attempts"),
        plan.max_attempts.to_string(),
    ];
    let stdout = env.work.join(format!("throttle-{name}.jsonl"));
    let cli_line = format!(
        "{} > {}",
        shown(env, &emu.url, true, &env.cli, &args),
        procs::rel(&env.root, &stdout).display()
    );
    let emulator_line = emu.shown.0.clone();
    let started = Instant::now();
    let cli = procs::run_cli(
        &env.cli,
        &args,
        &[("HUAWEICLOUD_SDK_SK", SK)],
        &stdout,
        false,
    );
    let wall_seconds = started.elapsed().as_secs_f64();
    let log: ReplyLog = emu.stop_logged()?;
    let cli = cli.map_err(|e| e.context(cli_line.clone()))?;
    let mut replies = log.replies;
    if replies.is_empty() {
        anyhow::bail!("{cli_line}: the emulator logged no delete reply");
    }
    replies.sort_by(|a, b| a.at.total_cmp(&b.at));
    let run = Run {
        tasks,
        summary: cli.summary,
        replies,
        dropped: log.dropped,
        other_routes: log.other_routes,
        wall_seconds,
        emulator_line,
        cli_line,
    };
    let mut series = String::from("second\tdeleted\tthrottled\n");
    for (second, (ok, throttled)) in run.per_second().iter().enumerate() {
        let _ = writeln!(series, "{second}\t{ok}\t{throttled}");
    }
    std::fs::write(env.work.join(format!("throttle-{name}.tsv")), series)?;
    Ok(run)
}

fn pct(fraction: f64) -> String {
    fmt_num(fraction * 100.0, 1)
}

fn cell_name(cell: Cell) -> String {
    format!("R = {}/s, {} ms", cell.rate, cell.latency_ms)
}

/// Notes on a run whose accounting is not clean (the table shows the figures regardless).
fn accounting_notes(name: &str, run: &Run, notes: &mut Vec<String>) {
    let ok = run.count(200) as f64;
    let deleted = run.deleted() + run.already_gone();
    if (ok - deleted).abs() > 0.5 {
        notes.push(format!(
            "{name}: the emulator answered {ok} deletes with 200, the CLI counted {deleted} \
             deleted or already gone"
        ));
    }
    let (answered, counted) = (
        run.count(429) as f64,
        number(&run.summary, "throttled").unwrap_or(f64::NAN),
    );
    if (answered - counted).abs() > 0.5 {
        notes.push(format!(
            "{name}: the emulator answered {} 429s, the CLI summary's `throttled` counts {}",
            fmt_num(answered, 0),
            fmt_num(counted, 0)
        ));
    }
    let others = run.other_statuses();
    if !others.is_empty() {
        notes.push(format!("{name}: other replies: {others}"));
    }
    for key in ["unknown", "not_attempted"] {
        let n = number(&run.summary, key).unwrap_or(0.0);
        if n > 0.0 {
            notes.push(format!("{name}: {n} task(s) {key}"));
        }
    }
    if let Some(failures) = run.summary["failures"]
        .as_object()
        .filter(|f| !f.is_empty())
    {
        let text: Vec<String> = failures.iter().map(|(k, v)| format!("{v} × {k}")).collect();
        notes.push(format!("{name}: failed with {}", text.join(", ")));
    }
}

/// 2d. Throttling: goodput under a gateway rate limit, and recovery after a step change.
pub(crate) fn throttle(env: &Env, settings: &Settings) -> Section {
    section(
        "2d. Throttling: goodput under a gateway rate limit",
        |body, goals| {
            let plan = &settings.throttle;
            let mut commands: Vec<String> = Vec::new();
            let mut notes: Vec<String> = Vec::new();
            // (cell, strategy, run), in the order the runs were made.
            let mut runs: Vec<(Cell, Strategy, Run)> = Vec::new();
            for (i, cell) in plan.cells.iter().copied().enumerate() {
                let tasks = plan.work_seconds as usize * cell.rate as usize;
                let flags = vec![
                    s("--rate-limit"),
                    format!("{}/s", cell.rate),
                    s("--latency-ms"),
                    cell.latency_ms.to_string(),
                ];
                // Rotate the order, so that no strategy always runs first on a cell.
                for k in 0..STRATEGIES.len() {
                    let strategy = STRATEGIES[(i + k) % STRATEGIES.len()];
                    eprintln!(
                        "bench:   {}, --throttling {}, {tasks} tasks",
                        cell_name(cell),
                        strategy.flag()
                    );
                    let name = format!("{}-{}ms-{}", cell.rate, cell.latency_ms, strategy.flag());
                    let run = run_once(env, plan, strategy, tasks, &flags, &name)?;
                    if i == 0 {
                        if k == 0 {
                            commands.push(run.emulator_line.clone());
                        }
                        commands.push(run.cli_line.clone());
                    }
                    accounting_notes(
                        &format!("{}, {}", cell_name(cell), strategy.flag()),
                        &run,
                        &mut notes,
                    );
                    runs.push((cell, strategy, run));
                }
            }
            let mut steps: Vec<(Strategy, Run)> = Vec::new();
            if let Some(step) = plan.step {
                let flags = vec![
                    s("--rate-limit-schedule"),
                    step.schedule(),
                    s("--latency-ms"),
                    step.latency_ms.to_string(),
                ];
                let strategies: Vec<Strategy> = (0..STRATEGIES.len())
                    .map(|k| STRATEGIES[(plan.cells.len() + k) % STRATEGIES.len()])
                    .filter(|s| !step.adaptive_only || *s == Strategy::Adaptive)
                    .collect();
                for (k, strategy) in strategies.into_iter().enumerate() {
                    eprintln!(
                        "bench:   step {}, --throttling {}, {} tasks",
                        step.schedule(),
                        strategy.flag(),
                        step.tasks
                    );
                    let name = format!("step-{}", strategy.flag());
                    let run = run_once(env, plan, strategy, step.tasks, &flags, &name)?;
                    if k == 0 {
                        commands.push(run.emulator_line.clone());
                    }
                    commands.push(run.cli_line.clone());
                    accounting_notes(&format!("step test, {}", strategy.flag()), &run, &mut notes);
                    steps.push((strategy, run));
                }
            }

            let warmup = plan.warmup_seconds;
            let _ = writeln!(
                body,
                "The CLI deleting seeded tasks (`--concurrency {c}`, `--max-attempts {m}` for \
                 every strategy, the default 2 min deadline per task) against a fresh \
                 `api-emulator` per run that throttles deletes like the API gateway: a token \
                 bucket of R requests/s with burst R, `429 APIG.0308` with the limit in the \
                 message and no `Retry-After`, and a fixed latency on every request. Each cell \
                 has {w} s of work at exactly R (tasks = {w}·R); the three `--throttling` \
                 strategies run one after another on each cell, in an order that rotates from \
                 cell to cell; one run each (n = 1).\n",
                c = plan.concurrency,
                m = plan.max_attempts,
                w = plan.work_seconds,
            );
            let _ = writeln!(
                body,
                "Every figure but the CLI's own comes from the emulator's log: started with \
                 `RUST_LOG={filter}`, it logs every reply with its status and a microsecond \
                 timestamp by its own clock, and t = 0 is its line saying it is listening \
                 (the instant its rate-limit schedule starts). The CLI's record lines would do \
                 in principle, but it writes its stdout in 8 KiB pieces (about 50 records: one \
                 piece every 2.5 s at 20/s), too coarse to time. Columns:\n\n\
                 - **goodput/R, steady**: successful deletes per second from {warmup} s after \
                 the first delete reply to the last successful one, over R (the first {warmup} \
                 s, the start-up burst and the limiter's first reaction, are left out);\n\
                 - **goodput/R, whole run**: the CLI summary's `deleted` over its \
                 `elapsed_seconds`, over R (it can exceed 1: the bucket starts full, so R \
                 deletes pass at once; in a run of {w} s of work that alone adds 1/{w});\n\
                 - **throttled**: 429 replies over all delete requests the emulator answered \
                 (every attempt, retries included); **throttled, steady**: the same from \
                 {warmup} s after the first delete reply on;\n\
                 - **attempts/task**: delete requests the emulator answered over tasks;\n\
                 - **tasks failed**: tasks not deleted (failed, unknown or never attempted);\n\
                 - **CLI retries / throttled**: the CLI summary's `retries` and `throttled` \
                 (its own accounting, for comparison with the emulator's);\n\
                 - **send_rate**: the rate the adaptive limiter paced at when the run ended, \
                 /s (summary `send_rate`).\n",
                filter = procs::REPLY_LOG_FILTER,
                w = plan.work_seconds,
            );
            let _ = writeln!(
                body,
                "| cell | strategy | goodput/R, steady | goodput/R, whole run | throttled | \
                 throttled, steady | attempts/task | tasks failed | CLI retries / throttled | \
                 send_rate | wall s |"
            );
            let _ = writeln!(body, "|---|---|---|---|---|---|---|---|---|---|---|");
            for cell in &plan.cells {
                for strategy in STRATEGIES {
                    let Some((_, _, run)) = runs.iter().find(|(c, s, _)| {
                        c.rate == cell.rate && c.latency_ms == cell.latency_ms && *s == strategy
                    }) else {
                        continue;
                    };
                    let rate = f64::from(cell.rate);
                    let steady = run
                        .steady_goodput(warmup, rate)
                        .map_or("run too short".to_owned(), |g| format!("{g:.2}"));
                    let strong = |text: String| {
                        if strategy == Strategy::Adaptive {
                            format!("**{text}**")
                        } else {
                            text
                        }
                    };
                    let _ = writeln!(
                        body,
                        "| {} | {} | {} | {:.2} | {} | {} | {:.2} | {} | {} / {} | {} | {:.1} |",
                        cell_name(*cell),
                        strategy.label(),
                        strong(steady),
                        run.whole_goodput(rate),
                        strong(format!("{} %", pct(run.throttled_fraction()))),
                        run.steady_throttled_fraction(warmup)
                            .map_or("–".to_owned(), |f| format!("{} %", pct(f))),
                        run.attempts_per_task(),
                        fmt_num(run.not_deleted(), 0),
                        fmt_num(number(&run.summary, "retries").unwrap_or(f64::NAN), 0),
                        fmt_num(number(&run.summary, "throttled").unwrap_or(f64::NAN), 0),
                        run.summary["send_rate"]
                            .as_f64()
                            .map_or("–".to_owned(), |r| fmt_num(r, 1)),
                        run.wall_seconds,
                    );
                }
            }

            // Where the adaptive limiter ended exactly at 0.95 × the limit the 429s stated.
            let capped: Vec<String> = runs
                .iter()
                .filter(|(c, s, r)| {
                    *s == Strategy::Adaptive
                        && r.summary["send_rate"]
                            .as_f64()
                            .is_some_and(|rate| (rate - 0.95 * f64::from(c.rate)).abs() < 0.05)
                })
                .map(|(c, _, _)| cell_name(*c))
                .collect();
            if !capped.is_empty() {
                let _ = writeln!(
                    body,
                    "\n`adaptive` ended paced at exactly 0.95·R in {} of {} cells ({}): after \
                     a throttle the limiter holds its rate at 0.95 × the limit a 429's message \
                     states (`limit:N,time:1 second`) before it probes above it again.",
                    capped.len(),
                    plan.cells.len(),
                    capped.join("; ")
                );
            }
            // The adaptive run's recovery: seconds, or `Err(seconds the run went on after the
            // step)` when it did not recover; `None` without a step test.
            let mut recovery_adaptive: Option<Result<f64, f64>> = None;
            if let Some(step) = plan.step {
                let (high, low) = (f64::from(step.high), f64::from(step.low));
                let (down, up) = (f64::from(step.down_at), f64::from(step.up_at));
                let _ = writeln!(
                    body,
                    "\n**Step change.** `--rate-limit-schedule \"{}\"` (token bucket, burst = the \
                     step's rate), {} ms latency, {} tasks, t = 0 as above. **Recovery**: \
                     seconds after the step up at {up} s until the successful deletes in the \
                     last second (a sliding 1 s window, on a 10 ms grid) first reach \
                     0.9·{high} = {}/s. **Slow-down**: seconds after the step down at {down} s \
                     until the delete requests the emulator answered in the last second (429s \
                     included) first fall to {low}/s or fewer. Both windows start with the \
                     second before the step, so a perfect client takes about 0.9 s to recover \
                     and about 1 s to slow down.{}\n",
                    step.schedule(),
                    step.latency_ms,
                    step.tasks,
                    fmt_num(0.9 * high, 0),
                    if step.adaptive_only {
                        " This quick run shortens the phases and runs `adaptive` only."
                    } else {
                        ""
                    },
                );
                let _ = writeln!(
                    body,
                    "| strategy | slow-down s (to ≤ {low}/s sent) | goodput/R at {low}/s \
                     ({down}–{up} s) | recovery s (to ≥ {}/s deleted) | throttled | \
                     attempts/task | tasks failed | wall s |",
                    fmt_num(0.9 * high, 0)
                );
                let _ = writeln!(body, "|---|---|---|---|---|---|---|---|");
                for strategy in STRATEGIES {
                    let Some((_, run)) = steps.iter().find(|(s, _)| *s == strategy) else {
                        continue;
                    };
                    let ok = run.ok_times();
                    let all = run.all_times();
                    let last_ok = ok.last().copied().unwrap_or(0.0);
                    let last_any = all.last().copied().unwrap_or(0.0);
                    let slow_down = first_time(&all, down, up.min(last_any), |n| n as f64 <= low);
                    let recovery = first_time(&ok, up, last_ok, |n| n as f64 >= 0.9 * high);
                    if strategy == Strategy::Adaptive {
                        recovery_adaptive = Some(recovery.ok_or(last_ok - up));
                    }
                    let low_phase = ok.iter().filter(|&&t| t > down && t <= up).count() as f64
                        / (up - down)
                        / low;
                    let slow_text = match slow_down {
                        None => format!("not within the {} s at {low}/s", up - down),
                        Some(t) if t < 0.005 => {
                            format!("0 (already ≤ {low}/s when the step came)")
                        }
                        Some(t) => format!("{t:.2}"),
                    };
                    let recovery_text = recovery.map_or_else(
                        || {
                            format!(
                                "not reached by the end of the run ({:.1} s after the step)",
                                last_ok - up
                            )
                        },
                        |t| format!("{t:.2}"),
                    );
                    let strong = |text: String| {
                        if strategy == Strategy::Adaptive {
                            format!("**{text}**")
                        } else {
                            text
                        }
                    };
                    let _ = writeln!(
                        body,
                        "| {} | {} | {:.2} | {} | {} % | {:.2} | {} | {:.1} |",
                        strategy.label(),
                        slow_text,
                        low_phase,
                        strong(recovery_text),
                        pct(run.throttled_fraction()),
                        run.attempts_per_task(),
                        fmt_num(run.not_deleted(), 0),
                        run.wall_seconds,
                    );
                }
                if let Some((_, run)) = steps.iter().find(|(s, _)| *s == Strategy::Adaptive)
                    && matches!(recovery_adaptive, Some(Err(_)))
                    && run.summary["send_rate"]
                        .as_f64()
                        .is_some_and(|rate| (rate - 0.95 * low).abs() < 0.05)
                {
                    let later = run
                        .replies
                        .iter()
                        .filter(|r| r.status == 429 && r.at > up)
                        .count();
                    let _ = writeln!(
                        body,
                        "\n`adaptive` did not recover: it ended paced at {}/s, 0.95 × the \
                         {low}/s that the 429s stated while the limit was low; the emulator \
                         answered {later} 429(s) after the limit rose.",
                        fmt_num(0.95 * low, 1)
                    );
                }
                // The raw figures behind the table, second by second.
                let shown_seconds = step.up_at as usize + 20;
                let _ = writeln!(
                    body,
                    "\nSuccessful deletes in each second from t = 0 (and 429s, when any, in \
                     brackets), up to {shown_seconds} s; every run's full series is in \
                     `{}/throttle-*.tsv`:\n",
                    procs::rel(&env.root, &env.work).display()
                );
                for strategy in STRATEGIES {
                    let Some((_, run)) = steps.iter().find(|(s, _)| *s == strategy) else {
                        continue;
                    };
                    let seconds: Vec<String> = run
                        .per_second()
                        .iter()
                        .take(shown_seconds)
                        .enumerate()
                        .map(|(second, &(ok, throttled))| {
                            let mark = if second == step.down_at as usize
                                || second == step.up_at as usize
                            {
                                "| "
                            } else {
                                ""
                            };
                            if throttled > 0 {
                                format!("{mark}{ok} ({throttled})")
                            } else {
                                format!("{mark}{ok}")
                            }
                        })
                        .collect();
                    let _ = writeln!(body, "- `{}`: {}", strategy.flag(), seconds.join(" "));
                }
                let _ = writeln!(
                    body,
                    "\n(`|` marks the seconds at which the limit steps down and back up.)"
                );
            }
            if let Some(no_limit) = plan.no_limit {
                super::throttle_cost::no_limit(
                    env,
                    plan,
                    no_limit,
                    body,
                    &mut commands,
                    &mut notes,
                )?;
            }
            if !notes.is_empty() {
                let _ = writeln!(body, "\nNotes on the accounting of these runs:\n");
                for note in &notes {
                    let _ = writeln!(body, "- {note}");
                }
            }
            commands_block(body, &commands);

            // The bars for the adaptive limiter.
            let adaptive: Vec<(Cell, &Run)> = runs
                .iter()
                .filter(|(_, s, _)| *s == Strategy::Adaptive)
                .map(|(c, _, r)| (*c, r))
                .collect();
            let listed = |f: &dyn Fn(Cell, &Run) -> String| {
                adaptive
                    .iter()
                    .map(|(c, r)| format!("{}: {}", cell_name(*c), f(*c, r)))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let steady: Vec<Option<f64>> = adaptive
                .iter()
                .map(|(c, r)| r.steady_goodput(warmup, f64::from(c.rate)))
                .collect();
            goals.push(Goal {
                what: "throttling: adaptive goodput/R (steady), every cell".into(),
                target: "≥ 0.95".into(),
                measured: listed(&|c, r| {
                    r.steady_goodput(warmup, f64::from(c.rate))
                        .map_or("run too short".to_owned(), |g| format!("{g:.2}"))
                }),
                met: if steady.iter().any(Option::is_none) || steady.is_empty() {
                    None
                } else {
                    Some(steady.iter().flatten().all(|&g| g >= 0.95))
                },
            });
            goals.push(Goal {
                what: "throttling: adaptive, attempts throttled, every cell".into(),
                target: "≤ 2 %".into(),
                measured: listed(&|_, r| {
                    format!(
                        "{} % ({} after the first {warmup} s)",
                        pct(r.throttled_fraction()),
                        r.steady_throttled_fraction(warmup)
                            .map_or("–".to_owned(), |f| format!("{} %", pct(f)))
                    )
                }),
                met: (!adaptive.is_empty())
                    .then(|| adaptive.iter().all(|(_, r)| r.throttled_fraction() <= 0.02)),
            });
            goals.push(Goal {
                what: "throttling: adaptive, tasks failed, every cell".into(),
                target: "0".into(),
                measured: listed(&|_, r| fmt_num(r.not_deleted(), 0)),
                met: (!adaptive.is_empty())
                    .then(|| adaptive.iter().all(|(_, r)| r.not_deleted() == 0.0)),
            });
            goals.push(Goal {
                what: "throttling: adaptive recovery to 0.9·R after R rises 20 → 100/s".into(),
                target: "≤ 10 s".into(),
                measured: match recovery_adaptive {
                    Some(Ok(t)) => format!("{t:.2} s"),
                    Some(Err(after)) => {
                        format!("not reached by the end of the run, {after:.1} s after the step")
                    }
                    None => "not measured (no step test)".into(),
                },
                met: recovery_adaptive.map(|r| r.is_ok_and(|t| t <= 10.0)),
            });
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window() {
        // 10/s until 2 s, then 100/s.
        let mut times: Vec<f64> = (1..=20).map(|i| f64::from(i) * 0.1).collect();
        times.extend((1..=300).map(|i| 2.0 + f64::from(i) * 0.01));
        assert_eq!(in_last_second(&times, 2.0), 10);
        assert_eq!(in_last_second(&times, 3.0), 100);
        let reach = first_time(&times, 2.0, 5.0, |n| n >= 90).unwrap();
        assert!((reach - 0.89).abs() < 0.011, "{reach}");
        assert_eq!(first_time(&times, 2.0, 5.0, |n| n >= 200), None);
        assert_eq!(first_time(&times, 3.0, 2.0, |n| n >= 1), None);
    }
}
