//! Interop with the official Python SDK core (`huaweicloudsdkcore`, pinned in
//! `tests/interop/requirements.txt`): its signer and HTTP stack against the emulator.
//!
//! Needs `PROCESSOR_TASKS_PYTHON`, the interpreter of the venv `cargo xtask test` sets up; the
//! test fails (never silently passes) without it.

use std::process::Stdio;
use std::time::Duration;

use api_emulator::{Route, Task};
use serde_json::{Value, json};
use tokio::process::Command;

use crate::common::*;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/sdk_interop.py");

/// An id the SDK must percent-encode: `quote(id, safe='')` in the path, decoded by the emulator.
const ODD_ID: &str = "odd?id#%41+é~";

pub fn python() -> String {
    match std::env::var("PROCESSOR_TASKS_PYTHON") {
        Ok(python) if !python.is_empty() => python,
        _ => panic!(
            "PROCESSOR_TASKS_PYTHON is not set: this test runs the official Python SDK \
             (huaweicloudsdkcore) against the emulator. Run the tests with `cargo xtask test`, \
             which creates the venv at target/interop-venv and sets it, or set \
             PROCESSOR_TASKS_PYTHON=target/interop-venv/bin/python yourself"
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_signs_requests_the_emulator_accepts() {
    let python = python();
    let odd = Task::new(ODD_ID.parse().unwrap(), "odd", "sys_data_analyse");
    let emu = builder(5)
        .with_tasks(&project(), [odd])
        .start()
        .await
        .unwrap();
    let seeded = ids(&emu, &project())
        .into_iter()
        .filter(|id| id != ODD_ID)
        .collect::<Vec<_>>();
    let (delete, keep) = (seeded[0].clone(), seeded[1].clone());
    let tasks = json!({"delete": delete, "keep": keep, "odd": ODD_ID});

    let mut command = Command::new(&python);
    command
        .arg(SCRIPT)
        .env("EMULATOR_ENDPOINT", emu.endpoint())
        .env("EMULATOR_AK", AK)
        .env("EMULATOR_SK", SK)
        .env("EMULATOR_PROJECT_ID", PROJECT)
        .env("EMULATOR_TASKS", tasks.to_string())
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .stdin(Stdio::null())
        .kill_on_drop(true);
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
    let calls = &result["calls"];

    assert_eq!(
        calls["delete"],
        json!({"status": 200, "body": {}}),
        "{calls}"
    );
    assert_eq!(calls["delete_again"]["status"], 400, "{calls}");
    assert_eq!(calls["delete_again"]["error_code"], "ModelArts.4700");
    assert_eq!(
        calls["delete_again"]["request_id"].as_str().map(str::len),
        Some(32)
    );
    assert_eq!(calls["delete_odd"]["status"], 200, "{calls}");
    assert_eq!(calls["describe_keep"]["status"], 200, "{calls}");
    assert_eq!(calls["describe_keep"]["body"]["task_id"], keep.as_str());
    assert_eq!(calls["list"]["status"], 200, "{calls}");
    // 5 seeded + the odd one, less the two deleted before the list.
    assert_eq!(calls["list"]["body"]["count"], 4);
    assert_eq!(
        calls["list"]["body"]["tasks"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(calls["create"]["status"], 200, "{calls}");
    let created = calls["create"]["body"]["task_id"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(calls["wrong_sk_delete"]["status"], 401, "{calls}");
    assert_eq!(calls["wrong_sk_delete"]["error_code"], "APIG.0301");
    let message = calls["wrong_sk_delete"]["error_msg"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("signature does not match"), "{message}");

    // The SDK's own signer signed Host, X-Project-Id, X-Sdk-Date and Content-Type.
    let signed = result["signed_headers"].as_array().unwrap();
    assert_eq!(signed.len(), 7, "one per request: {signed:?}");
    for names in signed {
        for name in ["content-type", "host", "x-project-id", "x-sdk-date"] {
            assert!(names.as_array().unwrap().contains(&json!(name)), "{names}");
        }
    }

    // The store agrees.
    let store = emu.store();
    assert!(!store.contains(&project(), &delete.parse().unwrap()));
    assert!(!store.contains(&project(), &ODD_ID.parse().unwrap()));
    assert!(
        store.contains(&project(), &keep.parse().unwrap()),
        "the wrong SK deleted it"
    );
    let made = store.get(&project(), &created.parse().unwrap()).unwrap();
    assert_eq!(made.name, "from-python");
    assert_eq!(made.description, "made by huaweicloudsdkcore");

    // The SDK encoded the odd id as one segment, which reached the emulator unchanged.
    let paths = emu.received_paths();
    assert!(
        paths.contains(&format!(
            "/v2/{PROJECT}/processor-tasks/odd%3Fid%23%2541%2B%C3%A9~"
        )),
        "{paths:?}"
    );
    let requests = emu.received_requests();
    assert!(
        requests
            .iter()
            .any(|r| r.query.as_deref() == Some("limit=2&offset=1"))
    );

    let stats = emu.stats();
    assert_eq!(stats.auth_failures, 1);
    assert_eq!(stats.responses(Route::DeleteTask, 200), 2);
    assert_eq!(stats.responses(Route::DeleteTask, 401), 1);
    emu.shutdown().await;
}
