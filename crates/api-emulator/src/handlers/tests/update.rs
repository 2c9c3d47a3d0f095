//! `PUT …/processor-tasks/{task_id}`: the description changes; bad bodies and unknown tasks.

use super::*;
use crate::record::TaskRecord;

fn put(app: &App, id: &str, body: &str) -> Answer {
    call(app, request(Method::PUT, &item(id), body))
}

fn stored(store: &InMemoryTaskStore, id: &str) -> Task {
    store.get(&project(), &task_id(id)).unwrap()
}

#[test]
fn the_description_changes_and_other_fields_are_ignored() {
    let (app, store) =
        app_in_memory([Task::new(task_id("t"), "name", "x").with_description("old")]);
    let answer = put(
        &app,
        "t",
        r#"{"description": "new", "name": "other", "status": 4}"#,
    );
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, json!({}));
    assert_eq!(answer.headers[CONTENT_TYPE], "application/json");
    let task = stored(&store, "t");
    assert_eq!(
        (task.description.as_str(), task.name.as_str()),
        ("new", "name")
    );
    assert_eq!(task.status, TaskStatus::Completed);

    // No description: no change. A null one is a wrong type (nothing is nullable).
    assert_eq!(put(&app, "t", "{}").status, StatusCode::OK);
    assert_eq!(stored(&store, "t").description, "new");
    assert_eq!(
        put(&app, "t", r#"{"description": null}"#).status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(stored(&store, "t").description, "new");
    // An empty description clears it.
    assert_eq!(
        put(&app, "t", r#"{"description": ""}"#).status,
        StatusCode::OK
    );
    assert_eq!(stored(&store, "t").description, "");
}

#[test]
fn description_rules() {
    let (app, store) = app_in_memory([Task::new(task_id("t"), "n", "x")]);
    let body = |text: &str| json!({ "description": text }).to_string();
    let longest = "x".repeat(256);
    assert_eq!(put(&app, "t", &body(&longest)).status, StatusCode::OK);
    assert_eq!(stored(&store, "t").description, longest);
    assert_error(
        &put(&app, "t", &body(&"x".repeat(257))),
        400,
        "ModelArts.0104",
    );
    for forbidden in ['^', '!', '<', '>', '=', '&', '"', '\''] {
        let answer = put(&app, "t", &body(&format!("a{forbidden}b")));
        assert_error(&answer, 400, "ModelArts.0104");
    }
    assert_error(
        &put(&app, "t", r#"{"description": 7}"#),
        400,
        "ModelArts.0104",
    );
    assert_eq!(
        stored(&store, "t").description,
        longest,
        "refused changes change nothing"
    );
}

#[test]
fn bodies_that_are_not_objects_and_unknown_tasks() {
    let (app, _) = app_in_memory([Task::new(task_id("t"), "n", "x")]);
    for (body, code) in [
        ("", "ModelArts.4105"),
        ("{oops", "ModelArts.4105"),
        ("[]", "ModelArts.0104"),
        ("\"text\"", "ModelArts.0104"),
        ("null", "ModelArts.0104"),
    ] {
        assert_error(&put(&app, "t", body), 400, code);
    }
    assert_error(&put(&app, "gone", "{}"), 400, "ModelArts.4700");
    assert_error(&put(&app, "%2F", "{}"), 400, "ModelArts.4700");
}

#[test]
fn one_atomic_store_call_and_none_for_a_refused_body() {
    let mut store = MockTaskStore::new();
    store
        .expect_modify()
        .withf(|p, id, _| p == &project() && id == &task_id("gone"))
        .times(1)
        .return_const(false);
    store
        .expect_modify()
        .withf(|_, id, _| id == &task_id("t"))
        .times(1)
        .returning(|_, _, change| {
            let mut record = TaskRecord::new(Task::new(task_id("t"), "n", "x"));
            change.apply(&mut record);
            assert_eq!(record.task().description, "mocked");
            true
        });
    let app = app(store);
    assert_error(&put(&app, "gone", "{}"), 400, "ModelArts.4700");
    assert_eq!(
        put(&app, "t", r#"{"description": "mocked"}"#).status,
        StatusCode::OK
    );
    // Refused before the store: the mock has no more expectations.
    assert_error(
        &put(&app, "t", r#"{"description": "<"}"#),
        400,
        "ModelArts.0104",
    );
}
