//! Exact accounting: 1,000 tasks deleted through faults that lose replies (delete-then-drop),
//! lose requests (drop) and fail them (5xx), with and without `--if-exists`. Every record must
//! say what the emulator's final state says: `deleted`/`already_gone` only for tasks that are
//! gone, `failed` only for tasks that are still there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{
    collections::{BTreeMap, HashSet},
    io::Write,
};

use api_emulator::FaultConfig;
use common::*;

const TASKS: usize = 1000;

struct Mix {
    name: &'static str,
    faults: FaultConfig,
}

fn mixes() -> [Mix; 4] {
    let base = FaultConfig {
        retry_after_secs: 0,
        ..FaultConfig::default()
    };
    [
        Mix {
            name: "delete-then-drop 30%",
            faults: FaultConfig {
                seed: 11,
                delete_then_drop: 0.3,
                ..base.clone()
            },
        },
        Mix {
            name: "drop 30%",
            faults: FaultConfig {
                seed: 12,
                drop_connection: 0.3,
                ..base.clone()
            },
        },
        Mix {
            name: "5xx 30%",
            faults: FaultConfig {
                seed: 13,
                internal_error: 0.15,
                unavailable: 0.15,
                ..base.clone()
            },
        },
        Mix {
            name: "all of them, 10% each",
            faults: FaultConfig {
                seed: 14,
                delete_then_drop: 0.1,
                drop_connection: 0.1,
                internal_error: 0.05,
                unavailable: 0.05,
                ..base
            },
        },
    ]
}

/// What one run recorded, by result, next to what the emulator holds afterwards.
#[derive(Debug, Default)]
struct Tally {
    deleted: usize,
    gone_on_retry: usize,
    confirmed_by_describe: usize,
    already_gone: usize,
    failed: usize,
    unknown: usize,
    gone_on_server: usize,
}

async fn run(mix: &Mix, if_exists: bool) -> Tally {
    let (emu, ids) = emulator(TASKS, mix.faults.clone()).await;
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for id in &ids {
        writeln!(file, "{id}").unwrap();
    }
    let failed_to = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = cli(&emu);
    cmd.args(["delete", "-o", "json", "--concurrency", "32", "-f"])
        .arg(file.path())
        .arg("--failed-to")
        .arg(failed_to.path());
    if if_exists {
        cmd.arg("--if-exists");
    }
    let out = output(cmd).await;
    let context = format!(
        "{} {}",
        mix.name,
        if if_exists { "--if-exists" } else { "" }
    );
    let lines = json_lines(&out.stdout);
    let (summary, records) = lines.split_last().unwrap();
    assert_eq!(summary["kind"], "summary", "{context}");

    let mut by_result: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    let mut tally = Tally::default();
    for record in records {
        let id = record["task_id"].as_str().unwrap().to_owned();
        let result = record["result"].as_str().unwrap().to_owned();
        if record["gone_on_retry"] == true {
            tally.gone_on_retry += 1;
        }
        if record["confirmed_by"] == "describe" {
            tally.confirmed_by_describe += 1;
        }
        assert!(
            by_result.entry(result).or_default().insert(id.clone()),
            "{context}: {id} recorded twice"
        );
    }
    let set = |name: &str| by_result.get(name).cloned().unwrap_or_default();
    let store = emu.store();
    let gone: HashSet<String> = ids
        .iter()
        .filter(|id| !store.contains(&project(), &id.parse().unwrap()))
        .cloned()
        .collect();
    let recorded: usize = by_result.values().map(HashSet::len).sum();
    assert_eq!(recorded, TASKS, "{context}: one record per id");
    for (result, ids) in &by_result {
        for id in ids {
            let is_gone = gone.contains(id);
            match result.as_str() {
                "deleted" | "already_gone" => {
                    assert!(is_gone, "{context}: {id} recorded {result} but still there");
                }
                "failed" => assert!(!is_gone, "{context}: {id} recorded failed but gone"),
                "unknown" => {}
                other => panic!("{context}: {id} has result {other}"),
            }
        }
    }
    // Every task there was existed: without --if-exists, none may count as already gone.
    if !if_exists {
        assert!(set("already_gone").is_empty(), "{context}");
    }
    tally.deleted = set("deleted").len();
    tally.already_gone = set("already_gone").len();
    tally.failed = set("failed").len();
    tally.unknown = set("unknown").len();
    tally.gone_on_server = gone.len();
    // --failed-to lists exactly the ids not known to be gone.
    let left: HashSet<String> = std::fs::read_to_string(failed_to.path())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let not_done: HashSet<String> = set("failed").union(&set("unknown")).cloned().collect();
    assert_eq!(left, not_done, "{context}: --failed-to");
    // And every task that is gone has a record saying so (or saying it cannot know).
    let unknown_but_gone = set("unknown").intersection(&gone).count();
    assert_eq!(
        tally.deleted + tally.already_gone + unknown_but_gone,
        gone.len(),
        "{context}: {tally:?}"
    );
    for (field, n) in [
        ("deleted", tally.deleted),
        ("already_gone", tally.already_gone),
        ("failed", tally.failed),
        ("unknown", tally.unknown),
    ] {
        assert_eq!(
            summary[field].as_u64(),
            Some(n as u64),
            "{context}: {summary}"
        );
    }
    let exit = out.status.code();
    let all_done = tally.failed == 0 && tally.unknown == 0;
    assert_eq!(
        exit,
        Some(if all_done { 0 } else { 1 }),
        "{context}: {}",
        text(&out.stderr)
    );
    eprintln!("{context}: {tally:?}");
    tally
}

async fn accounting_under(mix: &Mix) {
    for if_exists in [false, true] {
        let tally = run(mix, if_exists).await;
        // The faults were met: replies were lost and found again, or attempts ran out.
        assert!(
            tally.gone_on_retry + tally.confirmed_by_describe + tally.failed > 0,
            "{}: no fault changed anything: {tally:?}",
            mix.name
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn records_match_the_server_under_delete_then_drop() {
    accounting_under(&mixes()[0]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn records_match_the_server_under_dropped_connections() {
    accounting_under(&mixes()[1]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn records_match_the_server_under_5xx() {
    accounting_under(&mixes()[2]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn records_match_the_server_under_every_fault_at_once() {
    accounting_under(&mixes()[3]).await;
}
