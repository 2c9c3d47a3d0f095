//! The JSON output contract: every line every command writes with `--output json` matches the
//! schema of its kind (`crates/api-cli/schemas/`), and every kind and every delete result is
//! produced by some real run here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::io::Write;

use api_client::{Client, Credentials};
use api_emulator::{Emulator, FaultConfig, TaskStatus, seeded_tasks};
use assert_cmd::Command;
use common::*;

/// Runs `cmd`, checks every stdout line against its schema, and returns the lines.
async fn checked(schemas: &Schemas, cmd: Command) -> (Option<i32>, Vec<serde_json::Value>) {
    let out = output(cmd).await;
    let lines = json_lines(&out.stdout);
    for line in &lines {
        schemas.check(line);
    }
    (out.status.code(), lines)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_line_of_every_command_matches_its_schema() {
    let schemas = Schemas::load();
    let mut tasks = seeded_tasks(&project(), 30, 11);
    let statuses = [
        TaskStatus::Completed,
        TaskStatus::Failed,
        TaskStatus::Running,
        TaskStatus::Stopped,
        TaskStatus::Initializing,
    ];
    for (i, task) in tasks.iter_mut().enumerate() {
        task.status = statuses[i % statuses.len()];
    }
    let ids: Vec<String> = tasks.iter().map(|t| t.task_id.to_string()).collect();
    let emu = Emulator::builder()
        .ak_sk(AK, SK, &project())
        .with_tasks(&project(), tasks)
        .faults(FaultConfig {
            seed: 3,
            delete_then_drop: 0.3,
            ..FaultConfig::default()
        })
        .start()
        .await
        .unwrap();
    // Two versions on a completed task, for `show --versions`.
    let client = Client::builder()
        .endpoint(&emu.endpoint())
        .project_id(project().as_str())
        .credentials(Credentials::ak_sk(AK, SK))
        .build()
        .unwrap();
    for _ in 0..2 {
        client
            .create_processor_task_version(
                &ids[0].parse().unwrap(),
                api_model::CreateProcessorTaskVersionRequest::default(),
            )
            .await
            .unwrap();
    }

    let mut kinds = BTreeSet::new();
    let mut results = BTreeSet::new();
    let mut note = |lines: &[serde_json::Value]| {
        for line in lines {
            kinds.insert(line["kind"].as_str().unwrap().to_owned());
            if let Some(result) = line["result"].as_str() {
                results.insert(result.to_owned());
            }
        }
    };

    let mut cmd = cli(&emu);
    cmd.args(["list", "--output", "json"]);
    let (code, lines) = checked(&schemas, cmd).await;
    assert_eq!(code, Some(0));
    note(&lines);

    let mut cmd = cli(&emu);
    cmd.args(["show", &ids[0], "--versions", "--output", "json"]);
    let (code, lines) = checked(&schemas, cmd).await;
    assert_eq!(code, Some(0));
    assert_eq!(lines.iter().filter(|l| l["kind"] == "version").count(), 2);
    note(&lines);

    // A batch with a bit of everything: deletes (some of whose replies are lost), a task that
    // is initializing, one that does not exist, a repeat and an invalid id.
    let mut file = tempfile::NamedTempFile::new().unwrap();
    let mut batch: Vec<String> = ids[1..].to_vec();
    batch.push("NoSuchTask000000000".into());
    batch.push(ids[1].clone());
    batch.push("bad/id".into());
    writeln!(file, "{}", batch.join("\n")).unwrap();
    let mut cmd = cli(&emu);
    cmd.args([
        "delete",
        "--skip-invalid",
        "--output",
        "json",
        "--from-file",
    ])
    .arg(file.path());
    let (code, lines) = checked(&schemas, cmd).await;
    assert_eq!(code, Some(1));
    note(&lines);

    let mut cmd = cli(&emu);
    cmd.args([
        "delete",
        "--if-exists",
        "--output",
        "json",
        "NoSuchTask000000000",
    ]);
    let (_, lines) = checked(&schemas, cmd).await;
    note(&lines);

    let mut cmd = cli(&emu);
    cmd.args(["delete", "--dry-run", "--output", "json", &ids[0]]);
    let (code, lines) = checked(&schemas, cmd).await;
    assert_eq!(code, Some(0));
    note(&lines);

    let mut cmd = Command::cargo_bin("processor-tasks").unwrap();
    cmd.env_clear().args([
        "demo",
        "--tasks",
        "40",
        "--survivors",
        "5",
        "--output",
        "json",
    ]);
    let (code, lines) = checked(&schemas, cmd).await;
    assert_eq!(code, Some(0));
    assert!(
        lines.last().unwrap()["verification"]["ok"]
            .as_bool()
            .unwrap()
    );
    note(&lines);

    // The command itself fails: an error object, exit 2.
    let mut cmd = cli(&emu);
    cmd.args([
        "list",
        "--output",
        "json",
        "--endpoint",
        "http://127.0.0.1:99999",
    ]);
    let (code, lines) = checked(&schemas, cmd).await;
    assert_eq!(code, Some(2));
    assert_eq!(lines.last().unwrap()["kind"], "error");
    note(&lines);

    // A command line that does not parse: an error object too, exit 2.
    let mut cmd = cli(&emu);
    cmd.args(["list", "--output", "json", "--no-such-flag"]);
    let (code, lines) = checked(&schemas, cmd).await;
    assert_eq!(code, Some(2));
    assert_eq!(lines.last().unwrap()["kind"], "error");
    note(&lines);

    // A call to the service fails: an error object with what the service said, exit 1.
    let mut cmd = cli(&emu);
    cmd.args(["show", "NoSuchTask000000000", "--output", "json"]);
    let (code, lines) = checked(&schemas, cmd).await;
    assert_eq!(code, Some(1));
    let error = lines.last().unwrap();
    assert_eq!(error["kind"], "error");
    assert_eq!(error["http_status"], 400, "{error}");
    assert_eq!(error["code"], "ModelArts.4700", "{error}");
    assert!(error["request_id"].is_string(), "{error}");
    note(&lines);

    // The emulator's ready line, for harnesses that start it on --port 0.
    let ready = tokio::task::spawn_blocking(|| {
        use std::io::BufRead;
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("processor-tasks"))
            .env_clear()
            .args([
                "emulator", "--port", "0", "--seed", "12", "--output", "json",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let _ = child.kill();
        let _ = child.wait();
        serde_json::from_str::<serde_json::Value>(&line).unwrap()
    })
    .await
    .unwrap();
    schemas.check(&ready);
    assert_eq!(ready["tasks"], 12);
    assert!(
        ready["url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    note(&[ready]);

    // What a command would use, and where from.
    let mut cmd = cli(&emu);
    cmd.args(["config", "--output", "json"]);
    let (code, lines) = checked(&schemas, cmd).await;
    assert_eq!(code, Some(0));
    assert_eq!(
        lines[0]["project_id"]["source"], "flag --project-id",
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[0]["credentials"]["source"], "env HUAWEICLOUD_SDK_AK",
        "{}",
        lines[0]
    );
    note(&lines);

    // Every kind with a schema was produced and checked (`unknown` results come from the
    // chaos test, which checks its records against the schema too).
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), schemas.kinds());
    for result in [
        "deleted",
        "already_gone",
        "failed",
        "invalid",
        "duplicate",
        "would_delete",
    ] {
        assert!(results.contains(result), "no {result} record: {results:?}");
    }
    eprintln!(
        "{} record kinds covered by a schema: {:?}",
        schemas.kinds().len(),
        schemas.kinds()
    );
}
