//! The rest of the family end to end: the client over real sockets against the emulator.
//! Every operation, the paginating stream while the listing changes under it, and POSTs that
//! are never sent twice.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use api_client::{Client, Credentials, ErrorCode, TaskStatus, VersionId};
use api_emulator::{Emulator, FaultConfig, Route, Task};
use api_model::{
    CreateProcessorTaskRequest, CreateProcessorTaskVersionRequest, ListProcessorTasksQuery,
    SortOrder, TemplateParam, UpdateProcessorTaskRequest,
};
use api_transport::SharedTransport;
use e2e_tests::fixtures::*;
use futures_util::{StreamExt, TryStreamExt};

async fn started(builder: api_emulator::EmulatorBuilder) -> (Emulator, Client) {
    let emu = builder.start().await.unwrap();
    let client = client_builder(
        &emu.endpoint(),
        Credentials::ak_sk(AK, SK),
        SharedTransport::new(http_transport()),
    )
    .build()
    .unwrap();
    (emu, client)
}

fn cleaning(name: &str) -> CreateProcessorTaskRequest {
    CreateProcessorTaskRequest::new(name, TemplateParam::new("sys_data_cleaning"))
        .create_version(true)
}

#[tokio::test]
async fn every_operation_of_the_family_works_against_the_emulator() {
    let (emu, client) = started(emulator()).await;

    let created = client
        .create_processor_task(cleaning("nightly-clean"))
        .await
        .unwrap();
    let task_id = created.task_id;
    let task = client.describe_processor_task(&task_id).await.unwrap();
    assert_eq!(task.name, "nightly-clean");
    assert_eq!(task.template.as_ref().unwrap().id, "sys_data_cleaning");
    assert_eq!(task.version_count, Some(1), "create_version made V001");

    client
        .update_processor_task(
            &task_id,
            UpdateProcessorTaskRequest::new().description("cleans at night"),
        )
        .await
        .unwrap();
    let task = client.describe_processor_task(&task_id).await.unwrap();
    assert_eq!(task.description.as_deref(), Some("cleans at night"));

    let types: Vec<_> = client
        .get_processor_task_items_stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = types.iter().map(|t| t.template_id.as_str()).collect();
    assert!(
        ids.contains(&"sys_data_cleaning") && ids.len() == 5,
        "{ids:?}"
    );

    let page = client
        .list_processor_tasks(ListProcessorTasksQuery::default().task_type("sys_data_cleaning"))
        .await
        .unwrap();
    assert_eq!(page.count, 1);
    assert_eq!(page.tasks[0].task_id, task_id);

    let second = client
        .create_processor_task_version(&task_id, CreateProcessorTaskVersionRequest::default())
        .await
        .unwrap()
        .version_id;
    let versions: Vec<_> = client
        .list_processor_task_versions_stream(&task_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].task_version_id, second, "newest first");
    assert_eq!(versions[0].version_name.as_deref(), Some("V002"));

    let version = client
        .describe_processor_task_version(&task_id, &second)
        .await
        .unwrap();
    assert_eq!(version.status, TaskStatus::Running);
    client
        .stop_processor_task_version(&task_id, &second)
        .await
        .unwrap();
    let version = client
        .describe_processor_task_version(&task_id, &second)
        .await
        .unwrap();
    assert_eq!(version.status, TaskStatus::Stopped);

    client
        .delete_processor_task_version(&task_id, &second)
        .await
        .unwrap();
    let err = client
        .describe_processor_task_version(&task_id, &second)
        .await
        .unwrap_err();
    assert_eq!(
        err.service_error().map(|s| s.code().clone()),
        Some(ErrorCode::TaskVersionNotFound),
        "{err}"
    );
    let missing: VersionId = "NoSuchVersion000001".parse().unwrap();
    let err = client
        .delete_processor_task_version(&task_id, &missing)
        .await
        .unwrap_err();
    assert_eq!(err.service_error().unwrap().status().as_u16(), 400);

    client.delete_processor_task(&task_id).await.unwrap();
    let err = client.describe_processor_task(&task_id).await.unwrap_err();
    assert_eq!(
        err.service_error().map(|s| s.code().clone()),
        Some(ErrorCode::TaskNotFound)
    );
    assert_eq!(emu.stats().responses(Route::DeleteVersion, 204), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn bounds_are_refused_before_sending_and_the_service_agrees() {
    let (emu, client) = started(emulator().with_tasks(&project(), [task("t1")])).await;
    let err = client
        .list_processor_tasks(ListProcessorTasksQuery::default().limit(101))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("from 1 to 100"), "{err}");
    let err = client
        .update_processor_task(
            &task_id("t1"),
            UpdateProcessorTaskRequest::new().description("x".repeat(257)),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("257 characters"), "{err}");
    assert_eq!(emu.stats().requests_received, 0, "nothing was sent");
    emu.shutdown().await;
}

/// `n` tasks, one second apart, newest first by id order too.
fn tasks(n: u64) -> Vec<Task> {
    (0..n)
        .map(|i| task(&format!("page{i:05}")).with_create_time(1_700_000_000_000 + i * 1000))
        .collect()
}

#[tokio::test]
async fn listing_while_deleting_what_was_listed_skips_nothing() {
    let (emu, client) = started(emulator().with_tasks(&project(), tasks(237))).await;
    let mut stream =
        client.list_processor_tasks_stream(ListProcessorTasksQuery::default().limit(10));
    let mut seen = Vec::new();
    while let Some(task) = stream.try_next().await.unwrap() {
        // Delete it at once: every later page shifts left under the pager.
        client.delete_processor_task(&task.task_id).await.unwrap();
        seen.push(task.task_id.to_string());
    }
    assert_eq!(seen.len(), 237);
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>().len(),
        237,
        "none twice"
    );
    assert_eq!(emu.store().count(&project()), 0, "none skipped");
    let lists = emu.stats().responses_for(Route::ListTasks);
    eprintln!("237 tasks listed 10 at a time, each deleted as it was read: {lists} list requests");
    assert!(lists < 237 / 9 * 3, "{lists} list requests");
    emu.shutdown().await;
}

#[tokio::test]
async fn listing_1000_tasks_takes_11_requests_of_pages_the_service_offers() {
    let (emu, client) = started(emulator().with_tasks(&project(), tasks(1_000))).await;
    let listed: Vec<_> = client
        .list_processor_tasks_stream(ListProcessorTasksQuery::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1_000);
    let unique: BTreeSet<_> = listed.iter().map(|t| t.task_id.to_string()).collect();
    assert_eq!(unique.len(), 1_000);
    let lists = emu.stats().responses_for(Route::ListTasks);
    eprintln!("1000 tasks listed in pages of up to 100: {lists} list requests");
    assert_eq!(lists, 11, "10 pages and one for the overlaps");
    // Every request was a page index with a page size: no item offsets.
    for request in emu.received_requests() {
        let query = request.query.unwrap_or_default();
        assert!(query.starts_with("offset="), "{query}");
        let pairs: std::collections::HashMap<&str, u64> = query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .filter_map(|(k, v)| Some((k, v.parse().ok()?)))
            .collect();
        assert!(
            pairs["offset"] <= 10 && (1..=100).contains(&pairs["limit"]),
            "{query}"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn deleting_1000_tasks_while_streaming_them_costs_about_two_list_requests_a_page() {
    let (emu, client) = started(emulator().with_tasks(&project(), tasks(1_000))).await;
    let mut stream = client.list_processor_tasks_stream(ListProcessorTasksQuery::default());
    let mut seen = 0;
    while let Some(task) = stream.try_next().await.unwrap() {
        client.delete_processor_task(&task.task_id).await.unwrap();
        seen += 1;
    }
    assert_eq!(seen, 1_000);
    assert_eq!(emu.store().count(&project()), 0, "none skipped");
    let lists = emu.stats().responses_for(Route::ListTasks);
    eprintln!("1000 tasks deleted while streamed in pages of up to 100: {lists} list requests");
    assert!(lists <= 2 * 10 + 2, "{lists} list requests");
    emu.shutdown().await;
}

#[tokio::test]
async fn listing_while_others_delete_and_create_yields_each_survivor_once() {
    let (emu, client) = started(emulator().with_tasks(&project(), tasks(300))).await;
    let other = client.clone();
    let mut stream = client.list_processor_tasks_stream(
        ListProcessorTasksQuery::default()
            .limit(7)
            .order(SortOrder::Desc),
    );
    let mut seen = Vec::new();
    let mut removed = HashSet::new();
    let mut n = 0u64;
    while let Some(task) = stream.next().await {
        let task = task.unwrap();
        seen.push(task.task_id.to_string());
        n += 1;
        // Someone else deletes tasks ahead of and behind the reader, and creates new ones.
        if n.is_multiple_of(5) {
            for victim in [n * 3 % 300, (n * 7 + 11) % 300] {
                let id = task_id(&format!("page{victim:05}"));
                if other.delete_processor_task_if_exists(&id).await.is_ok() {
                    removed.insert(id.to_string());
                }
            }
            other
                .create_processor_task(cleaning(&format!("new-{n}")))
                .await
                .unwrap();
        }
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a task was yielded twice");
    for i in 0..300 {
        let id = format!("page{i:05}");
        assert!(
            seen.contains(&id) || removed.contains(&id),
            "{id} stayed all along but was skipped"
        );
    }
    assert!(
        seen.iter().all(|id| id.starts_with("page")),
        "tasks created after the listing began are newer than the cursor: never yielded"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_create_whose_reply_is_lost_is_not_sent_again() {
    // Every request's connection is dropped after it arrives: the POST may have been applied.
    let faults = FaultConfig {
        drop_connection: 1.0,
        ..FaultConfig::default()
    };
    let (emu, client) = started(emulator().faults(faults)).await;
    let err = client
        .create_processor_task(cleaning("once"))
        .await
        .unwrap_err();
    assert!(err.request_may_have_been_sent(), "{err}");
    assert_eq!(emu.received_paths().len(), 1, "one POST, never resent");

    // A GET on the same emulator is idempotent: retried up to the policy's 3 attempts.
    let _ = client
        .describe_processor_task(&task_id("any"))
        .await
        .unwrap_err();
    assert_eq!(emu.received_paths().len(), 1 + 3);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_stream_ends_with_the_first_error() {
    let (emu, client) = started(emulator().with_tasks(&project(), tasks(30))).await;
    // A token for another project: the first page is refused, and the stream says why.
    let stranger = client_builder(
        &emu.endpoint(),
        Credentials::token(OTHER_TOKEN),
        SharedTransport::new(http_transport()),
    )
    .build()
    .unwrap();
    let results: Vec<_> = stranger
        .list_processor_tasks_stream(ListProcessorTasksQuery::default())
        .collect()
        .await;
    assert_eq!(results.len(), 1);
    let err = results.into_iter().next().unwrap().unwrap_err();
    assert_eq!(err.service_error().unwrap().status().as_u16(), 403, "{err}");
    drop(Arc::new(client));
    emu.shutdown().await;
}

/// Generated filter values (spaces, `+`, `&`, `=`, `%`, commas, non-ASCII) in a listing's query:
/// each request is signed so the emulator's verifier accepts it, and the emulator reads back
/// exactly the value that was set.
#[test]
fn any_filter_text_is_sent_signed_and_read_back_exactly() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (emu, client) = runtime.block_on(started(emulator().with_tasks(
        &project(),
        [Task::new(
            task_id("special"),
            "a b+c&d=e%f,g/é",
            "sys_data_cleaning",
        )],
    )));
    let config = Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let text = proptest::collection::vec(
        prop_oneof![
            Just(" ".to_owned()),
            Just("+".to_owned()),
            Just("&".to_owned()),
            Just("=".to_owned()),
            Just("%".to_owned()),
            Just("%2B".to_owned()),
            Just(",".to_owned()),
            Just("/".to_owned()),
            Just("é".to_owned()),
            Just("数据".to_owned()),
            "[a-z]{1,3}",
        ],
        1..6,
    )
    .prop_map(|pieces| pieces.concat());
    runner
        .run(&text, |name| {
            let before = emu.received_requests().len();
            let page = runtime
                .block_on(
                    client.list_processor_tasks(
                        ListProcessorTasksQuery::default()
                            .task_name(name.clone())
                            .version_id([name.clone(), "v2".to_owned()]),
                    ),
                )
                .unwrap_or_else(|e| panic!("{name:?}: {e}"));
            assert_eq!(page.count, 0, "{name:?}");
            let sent = &emu.received_requests()[before];
            let query = sent.query.clone().unwrap_or_default();
            let read: Vec<(String, String)> = query
                .split('&')
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap();
                    let decode = |s: &str| {
                        percent_encoding::percent_decode_str(s)
                            .decode_utf8()
                            .unwrap()
                            .into_owned()
                    };
                    (decode(k), decode(v))
                })
                .collect();
            assert_eq!(
                read,
                [
                    ("task_name".to_owned(), name.clone()),
                    ("version_id".to_owned(), format!("{name},v2")),
                ],
                "{query}"
            );
            Ok(())
        })
        .unwrap();
    // The one task's name holds every special character, and is found by it.
    let page = runtime
        .block_on(
            client
                .list_processor_tasks(ListProcessorTasksQuery::default().task_name("b+c&d=e%f,g/")),
        )
        .unwrap();
    assert_eq!(page.count, 1);
    assert_eq!(emu.stats().auth_failures, 0);
    runtime.block_on(emu.shutdown());
}
