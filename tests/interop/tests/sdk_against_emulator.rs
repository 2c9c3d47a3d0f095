//! Requests the official Python SDK signs and sends with its own HTTP stack are accepted by the
//! emulator: with temporary credentials (`X-Security-Token`) and with queries the SDK must
//! encode.
//!
//! `crates/api-emulator/tests/emulator/python_sdk.rs` already proves the SDK's DELETE, GET,
//! list (`limit`/`offset`), POST with a JSON body, an id needing percent-encoding and a wrong SK
//! against the emulator, with permanent credentials; this test adds only what it leaves out
//! (`tests/interop/python/sdk_temporary_credentials.py` says what).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use api_emulator::{Emulator, Route, Task};
use api_model::ProjectId;
use interop_tests::{python, python_command, run_json, script};
use serde_json::json;

const AK: &str = "QTWAOYTTINDUT2QVKYUC";
const SK: &str = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
const PROJECT: &str = "a4a5d4098fb4474fa22cd05f897d6b99";
/// A security token of temporary credentials: long, base64-like.
const TOKEN: &str = "gQpjbi1ub3J0aC00hZA+/gR0dXJuS2V5X2lkIjoiMTIzIn0=gQpjbi1ub3J0aC00hZA+/gR0dXJu";
/// A task id the SDK percent-encodes as UTF-8.
const UNICODE_ID: &str = "täsk-任务~";
const SEEDED: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_sdk_with_temporary_credentials_is_accepted() {
    let python = python().unwrap_or_else(|e| panic!("{e}"));
    let project: ProjectId = PROJECT.parse().unwrap();
    let unicode = Task::new(UNICODE_ID.parse().unwrap(), "unicode", "sys_data_analyse");
    let emu = Emulator::builder()
        .ak_sk(AK, SK, &project)
        .seed(&project, SEEDED)
        .with_tasks(&project, [unicode])
        .start()
        .await
        .unwrap();
    let delete = emu
        .store()
        .task_ids(&project)
        .into_iter()
        .map(|id| id.to_string())
        .find(|id| id != UNICODE_ID)
        .unwrap();

    let mut command = python_command(&python);
    command
        .arg(script("sdk_temporary_credentials.py"))
        .env("EMULATOR_ENDPOINT", emu.endpoint())
        .env("EMULATOR_AK", AK)
        .env("EMULATOR_SK", SK)
        .env("EMULATOR_PROJECT_ID", PROJECT)
        .env("EMULATOR_TOKEN", TOKEN)
        .env(
            "EMULATOR_TASKS",
            json!({"delete": delete, "unicode": UNICODE_ID}).to_string(),
        );
    let result =
        tokio::task::spawn_blocking(move || run_json(&mut command, Duration::from_secs(60)))
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("{e}"));
    let calls = &result["calls"];
    let status = |name: &str| calls[name]["status"].as_u64().unwrap_or(0);

    // The list's query: repeated `status` keys, a boolean, an empty value and a value that
    // needs encoding, all signed by the SDK and verified by the emulator. The filters apply
    // (the last `status` is 0, and no task's name holds that text), so nothing matches.
    assert_eq!(status("list_encoded_query"), 200, "{calls}");
    assert_eq!(calls["list_encoded_query"]["body"]["count"], 0, "{calls}");
    // A filter that matches: the one task named "unicode" (an empty `source` filters nothing).
    assert_eq!(status("list_by_name"), 200, "{calls}");
    assert_eq!(calls["list_by_name"]["body"]["count"], 1, "{calls}");
    assert_eq!(
        calls["list_by_name"]["body"]["tasks"][0]["task_id"], UNICODE_ID,
        "{calls}"
    );
    assert_eq!(status("items"), 200, "{calls}");
    assert_eq!(calls["items"]["body"]["total"], 5, "{calls}");
    assert_eq!(status("describe_without_content_type"), 200, "{calls}");
    assert_eq!(
        calls["describe_without_content_type"]["body"]["task_id"],
        delete.as_str()
    );
    assert_eq!(
        calls["delete"],
        json!({"status": 200, "body": {}}),
        "{calls}"
    );
    assert_eq!(status("delete_again"), 400, "{calls}");
    assert_eq!(calls["delete_again"]["error_code"], "ModelArts.4700");
    assert_eq!(status("delete_unicode"), 200, "{calls}");
    // An encoded `/` in the task id: one segment on the wire, the signature still verifies, and
    // no task can have that id.
    assert_eq!(status("delete_encoded_slash"), 400, "{calls}");
    assert_eq!(
        calls["delete_encoded_slash"]["error_code"],
        "ModelArts.4700"
    );
    assert_eq!(status("create"), 200, "{calls}");

    // Every request carried the token, and the SDK signed it.
    let sent = result["sent"].as_array().unwrap();
    assert_eq!(sent.len(), 9, "{sent:?}");
    for request in sent {
        assert_eq!(request["has_security_token"], true, "{request}");
        let signed: Vec<&str> = request["signed_headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        for name in ["host", "x-project-id", "x-sdk-date", "x-security-token"] {
            assert!(signed.contains(&name), "{name} not signed: {signed:?}");
        }
    }

    // What reached the emulator.
    let requests = emu.received_requests();
    let list_query = requests
        .iter()
        .filter_map(|r| r.query.as_deref())
        .find(|q| q.contains("task_name"))
        .unwrap();
    assert_eq!(
        list_query,
        "limit=100&offset=0&return_result=true&source=&status=0&status=2\
         &task_name=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29&version_id=b%2Ca"
    );
    assert!(
        emu.received_paths()
            .contains(&format!("/v2/{PROJECT}/processor-tasks/no%2Fsuch%20task")),
        "{:?}",
        emu.received_paths()
    );
    let stats = emu.stats();
    assert_eq!(stats.auth_failures, 0, "{stats:?}");
    assert_eq!(stats.responses(Route::DeleteTask, 200), 2);
    assert_eq!(stats.responses(Route::DeleteTask, 400), 2);
    let store = emu.store();
    assert!(!store.contains(&project, &delete.parse().unwrap()));
    assert!(!store.contains(&project, &UNICODE_ID.parse().unwrap()));
    assert_eq!(
        store.count(&project),
        SEEDED - 1 + 1,
        "5 seeded + 1 created - 1 deleted"
    );
    emu.shutdown().await;
}
