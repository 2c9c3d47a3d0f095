//! What people type: connection flags after the command, flags beating the environment, a
//! pipe into `head`, blank filters, out-of-range numbers, a private CA and a deadline.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};

use api_emulator::{Emulator, FaultConfig, Route};
use assert_cmd::Command;
use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn connection_flags_work_after_the_command_too() {
    let (emu, ids) = emulator(3, FaultConfig::default()).await;
    let mut cmd = bare();
    cmd.args(["delete", "--endpoint", &emu.endpoint()]).args([
        "--project-id",
        project().as_str(),
        &ids[0],
    ]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(remaining(&emu, &ids), 2);

    // Before and after: the one after wins.
    let mut cmd = bare();
    cmd.args(["--endpoint", "https://modelarts.nowhere.invalid"])
        .args(["delete", "--endpoint", &emu.endpoint()])
        .args(["--project-id", project().as_str(), &ids[1]]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(remaining(&emu, &ids), 1);

    for command in [&["list"][..], &["show", &ids[2]]] {
        let mut cmd = bare();
        cmd.args(command).args([
            "--endpoint",
            &emu.endpoint(),
            "--project-id",
            project().as_str(),
        ]);
        let out = output(cmd).await;
        assert!(out.status.success(), "{command:?}: {}", text(&out.stderr));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_explicit_endpoint_beats_an_exported_region() {
    let (emu, ids) = emulator(2, FaultConfig::default()).await;
    let mut cmd = bare();
    cmd.env("HUAWEICLOUD_SDK_REGION", "cn-north-4")
        .env(
            "HUAWEICLOUD_SDK_PROJECT_ID",
            "ffffffffffffffffffffffffffffffff",
        )
        .args(["delete", "--endpoint", &emu.endpoint()])
        .args(["--project-id", project().as_str(), &ids[0]]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(remaining(&emu, &ids), 1);

    // The environment alone is enough, and an exported endpoint beats an exported region.
    let mut cmd = bare();
    cmd.env("HUAWEICLOUD_SDK_REGION", "cn-north-4")
        .env("HUAWEICLOUD_SDK_ENDPOINT", emu.endpoint())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", project().as_str())
        .args(["delete", &ids[1]]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(remaining(&emu, &ids), 0);

    // An endpoint beats a region given with it, even one outside the catalog (another
    // cloud's): the region then only names the project to discover.
    let mut cmd = bare();
    cmd.args(["config", "--endpoint", &emu.endpoint(), "--region", "eu-de"])
        .args(["--project-id", project().as_str()]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains(&emu.endpoint()) && shown.contains("eu-de"),
        "{shown}"
    );

    // A --region flag beats an exported endpoint: its endpoint (here overridden to the
    // emulator) is used, not the variable's.
    let mut cmd = bare();
    cmd.env("HUAWEICLOUD_SDK_ENDPOINT", "https://exported.example")
        .env(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4",
            emu.endpoint(),
        )
        .args([
            "config",
            "--region",
            "cn-north-4",
            "--project-id",
            project().as_str(),
        ]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains(&emu.endpoint()) && !shown.contains("exported.example"),
        "{shown}"
    );

    // Without an endpoint, an unknown region is refused before anything is sent.
    let mut cmd = bare();
    cmd.args([
        "delete",
        "--region",
        "cn-nort-4",
        "--project-id",
        project().as_str(),
        "x",
    ]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("unknown region \"cn-nort-4\"") && err.contains("cn-north-4"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn list_into_head_exits_0_silently() {
    let (emu, _) = emulator(300, FaultConfig::default()).await;
    let mut cmd = spawnable(&emu);
    let (code, first, stderr) = tokio::task::spawn_blocking(move || {
        let mut child = cmd
            .args(["list", "--output", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        reader.read_line(&mut first).unwrap();
        drop(reader); // `head -1` is done
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            first,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap();
    assert!(first.contains("task_id"), "{first}");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn blank_filters_and_wild_numbers_are_usage_errors_and_send_nothing() {
    let (emu, ids) = emulator(3, FaultConfig::default()).await;
    let cases: [&[&str]; 9] = [
        &["delete", "--where", "--name-contains", "", "--yes"],
        &["delete", "--where", "--name-contains", "  ", "--yes"],
        &["delete", "--where", "--type", "", "--yes"],
        &["delete", "--where", "--status", " ", "--yes"],
        &["list", "--name-contains", ""],
        &["delete", "--rate", "1e-20", "x"],
        &["delete", "--rate", "inf", "x"],
        &["delete", "--concurrency", "0", "x"],
        &["delete", "--attempt-timeout", "0s", "x"],
    ];
    for args in cases {
        let mut cmd = cli(&emu);
        cmd.args(args);
        let out = output(cmd).await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(emu.stats().requests_received, 0, "nothing was sent");
    assert_eq!(remaining(&emu, &ids), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ca_bundle_lets_the_cli_trust_a_private_ca() {
    let pki = e2e_tests::TestPki::new();
    let emu = Emulator::builder()
        .ak_sk(AK, SK, &project())
        .seed(&project(), 2)
        .tls(pki.server_config(&[b"h2", b"http/1.1"]))
        .start()
        .await
        .unwrap();
    let endpoint = emu.endpoint();
    assert!(endpoint.starts_with("https://"), "{endpoint}");
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();

    // Without it the certificate is refused; with it the listing works.
    let mut cmd = bare();
    cmd.args([
        "list",
        "--endpoint",
        &endpoint,
        "--project-id",
        project().as_str(),
    ])
    .args(["--max-attempts", "1"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let mut cmd = bare();
    cmd.args([
        "list",
        "--endpoint",
        &endpoint,
        "--project-id",
        project().as_str(),
    ])
    .arg("--ca-bundle")
    .arg(&ca);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(emu.stats().responses_for(Route::ListTasks) >= 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_deadline_bounds_a_call() {
    let (emu, ids) = emulator(
        1,
        FaultConfig {
            latency: std::time::Duration::from_secs(5),
            ..FaultConfig::default()
        },
    )
    .await;
    let mut cmd = cli(&emu);
    cmd.args(["delete", &ids[0], "--deadline", "300ms", "--output", "json"]);
    let started = std::time::Instant::now();
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    let records = json_lines(&out.stdout);
    assert!(
        records[0]["error"]
            .as_str()
            .unwrap()
            .contains("deadline of 300ms"),
        "{:?}",
        records[0]
    );
}

#[test]
fn the_emulator_command_stops_cleanly_on_sigterm_and_sigint() {
    for signal in ["TERM", "INT"] {
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("processor-tasks"))
            .env_clear()
            .args(["emulator", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        while !banner.contains("Press Ctrl-C") {
            let mut line = String::new();
            assert!(reader.read_line(&mut line).unwrap() > 0, "{banner}");
            banner.push_str(&line);
        }
        let pid = child.id().to_string();
        assert!(
            StdCommand::new("kill")
                .args(["-s", signal, &pid])
                .status()
                .unwrap()
                .success()
        );
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "SIG{signal}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("stopping"),
            "SIG{signal}: {out:?}"
        );
    }
}

/// Runs the command on a pseudo-terminal, answers `answer` once `prompt` shows, and returns
/// the exit code and everything the terminal showed.
const ON_A_TERMINAL: &str = r#"
import os, pty, sys, termios, time
prompt, answer, argv = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
shown = b""
while prompt not in shown:
    chunk = os.read(fd, 1024)
    if not chunk:
        break
    shown += chunk
# Answer as a person would: once echo is off (the prompt is printed just before that).
deadline = time.monotonic() + 10
while termios.tcgetattr(fd)[3] & termios.ECHO and time.monotonic() < deadline:
    time.sleep(0.001)
os.write(fd, answer + b"\n")
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    shown += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(shown.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;

#[tokio::test(flavor = "multi_thread")]
async fn sk_file_dash_on_a_terminal_asks_without_echo() {
    let (emu, ids) = emulator(1, FaultConfig::default()).await;
    let bin = assert_cmd::cargo::cargo_bin("processor-tasks");
    let mut cmd = Command::new("python3");
    cmd.env_clear()
        .args(["-c", ON_A_TERMINAL, "secret key: ", SK])
        .arg(&bin)
        .args([
            "delete",
            "--endpoint",
            &emu.endpoint(),
            "--project-id",
            project().as_str(),
        ])
        .args(["--ak", AK, "--sk-file", "-", &ids[0]]);
    let out = output(cmd).await;
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{shown}{}", text(&out.stderr));
    assert!(shown.contains("secret key: "), "{shown}");
    assert!(!shown.contains(SK), "the secret was echoed: {shown}");
    assert!(shown.contains("deleted:       1"), "{shown}");
    assert_eq!(remaining(&emu, &ids), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_proxy_flag_is_used_and_checked() {
    let (emu, _) = emulator(1, FaultConfig::default()).await;
    // A proxy that refuses connections: the request goes there, not to the emulator.
    let mut cmd = cli(&emu);
    cmd.args([
        "list",
        "--proxy",
        "http://127.0.0.1:9",
        "--max-attempts",
        "1",
    ]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(emu.stats().requests_received, 0, "it went around the proxy");
    // Not an http URL: a usage error, and the URL (which may hold a password) is not repeated.
    let mut cmd = cli(&emu);
    cmd.args(["list", "--proxy", "ftp://user:hunter2@proxy"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !text(&out.stderr).contains("hunter2"),
        "{}",
        text(&out.stderr)
    );
}
