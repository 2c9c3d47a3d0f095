//! The binary finds credentials and the project as the official SDKs do, through the client:
//! each provider of the chain deletes a task, each time with the project id discovered through
//! IAM; and `config` says where everything came from, without a secret.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use api_emulator::{DEMO_POD_IDENTITY_TOKEN, Emulator, IdentityConfig, TaskStatus, seeded_tasks};
use assert_cmd::Command;
use common::*;

const REGION: &str = "cn-north-4";

async fn identity_emulator(identity: IdentityConfig) -> (Emulator, Vec<String>) {
    let mut tasks = seeded_tasks(&project(), 6, 5);
    for t in &mut tasks {
        t.status = TaskStatus::Completed;
    }
    let ids = tasks.iter().map(|t| t.task_id.to_string()).collect();
    let emu = Emulator::builder()
        .ak_sk(AK, SK, &project())
        .with_tasks(&project(), tasks)
        .identity(identity.project(project()))
        .start()
        .await
        .unwrap();
    (emu, ids)
}

/// A fresh home directory.
fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cli-cred-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".huaweicloud")).unwrap();
    dir
}

/// The binary with no credentials and no project id: only the region, and the variables that
/// point the service, IAM and STS at `emu`. No AK/SK in the environment.
fn nothing_given(emu: &Emulator, home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("processor-tasks").unwrap();
    cmd.env_clear()
        .env("HOME", home)
        .env(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4",
            emu.endpoint(),
        )
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.endpoint())
        .env("HUAWEICLOUD_SDK_STS_ENDPOINT", emu.endpoint())
        .env("HUAWEICLOUD_SDK_METADATA_DISABLED", "true")
        .args(["--region", REGION]);
    cmd
}

/// Deletes `id` with `cmd` and checks the record.
async fn deletes(mut cmd: Command, id: &str) {
    cmd.args(["delete", id, "--output", "json"]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines[0]["result"], "deleted", "{lines:?}");
}

/// `config --output json` with `cmd`.
async fn config(mut cmd: Command) -> serde_json::Value {
    cmd.args(["config", "--output", "json"]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    json_lines(&out.stdout).remove(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_provider_deletes_with_a_discovered_project() {
    let (emu, ids) = identity_emulator(IdentityConfig::new()).await;
    let discovered = format!("IAM project discovery {}", emu.endpoint());

    // The profile file, as hcloud and the official SDKs write it.
    let dir = home("profile");
    std::fs::write(
        dir.join(".huaweicloud/credentials"),
        format!("[basic]\nak = {AK}\nsk = {SK}\n"),
    )
    .unwrap();
    deletes(nothing_given(&emu, &dir), &ids[0]).await;
    let shown = config(nothing_given(&emu, &dir)).await;
    assert_eq!(shown["project_id"]["value"], project().as_str());
    assert_eq!(shown["project_id"]["source"], discovered.as_str());
    assert!(
        shown["credentials"]["source"]
            .as_str()
            .unwrap()
            .starts_with("profile "),
        "{shown}"
    );
    assert_eq!(shown["credentials"]["value"], "AK/SK");
    assert_eq!(
        shown["endpoint"]["source"],
        "env HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_4"
    );
    assert_eq!(shown["region"]["source"], "flag --region");

    // The ECS metadata service.
    let dir = home("metadata");
    let mut cmd = nothing_given(&emu, &dir);
    cmd.env("HUAWEICLOUD_SDK_METADATA_DISABLED", "false")
        .env("HUAWEICLOUD_SDK_METADATA_ENDPOINT", emu.endpoint());
    deletes(cmd, &ids[1]).await;

    // Pod identity, past a metadata service that is not there (nothing listens on port 9).
    let dir = home("pod");
    let token = dir.join("pod-token");
    std::fs::write(&token, DEMO_POD_IDENTITY_TOKEN).unwrap();
    let pod = |emu: &Emulator| {
        let mut cmd = nothing_given(emu, &dir);
        cmd.env("HUAWEICLOUD_SDK_METADATA_DISABLED", "false")
            .env("HUAWEICLOUD_SDK_METADATA_ENDPOINT", "http://127.0.0.1:9")
            .env(
                "HC_CONTAINER_CREDENTIALS_FULL_URI",
                format!("{}/v1/credentials", emu.endpoint()),
            )
            .env("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", &token);
        cmd
    };
    deletes(pod(&emu), &ids[2]).await;
    let shown = config(pod(&emu)).await;
    assert_eq!(
        shown["credentials"]["value"],
        "temporary AK/SK with security token"
    );
    assert!(
        shown["credentials"]["source"]
            .as_str()
            .unwrap()
            .starts_with("pod identity "),
        "{shown}"
    );
    assert!(shown["expires_at_unix"].as_i64().unwrap() > 0, "{shown}");
    assert!(
        shown["access_key"].as_str().unwrap().starts_with("****"),
        "{shown}"
    );

    // OIDC through STS, as a CI job has it.
    let dir = home("oidc");
    let mut cmd = nothing_given(&emu, &dir);
    cmd.env(
        "HUAWEICLOUD_OIDC_PROVIDER_URN",
        "iam::1:identity-provider:ci",
    )
    .env("HUAWEICLOUD_OIDC_AGENCY_URN", "iam::1:agency:deploy")
    .env("HUAWEICLOUD_OIDC_ID_TOKEN", "eyJ.ci.sig");
    deletes(cmd, &ids[3]).await;

    let stats = emu.identity_stats();
    assert_eq!(
        (
            stats.metadata_credentials_issued,
            stats.pod_credentials_issued,
            stats.oidc_credentials_issued
        ),
        (1, 2, 1),
        "{stats:?}"
    );
    // Every run discovered the project: 4 deletes and 2 configs.
    assert_eq!(stats.project_lookups, 6, "{stats:?}");
    assert_eq!(remaining(&emu, &ids), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn config_never_prints_a_secret() {
    let (emu, _) = identity_emulator(IdentityConfig::new()).await;
    let dir = home("secret");
    let mut cmd = nothing_given(&emu, &dir);
    cmd.env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK)
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", "SECRET-SESSION-TOKEN")
        .args(["config"]);
    let out = output(cmd).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        !all.contains(SK) && !all.contains("SECRET-SESSION-TOKEN") && !all.contains(AK),
        "{all}"
    );
    assert!(
        all.contains(&AK[AK.len() - 4..]) && all.contains("env HUAWEICLOUD_SDK_AK"),
        "{all}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn setup_failures_say_what_to_do() {
    let (emu, ids) = identity_emulator(
        IdentityConfig::new()
            .region_projects("cn-north-1", vec![])
            .metadata_agency_missing(true),
    )
    .await;

    // Nothing anywhere: every provider's reason, exit 2, nothing sent to the service.
    let dir = home("none");
    let mut cmd = nothing_given(&emu, &dir);
    cmd.args(["delete", &ids[0]]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    for reason in [
        "OIDC STS",
        "HUAWEICLOUD_SDK_AK",
        "credentials does not exist",
        "HUAWEICLOUD_SDK_METADATA_DISABLED",
        "HC_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        assert!(err.contains(reason), "{reason}: {err}");
    }

    // A malformed profile file is named.
    std::fs::write(dir.join(".huaweicloud/credentials"), "[basic\nak=1\n").unwrap();
    let mut cmd = nothing_given(&emu, &dir);
    cmd.args(["delete", &ids[0]]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not a valid INI file"),
        "{}",
        text(&out.stderr)
    );

    // An ECS without an agency.
    let mut cmd = nothing_given(&emu, &home("agency"));
    cmd.env("HUAWEICLOUD_SDK_METADATA_DISABLED", "false")
        .env("HUAWEICLOUD_SDK_METADATA_ENDPOINT", emu.endpoint())
        .args(["delete", &ids[0]]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("Cloud Service Agency"),
        "{}",
        text(&out.stderr)
    );

    // No project for the region: the IAM trace id, exit 1.
    let mut cmd = nothing_given(&emu, &home("noproject"));
    cmd.env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK)
        .env(
            "HUAWEICLOUD_SDK_REGION_MODELARTS_CN_NORTH_1",
            emu.endpoint(),
        )
        .args(["delete", "--region", "cn-north-1", &ids[0]]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("no project named \"cn-north-1\"") && err.contains("X-IAM-Trace-Id"),
        "{err}"
    );

    assert_eq!(remaining(&emu, &ids), ids.len());
    assert_eq!(emu.stats().tasks_deleted, 0);
}
