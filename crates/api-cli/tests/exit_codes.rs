//! The exit codes `--help` documents, one test each (130, 141 and 143 are in `chaos.rs`), and
//! the id files and flags that are bad input: exit 2 with a clear message, nothing sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use api_emulator::{Emulator, FaultConfig};
use assert_cmd::Command;
use common::*;

/// Runs `cmd` and checks its exit code; returns stdout and stderr.
async fn exits(cmd: Command, code: i32) -> (String, String) {
    let out = output(cmd).await;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

fn sent(emu: &Emulator) -> u64 {
    emu.stats().requests_received
}

#[test]
fn help_documents_every_exit_code() {
    let out = Command::cargo_bin("processor-tasks")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    let help = text(&out.stdout);
    let section = help
        .split("Exit status:")
        .nth(1)
        .unwrap_or_else(|| panic!("no exit status section:\n{help}"));
    for code in ["0", "1", "2", "130", "141", "143"] {
        assert!(
            section
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{code} "))),
            "exit {code} is not documented:\n{section}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_0_when_everything_was_done() {
    let (emu, ids) = emulator(3, FaultConfig::default()).await;
    let mut cmd = cli(&emu);
    cmd.arg("delete").args(&ids);
    exits(cmd, 0).await;
    assert_eq!(remaining(&emu, &ids), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_1_when_a_task_was_not_deleted() {
    let (emu, ids) = emulator(2, FaultConfig::default()).await;
    let mut cmd = cli(&emu);
    cmd.args(["delete", &ids[0], "NoSuchTask000000000", &ids[1]]);
    let (_, stderr) = exits(cmd, 1).await;
    // The failed task's line begins with its id.
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("NoSuchTask000000000 failed")),
        "{stderr}"
    );
    assert_eq!(remaining(&emu, &ids), 0, "the others are still deleted");
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_2_for_id_files_that_cannot_be_used_and_nothing_is_sent() {
    let (emu, ids) = emulator(2, FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: Vec<u8>| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let utf8 = format!("{}\n{}\n", ids[0], ids[1]);
    let utf16le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(utf8.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf16_no_bom: Vec<u8> = utf8.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let latin1 = [ids[0].as_bytes(), b"\ncaf\xE9\n"].concat();
    let cases = [
        (dir.path().join("missing.txt"), "missing.txt"),
        (dir.path().to_path_buf(), "it is a directory"),
        (write("utf16.txt", utf16le), "UTF-16"),
        (write("utf16-no-bom.txt", utf16_no_bom), "UTF-16"),
        (write("latin1.txt", latin1), "latin1.txt:2"),
    ];
    for (path, says) in cases {
        let mut cmd = cli(&emu);
        cmd.args(["delete", "-f"]).arg(&path);
        let (_, stderr) = exits(cmd, 2).await;
        assert!(stderr.contains(says), "{}: {stderr}", path.display());
        assert!(stderr.contains("nothing was deleted"), "{stderr}");
    }
    assert_eq!(sent(&emu), 0);
    assert_eq!(remaining(&emu, &ids), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_2_for_bad_urls_ports_and_flags_before_any_io() {
    let (emu, ids) = emulator(1, FaultConfig::default()).await;
    for (endpoint, says) in [
        ("http://127.0.0.1:99999", "99999"),
        ("http://127.0.0.1:0", "port"),
        ("not a url", "not a url"),
        ("ftp://example.com", "ftp"),
    ] {
        let mut cmd = cli(&emu);
        cmd.args(["delete", &ids[0], "--endpoint", endpoint]);
        let (_, stderr) = exits(cmd, 2).await;
        assert!(stderr.contains(says), "{endpoint}: {stderr}");
    }
    for args in [
        &["delete", "--no-such-flag", "x"][..],
        &["list", "--limit", "0"],
        &["delete", "--concurrency", "0", "x"],
        &["delete", "--rate", "0", "x"],
        &["list", "--older-than", "3 fortnights"],
        &["list", "--status", "finished-ish"],
        &[
            "list",
            "--emulator",
            "--emulator-tasks",
            "18446744073709551615",
        ],
        &["emulator", "--seed", "18446744073709551615"],
        &["list", "--endpoint", "http://user:hunter2@127.0.0.1:80"],
    ] {
        let mut cmd = cli(&emu);
        cmd.args(args);
        let (stdout, stderr) = exits(cmd, 2).await;
        assert!(
            !stdout.contains("hunter2") && !stderr.contains("hunter2"),
            "a password in a URL is never shown: {stderr}"
        );
    }
    let mut failed_to_input = cli(&emu);
    let dir = tempfile::tempdir().unwrap();
    let ids_file = dir.path().join("ids.txt");
    std::fs::write(&ids_file, format!("{}\n", ids[0])).unwrap();
    failed_to_input
        .args(["delete", "-f"])
        .arg(&ids_file)
        .arg("--failed-to")
        .arg(&ids_file);
    let (_, stderr) = exits(failed_to_input, 2).await;
    assert!(stderr.contains("ids file being read"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&ids_file).unwrap(),
        format!("{}\n", ids[0]),
        "the ids file is untouched"
    );
    let mut failed_to_nowhere = cli(&emu);
    failed_to_nowhere
        .args(["delete", &ids[0], "--failed-to"])
        .arg(dir.path().join("no/such/dir/failed.txt"));
    exits(failed_to_nowhere, 2).await;
    assert_eq!(sent(&emu), 0);
    assert_eq!(remaining(&emu, &ids), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn id_files_may_have_a_bom_and_trailing_comments() {
    let (emu, ids) = emulator(3, FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ids.txt");
    let body = format!(
        "\u{FEFF}{}\r\n# the rest came from the nightly run\n{}  # second\n\t{}\t# third\r\n",
        ids[0], ids[1], ids[2]
    );
    std::fs::write(&path, body).unwrap();
    let mut cmd = cli(&emu);
    cmd.args(["delete", "-o", "json", "-f"]).arg(&path);
    let (stdout, _) = exits(cmd, 0).await;
    assert_eq!(remaining(&emu, &ids), 0);
    let summary = json_lines(stdout.as_bytes()).pop().unwrap();
    assert_eq!(summary["deleted"], 3, "{summary}");
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_to_holds_what_did_not_succeed_ready_to_feed_back() {
    let (emu, ids) = emulator(4, FaultConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let failed = dir.path().join("failed.txt");
    let missing = ["NoSuchTask000000001", "NoSuchTask000000002"];
    let mut cmd = cli(&emu);
    cmd.args(["delete", &ids[0], missing[0], &ids[1], missing[1], &ids[2]])
        .arg("--failed-to")
        .arg(&failed);
    exits(cmd, 1).await;
    // In the order the replies came.
    let mut left: Vec<String> = std::fs::read_to_string(&failed)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    left.sort();
    assert_eq!(left, missing);

    // A wrong secret stops the batch at once: the rest were not attempted, and are listed too.
    let mut wrong = cli(&emu);
    wrong
        .env("HUAWEICLOUD_SDK_SK", "not-the-secret-key-at-all-0123456789")
        .args([
            "delete",
            "--concurrency",
            "1",
            &ids[3],
            missing[0],
            missing[1],
        ])
        .arg("--failed-to")
        .arg(&failed);
    exits(wrong, 1).await;
    let left = std::fs::read_to_string(&failed).unwrap();
    assert_eq!(
        left,
        format!("{}\n{}\n{}\n", ids[3], missing[0], missing[1]),
        "the failed one and the two not attempted"
    );

    // Fed back with the right key, it finishes the job.
    let mut again = cli(&emu);
    again
        .args(["delete", "--if-exists", "-f"])
        .arg(&failed)
        .arg("--failed-to")
        .arg(dir.path().join("failed-again.txt"));
    exits(again, 0).await;
    assert_eq!(remaining(&emu, &ids), 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("failed-again.txt")).unwrap(),
        ""
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn enum_values_are_case_insensitive() {
    let (emu, _) = emulator(3, FaultConfig::default()).await;
    let mut cmd = cli(&emu);
    cmd.args([
        "list",
        "-o",
        "JSON",
        "--status",
        "Completed",
        "--oldest-first",
    ]);
    let (stdout, _) = exits(cmd, 0).await;
    let lines = json_lines(stdout.as_bytes());
    assert_eq!(lines.len(), 4, "3 tasks and the summary: {stdout}");
    let completions = Command::cargo_bin("processor-tasks")
        .unwrap()
        .args(["completions", "BASH"])
        .output()
        .unwrap();
    assert!(
        completions.status.success(),
        "{}",
        text(&completions.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_141_when_the_records_cannot_be_written_anywhere() {
    // Text mode writes failures to stderr; its reader is gone, so the batch cannot account for
    // what it does: it stops, and says so by its exit code (not 0).
    let (emu, _) = emulator(0, FaultConfig::default()).await;
    let missing: Vec<String> = (0..1000).map(|i| format!("NoSuchTask{i:09}")).collect();
    let mut cmd = spawnable(&emu);
    let (code, stdout) = tokio::task::spawn_blocking(move || {
        use std::process::Stdio;
        let mut child = cmd
            .args(["delete", "--concurrency", "1"])
            .args(&missing)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take()); // `2> >(head -c 0)`
        let out = child.wait_with_output().unwrap();
        (out.status.code(), text(&out.stdout))
    })
    .await
    .unwrap();
    assert_eq!(code, Some(141), "{stdout}");
    assert!(stdout.contains("by output failed"), "{stdout}");
    let received = emu.stats().requests_received;
    // Even had the pipe taken 64 KiB before its reader left, far fewer than all were sent.
    assert!(received < 500, "the batch stopped: {received} requests");
}
