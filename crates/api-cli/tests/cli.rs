//! The `processor-tasks` binary end to end, against an emulator on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

mod common;

use api_emulator::{FaultConfig, Route};
use assert_cmd::Command;
use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn deletes_one_and_many_and_leaves_the_rest() {
    let (emu, ids) = emulator(10, FaultConfig::default()).await;
    let mut cmd = cli(&emu);
    cmd.args(["delete", &ids[0]]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("deleted:       1"),
        "{}",
        text(&out.stdout)
    );

    let mut cmd = cli(&emu);
    cmd.arg("delete").args(&ids[1..4]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(remaining(&emu, &ids[..4]), 0);
    assert_eq!(remaining(&emu, &ids[4..]), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_line_7_deletes_nothing_and_exits_2() {
    let (emu, ids) = emulator(10, FaultConfig::default()).await;
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(
        file,
        "# ids to delete\n{}\n{}\n\n{}\n{}\nbad/id\n{}",
        ids[0], ids[1], ids[2], ids[3], ids[4]
    )
    .unwrap();
    let mut cmd = cli(&emu);
    cmd.args(["delete", "--from-file"]).arg(file.path());
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:7: invalid task id \"bad/id\"",
            file.path().display()
        )),
        "{err}"
    );
    assert!(
        err.contains("path separator") && err.contains("nothing was deleted"),
        "{err}"
    );
    assert_eq!(emu.stats().responses_for(Route::DeleteTask), 0);
    assert_eq!(emu.stats().requests_received, 0);
    assert_eq!(remaining(&emu, &ids), 10);

    // --skip-invalid deletes the valid ones and reports the bad one, exit 1.
    let mut cmd = cli(&emu);
    cmd.args(["delete", "--skip-invalid", "--from-file"])
        .arg(file.path());
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains(":7"), "{}", text(&out.stderr));
    assert_eq!(remaining(&emu, &ids[..5]), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn if_exists_and_exit_codes() {
    let (emu, ids) = emulator(3, FaultConfig::default()).await;
    let mut cmd = cli(&emu);
    cmd.args(["delete", &ids[0]]);
    assert!(output(cmd).await.status.success());

    // Deleting it again fails (400 ModelArts.4700) and names the request id.
    let mut cmd = cli(&emu);
    cmd.args(["delete", &ids[0]]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("ModelArts.4700") && err.contains("request id"),
        "{err}"
    );
    assert!(
        text(&out.stdout).contains("failed with 400 ModelArts.4700: 1"),
        "{}",
        text(&out.stdout)
    );

    // With --if-exists it is success.
    let mut cmd = cli(&emu);
    cmd.args(["delete", "--if-exists", &ids[0], &ids[1]]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("already gone:  1"),
        "{}",
        text(&out.stdout)
    );

    // Usage errors exit 2: no ids, no endpoint, a secret as a flag.
    let mut cmd = cli(&emu);
    cmd.arg("delete");
    assert_eq!(output(cmd).await.status.code(), Some(2));
    let mut cmd = Command::cargo_bin("processor-tasks").unwrap();
    cmd.env_clear()
        .args(["--project-id", project().as_str(), "delete", "x"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no endpoint"),
        "{}",
        text(&out.stderr)
    );
    let mut cmd = cli(&emu);
    cmd.args(["--sk", SK, "delete", "x"]);
    assert_eq!(output(cmd).await.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn json_output_parses_and_ids_can_come_from_stdin() {
    let (emu, ids) = emulator(5, FaultConfig::default()).await;
    let mut cmd = cli(&emu);
    cmd.args(["--output", "json", "delete", "--from-file", "-"])
        .write_stdin(format!("{}\n{}\n", ids[0], ids[1]));
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 3);
    assert!(
        lines[..2]
            .iter()
            .all(|l| l["result"] == "deleted" && l["attempts"] == 1 && l["request_id"].is_string())
    );
    assert_eq!(lines[2]["kind"], "summary");
    assert_eq!(lines[2]["deleted"], 2);
    assert_eq!(remaining(&emu, &ids), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_sends_nothing() {
    let (emu, ids) = emulator(3, FaultConfig::default()).await;
    let mut cmd = cli(&emu);
    cmd.arg("delete").arg("--dry-run").args(&ids);
    let out = output(cmd).await;
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("would delete "))
            .count(),
        3
    );
    assert_eq!(emu.stats().requests_received, 0);
    assert_eq!(remaining(&emu, &ids), 3);

    // A repeated id would be deleted once, as in a real run.
    let mut cmd = cli(&emu);
    cmd.args([
        "delete",
        "--dry-run",
        "-o",
        "json",
        &ids[0],
        &ids[1],
        &ids[0],
    ]);
    let out = output(cmd).await;
    assert!(out.status.success());
    let lines = json_lines(&out.stdout);
    let results: Vec<&str> = lines[..lines.len() - 1]
        .iter()
        .map(|l| l["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["would_delete", "would_delete", "duplicate"]);
    assert_eq!(lines.last().unwrap()["would_delete"], 2);
    assert_eq!(emu.stats().requests_received, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_percent_faults_still_delete_everything_and_count_retries() {
    let faults = FaultConfig {
        seed: 9,
        too_many_requests: 0.05,
        internal_error: 0.05,
        unavailable: 0.04,
        drop_connection: 0.03,
        delete_then_drop: 0.03,
        retry_after_secs: 0,
        ..FaultConfig::default()
    };
    let (emu, ids) = emulator(400, faults).await;
    let mut file = tempfile::NamedTempFile::new().unwrap();
    for id in &ids {
        writeln!(file, "{id}").unwrap();
    }
    let mut cmd = cli(&emu);
    cmd.args([
        "--output",
        "json",
        "--max-attempts",
        "10",
        // Throttles at random (not by rate) would teach the rate limiter a rate of a few per
        // second; pace as before.
        "--throttling",
        "aimd",
        "delete",
        "--if-exists",
        "--concurrency",
        "16",
        "--from-file",
    ])
    .arg(file.path());
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = json_lines(&out.stdout);
    let summary = lines.last().unwrap();
    assert_eq!(summary["failed"], 0);
    assert_eq!(
        summary["deleted"].as_u64().unwrap() + summary["already_gone"].as_u64().unwrap(),
        400
    );
    assert!(summary["retries"].as_u64().unwrap() > 20, "{summary}");
    assert!(emu.stats().faults_total() > 20);
    assert_eq!(remaining(&emu, &ids), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_storm_halves_the_concurrency_with_throttling_aimd() {
    let faults = FaultConfig {
        seed: 3,
        too_many_requests: 0.3,
        retry_after_secs: 0,
        ..FaultConfig::default()
    };
    let (emu, ids) = emulator(100, faults).await;
    let mut cmd = cli(&emu);
    cmd.args([
        "--output",
        "json",
        "--max-attempts",
        "12",
        "--throttling",
        "aimd",
        "delete",
        "--concurrency",
        "32",
    ])
    .args(&ids);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = json_lines(&out.stdout);
    let summary = lines.last().unwrap();
    assert!(summary["throttled"].as_u64().unwrap() > 15, "{summary}");
    assert!(
        summary["lowest_concurrency"].as_u64().unwrap() <= 16,
        "{summary}"
    );
    assert_eq!(remaining(&emu, &ids), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_and_the_embedded_emulator_work_with_no_setup() {
    let mut cmd = Command::cargo_bin("processor-tasks").unwrap();
    cmd.env_clear()
        .args(["demo", "--tasks", "300", "--survivors", "30"]);
    let out = output(cmd).await;
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout)
            .contains("300 of 300 targeted tasks are gone; 30 of 30 other tasks remain"),
        "{}",
        text(&out.stdout)
    );

    let mut cmd = Command::cargo_bin("processor-tasks").unwrap();
    cmd.env_clear().args([
        "--emulator",
        "--emulator-tasks",
        "3",
        "delete",
        "--if-exists",
        "not-there",
    ]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("seeded task ids:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn completions_and_help() {
    let out = Command::cargo_bin("processor-tasks")
        .unwrap()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success() && text(&out.stdout).contains("processor-tasks"));
    let out = Command::cargo_bin("processor-tasks")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    let help = text(&out.stdout);
    assert!(
        help.contains("Examples:") && help.contains("processor-tasks demo"),
        "{help}"
    );
}
