//! `GET …/processor-tasks` filters, sorting and `return_result` over HTTP, on mixed seeding.

use api_emulator::{MIXED_SEED_INTERVAL_MS, SEED_EPOCH_MS, TaskStatus, seeded_tasks_mixed};
use http::Method;
use serde_json::Value;

use crate::common::*;

async fn list(client: &Client, query: &str) -> Value {
    let answer = client
        .call(Method::GET, &format!("{}?{query}", collection(PROJECT)), "")
        .await;
    answer.expect(200, None);
    answer.json
}

fn field<'a>(page: &'a Value, name: &str) -> Vec<&'a Value> {
    page["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| &task[name])
        .collect()
}

#[tokio::test]
async fn filters_sorting_and_results() {
    let emu = builder(0).seed_mixed(&project(), 30).start().await.unwrap();
    let client = Client::new(&emu);
    let seeded = seeded_tasks_mixed(&project(), 30, 0);
    assert_eq!(emu.store().count(&project()), 30);

    // Statuses cycle completed, failed, running, completed, stopped, failed: 10 failed of 30.
    let failed = list(&client, "status=3&limit=100").await;
    assert_eq!(failed["count"], 10);
    assert!(field(&failed, "status").iter().all(|s| **s == 3));
    assert!(field(&failed, "error_msg").iter().all(|e| e.is_string()));
    assert_eq!(list(&client, "status=0").await["count"], 0);

    let cleaning = list(&client, "task_type=sys_data_cleaning&limit=100").await;
    assert_eq!(cleaning["count"], 6);
    assert!(
        field(&cleaning, "name")
            .iter()
            .all(|n| n.as_str().unwrap().starts_with("cleaning-"))
    );
    let named = list(&client, "task_name=ANALYSE-0000").await;
    assert_eq!(named["count"], 2, "analyse-00002 and analyse-00007");
    assert_eq!(list(&client, "workspace_id=0").await["count"], 30);
    assert_eq!(list(&client, "workspace_id=9").await["count"], 0);
    assert_eq!(list(&client, "source_type=OBS").await["count"], 0);

    // Newest first by default: seeding order.
    let first = list(&client, "limit=2").await;
    assert_eq!(first["count"], 30);
    assert_eq!(*field(&first, "task_id")[0], seeded[0].task_id.as_str());
    assert_eq!(*field(&first, "create_time")[0], SEED_EPOCH_MS);
    assert_eq!(
        *field(&first, "create_time")[1],
        SEED_EPOCH_MS - MIXED_SEED_INTERVAL_MS
    );

    // By duration, both ways; ties by task id.
    for order in ["asc", "desc"] {
        let page = list(
            &client,
            &format!("sort_by=duration_seconds&order={order}&limit=100"),
        )
        .await;
        let mut expected: Vec<_> = seeded.iter().collect();
        expected.sort_by(|a, b| {
            let by = a.duration_seconds.cmp(&b.duration_seconds);
            let by = if order == "asc" { by } else { by.reverse() };
            by.then_with(|| a.task_id.cmp(&b.task_id))
        });
        let ids: Vec<&str> = field(&page, "task_id")
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let wanted: Vec<&str> = expected.iter().map(|t| t.task_id.as_str()).collect();
        assert_eq!(ids, wanted, "{order}");
    }
    let by_name = list(&client, "sort_by=name&order=asc&limit=1").await;
    assert_eq!(*field(&by_name, "name")[0], "analyse-00002");

    // Results only when asked for, and only for completed tasks.
    let without = list(&client, "limit=100").await;
    assert!(field(&without, "result").iter().all(|r| r.is_null()));
    let with = list(&client, "limit=100&return_result=true").await;
    for task in with["tasks"].as_array().unwrap() {
        let completed = task["status"] == TaskStatus::Completed.code();
        assert_eq!(task["result"]["sample_count"].is_u64(), completed, "{task}");
    }

    for query in [
        "status=9",
        "sort_by=age",
        "order=up",
        "return_result=1",
        "limit=101",
    ] {
        client
            .call(Method::GET, &format!("{}?{query}", collection(PROJECT)), "")
            .await
            .expect(400, Some("ModelArts.0104"));
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn version_id_filter_follows_new_versions() {
    let emu = builder(3).start().await.unwrap();
    let client = Client::new(&emu);
    let tasks = ids(&emu, &project());
    let mut made = Vec::new();
    for task in &tasks[..2] {
        let created = client
            .call(Method::POST, &versions(PROJECT, task), "{}")
            .await;
        created.expect(200, None);
        made.push(created.json["version_id"].as_str().unwrap().to_owned());
    }
    let page = list(&client, &format!("version_id={},{}", made[0], made[1])).await;
    assert_eq!(page["count"], 2);
    let page = list(&client, &format!("version_id={}", made[1])).await;
    assert_eq!(*field(&page, "task_id")[0], tasks[1].as_str());
    assert_eq!(*field(&page, "version_name")[0], "V001");
    emu.shutdown().await;
}
