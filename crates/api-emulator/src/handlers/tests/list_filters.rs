//! `GET …/processor-tasks` with filters, sorting, paging and `return_result`.

use super::*;

fn list(app: &App, query: &str) -> Answer {
    call(
        app,
        request(Method::GET, &format!("{}?{query}", collection()), ""),
    )
}

/// The ids listed, after checking the reply is a page.
fn ids(app: &App, query: &str) -> Vec<String> {
    let answer = list(app, query);
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
    answer.body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["task_id"].as_str().unwrap().to_owned())
        .collect()
}

fn count(app: &App, query: &str) -> u64 {
    list(app, query).body["count"].as_u64().unwrap()
}

/// Five tasks with different fields: `a` to `e`.
fn tasks() -> Vec<Task> {
    let mut a = Task::new(task_id("a"), "Cleaning-one", "sys_data_cleaning")
        .with_create_time(50)
        .with_duration_seconds(30)
        .with_result(json!({"sample_count": 7}));
    a.data_source = Some(json!({"type": "OBS", "source": "obs://bucket/a/"}));
    let mut b = Task::new(task_id("b"), "analyse", "sys_data_analyse")
        .with_status(TaskStatus::Failed)
        .with_error_msg("broken")
        .with_create_time(40)
        .with_duration_seconds(30)
        .with_workspace_id("ws-1");
    b.inputs = Some(vec![
        json!({"type": "DATASET", "source": "ds-1"}),
        json!({"type": "CUSTOM", "source": "custom-1"}),
    ]);
    b.version_id = Some(task_id("vb"));
    let mut c = Task::new(task_id("c"), "cleaning-two", "sys_data_cleaning")
        .with_status(TaskStatus::Running)
        .with_create_time(40)
        .with_duration_seconds(10);
    c.version_id = Some(task_id("vc"));
    let d = Task::new(task_id("d"), "Zeta", "sys_data_selection")
        .with_status(TaskStatus::Stopped)
        .with_create_time(10)
        .with_duration_seconds(90)
        .with_error_msg("not shown: stopped");
    let e = Task::new(task_id("e"), "analyse", "sys_data_analyse")
        .with_create_time(60)
        .with_duration_seconds(30)
        .with_workspace_id("ws-1");
    vec![a, b, c, d, e]
}

#[test]
fn a_plus_is_a_space_as_the_signature_reads_it() {
    assert_eq!(
        crate::handlers::query_value(Some("task_name=a+b%2Bc"), "task_name").as_deref(),
        Some("a b+c")
    );
}

#[test]
fn each_filter_and_count() {
    let (app, _) = app_in_memory(tasks());
    for (query, expected) in [
        ("", vec!["e", "a", "b", "c", "d"]),
        ("status=2", vec!["e", "a"]),
        ("status=3", vec!["b"]),
        ("status=0", vec![]),
        ("task_name=CLEANING", vec!["a", "c"]),
        ("task_name=ana", vec!["e", "b"]),
        ("task_name=%20", vec![]),
        ("task_name=Cleaning-one", vec!["a"]),
        ("task_type=sys_data_cleaning", vec!["a", "c"]),
        ("task_type=sys_data", vec![]),
        ("workspace_id=ws-1", vec!["e", "b"]),
        ("workspace_id=0", vec!["a", "c", "d"]),
        ("version_id=vc", vec!["c"]),
        ("version_id=vb,vc", vec!["b", "c"]),
        ("version_id=nope", vec![]),
        ("source=obs://bucket/a/", vec!["a"]),
        ("source=custom-1", vec!["b"]),
        ("source=obs", vec![]),
        // An empty text filter filters nothing.
        (
            "source=&task_name=&task_type=&workspace_id=&source_type=",
            vec!["e", "a", "b", "c", "d"],
        ),
        ("source_type=OBS", vec!["a"]),
        ("source_type=DATASET", vec!["b"]),
        ("source_type=TASK", vec![]),
        ("status=2&workspace_id=ws-1", vec!["e"]),
        ("query_current=true", vec!["e", "a", "b", "c", "d"]),
        ("unknown=1", vec!["e", "a", "b", "c", "d"]),
    ] {
        assert_eq!(ids(&app, query), expected, "{query}");
        assert_eq!(count(&app, query), expected.len() as u64, "{query}");
    }
    // count is the number of matches, not the page's size.
    assert_eq!(ids(&app, "task_type=sys_data_cleaning&limit=1"), ["a"]);
    assert_eq!(count(&app, "task_type=sys_data_cleaning&limit=1"), 2);
    // offset is a page index: page 1 of pages of 1 is the second match; page 1 of pages of 10
    // is past the end, empty, with the true count.
    assert_eq!(
        ids(&app, "task_type=sys_data_cleaning&offset=1&limit=1"),
        ["c"]
    );
    assert!(ids(&app, "task_type=sys_data_cleaning&offset=1").is_empty());
    assert_eq!(count(&app, "task_type=sys_data_cleaning&offset=1"), 2);
}

#[test]
fn sorting_is_total_with_ties_by_task_id() {
    let (app, _) = app_in_memory(tasks());
    for (query, expected) in [
        ("order=desc", ["e", "a", "b", "c", "d"]),
        ("order=asc", ["d", "b", "c", "a", "e"]),
        ("sort_by=create_time&order=asc", ["d", "b", "c", "a", "e"]),
        ("sort_by=name&order=asc", ["a", "d", "b", "e", "c"]),
        ("sort_by=name", ["c", "b", "e", "d", "a"]),
        (
            "sort_by=duration_seconds&order=asc",
            ["c", "a", "b", "e", "d"],
        ),
        (
            "sort_by=duration_seconds&order=desc",
            ["d", "a", "b", "e", "c"],
        ),
    ] {
        assert_eq!(ids(&app, query), expected, "{query}");
        // Paging the same order gives the same tasks.
        let paged: Vec<String> = (0..5)
            .flat_map(|offset| ids(&app, &format!("{query}&offset={offset}&limit=1")))
            .collect();
        assert_eq!(paged, expected, "{query}");
    }
}

#[test]
fn results_only_on_request_and_only_for_completed_tasks() {
    let (app, _) = app_in_memory(tasks());
    let without = list(&app, "");
    for task in without.body["tasks"].as_array().unwrap() {
        assert!(task.get("result").is_none(), "{task}");
    }
    let with = list(&app, "return_result=true");
    let tasks = with.body["tasks"].as_array().unwrap();
    let by_id = |id: &str| tasks.iter().find(|t| t["task_id"] == id).unwrap();
    assert_eq!(by_id("a")["result"], json!({"sample_count": 7}));
    assert_eq!(
        by_id("e")["result"],
        json!({"sample_count": 0}),
        "a default result"
    );
    for id in ["b", "c", "d"] {
        assert!(by_id(id).get("result").is_none(), "{id}");
    }
    // error_msg only while failed, with or without results.
    assert_eq!(by_id("b")["error_msg"], "broken");
    assert!(by_id("d").get("error_msg").is_none());
    assert_eq!(list(&app, "return_result=false").body, without.body);
    // Every task has the mandatory fields.
    for task in tasks {
        for field in [
            "task_id",
            "name",
            "description",
            "status",
            "create_time",
            "template",
            "workspace_id",
            "duration_seconds",
            "version_count",
            "is_current",
        ] {
            assert!(task.get(field).is_some(), "{field} in {task}");
        }
    }
}

#[test]
fn describe_shows_results_of_completed_tasks() {
    let (app, _) = app_in_memory(tasks());
    let shown = |id: &str| call(&app, request(Method::GET, &item(id), "")).body;
    assert_eq!(shown("a")["result"], json!({"sample_count": 7}));
    assert_eq!(shown("e")["result"], json!({"sample_count": 0}));
    assert!(shown("b").get("result").is_none());
    assert_eq!(shown("b")["error_msg"], "broken");
    assert!(shown("d").get("error_msg").is_none());
}

#[test]
fn invalid_parameters_are_0104_naming_them() {
    let (app, _) = app_in_memory(tasks());
    for (query, name) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("offset=-1", "offset"),
        ("sort_by=size", "sort_by"),
        ("order=sideways", "order"),
        ("query_current=1", "query_current"),
        ("return_result=yes", "return_result"),
        ("status=5", "status"),
        ("status=two", "status"),
    ] {
        let answer = list(&app, query);
        assert_error(&answer, 400, "ModelArts.0104");
        let message = answer.body["error_msg"].as_str().unwrap();
        assert!(message.contains(name), "{query}: {message}");
    }
    assert_eq!(ids(&app, "limit=1").len(), 1);
    assert_eq!(ids(&app, "limit=100").len(), 5);
}

#[test]
fn the_store_gets_the_parsed_query() {
    let expected = TaskQuery {
        page: 2,
        page_size: 3,
        sort_by: crate::SortKey::Name,
        order: crate::SortOrder::Asc,
        status: Some(TaskStatus::Failed),
        name_contains: Some("x y".into()),
        ..TaskQuery::page(0, 0)
    };
    let mut store = MockTaskStore::new();
    store
        .expect_search()
        .with(eq(project()), eq(expected))
        .times(1)
        .return_const(TaskPage::default());
    let app = app(store);
    let answer = list(
        &app,
        "offset=2&limit=3&sort_by=name&order=asc&status=3&task_name=x%20y",
    );
    assert_eq!(answer.body, json!({"count": 0, "tasks": []}));
}
