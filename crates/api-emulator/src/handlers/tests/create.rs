//! `POST …/processor-tasks` with the optional fields: kept as given, shown back by describe.

use super::*;

fn create(app: &App, body: Value) -> Answer {
    call(app, request(Method::POST, &collection(), &body.to_string()))
}

#[test]
fn optional_fields_are_stored_and_echoed() {
    let (app, store) = app_in_memory([]);
    let body = json!({
        "name": "clean", "description": "d", "workspace_id": "ws-1", "version_id": "ignored",
        "template": {"id": "sys_data_cleaning", "name": "Cleaning", "operator_params": [{"name": "p"}]},
        "data_source": {"type": "OBS", "source": "obs://bucket/in/"},
        "inputs": [{"type": "DATASET", "source": "ds-1", "version_id": "v"}],
        "work_path": {"type": "OBS", "path": "obs://bucket/out/"},
    });
    let created = create(&app, body.clone());
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.body["task_id"].as_str().unwrap().to_owned();
    let shown = call(&app, request(Method::GET, &item(&id), ""));
    assert_eq!(shown.status, StatusCode::OK);
    for field in [
        "template",
        "data_source",
        "inputs",
        "work_path",
        "workspace_id",
    ] {
        assert_eq!(shown.body[field], body[field], "{field}");
    }
    assert_eq!(shown.body["version_count"], 0);
    assert!(shown.body.get("version_id").is_none());
    assert!(shown.body.get("version_name").is_none());
    let stored = store.get(&project(), &task_id(&id)).unwrap();
    assert_eq!(stored.workspace_id, "ws-1");
    assert_eq!(stored.template.name.as_deref(), Some("Cleaning"));
}

#[test]
fn create_version_true_makes_the_first_version() {
    let (app, store) = app_in_memory([]);
    let created = create(
        &app,
        json!({"name": "n", "template": {"id": "t"}, "create_version": true, "description": "d"}),
    );
    assert_eq!(created.status, StatusCode::OK);
    let id = task_id(created.body["task_id"].as_str().unwrap());
    let record = store.record(&project(), &id).unwrap();
    assert_eq!(record.versions().len(), 1);
    let first = &record.versions()[0];
    assert_eq!(first.version_name, "V001");
    assert_eq!(first.task_id, id);
    assert_eq!(first.status, TaskStatus::Running);
    assert_eq!(first.description, "d");
    assert_eq!(first.create_time, record.task().create_time);
    assert_eq!(record.task().version_count, 1);
    assert_eq!(
        record.task().version_id.as_ref(),
        Some(&first.task_version_id)
    );
    assert_eq!(record.task().version_name.as_deref(), Some("V001"));

    // `false` (or absent) makes none.
    let plain = create(
        &app,
        json!({"name": "n", "template": {"id": "t"}, "create_version": false}),
    );
    let plain = task_id(plain.body["task_id"].as_str().unwrap());
    assert!(
        store
            .record(&project(), &plain)
            .unwrap()
            .versions()
            .is_empty()
    );
}

#[test]
fn wrong_types_are_0104_naming_the_field() {
    let (app, store) = app_in_memory([]);
    for (extra, field) in [
        (json!({"workspace_id": 1}), "workspace_id"),
        (json!({"create_version": "true"}), "create_version"),
        (json!({"data_source": "obs://x"}), "data_source"),
        (json!({"data_source": {"type": "HDFS"}}), "data_source.type"),
        (json!({"inputs": [{"type": "S3"}]}), "inputs[0].type"),
        (json!({"inputs": "x"}), "inputs"),
        (json!({"work_path": {"type": "CUSTOM"}}), "work_path.type"),
        (json!({"version_id": false}), "version_id"),
        (json!({"template": {"id": ""}}), "template.id"),
        (json!({"template": {"id": "t", "name": 3}}), "template.name"),
    ] {
        let mut body = json!({"name": "n", "template": {"id": "t"}});
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        let answer = create(&app, body);
        assert_error(&answer, 400, "ModelArts.0104");
        let message = answer.body["error_msg"].as_str().unwrap();
        assert!(message.contains(field), "{field}: {message}");
    }
    assert_eq!(store.count(&project()), 0);
}
