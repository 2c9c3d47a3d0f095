//! Task versions and task updates over a real socket, signed like the SDK signs.

use api_emulator::{Route, Task, TaskStatus};
use http::Method;
use serde_json::json;

use crate::common::*;

/// Creates a task and answers its id.
async fn create(client: &Client, body: &str) -> String {
    let created = client.call(Method::POST, &collection(PROJECT), body).await;
    created.expect(200, None);
    created.json["task_id"].as_str().unwrap().to_owned()
}

async fn describe(client: &Client, task: &str) -> serde_json::Value {
    let answer = client.call(Method::GET, &item(PROJECT, task), "").await;
    answer.expect(200, None);
    answer.json
}

#[tokio::test]
async fn the_version_lifecycle() {
    let emu = builder(0).start().await.unwrap();
    let client = Client::new(&emu);
    let task = create(
        &client,
        r#"{"name": "clean", "template": {"id": "sys_data_cleaning"}, "create_version": true}"#,
    )
    .await;
    let shown = describe(&client, &task).await;
    assert_eq!(shown["version_count"], 1);
    assert_eq!(shown["version_name"], "V001");
    let v1 = shown["version_id"].as_str().unwrap().to_owned();

    let created = client
        .call(
            Method::POST,
            &versions(PROJECT, &task),
            r#"{"description": "second", "work_path": {"type": "OBS", "path": "obs://b/out/"}}"#,
        )
        .await;
    created.expect(200, None);
    let v2 = created.json["version_id"].as_str().unwrap().to_owned();
    assert_eq!(v2.len(), 19);
    let shown = describe(&client, &task).await;
    assert_eq!(
        (
            &shown["version_count"],
            &shown["version_id"],
            &shown["version_name"]
        ),
        (&json!(2), &json!(v2), &json!("V002"))
    );

    let listed = client
        .call(Method::GET, &versions(PROJECT, &task), "")
        .await;
    listed.expect(200, None);
    assert_eq!(listed.json["count"], 2);
    let names: Vec<&str> = listed.json["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version_name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"V001") && names.contains(&"V002"));
    let paged = client
        .call(
            Method::GET,
            &format!("{}?limit=1", versions(PROJECT, &task)),
            "",
        )
        .await;
    assert_eq!(paged.json["versions"].as_array().unwrap().len(), 1);
    client
        .call(
            Method::GET,
            &format!("{}?limit=0", versions(PROJECT, &task)),
            "",
        )
        .await
        .expect(400, Some("ModelArts.0104"));

    let second = client
        .call(Method::GET, &version(PROJECT, &task, &v2), "")
        .await;
    second.expect(200, None);
    assert_eq!(second.json["task_version_id"], v2.as_str());
    assert_eq!(second.json["task_id"], task.as_str());
    assert_eq!(second.json["version_name"], "V002");
    assert_eq!(second.json["description"], "second");
    assert_eq!(second.json["status"], 1);
    assert_eq!(second.json["work_path"]["path"], "obs://b/out/");

    let stop = format!("{}/stop", version(PROJECT, &task, &v2));
    let stopped = client.call(Method::POST, &stop, "").await;
    stopped.expect(200, None);
    assert_eq!(stopped.json, json!({}));
    let second = client
        .call(Method::GET, &version(PROJECT, &task, &v2), "")
        .await;
    assert_eq!(second.json["status"], 4);
    client.call(Method::POST, &stop, "").await.expect(200, None);

    client
        .call(Method::DELETE, &version(PROJECT, &task, &v2), "")
        .await
        .expect_no_content();
    client
        .call(Method::GET, &version(PROJECT, &task, &v2), "")
        .await
        .expect(400, Some("ModelArts.4851"));
    client
        .call(Method::DELETE, &version(PROJECT, &task, &v2), "")
        .await
        .expect(400, Some("ModelArts.4851"));
    client
        .call(Method::POST, &stop, "")
        .await
        .expect(400, Some("ModelArts.4851"));
    let shown = describe(&client, &task).await;
    assert_eq!(shown["version_count"], 1);
    assert_eq!(shown["version_id"], v1.as_str());
    assert_eq!(shown["version_name"], "V001");

    let gone = "NoSuchTask000000000";
    client
        .call(Method::GET, &version(PROJECT, gone, &v1), "")
        .await
        .expect(400, Some("ModelArts.4700"));
    client
        .call(Method::POST, &versions(PROJECT, gone), "{}")
        .await
        .expect(400, Some("ModelArts.4700"));

    let stats = emu.stats();
    assert_eq!(stats.responses(Route::DeleteVersion, 204), 1);
    assert_eq!(stats.responses(Route::DeleteVersion, 400), 1);
    assert_eq!(stats.responses(Route::StopVersion, 200), 2);
    assert_eq!(stats.responses(Route::CreateVersion, 200), 1);
    assert_eq!(stats.responses(Route::ListVersions, 200), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn versions_of_an_initializing_task_are_refused() {
    let init = Task::new(
        "InitializingTask123".parse().unwrap(),
        "init",
        "sys_data_analyse",
    )
    .with_status(TaskStatus::Initializing);
    let emu = builder(0)
        .with_tasks(&project(), [init])
        .start()
        .await
        .unwrap();
    let client = Client::new(&emu);
    client
        .call(
            Method::POST,
            &versions(PROJECT, "InitializingTask123"),
            "{}",
        )
        .await
        .expect(403, Some("ModelArts.4850"));
    emu.shutdown().await;
}

#[tokio::test]
async fn update_changes_what_describe_shows() {
    let emu = builder(1).start().await.unwrap();
    let client = Client::new(&emu);
    let task = ids(&emu, &project())[0].clone();
    let updated = client
        .call(
            Method::PUT,
            &item(PROJECT, &task),
            r#"{"description": "renamed here", "name": "ignored"}"#,
        )
        .await;
    updated.expect(200, None);
    assert_eq!(updated.json, json!({}));
    let shown = describe(&client, &task).await;
    assert_eq!(shown["description"], "renamed here");
    assert_eq!(shown["name"], "task-00001");

    for (body, code) in [
        ("{nope", "ModelArts.4105"),
        ("[1]", "ModelArts.0104"),
        (r#"{"description": "a&b"}"#, "ModelArts.0104"),
    ] {
        client
            .call(Method::PUT, &item(PROJECT, &task), body)
            .await
            .expect(400, Some(code));
    }
    client
        .call(Method::PUT, &item(PROJECT, "NoSuchTask000000000"), "{}")
        .await
        .expect(400, Some("ModelArts.4700"));
    assert_eq!(
        describe(&client, &task).await["description"],
        "renamed here"
    );
    assert_eq!(emu.stats().responses(Route::UpdateTask, 200), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn deleting_a_task_deletes_its_versions() {
    let emu = builder(0).start().await.unwrap();
    let client = Client::new(&emu);
    let task = create(
        &client,
        r#"{"name": "n", "template": {"id": "sys_data_analyse"}, "create_version": true}"#,
    )
    .await;
    let first = describe(&client, &task).await["version_id"]
        .as_str()
        .unwrap()
        .to_owned();
    client.delete(&task).await.expect(200, None);
    assert!(
        emu.store()
            .record(&project(), &task.parse().unwrap())
            .is_none()
    );
    client
        .call(Method::GET, &versions(PROJECT, &task), "")
        .await
        .expect(400, Some("ModelArts.4700"));
    client
        .call(Method::GET, &version(PROJECT, &task, &first), "")
        .await
        .expect(400, Some("ModelArts.4700"));
    // A task inserted again under the same id starts with no versions.
    emu.store()
        .insert(&project(), Task::new(task.parse().unwrap(), "again", "x"));
    let listed = client
        .call(Method::GET, &versions(PROJECT, &task), "")
        .await;
    listed.expect(200, None);
    assert_eq!(listed.json, json!({"count": 0, "versions": []}));
    client
        .call(Method::GET, &version(PROJECT, &task, &first), "")
        .await
        .expect(400, Some("ModelArts.4851"));
    emu.shutdown().await;
}

#[tokio::test]
async fn wrong_methods_on_the_new_paths_are_404() {
    let emu = builder(1).start().await.unwrap();
    let client = Client::new(&emu);
    let task = ids(&emu, &project())[0].clone();
    for (method, path) in [
        (Method::PATCH, versions(PROJECT, &task)),
        (Method::PUT, versions(PROJECT, &task)),
        (Method::DELETE, versions(PROJECT, &task)),
        (Method::POST, version(PROJECT, &task, "v")),
        (Method::PATCH, version(PROJECT, &task, "v")),
        (
            Method::GET,
            format!("{}/stop", version(PROJECT, &task, "v")),
        ),
        (
            Method::DELETE,
            format!("{}/stop", version(PROJECT, &task, "v")),
        ),
        (Method::POST, format!("{}/", versions(PROJECT, &task))),
        (
            Method::POST,
            format!("{}/start", version(PROJECT, &task, "v")),
        ),
        (Method::POST, format!("{}/versions", item(PROJECT, ""))),
    ] {
        let answer = client.call(method.clone(), &path, "").await;
        answer.expect(404, Some("APIG.0101"));
        let _ = (method, path);
    }
    assert_eq!(emu.stats().responses(Route::Unrouted, 404), 10);
    emu.shutdown().await;
}
