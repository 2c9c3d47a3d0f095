//! Chaos: a real `processor-tasks delete` process, interrupted by a real signal (or a reader
//! that closes stdout) at seeded random moments, against an emulator with latency and faults.
//! After each run, the tasks gone from the emulator are exactly those recorded as deleted,
//! plus some of those recorded as unknown, and the summary's counts are the records' counts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use api_emulator::{Emulator, FaultConfig, TaskStatus, seeded_tasks};
use common::*;

/// Runs per way of interrupting.
const RUNS: u64 = 20;
/// Tasks per run.
const TASKS: usize = 160;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Interruption {
    /// One SIGINT: in flight finishes.
    Sigint,
    /// SIGINT, then another: in flight is abandoned (`unknown`).
    DoubleSigint,
    Sigterm,
    /// The reader reads some lines, then closes stdout.
    ClosedStdout,
}

/// What one run left behind.
struct Run {
    exit: Option<i32>,
    records: Vec<serde_json::Value>,
    summary: serde_json::Value,
    ids: Vec<String>,
    emu: Emulator,
}

async fn one_run(seed: u64, how: Interruption) -> Run {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut tasks = seeded_tasks(&project(), TASKS, seed);
    for task in &mut tasks {
        task.status = TaskStatus::Completed;
    }
    let ids: Vec<String> = tasks.iter().map(|t| t.task_id.to_string()).collect();
    let emu = Emulator::builder()
        .ak_sk(AK, SK, &project())
        .with_tasks(&project(), tasks)
        .faults(FaultConfig {
            seed,
            too_many_requests: 0.05,
            internal_error: 0.04,
            unavailable: 0.04,
            drop_connection: 0.03,
            delete_then_drop: 0.04,
            latency: Duration::from_millis(15),
            latency_jitter: Duration::from_millis(20),
            retry_after_secs: 0,
        })
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ids.txt");
    std::fs::write(&file, ids.join("\n")).unwrap();

    let mut cmd = spawnable(&emu);
    cmd.args(["delete", "--from-file"])
        .arg(&file)
        .args(["--if-exists", "--concurrency", "8", "--output", "json"])
        .args(["--max-attempts", "5", "--attempt-timeout", "5s"])
        // Throttles at random (not by rate) would teach the rate limiter a rate of a few per
        // second; pace as before. `tests/e2e/throttling.rs` runs the limiter against a rate.
        .args(["--throttling", "aimd"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let wait = Duration::from_millis(rng.u64(30..600));
    let lines_to_read = rng.usize(0..60);
    let second_after = Duration::from_millis(rng.u64(1..40));
    let (exit, stdout, stderr) = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().unwrap();
        let pid = child.id().to_string();
        let signal = |name: &str| {
            let _ = Command::new("kill").args(["-s", name, &pid]).status();
        };
        let mut stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let err_reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut out_text = String::new();
        match how {
            Interruption::ClosedStdout => {
                // Read some lines, then go away. What the reader took from the pipe counts as
                // received, its buffer too (whole lines only); what the pipe still held, the
                // CLI must write again to stderr.
                let mut reader = BufReader::new(stdout);
                for _ in 0..lines_to_read {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    out_text.push_str(&line);
                }
                let buffered = String::from_utf8_lossy(reader.buffer()).into_owned();
                if let Some(end) = buffered.rfind('\n') {
                    out_text.push_str(&buffered[..=end]);
                }
                drop(reader);
            }
            _ => {
                let out_reader = std::thread::spawn(move || {
                    let mut text = String::new();
                    let _ = stdout.read_to_string(&mut text);
                    text
                });
                std::thread::sleep(wait);
                match how {
                    Interruption::Sigterm => signal("TERM"),
                    Interruption::Sigint => signal("INT"),
                    Interruption::DoubleSigint => {
                        signal("INT");
                        std::thread::sleep(second_after);
                        signal("INT");
                    }
                    Interruption::ClosedStdout => {}
                }
                out_text = out_reader.join().unwrap();
            }
        }
        let status = child.wait().unwrap();
        (status.code(), out_text, err_reader.join().unwrap())
    })
    .await
    .unwrap();

    // Records are JSON lines on stdout, and on stderr once stdout is closed; each matches the
    // schema of its kind.
    let schemas = Schemas::load();
    let mut records = Vec::new();
    let mut summary = None;
    for line in stdout.lines().chain(stderr.lines()) {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        schemas.check(&value);
        if value["kind"] == "summary" {
            summary = Some(value.clone());
        } else if value["kind"] == "delete" {
            records.push(value);
        }
    }
    let summary = summary.unwrap_or_else(|| {
        panic!("seed {seed} {how:?}: no summary\nstdout:\n{stdout}\nstderr:\n{stderr}")
    });
    Run {
        exit,
        records,
        summary,
        ids,
        emu,
    }
}

/// Checks one run: records against the emulator's state, summary against records.
fn check(seed: u64, how: Interruption, run: &Run) -> Outcomes {
    let context = format!("seed {seed} {how:?}");
    let mut by_result: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for record in &run.records {
        let result = record["result"].as_str().unwrap().to_owned();
        let id = record["task_id"].as_str().unwrap().to_owned();
        assert!(
            by_result.entry(result).or_default().insert(id.clone()),
            "{context}: {id} recorded twice"
        );
    }
    let set = |name: &str| by_result.get(name).cloned().unwrap_or_default();
    let (deleted, already, unknown, failed) = (
        set("deleted"),
        set("already_gone"),
        set("unknown"),
        set("failed"),
    );
    let store = run.emu.store();
    let gone: HashSet<String> = run
        .ids
        .iter()
        .filter(|id| !store.contains(&project(), &id.parse().unwrap()))
        .cloned()
        .collect();
    // Recorded done => gone; gone => recorded done or unknown.
    for id in deleted.iter().chain(&already) {
        assert!(
            gone.contains(id),
            "{context}: {id} recorded done but present"
        );
    }
    for id in &gone {
        assert!(
            deleted.contains(id) || already.contains(id) || unknown.contains(id),
            "{context}: {id} is gone but recorded as {:?}",
            by_result
                .iter()
                .find(|(_, ids)| ids.contains(id))
                .map(|(r, _)| r)
        );
    }
    for id in &failed {
        assert!(
            !gone.contains(id),
            "{context}: {id} recorded failed but gone"
        );
    }
    // The summary counts what the records say, and every id is accounted for.
    let count = |field: &str| run.summary[field].as_u64().unwrap();
    assert_eq!(count("deleted") as usize, deleted.len(), "{context}");
    assert_eq!(count("already_gone") as usize, already.len(), "{context}");
    assert_eq!(count("unknown") as usize, unknown.len(), "{context}");
    assert_eq!(count("failed") as usize, failed.len(), "{context}");
    assert_eq!(
        run.records.len() as u64 + count("not_attempted"),
        run.ids.len() as u64,
        "{context}: every id is a record or not attempted"
    );
    let interrupted = run.summary["interrupted"].as_bool().unwrap();
    let expected_exit = match how {
        Interruption::Sigint | Interruption::DoubleSigint => 130,
        Interruption::Sigterm => 143,
        Interruption::ClosedStdout => 141,
    };
    if interrupted {
        assert_eq!(
            run.exit,
            Some(expected_exit),
            "{context}: {:?}",
            run.summary
        );
    } else {
        // The batch was done before the interruption came.
        assert!(
            matches!(run.exit, Some(0 | 1)),
            "{context}: exit {:?}, {:?}",
            run.exit,
            run.summary
        );
    }
    Outcomes {
        interrupted: u64::from(interrupted),
        gone: gone.len() as u64,
        unknown: unknown.len() as u64,
        not_attempted: count("not_attempted"),
    }
}

#[derive(Debug, Default)]
struct Outcomes {
    interrupted: u64,
    gone: u64,
    unknown: u64,
    not_attempted: u64,
}

async fn chaos(how: Interruption, first_seed: u64) {
    let mut total = Outcomes::default();
    // Two runs at a time: each is a process and an emulator of its own.
    for pair in 0..RUNS / 2 {
        let seeds = [first_seed + 2 * pair, first_seed + 2 * pair + 1];
        let runs = futures_util::future::join_all(seeds.map(|seed| one_run(seed, how))).await;
        for (seed, run) in seeds.into_iter().zip(&runs) {
            let outcome = check(seed, how, run);
            total.interrupted += outcome.interrupted;
            total.gone += outcome.gone;
            total.unknown += outcome.unknown;
            total.not_attempted += outcome.not_attempted;
        }
        for run in runs {
            run.emu.shutdown().await;
        }
    }
    eprintln!(
        "chaos {how:?}: {RUNS} runs of {TASKS} tasks, {} interrupted midway; {} tasks gone, all \
         recorded; {} unknown; {} not attempted; 0 mismatches",
        total.interrupted, total.gone, total.unknown, total.not_attempted
    );
    assert!(
        total.interrupted >= RUNS / 2,
        "most runs must really be interrupted midway: {total:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_at_random_moments_loses_no_record() {
    chaos(Interruption::Sigint, 1_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sigint_records_what_was_in_flight_as_unknown() {
    chaos(Interruption::DoubleSigint, 2_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_at_random_moments_loses_no_record() {
    chaos(Interruption::Sigterm, 3_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_closes_stdout_loses_no_record() {
    chaos(Interruption::ClosedStdout, 4_000).await;
}
