//! `list`, `show` and `delete --where` end to end: the binary against an emulator on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use api_emulator::{Emulator, Route, Task, TaskStatus};
use common::*;

const DAY_MS: u64 = 86_400_000;

fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// `(id, name, status, template, age in days)`.
type Spec = (&'static str, &'static str, TaskStatus, &'static str, u64);

const TASKS: [Spec; 8] = [
    (
        "OldFailedNightly001",
        "nightly-clean",
        TaskStatus::Failed,
        "sys_data_cleaning",
        45,
    ),
    (
        "OldFailedNightly002",
        "nightly-analyse",
        TaskStatus::Failed,
        "sys_data_analyse",
        31,
    ),
    (
        "NewFailedNightly003",
        "nightly-clean",
        TaskStatus::Failed,
        "sys_data_cleaning",
        3,
    ),
    (
        "OldFailedOther00004",
        "weekly-clean",
        TaskStatus::Failed,
        "sys_data_cleaning",
        60,
    ),
    (
        "OldDoneNightly00005",
        "nightly-clean",
        TaskStatus::Completed,
        "sys_data_cleaning",
        90,
    ),
    (
        "OldRunNightly000006",
        "nightly-run",
        TaskStatus::Running,
        "sys_data_cleaning",
        40,
    ),
    (
        "OldStopped000000007",
        "Nightly-upper",
        TaskStatus::Failed,
        "sys_data_selection",
        50,
    ),
    (
        "OldStopped000000008",
        "archive",
        TaskStatus::Stopped,
        "sys_data_selection",
        70,
    ),
];

async fn emulator_with(specs: &[Spec]) -> Emulator {
    let now = now_ms();
    let tasks: Vec<Task> = specs
        .iter()
        .map(|(id, name, status, template, days)| {
            Task::new(id.parse().unwrap(), *name, *template)
                .with_status(*status)
                .with_create_time(now - days * DAY_MS)
        })
        .collect();
    Emulator::builder()
        .ak_sk(AK, SK, &project())
        .with_tasks(&project(), tasks)
        .start()
        .await
        .unwrap()
}

fn present(emu: &Emulator) -> Vec<String> {
    let mut ids: Vec<String> = emu
        .store()
        .task_ids(&project())
        .iter()
        .map(ToString::to_string)
        .collect();
    ids.sort();
    ids
}

fn all_ids() -> Vec<String> {
    let mut ids: Vec<String> = TASKS.iter().map(|t| t.0.to_owned()).collect();
    ids.sort();
    ids
}

const WHERE_NIGHTLY: [&str; 7] = [
    "delete",
    "--where",
    "--status",
    "failed",
    "--older-than",
    "30d",
    "--name-contains",
];

#[tokio::test(flavor = "multi_thread")]
async fn list_filters_by_status_type_and_name_in_a_table_or_json() {
    let emu = emulator_with(&TASKS).await;
    let mut cmd = cli(&emu);
    cmd.args([
        "list",
        "--status",
        "failed",
        "--type",
        "sys_data_cleaning",
        "--output",
        "table",
    ]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("TASK_ID") && lines[0].contains("CREATED (UTC)"),
        "{table}"
    );
    let listed: Vec<&str> = lines[1..].iter().map(|l| &l[..19]).collect();
    // Newest first.
    assert_eq!(
        listed,
        [
            "NewFailedNightly003",
            "OldFailedNightly001",
            "OldFailedOther00004"
        ]
    );
    assert!(text(&out.stderr).contains("3 task(s) (status failed, type sys_data_cleaning)"));

    let mut cmd = cli(&emu);
    cmd.args([
        "list",
        "--name-contains",
        "nightly",
        "--output",
        "json",
        "--limit",
        "2",
    ]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut tasks = json_lines(&out.stdout);
    let summary = tasks.pop().unwrap();
    assert_eq!(summary["kind"], "summary");
    assert_eq!(summary["command"], "list");
    assert_eq!(summary["tasks"], 2);
    assert_eq!(tasks.len(), 2, "--limit 2");
    assert!(tasks.iter().all(|t| t["kind"] == "task"));
    assert_eq!(tasks[0]["task_id"], "NewFailedNightly003");
    assert_eq!(tasks[0]["status"], "failed");
    assert_eq!(tasks[0]["status_code"], 3);
    assert!(tasks[0]["create_time"].as_str().unwrap().ends_with('Z'));
    assert!(
        tasks
            .iter()
            .all(|t| t["name"].as_str().unwrap().contains("nightly"))
    );

    let mut cmd = cli(&emu);
    cmd.args(["list", "--status", "done"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown task status"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        emu.stats().responses_for(Route::ListTasks),
        2,
        "the bad one sent nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn list_quiet_feeds_delete_from_stdin() {
    let emu = emulator_with(&TASKS).await;
    let mut list = cli(&emu);
    list.args([
        "list",
        "-q",
        "--status",
        "failed",
        "--name-contains",
        "nightly",
    ]);
    let listed = output(list).await;
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert_eq!(
        text(&listed.stdout),
        "NewFailedNightly003\nOldFailedNightly002\nOldFailedNightly001\n",
        "bare ids, newest first"
    );
    assert_eq!(text(&listed.stderr), "", "quiet means quiet");

    let mut delete = cli(&emu);
    delete
        .args(["delete", "-f", "-", "--failed-to", "/dev/null"])
        .write_stdin(listed.stdout);
    let out = output(delete).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut left = present(&emu);
    left.sort();
    let mut expected: Vec<String> = all_ids()
        .into_iter()
        .filter(|id| !id.contains("FailedNightly"))
        .collect();
    expected.sort();
    assert_eq!(left, expected);

    // Ids only: JSON has its own shape, so the two do not mix.
    let mut both = cli(&emu);
    both.args(["list", "-q", "-o", "json"]);
    let out = output(both).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn list_wide_shows_names_in_full() {
    let long = "a-very-long-nightly-cleaning-task-name-that-a-table-would-cut-short";
    let emu = emulator_with(&[(
        "LongName00000000001",
        long,
        TaskStatus::Completed,
        "sys_data_cleaning",
        1,
    )])
    .await;
    let mut narrow = cli(&emu);
    narrow.args(["list", "-o", "table"]);
    let narrow = text(&output(narrow).await.stdout);
    assert!(!narrow.contains(long) && narrow.contains('…'), "{narrow}");
    let mut wide = cli(&emu);
    wide.args(["list", "-o", "table", "--wide"]);
    let wide = text(&output(wide).await.stdout);
    assert!(wide.contains(long), "{wide}");
    for table in [&narrow, &wide] {
        assert!(table.lines().all(|l| !l.ends_with(' ')), "{table}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn show_prints_a_task_or_a_clear_error() {
    let emu = emulator_with(&TASKS).await;
    let mut cmd = cli(&emu);
    cmd.args(["show", "OldFailedNightly001"]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("task id:        OldFailedNightly001"),
        "{shown}"
    );
    assert!(shown.contains("status:         failed"), "{shown}");
    assert!(
        shown.contains("type:           sys_data_cleaning"),
        "{shown}"
    );

    let mut cmd = cli(&emu);
    cmd.args([
        "show",
        "OldFailedNightly001",
        "--versions",
        "--output",
        "json",
    ]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines[0]["kind"], "task");
    assert_eq!(lines[0]["name"], "nightly-clean");
    assert_eq!(lines[1]["kind"], "summary");
    assert_eq!(lines[1]["versions"], 0);
    assert_eq!(lines.len(), 2);

    let mut cmd = cli(&emu);
    cmd.args(["show", "NoSuchTask000000000"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("ModelArts.4700"),
        "{}",
        text(&out.stderr)
    );

    let before = emu.stats().requests_received;
    let mut cmd = cli(&emu);
    cmd.args(["show", "../other"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("path separator"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(emu.stats().requests_received, before, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_where_refuses_without_a_terminal_or_yes() {
    let emu = emulator_with(&TASKS).await;
    let mut cmd = cli(&emu);
    cmd.args(WHERE_NIGHTLY).arg("nightly").write_stdin("y\n");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // The plan is for the person asked: on stderr, so `> out.txt` cannot hide it.
    assert!(text(&out.stdout).is_empty(), "{}", text(&out.stdout));
    let plan = text(&out.stderr);
    assert!(
        plan.contains("OldFailedNightly001") && plan.contains("OldFailedNightly002"),
        "{plan}"
    );
    assert!(plan.contains("2 task(s) match"), "{plan}");
    assert!(
        text(&out.stderr).contains("pass --yes"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(present(&emu), all_ids(), "nothing was deleted");
    assert_eq!(emu.stats().responses_for(Route::DeleteTask), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_where_with_yes_deletes_exactly_the_matches() {
    let emu = emulator_with(&TASKS).await;
    let mut cmd = cli(&emu);
    cmd.args(WHERE_NIGHTLY).args(["nightly", "--yes"]);
    let out = output(cmd).await;
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("deleted:       2"),
        "{}",
        text(&out.stdout)
    );
    let mut left = all_ids();
    left.retain(|id| id != "OldFailedNightly001" && id != "OldFailedNightly002");
    assert_eq!(present(&emu), left);
    assert_eq!(emu.stats().responses_for(Route::DeleteTask), 2);

    // Again: nothing matches any more.
    let mut cmd = cli(&emu);
    cmd.args(WHERE_NIGHTLY).args(["nightly", "--yes"]);
    let out = output(cmd).await;
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains("no task matches"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_where_dry_run_and_json_send_no_delete() {
    let emu = emulator_with(&TASKS).await;
    let mut cmd = cli(&emu);
    cmd.args([
        "delete",
        "--where",
        "--type",
        "sys_data_selection",
        "--dry-run",
        "--output",
        "json",
    ]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut records = json_lines(&out.stdout);
    let summary = records.pop().unwrap();
    assert_eq!(
        (
            &summary["kind"],
            &summary["dry_run"],
            &summary["would_delete"]
        ),
        (
            &serde_json::json!("summary"),
            &serde_json::json!(true),
            &serde_json::json!(2)
        )
    );
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r["task_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["OldStopped000000007", "OldStopped000000008"]);
    assert!(records.iter().all(|r| r["result"] == "would_delete"));
    // The plan table goes to stderr.
    assert!(
        text(&out.stderr).contains("TASK_ID"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(present(&emu), all_ids());
    assert_eq!(emu.stats().responses_for(Route::DeleteTask), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_where_needs_a_filter_and_filters_need_where() {
    let emu = emulator_with(&TASKS).await;
    for args in [
        vec!["delete", "--where", "--yes"],
        vec!["delete", "OldFailedNightly001", "--status", "failed"],
        vec!["delete", "OldFailedNightly001", "--yes"],
        vec![
            "delete",
            "--where",
            "--status",
            "failed",
            "OldFailedNightly001",
        ],
        vec!["delete", "--where", "--older-than", "30"],
    ] {
        let mut cmd = cli(&emu);
        cmd.args(&args);
        let out = output(cmd).await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(present(&emu), all_ids());
    assert_eq!(emu.stats().requests_received, 0, "no request at all");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_where_pages_through_hundreds_of_matches() {
    let now = now_ms();
    let mut tasks = Vec::new();
    for i in 0..260u64 {
        let status = if i % 4 == 0 {
            TaskStatus::Completed
        } else {
            TaskStatus::Failed
        };
        tasks.push(
            Task::new(
                format!("bulk{i:015}").parse().unwrap(),
                format!("bulk-{i}"),
                "sys_data_cleaning",
            )
            .with_status(status)
            .with_create_time(now - (40 + i) * DAY_MS),
        );
    }
    let emu = Emulator::builder()
        .ak_sk(AK, SK, &project())
        .with_tasks(&project(), tasks)
        .start()
        .await
        .unwrap();
    let mut cmd = cli(&emu);
    cmd.args([
        "delete",
        "--where",
        "--status",
        "failed",
        "--older-than",
        "30d",
        "--yes",
        "--output",
        "json",
    ]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let records = json_lines(&out.stdout);
    let summary = records.last().unwrap();
    assert_eq!(summary["deleted"], 195);
    assert_eq!(
        emu.store().count(&project()),
        65,
        "only the completed ones remain"
    );
    assert!(
        emu.stats().responses_for(Route::ListTasks) >= 2,
        "more than one page"
    );
}

/// Runs `delete --where` on a pseudo-terminal (util-linux `script`), answering `answer`.
async fn on_a_terminal(emu: &Emulator, answer: &str) -> std::process::Output {
    on_a_terminal_with(emu, answer, "").await
}

/// [`on_a_terminal`], with more flags.
async fn on_a_terminal_with(emu: &Emulator, answer: &str, flags: &str) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("processor-tasks");
    let line = format!(
        "{} --endpoint {} --project-id {} delete --where --status failed --older-than 30d --name-contains nightly {flags}",
        bin.display(),
        emu.endpoint(),
        project()
    );
    let mut cmd = assert_cmd::Command::new("script");
    cmd.env_clear()
        .env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK)
        .args(["-qec", &line, "/dev/null"])
        .write_stdin(answer.to_owned());
    output(cmd).await
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_terminal_it_asks_and_only_yes_deletes() {
    let emu = emulator_with(&TASKS).await;
    // Declined with -o json: scripts still get the summary they wait for.
    let out = on_a_terminal_with(&emu, "n\n", "-o json").await;
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    let summary: serde_json::Value = shown
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l.trim()).ok())
        .unwrap_or_else(|| panic!("no JSON line: {shown}"));
    assert_eq!(summary["kind"], "summary", "{shown}");
    assert_eq!(summary["not_attempted"], 2, "{shown}");
    assert_eq!(summary["deleted"], 0, "{shown}");

    let out = on_a_terminal(&emu, "n\n").await;
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("Delete these 2 task(s)? [y/N]"), "{shown}");
    assert!(shown.contains("nothing was deleted"), "{shown}");
    assert_eq!(present(&emu), all_ids());

    let out = on_a_terminal(&emu, "y\n").await;
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("deleted:       2"), "{shown}");
    assert_eq!(present(&emu).len(), TASKS.len() - 2);
}

/// `n` tasks, task `i` created `i` minutes ago; every third (`i % 3 == 1`) failed, the rest
/// completed, and every fifth is old (60 days) whatever its status.
fn many_tasks(n: u64) -> Vec<Task> {
    let now = now_ms();
    (0..n)
        .map(|i| {
            let status = if i % 3 == 1 {
                TaskStatus::Failed
            } else {
                TaskStatus::Completed
            };
            let age = if i % 5 == 0 {
                60 * DAY_MS + i
            } else {
                i * 60_000
            };
            Task::new(
                format!("many{i:015}").parse().unwrap(),
                format!("many-{i}"),
                "sys_data_cleaning",
            )
            .with_status(status)
            .with_create_time(now - age)
        })
        .collect()
}

/// Runs `delete --where FILTER --yes` against `n` tasks and checks that exactly the tasks
/// `matches` picks are gone; returns the list and delete requests it took.
async fn delete_where_exactly(
    n: u64,
    filter: &[&str],
    matches: impl Fn(u64) -> bool,
) -> (u64, u64) {
    let emu = Emulator::builder()
        .ak_sk(AK, SK, &project())
        .with_tasks(&project(), many_tasks(n))
        .start()
        .await
        .unwrap();
    let mut cmd = cli(&emu);
    cmd.args(["delete", "--where"])
        .args(filter)
        .args(["--yes", "--output", "json"]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected_gone: Vec<u64> = (0..n).filter(|&i| matches(i)).collect();
    let expected_left: std::collections::BTreeSet<String> = (0..n)
        .filter(|&i| !matches(i))
        .map(|i| format!("many{i:015}"))
        .collect();
    let left: std::collections::BTreeSet<String> = present(&emu).into_iter().collect();
    let wrongly_deleted: Vec<_> = expected_left.difference(&left).collect();
    let wrongly_kept: Vec<_> = left.difference(&expected_left).collect();
    assert!(
        wrongly_deleted.is_empty() && wrongly_kept.is_empty(),
        "{filter:?}: deleted but not matching: {wrongly_deleted:?}; matching but kept: {wrongly_kept:?}"
    );
    let records = json_lines(&out.stdout);
    let summary = records.last().unwrap();
    assert_eq!(summary["deleted"], expected_gone.len(), "{filter:?}");
    let stats = emu.stats();
    let lists = stats.responses_for(Route::ListTasks);
    let deletes = stats.responses_for(Route::DeleteTask);
    assert_eq!(deletes, expected_gone.len() as u64, "one delete per match");
    (lists, deletes)
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_where_deletes_exactly_the_matches_of_437_tasks_in_pages_of_100() {
    // The service filters by status: 146 failed tasks, two pages of them.
    let (lists, _) = delete_where_exactly(437, &["--status", "failed"], |i| i % 3 == 1).await;
    assert_eq!(lists, 2, "pages 0 of 100 and 1 of 99 (short: the end)");
    // Age is filtered here, on every task: five pages.
    let (lists, _) = delete_where_exactly(437, &["--older-than", "30d"], |i| i % 5 == 0).await;
    assert_eq!(lists, 5);
    // Both.
    let (lists, _) =
        delete_where_exactly(437, &["--status", "failed", "--older-than", "30d"], |i| {
            i % 3 == 1 && i % 5 == 0
        })
        .await;
    assert_eq!(lists, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_where_a_third_of_1000_tasks_costs_a_handful_of_list_requests() {
    let (lists, deletes) =
        delete_where_exactly(1_000, &["--status", "failed"], |i| i % 3 == 1).await;
    eprintln!(
        "delete --where matching a third of 1000 tasks (on the service): {lists} list + {deletes} delete requests"
    );
    assert_eq!((lists, deletes), (4, 333));
    let (lists, deletes) =
        delete_where_exactly(1_000, &["--older-than", "30d"], |i| i % 5 == 0).await;
    eprintln!(
        "delete --where matching a fifth of 1000 tasks (here, by age): {lists} list + {deletes} delete requests"
    );
    assert_eq!((lists, deletes), (11, 200));
}
