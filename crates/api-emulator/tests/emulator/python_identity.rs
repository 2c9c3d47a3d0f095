//! Interop of the identity routes with the official Python SDK core (`huaweicloudsdkcore`): its
//! own credential providers fetch temporary credentials, parse their expiry, discover the
//! project and sign task requests with them, against the emulator.
//!
//! Needs `PROCESSOR_TASKS_PYTHON`, as `python_sdk` does.

use std::process::Stdio;
use std::time::Duration;

use api_emulator::{EmulatorBuilder, IdentityConfig, IdentityStats};
use serde_json::Value;
use tokio::process::Command;

use crate::common::*;
use crate::python_sdk::python;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/python/identity_interop.py"
);

const REGION: &str = "cn-north-4";

/// Runs the script in `mode` against an emulator built by `builder` (3 tasks in the identity
/// project), with `env` (`{endpoint}` in a value is the emulator's) and no other variable but
/// `PATH`; returns its JSON and the emulator's identity counters.
async fn run(
    mode: &str,
    builder: EmulatorBuilder,
    env: &[(&str, String)],
) -> (Value, IdentityStats) {
    let python = python();
    let emu = builder.seed(&project(), 3).start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(&python);
    command
        .arg(SCRIPT)
        .arg(mode)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", dir.path().join("none"))
        .env("EMULATOR_ENDPOINT", emu.endpoint())
        .env("EMULATOR_REGION", REGION)
        .env("HUAWEICLOUD_SDK_IAM_ENDPOINT", emu.endpoint())
        .env("HUAWEICLOUD_SDK_STS_ENDPOINT", emu.endpoint())
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value.replace("{endpoint}", &emu.endpoint()));
    }
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("the Python script took over 60 s")
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the Python script failed: {stderr}"
    );
    let result: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the script printed no JSON ({e}): {}\nstderr: {stderr}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    let stats = emu.identity_stats();
    emu.shutdown().await;
    (result, stats)
}

/// The SDK found the identity project and listed its tasks twice with the credentials.
#[track_caller]
fn assert_listed(result: &Value) {
    assert_eq!(result["project_id"], PROJECT, "{result}");
    assert_eq!(result["list"]["status"], 200, "{result}");
    assert_eq!(result["list"]["count"], 3, "{result}");
    assert_eq!(result["lists"], 2, "{result}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_discovery_with_static_keys() {
    let builder = builder(0).identity(
        IdentityConfig::new()
            .region_projects("af-north-1", vec![])
            .region_projects("cn-north-9", vec![project(), other_project()]),
    );
    let env = [
        ("EMULATOR_AK", AK.to_owned()),
        ("EMULATOR_SK", SK.to_owned()),
    ];
    let (result, stats) = run("static", builder, &env).await;
    assert_listed(&result);
    assert_eq!(result["has_token"], false);
    let none = result["errors"]["af-north-1"].as_str().unwrap();
    assert!(
        none.contains("Failed to get project id of region 'af-north-1', X-IAM-Trace-Id="),
        "{none}"
    );
    let two = result["errors"]["cn-north-9"].as_str().unwrap();
    assert!(
        two.contains(&format!(
            "Multiple project ids found: [{PROJECT},{OTHER_PROJECT}]"
        )),
        "{two}"
    );
    // cn-north-4 (then cached by AK and region), af-north-1, cn-north-9.
    assert_eq!(stats.project_lookups, 3);
    assert_eq!(stats.credentials_issued(), 0);
}

fn oidc_env() -> [(&'static str, String); 3] {
    [
        (
            "HUAWEICLOUD_OIDC_PROVIDER_URN",
            "iam::0123:identityprovider:ci".to_owned(),
        ),
        (
            "HUAWEICLOUD_OIDC_AGENCY_URN",
            "iam::0123:agency:ci".to_owned(),
        ),
        (
            "HUAWEICLOUD_OIDC_ID_TOKEN",
            "eyJhbGciOiJSUzI1NiJ9.e30.c2ln".to_owned(),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_through_the_default_chain() {
    let (result, stats) = run("oidc", builder(0), &oidc_env()).await;
    assert_listed(&result);
    assert_eq!(
        (result["ak_len"].as_u64(), result["has_token"].as_bool()),
        (Some(20), Some(true))
    );
    // An hour is more than the SDK's 40-minute margin: fetched once.
    assert_eq!(stats.oidc_credentials_issued, 1);
    assert_eq!(stats.project_lookups, 1);
    assert_eq!(stats.temporary_credentials_accepted, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_credentials_are_fetched_before_every_request() {
    let builder =
        builder(0).identity(IdentityConfig::new().credential_ttl(Duration::from_secs(30 * 60)));
    let (result, stats) = run("oidc", builder, &oidc_env()).await;
    assert_listed(&result);
    // 30 minutes is within the SDK's 40-minute margin: the lookup and both lists refetched.
    assert_eq!(stats.oidc_credentials_issued, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_identity() {
    // The SDK trims the file's content.
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        format!("{}\n", api_emulator::DEMO_POD_IDENTITY_TOKEN),
    )
    .unwrap();
    let env = [
        (
            "HC_CONTAINER_CREDENTIALS_FULL_URI",
            "{endpoint}/v1/credentials".to_owned(),
        ),
        (
            "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            file.path().display().to_string(),
        ),
    ];
    let (result, stats) = run("pod", builder(0), &env).await;
    assert_listed(&result);
    assert_eq!(stats.pod_credentials_issued, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn federated_id_token() {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), "eyJhbGciOiJSUzI1NiJ9.e30.c2ln\n").unwrap();
    let env = [
        ("HUAWEICLOUD_SDK_IDP_ID", "my-idp".to_owned()),
        (
            "HUAWEICLOUD_SDK_ID_TOKEN_FILE",
            file.path().display().to_string(),
        ),
    ];
    let (result, stats) = run("federated", builder(0), &env).await;
    assert_listed(&result);
    assert_eq!(stats.federated_tokens_issued, 1);
    assert_eq!(stats.federated_credentials_issued, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_with_a_token_that_expires_once() {
    let builder = builder(0).identity(
        IdentityConfig::new()
            .metadata_token_required(true)
            .metadata_expire_tokens_once(true),
    );
    let (result, stats) = run("metadata", builder, &[]).await;
    assert_listed(&result);
    // PUT, GET (401: expired), PUT, GET.
    assert_eq!(stats.metadata_token_puts, 2);
    assert_eq!(stats.metadata_credentials_issued, 1);
    assert_eq!(stats.requests_refused, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_without_an_agency_is_not_retried() {
    let builder = builder(0).identity(IdentityConfig::new().metadata_agency_missing(true));
    let (result, stats) = run("metadata_agency", builder, &[]).await;
    let message = result["errors"]["metadata"].as_str().unwrap();
    assert!(
        message.contains("Please configure Cloud Service Agency first"),
        "{message}"
    );
    assert_eq!(stats.metadata_token_puts, 1);
    assert_eq!(stats.requests_refused, 1);
}
