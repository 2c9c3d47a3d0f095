//! Every route and status over a real socket, with the service's shapes.

use api_emulator::{Route, Task, TaskStatus};
use http::Method;

use crate::common::*;

#[tokio::test]
async fn delete_answers_200_then_400_4700_and_403_4850_for_initializing() {
    let initializing = Task::new(
        "InitializingTask123".parse().unwrap(),
        "init",
        "sys_data_analyse",
    )
    .with_status(TaskStatus::Initializing);
    let emu = builder(3)
        .with_tasks(&project(), [initializing])
        .start()
        .await
        .unwrap();
    let client = Client::new(&emu);
    let first = ids(&emu, &project())[1].clone();

    let answer = client.delete(&first).await;
    answer.expect(200, None);
    assert_eq!(answer.json, serde_json::json!({}));
    assert!(!emu.store().contains(&project(), &first.parse().unwrap()));

    client
        .delete(&first)
        .await
        .expect(400, Some("ModelArts.4700"));
    client
        .delete("InitializingTask123")
        .await
        .expect(403, Some("ModelArts.4850"));
    assert!(
        emu.store()
            .contains(&project(), &"InitializingTask123".parse().unwrap())
    );
    assert_eq!(emu.store().count(&project()), 3);

    let stats = emu.stats();
    assert_eq!(stats.responses(Route::DeleteTask, 200), 1);
    assert_eq!(stats.responses(Route::DeleteTask, 400), 1);
    assert_eq!(stats.responses(Route::DeleteTask, 403), 1);
    assert_eq!(stats.tasks_deleted, 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn create_list_and_describe() {
    let emu = builder(12).start().await.unwrap();
    let client = Client::new(&emu);

    let created = client
        .call(
            Method::POST,
            &collection(PROJECT),
            r#"{"name": "clean-it", "template": {"id": "sys_data_cleaning"}, "description": "mine"}"#,
        )
        .await;
    created.expect(200, None);
    let task_id = created.json["task_id"].as_str().unwrap().to_owned();
    assert_eq!(task_id.len(), 19);
    assert_eq!(emu.store().count(&project()), 13);

    let described = client.call(Method::GET, &item(PROJECT, &task_id), "").await;
    described.expect(200, None);
    assert_eq!(described.json["task_id"], task_id.as_str());
    assert_eq!(described.json["name"], "clean-it");
    assert_eq!(described.json["description"], "mine");
    assert_eq!(described.json["status"], 1);
    assert_eq!(described.json["template"]["id"], "sys_data_cleaning");
    assert!(described.json["create_time"].as_u64().unwrap() > 1_600_000_000_000);

    let list = client.call(Method::GET, &collection(PROJECT), "").await;
    list.expect(200, None);
    assert_eq!(list.json["count"], 13);
    let tasks = list.json["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 10, "the default limit");
    assert_eq!(tasks[0]["task_id"], task_id.as_str(), "newest first");

    // offset is the page index: page 2 of pages of 5 holds tasks 10 to 12.
    let page = client
        .call(
            Method::GET,
            &format!("{}?offset=2&limit=5", collection(PROJECT)),
            "",
        )
        .await;
    page.expect(200, None);
    assert_eq!(page.json["count"], 13);
    assert_eq!(page.json["tasks"].as_array().unwrap().len(), 3);
    let listed: Vec<String> = ids(&emu, &project());
    assert_eq!(page.json["tasks"][0]["task_id"], listed[10].as_str());
    assert_eq!(page.json["tasks"][2]["task_id"], listed[12].as_str());

    // A page past the end is 200, empty, with the true count.
    let past = client
        .call(
            Method::GET,
            &format!("{}?offset=3&limit=5", collection(PROJECT)),
            "",
        )
        .await;
    past.expect(200, None);
    assert_eq!(past.json, serde_json::json!({"count": 13, "tasks": []}));

    client
        .call(
            Method::GET,
            &format!("{}?limit=101", collection(PROJECT)),
            "",
        )
        .await
        .expect(400, Some("ModelArts.0104"));
    client
        .call(Method::GET, &item(PROJECT, "NoSuchTask000000000"), "")
        .await
        .expect(400, Some("ModelArts.4700"));
    client
        .call(Method::POST, &collection(PROJECT), "{oops")
        .await
        .expect(400, Some("ModelArts.4105"));
    client
        .call(
            Method::POST,
            &collection(PROJECT),
            r#"{"name": "no template"}"#,
        )
        .await
        .expect(400, Some("ModelArts.0104"));
    assert_eq!(emu.store().count(&project()), 13);

    let items = client
        .call(Method::GET, &format!("{}/items", collection(PROJECT)), "")
        .await;
    items.expect(200, None);
    assert_eq!(items.json["total"], 5);
    emu.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_are_404_apig_0101() {
    let emu = builder(1).start().await.unwrap();
    let client = Client::new(&emu);
    let task = ids(&emu, &project())[0].clone();
    for (method, path) in [
        (Method::GET, "/".to_owned()),
        (Method::GET, "/v2".to_owned()),
        (Method::PATCH, item(PROJECT, &task)),
        (Method::PUT, collection(PROJECT)),
        (Method::DELETE, collection(PROJECT)),
        (Method::DELETE, format!("{}/", item(PROJECT, &task))),
        (Method::DELETE, versions(PROJECT, &task)),
        (Method::PATCH, versions(PROJECT, &task)),
        (Method::PUT, version(PROJECT, &task, "v")),
        (
            Method::GET,
            format!("{}/stop", version(PROJECT, &task, "v")),
        ),
        (
            Method::POST,
            format!("{}/stop/", version(PROJECT, &task, "v")),
        ),
        (
            Method::DELETE,
            format!("/v2/{PROJECT}//processor-tasks/{task}"),
        ),
        (
            Method::DELETE,
            format!("/v1/{PROJECT}/processor-tasks/{task}"),
        ),
    ] {
        let answer = client.call(method.clone(), &path, "").await;
        answer.expect(404, Some("APIG.0101"));
        assert_eq!(
            answer.message(),
            "The API does not exist or has not been published in the environment",
            "{method} {path}"
        );
    }
    assert!(emu.store().contains(&project(), &task.parse().unwrap()));
    assert_eq!(emu.stats().responses(Route::Unrouted, 404), 13);
    emu.shutdown().await;
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_apig_0201() {
    let emu = builder(0).max_body_size(1024).start().await.unwrap();
    let client = Client::new(&emu);
    let big = format!(
        r#"{{"name": "n", "template": {{"id": "t"}}, "description": "{}"}}"#,
        "x".repeat(4096)
    );
    client
        .call(Method::POST, &collection(PROJECT), &big)
        .await
        .expect(413, Some("APIG.0201"));
    // Even unsigned: the size is checked before the credentials.
    let unsigned = client.unsigned(Method::POST, &collection(PROJECT), &big);
    client.send(unsigned).await.expect(413, Some("APIG.0201"));
    assert_eq!(emu.store().count(&project()), 0);
    assert_eq!(emu.stats().auth_failures, 0);
    // A body at the limit is fine.
    let fits = format!(
        r#"{{"name": "n", "template": {{"id": "t"}}, "description": "{}"}}"#,
        "x".repeat(200)
    );
    client
        .call(Method::POST, &collection(PROJECT), &fits)
        .await
        .expect(200, None);
    emu.shutdown().await;
}

#[tokio::test]
async fn request_ids_are_unique() {
    let emu = builder(0).start().await.unwrap();
    let client = Client::new(&emu);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..20 {
        let answer = client.call(Method::GET, &collection(PROJECT), "").await;
        assert!(seen.insert(answer.request_id()));
    }
    let not_found = client.call(Method::GET, "/nope", "").await;
    assert!(seen.insert(not_found.request_id()));
    emu.shutdown().await;
}
