//! Fail fast: a failure that every request would repeat (a wrong secret key, a wrong project,
//! a refused connection, a name that does not resolve) stops a batch at the first, instead of
//! sending every id. Failures about one task do not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;

use api_emulator::{Emulator, FaultConfig, TaskStatus, seeded_tasks};
use assert_cmd::Command;
use common::*;

const IDS: usize = 100;

/// An ids file of the emulator's tasks.
fn ids_file(ids: &[String]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(file, "{}", ids.join("\n")).unwrap();
    file
}

/// Runs `delete -f` with `cmd`'s connection, 8 in flight, JSON out; returns the records and the
/// summary.
async fn run(
    mut cmd: Command,
    file: &tempfile::NamedTempFile,
) -> (
    Option<i32>,
    Vec<serde_json::Value>,
    serde_json::Value,
    String,
) {
    cmd.args([
        "delete",
        "--concurrency",
        "8",
        "--output",
        "json",
        "--from-file",
    ])
    .arg(file.path());
    let out = output(cmd).await;
    let mut lines = json_lines(&out.stdout);
    let summary = lines.pop().unwrap();
    assert_eq!(summary["kind"], "summary");
    (out.status.code(), lines, summary, text(&out.stderr))
}

fn assert_stopped(
    what: &str,
    code: Option<i32>,
    records: &[serde_json::Value],
    summary: &serde_json::Value,
    stderr: &str,
    needle: &str,
) {
    assert_eq!(code, Some(1), "{what}: {stderr}");
    let stopped = summary["stopped_early"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: {summary}"));
    assert!(stopped.contains(needle), "{what}: {stopped}");
    assert!(
        records.len() <= 16,
        "{what}: {} records: a few in flight, not every id",
        records.len()
    );
    assert_eq!(
        records.len() as u64 + summary["not_attempted"].as_u64().unwrap(),
        IDS as u64,
        "{what}: every id is a record or not attempted"
    );
    assert!(stderr.contains("stopped at the first"), "{what}: {stderr}");
    eprintln!(
        "{what}: {} requests' records before stopping, {} not attempted",
        records.len(),
        summary["not_attempted"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_key_stops_the_batch_at_the_first_401() {
    let (emu, ids) = emulator(IDS, FaultConfig::default()).await;
    let file = ids_file(&ids);
    let mut cmd = cli(&emu);
    cmd.env("HUAWEICLOUD_SDK_SK", "not-the-secret-key");
    let (code, records, summary, stderr) = run(cmd, &file).await;
    assert_stopped("wrong SK", code, &records, &summary, &stderr, "APIG.0301");
    let sent = emu.stats().requests_received;
    eprintln!("wrong SK: {sent} requests reached the emulator");
    assert!(sent <= 16, "{sent} requests");
    assert_eq!(remaining(&emu, &ids), IDS);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_project_the_credentials_do_not_have_stops_at_the_first_403() {
    let (emu, ids) = emulator(IDS, FaultConfig::default()).await;
    let file = ids_file(&ids);
    let cmd = cli_at(&emu.endpoint(), "ffffffffffffffffffffffffffffffff");
    let (code, records, summary, stderr) = run(cmd, &file).await;
    assert_stopped(
        "wrong project",
        code,
        &records,
        &summary,
        &stderr,
        "ModelArts.0210",
    );
    let sent = emu.stats().requests_received;
    eprintln!("wrong project: {sent} requests reached the emulator");
    assert!(sent <= 16, "{sent} requests");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_connection_stops_the_batch() {
    // A port with nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ids: Vec<String> = seeded_tasks(&project(), IDS, 1)
        .iter()
        .map(|t| t.task_id.to_string())
        .collect();
    let file = ids_file(&ids);
    let cmd = cli_at(&format!("http://127.0.0.1:{port}"), project().as_str());
    let (code, records, summary, stderr) = run(cmd, &file).await;
    assert_stopped(
        "connection refused",
        code,
        &records,
        &summary,
        &stderr,
        "connect",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_that_does_not_resolve_stops_the_batch() {
    let ids: Vec<String> = seeded_tasks(&project(), IDS, 1)
        .iter()
        .map(|t| t.task_id.to_string())
        .collect();
    let file = ids_file(&ids);
    let mut cmd = cli_at("https://modelarts.nowhere.invalid", project().as_str());
    cmd.args(["--max-attempts", "1", "--attempt-timeout", "5s"]);
    let (code, records, summary, stderr) = run(cmd, &file).await;
    assert_stopped("no such host", code, &records, &summary, &stderr, "connect");
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_about_one_task_do_not_stop_the_batch() {
    // Every third task is initializing: 403 ModelArts.4850, about that task only.
    let mut tasks = seeded_tasks(&project(), IDS, 3);
    for (i, task) in tasks.iter_mut().enumerate() {
        task.status = if i % 3 == 0 {
            TaskStatus::Initializing
        } else {
            TaskStatus::Completed
        };
    }
    let ids: Vec<String> = tasks.iter().map(|t| t.task_id.to_string()).collect();
    let emu = Emulator::builder()
        .ak_sk(AK, SK, &project())
        .with_tasks(&project(), tasks)
        .start()
        .await
        .unwrap();
    let file = ids_file(&ids);
    let (code, records, summary, _) = run(cli(&emu), &file).await;
    assert_eq!(code, Some(1));
    assert!(summary["stopped_early"].is_null(), "{summary}");
    assert_eq!(records.len(), IDS);
    assert_eq!(summary["failed"], 34);
    assert_eq!(summary["deleted"], 66);
}
