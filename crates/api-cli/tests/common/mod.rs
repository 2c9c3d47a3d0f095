//! Shared helpers of the binary's tests: an emulator on loopback and the command pointed at it.
#![allow(dead_code, unreachable_pub)]

use api_emulator::{Emulator, FaultConfig, TaskStatus, seeded_tasks};
use api_model::ProjectId;
use assert_cmd::Command;

pub const AK: &str = "CLITESTAK00000000001";
pub const SK: &str = "cli-test-secret-key-0123456789abcdefghij";

pub fn project() -> ProjectId {
    "c0ffee00c0ffee00c0ffee00c0ffee00".parse().unwrap()
}

/// An emulator holding `n` deletable tasks, and their ids.
pub async fn emulator(n: usize, faults: FaultConfig) -> (Emulator, Vec<String>) {
    let mut tasks = seeded_tasks(&project(), n, 42);
    for t in &mut tasks {
        t.status = TaskStatus::Completed;
    }
    let ids = tasks.iter().map(|t| t.task_id.to_string()).collect();
    let emu = Emulator::builder()
        .ak_sk(AK, SK, &project())
        .with_tasks(&project(), tasks)
        .faults(faults)
        .start()
        .await
        .unwrap();
    (emu, ids)
}

pub fn cli(emu: &Emulator) -> Command {
    let mut cmd = Command::cargo_bin("processor-tasks").unwrap();
    cmd.env_clear()
        .env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK)
        .args([
            "--endpoint",
            &emu.endpoint(),
            "--project-id",
            project().as_str(),
        ]);
    cmd
}

/// Runs a command off the async runtime (the emulator runs on it).
pub async fn output(mut cmd: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn remaining(emu: &Emulator, ids: &[String]) -> usize {
    ids.iter()
        .filter(|id| emu.store().contains(&project(), &id.parse().unwrap()))
        .count()
}

pub fn json_lines(out: &[u8]) -> Vec<serde_json::Value> {
    text(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}
