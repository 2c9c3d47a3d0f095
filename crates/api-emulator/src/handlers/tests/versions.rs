//! The version operations: create, list, describe, stop and delete, with every error status.

use super::*;
use crate::record::TaskRecord;
use crate::version::TaskVersion;

const TASK: &str = "SNEJua7qdZZN8GvkcEr";

fn versions_path(task: &str) -> String {
    format!("{}/versions", item(task))
}

fn version_path(task: &str, version: &str) -> String {
    format!("{}/versions/{version}", item(task))
}

fn add_version(app: &App, task: &str, body: &str) -> Answer {
    call(app, request(Method::POST, &versions_path(task), body))
}

fn new_version_id(answer: &Answer) -> String {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let id = answer.body["version_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 19);
    assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
    id
}

fn record(store: &InMemoryTaskStore) -> TaskRecord {
    store.record(&project(), &task_id(TASK)).unwrap()
}

/// A store with the task `TASK` holding versions `(id, create_time, status)`.
fn with_versions(versions: &[(&str, u64, TaskStatus)]) -> (App, Arc<InMemoryTaskStore>) {
    let (app, store) = app_in_memory([]);
    let mut record = TaskRecord::new(Task::new(task_id(TASK), "n", "sys_data_analyse"));
    for (id, time, status) in versions {
        let version = TaskVersion::new(task_id(id), task_id(TASK))
            .with_status(*status)
            .with_times(*time);
        record.add_version(version).unwrap();
    }
    assert!(store.insert_record(&project(), record));
    (app, store)
}

#[test]
fn create_list_describe_stop_and_delete() {
    let (app, store) = app_in_memory([Task::new(task_id(TASK), "n", "sys_data_analyse")]);
    let body = r#"{"description": "first", "template": {"id": "t", "x": 1},
                  "inputs": [{"type": "OBS", "source": "obs://b/"}], "work_path": {"type": "OBS"}}"#;
    let v1 = new_version_id(&add_version(&app, TASK, body));
    let v2 = new_version_id(&add_version(&app, TASK, "{}"));
    assert_ne!(v1, v2);
    let task = record(&store).into_task();
    assert_eq!(task.version_count, 2);
    assert_eq!(
        task.version_id.as_ref().map(TaskId::as_str),
        Some(v2.as_str())
    );
    assert_eq!(task.version_name.as_deref(), Some("V002"));

    let shown = call(&app, request(Method::GET, &version_path(TASK, &v1), ""));
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body["task_version_id"], v1.as_str());
    assert_eq!(shown.body["task_id"], TASK);
    assert_eq!(shown.body["version_name"], "V001");
    assert_eq!(shown.body["description"], "first");
    assert_eq!(shown.body["status"], 1);
    assert_eq!(shown.body["create_time"], shown.body["update_time"]);
    assert_eq!(shown.body["template"], json!({"id": "t", "x": 1}));
    assert_eq!(shown.body["inputs"][0]["source"], "obs://b/");
    assert_eq!(shown.body["work_path"], json!({"type": "OBS"}));
    for count in [
        "duration_seconds",
        "add_sample_count",
        "deleted_sample_count",
        "modified_sample_count",
        "origin_sample_count",
        "unmodified_sample_count",
    ] {
        assert_eq!(shown.body[count], 0, "{count}");
    }
    let bare = call(&app, request(Method::GET, &version_path(TASK, &v2), ""));
    assert!(bare.body.get("template").is_none());
    assert_eq!(bare.body["description"], "");

    let listed = call(&app, request(Method::GET, &versions_path(TASK), ""));
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["count"], 2);
    assert_eq!(listed.body["versions"].as_array().map(Vec::len), Some(2));

    let stop = format!("{}/stop", version_path(TASK, &v1));
    let stopped = call(&app, request(Method::POST, &stop, ""));
    assert_eq!(
        (stopped.status, &stopped.body),
        (StatusCode::OK, &json!({}))
    );
    let v1_id = task_id(&v1);
    let after = record(&store).version(&v1_id).cloned().unwrap();
    assert_eq!(after.status, TaskStatus::Stopped);
    assert!(after.update_time >= after.create_time);
    // Idempotent: stopping again answers the same and changes nothing.
    assert_eq!(
        call(&app, request(Method::POST, &stop, "{}")).status,
        StatusCode::OK
    );
    assert_eq!(record(&store).version(&v1_id), Some(&after));

    let deleted = call(&app, request(Method::DELETE, &version_path(TASK, &v2), ""));
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(deleted.raw.is_empty());
    assert!(deleted.headers.get(CONTENT_TYPE).is_none());
    assert_eq!(deleted.headers["x-request-id"].len(), 32);
    let task = record(&store).into_task();
    assert_eq!(task.version_count, 1);
    assert_eq!(task.version_id, Some(v1_id));
    assert_eq!(task.version_name.as_deref(), Some("V001"));
    assert_error(
        &call(&app, request(Method::GET, &version_path(TASK, &v2), "")),
        400,
        "ModelArts.4851",
    );
    assert_error(
        &call(&app, request(Method::DELETE, &version_path(TASK, &v2), "")),
        400,
        "ModelArts.4851",
    );
    // Names are never reused.
    let v3 = new_version_id(&add_version(&app, TASK, "{}"));
    let v3 = record(&store).version(&task_id(&v3)).cloned().unwrap();
    assert_eq!(v3.version_name, "V003");
    assert_eq!(
        app.stats
            .snapshot()
            .responses(crate::Route::DeleteVersion, 204),
        1
    );
}

#[test]
fn create_refuses_initializing_tasks_and_bad_bodies() {
    let initializing = Task::new(task_id("init"), "n", "x").with_status(TaskStatus::Initializing);
    let (app, store) = app_in_memory([initializing, Task::new(task_id(TASK), "n", "x")]);
    assert_error(&add_version(&app, "init", "{}"), 403, "ModelArts.4850");
    assert!(
        store
            .record(&project(), &task_id("init"))
            .unwrap()
            .versions()
            .is_empty()
    );
    assert_error(&add_version(&app, "gone", "{}"), 400, "ModelArts.4700");
    assert_error(&add_version(&app, "%FF", "{}"), 400, "ModelArts.4700");
    for (body, code) in [
        ("", "ModelArts.4105"),
        ("{x", "ModelArts.4105"),
        ("[]", "ModelArts.0104"),
        ("1", "ModelArts.0104"),
        (r#"{"name": 1}"#, "ModelArts.0104"),
        (r#"{"description": "a=b"}"#, "ModelArts.0104"),
        (r#"{"template": []}"#, "ModelArts.0104"),
        (r#"{"inputs": [{"type": "FTP"}]}"#, "ModelArts.0104"),
        (r#"{"work_path": {"type": "TASK"}}"#, "ModelArts.0104"),
        (r#"{"data_source": 1}"#, "ModelArts.0104"),
        (r#"{"workspace_id": []}"#, "ModelArts.0104"),
        (r#"{"create_version": 1}"#, "ModelArts.0104"),
        (r#"{"version_id": {}}"#, "ModelArts.0104"),
    ] {
        assert_error(&add_version(&app, TASK, body), 400, code);
    }
    let long = json!({ "description": "x".repeat(257) }).to_string();
    assert_error(&add_version(&app, TASK, &long), 400, "ModelArts.0104");
    assert!(record(&store).versions().is_empty());
    // Everything optional, any name: accepted.
    let fine = json!({ "description": "x".repeat(256), "name": "v", "create_version": true });
    new_version_id(&add_version(&app, TASK, &fine.to_string()));
}

#[test]
fn list_pages_newest_first_with_ties_by_id() {
    let running = TaskStatus::Running;
    let (app, _) = with_versions(&[
        ("b", 5, running),
        ("a", 5, running),
        ("c", 9, running),
        ("d", 1, running),
    ]);
    let ids = |query: &str| {
        let answer = call(
            &app,
            request(Method::GET, &format!("{}{query}", versions_path(TASK)), ""),
        );
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.body["count"], 4);
        answer.body["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["task_version_id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(""), ["c", "a", "b", "d"]);
    // offset is a page index: page 1 of pages of 2 holds the third and fourth versions.
    assert_eq!(ids("?offset=1&limit=2"), ["b", "d"]);
    assert_eq!(ids("?offset=1&limit=3"), ["d"]);
    assert!(ids("?offset=1").is_empty());
    assert_eq!(ids("?limit=1"), ["c"]);
    assert_eq!(ids("?limit=100"), ["c", "a", "b", "d"]);
    assert!(ids("?offset=4").is_empty());
    for query in ["limit=0", "limit=101", "limit=x", "offset=-1", "offset="] {
        let path = format!("{}?{query}", versions_path(TASK));
        assert_error(
            &call(&app, request(Method::GET, &path, "")),
            400,
            "ModelArts.0104",
        );
    }
    assert_error(
        &call(&app, request(Method::GET, &versions_path("gone"), "")),
        400,
        "ModelArts.4700",
    );
}

#[test]
fn unknown_tasks_are_4700_and_unknown_versions_4851() {
    let (app, _) = with_versions(&[("v1", 1, TaskStatus::Running)]);
    for version in ["nope", "%FF", "%2F", "a%2Fb"] {
        for (method, path) in [
            (Method::GET, version_path(TASK, version)),
            (Method::DELETE, version_path(TASK, version)),
            (
                Method::POST,
                format!("{}/stop", version_path(TASK, version)),
            ),
        ] {
            let answer = call(&app, request(method.clone(), &path, ""));
            assert_error(&answer, 400, "ModelArts.4851");
            let gone = path.replace(TASK, "gone");
            assert_error(
                &call(&app, request(method, &gone, "")),
                400,
                "ModelArts.4700",
            );
        }
    }
    // A version of another task is not one of this task's.
    let other = Task::new(task_id("other"), "n", "x");
    assert!(app.store.insert(&project(), other));
    assert_error(
        &call(&app, request(Method::GET, &version_path("other", "v1"), "")),
        400,
        "ModelArts.4851",
    );
}

#[test]
fn stop_changes_only_unfinished_versions() {
    let (app, store) = with_versions(&[
        ("init", 1, TaskStatus::Initializing),
        ("run", 2, TaskStatus::Running),
        ("done", 3, TaskStatus::Completed),
        ("fail", 4, TaskStatus::Failed),
        ("stop", 5, TaskStatus::Stopped),
    ]);
    for (id, expected) in [
        ("init", TaskStatus::Stopped),
        ("run", TaskStatus::Stopped),
        ("done", TaskStatus::Completed),
        ("fail", TaskStatus::Failed),
        ("stop", TaskStatus::Stopped),
    ] {
        let before = record(&store).version(&task_id(id)).cloned().unwrap();
        let path = format!("{}/stop", version_path(TASK, id));
        let answer = call(&app, request(Method::POST, &path, "not even JSON"));
        assert_eq!(
            (answer.status, &answer.body),
            (StatusCode::OK, &json!({})),
            "{id}"
        );
        let after = record(&store).version(&task_id(id)).cloned().unwrap();
        assert_eq!(after.status, expected, "{id}");
        if before.status == expected {
            assert_eq!(after, before, "{id} is unchanged");
        } else {
            assert!(after.update_time > before.update_time, "{id}");
        }
    }
}

#[test]
fn deleting_the_current_version_makes_the_newest_remaining_current() {
    let running = TaskStatus::Running;
    let (app, store) = with_versions(&[
        ("old", 1, running),
        ("mid", 2, running),
        ("new", 3, running),
    ]);
    let delete = |id: &str| call(&app, request(Method::DELETE, &version_path(TASK, id), ""));
    assert_eq!(delete("mid").status, StatusCode::NO_CONTENT);
    assert_eq!(record(&store).task().version_name.as_deref(), Some("V003"));
    assert_eq!(delete("new").status, StatusCode::NO_CONTENT);
    let task = record(&store).into_task();
    assert_eq!(
        (task.version_id, task.version_name.as_deref()),
        (Some(task_id("old")), Some("V001"))
    );
    assert_eq!(task.version_count, 1);
    assert_eq!(delete("old").status, StatusCode::NO_CONTENT);
    let task = record(&store).into_task();
    assert_eq!(
        (task.version_id, task.version_name, task.version_count),
        (None, None, 0)
    );
    let shown = call(&app, request(Method::GET, &item(TASK), ""));
    assert!(shown.body.get("version_id").is_none());
    assert!(shown.body.get("version_name").is_none());
}

#[test]
fn deleting_a_task_removes_its_versions() {
    let (app, store) = with_versions(&[("v1", 1, TaskStatus::Running)]);
    assert_eq!(
        call(&app, request(Method::DELETE, &item(TASK), "")).status,
        StatusCode::OK
    );
    assert!(store.record(&project(), &task_id(TASK)).is_none());
    assert!(store.insert(&project(), Task::new(task_id(TASK), "again", "x")));
    assert!(record(&store).versions().is_empty());
    assert_error(
        &call(&app, request(Method::GET, &version_path(TASK, "v1"), "")),
        400,
        "ModelArts.4851",
    );
}

#[test]
fn version_changes_are_one_store_call() {
    let mut store = MockTaskStore::new();
    store.expect_modify().times(3).return_const(false);
    let app = app(store);
    for (method, path) in [
        (Method::DELETE, version_path(TASK, "v")),
        (Method::POST, format!("{}/stop", version_path(TASK, "v"))),
        (Method::POST, versions_path(TASK)),
    ] {
        assert_error(
            &call(&app, request(method, &path, "{}")),
            400,
            "ModelArts.4700",
        );
    }
}
