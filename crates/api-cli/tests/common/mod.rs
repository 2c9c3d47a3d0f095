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

/// The binary with the test credentials in the environment and nothing else.
pub fn bare() -> Command {
    let mut cmd = Command::cargo_bin("processor-tasks").unwrap();
    cmd.env_clear()
        .env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK);
    cmd
}

/// The binary pointed at `endpoint` and `project_id`, with the test credentials.
pub fn cli_at(endpoint: &str, project_id: &str) -> Command {
    let mut cmd = bare();
    cmd.args(["--endpoint", endpoint, "--project-id", project_id]);
    cmd
}

/// The binary pointed at `emu`, with the test credentials.
pub fn cli(emu: &Emulator) -> Command {
    cli_at(&emu.endpoint(), project().as_str())
}

/// [`cli`] as a process to spawn and signal, or to read from as it runs.
pub fn spawnable(emu: &Emulator) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("processor-tasks"));
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

/// The JSON Schemas of the CLI's records (`crates/api-cli/schemas/`), by kind.
pub struct Schemas {
    validators: std::collections::HashMap<String, jsonschema::Validator>,
}

impl Schemas {
    /// Loads every `*.schema.json`.
    pub fn load() -> Self {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        let mut validators = std::collections::HashMap::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let Some(kind) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".schema.json"))
            else {
                continue;
            };
            let schema: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let validator = jsonschema::validator_for(&schema)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            validators.insert(kind.to_owned(), validator);
        }
        Self { validators }
    }

    /// The kinds with a schema.
    pub fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.validators.keys().cloned().collect();
        kinds.sort();
        kinds
    }

    /// Checks one record against the schema of its `kind`.
    pub fn check(&self, record: &serde_json::Value) {
        let kind = record["kind"]
            .as_str()
            .unwrap_or_else(|| panic!("a record without a kind: {record}"));
        let validator = self
            .validators
            .get(kind)
            .unwrap_or_else(|| panic!("no schema for kind {kind:?}: {record}"));
        let errors: Vec<String> = validator
            .iter_errors(record)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{record}\ndoes not match {kind}.schema.json: {errors:#?}"
        );
    }
}
