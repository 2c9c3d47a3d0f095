//! Listings that end oddly or contradict themselves, from a hand-written server over a real
//! socket: the stream takes what the pages hold and always ends, in a bounded number of
//! requests.

use std::time::Duration;

use api_client::{Client, Credentials, Error};
use api_model::ListProcessorTasksQuery;
use api_transport::SharedTransport;
use e2e_tests::raw_server::http_response;
use e2e_tests::*;
use futures_util::StreamExt;

const GUARD: Duration = Duration::from_secs(20);

/// A `200` list reply with tasks `from..from + n` (newest first) and `count`.
fn page(from: u64, n: u64, count: i64) -> Vec<u8> {
    let tasks: Vec<String> = (from..from + n)
        .map(|i| {
            format!(
                r#"{{"task_id": "lie{i:016}", "name": "n", "status": 2, "create_time": {}}}"#,
                1_700_000_000_000 - i
            )
        })
        .collect();
    let body = format!(r#"{{"count": {count}, "tasks": [{}]}}"#, tasks.join(","));
    http_response("200 OK", "application/json", body.as_bytes())
}

/// Lists everything `replies` serve (reply `n` to request `n`, the last one after that).
async fn list_against(replies: Vec<Vec<u8>>) -> (Vec<Result<String, Error>>, RawServer) {
    let server = RawServer::start(Script::Replies(replies)).await;
    let client: Client = client_builder(
        &server.endpoint(),
        Credentials::ak_sk(AK, SK),
        SharedTransport::new(http_transport()),
    )
    .build()
    .unwrap();
    let results = tokio::time::timeout(
        GUARD,
        client
            .list_processor_tasks_stream(ListProcessorTasksQuery::default())
            .map(|r| r.map(|task| task.task_id.to_string()))
            .collect::<Vec<_>>(),
    )
    .await
    .expect("the listing never ended");
    (results, server)
}

#[tokio::test]
async fn a_full_page_a_count_too_large_then_empty_pages_ends_after_four_requests() {
    // What used to make `list` and `delete --where` step back forever: after the first page,
    // every reply is empty. The page after it is empty, so the pager steps back, then a page
    // further, to page 0, which is empty too now: the listing was emptied, and ends.
    let (results, server) = list_against(vec![page(0, 100, 500), page(0, 0, 500)]).await;
    assert_eq!(results.len(), 100);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.requests(), 4);
}

#[tokio::test]
async fn a_server_that_serves_page_zero_whatever_is_asked_ends_at_its_count() {
    // Page 0 for every page index, and a count of 500: each later page starts with tasks
    // already yielded, as if new tasks had pushed them down, so the pager walks on to the
    // count and stops there, yielding each task once.
    let (results, server) = list_against(vec![page(0, 100, 500)]).await;
    assert_eq!(results.len(), 100);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.requests(), 6);
}

#[tokio::test]
async fn a_negative_count_is_ignored_and_a_short_page_ends_the_listing() {
    let (results, server) = list_against(vec![page(0, 100, -1), page(99, 30, -1)]).await;
    assert_eq!(results.len(), 129);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.requests(), 2);
}
