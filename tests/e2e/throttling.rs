//! Throttling: a `Deletion` counts the attempts answered 429, whether the delete ends
//! `Deleted` or `AlreadyGone`; and under the emulator's gateway-like rate limit, the client's
//! adaptive limiter paces every delete through, alone or shared by two clients.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use api_client::{Credentials, DeletionStatus};
use api_transport::SharedTransport;
use e2e_tests::raw_server::http_response;
use e2e_tests::*;
use futures_util::StreamExt as _;

fn throttled_reply() -> Vec<u8> {
    let body = br#"{"error_code":"ModelArts.4206","error_msg":"Too many requests."}"#;
    let mut reply = http_response("429 Too Many Requests", "application/json", body);
    // `Retry-After: 0`, inserted before the blank line that ends the head.
    let end = reply.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    reply.splice(end..end, b"\r\nRetry-After: 0".iter().copied());
    reply
}

async fn delete_if_exists_against(replies: Vec<Vec<u8>>) -> api_client::Deletion {
    let server = RawServer::start(Script::Replies(replies)).await;
    let client = client_builder(
        &server.endpoint(),
        Credentials::ak_sk(AK, SK),
        SharedTransport::new(http_transport()),
    )
    .retry_policy(fast_retries(5))
    .build()
    .unwrap();
    client
        .delete_processor_task_if_exists(&task_id("SNEJua7qdZZN8GvkcEr"))
        .await
        .unwrap()
}

#[tokio::test]
async fn throttled_attempts_are_counted_when_the_task_is_deleted() {
    let deleted = delete_if_exists_against(vec![
        throttled_reply(),
        throttled_reply(),
        http_response("200 OK", "application/json", b"{}"),
    ])
    .await;
    assert_eq!(deleted.status, DeletionStatus::Deleted);
    assert_eq!((deleted.attempts, deleted.throttled), (3, 2));
}

#[tokio::test]
async fn throttled_attempts_are_counted_when_the_task_turns_out_already_gone() {
    let gone = br#"{"error_code":"ModelArts.4700","error_msg":"Task does not exist."}"#;
    let deletion = delete_if_exists_against(vec![
        throttled_reply(),
        throttled_reply(),
        http_response("400 Bad Request", "application/json", gone),
    ])
    .await;
    assert_eq!(deletion.status, DeletionStatus::AlreadyGone);
    assert_eq!(deletion.attempts, 3);
    assert_eq!(deletion.throttled, 2, "two attempts were answered 429");
}

/// The emulator throttles like the API gateway (a token bucket per project and API, 429
/// `APIG.0308` with the limit, no `Retry-After`): 64 deletes in flight at once through one
/// client pace under it, every task is deleted exactly once, none fails, and few attempts are
/// throttled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_a_gateway_rate_limit_every_task_is_deleted_once_and_none_fails() {
    use api_emulator::{FaultConfig, RateLimit, seeded_tasks};
    const TASKS: usize = 300;
    let tasks = seeded_tasks(&project(), TASKS, 15);
    let ids: Vec<_> = tasks.iter().map(|t| t.task_id.clone()).collect();
    let emu = emulator()
        .with_tasks(&project(), tasks)
        .faults(FaultConfig {
            latency: std::time::Duration::from_millis(20),
            ..FaultConfig::default()
        })
        .rate_limit(RateLimit::per_second(100.0).burst(20))
        .start()
        .await
        .unwrap();
    let client = client_builder(
        &emu.endpoint(),
        Credentials::ak_sk(AK, SK),
        SharedTransport::new(http_transport()),
    )
    .retry_policy(fast_retries(3))
    .build()
    .unwrap();
    let calls = futures_util::stream::iter(ids.clone())
        .map(|id| {
            let client = client.clone();
            async move { client.delete_processor_task(&id).await }
        })
        .buffer_unordered(64);
    let results: Vec<_> = calls.collect().await;
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        failed.is_empty(),
        "{} failed, e.g. {:?}",
        failed.len(),
        failed.first()
    );
    assert!(results.iter().all(|r| {
        r.as_ref()
            .is_ok_and(|d| d.status == DeletionStatus::Deleted)
    }));
    assert_eq!(emu.store().count(&project()), 0);
    let stats = emu.stats();
    assert_eq!(stats.tasks_deleted, TASKS as u64);
    let attempts = stats.requests_received;
    eprintln!(
        "{TASKS} deletes: {attempts} attempts, {} throttled, paced at {:?}/s",
        stats.throttled,
        client.send_rate("DeleteProcessorTask")
    );
    // The limiter learned the rate: most attempts went through.
    assert!(
        stats.throttled * 5 < attempts,
        "{} of {attempts} attempts throttled",
        stats.throttled
    );
    let rate = client.send_rate("DeleteProcessorTask").unwrap();
    // It learned the stated 100/s: paced near it (0.95 x, or probing a little above).
    assert!(
        (70.0..=120.0).contains(&rate),
        "paced at {rate}/s against 100/s"
    );
}

/// Two clients sharing one `RetryPartition` pace together under one limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_sharing_a_partition_pace_together() {
    use api_emulator::{RateLimit, seeded_tasks};
    const TASKS: usize = 200;
    let tasks = seeded_tasks(&project(), TASKS, 16);
    let ids: Vec<_> = tasks.iter().map(|t| t.task_id.clone()).collect();
    let emu = emulator()
        .with_tasks(&project(), tasks)
        .rate_limit(RateLimit::per_second(50.0).burst(5))
        .start()
        .await
        .unwrap();
    let partition = api_client::RetryPartition::new();
    let make = || {
        client_builder(
            &emu.endpoint(),
            Credentials::ak_sk(AK, SK),
            SharedTransport::new(http_transport()),
        )
        .retry_policy(fast_retries(3))
        .retry_partition(partition.clone())
        .build()
        .unwrap()
    };
    let (a, b) = (make(), make());
    let half = TASKS / 2;
    let run = |client: api_client::Client, ids: Vec<api_model::TaskId>| async move {
        futures_util::stream::iter(ids)
            .map(|id| {
                let client = client.clone();
                async move { client.delete_processor_task(&id).await }
            })
            .buffer_unordered(32)
            .collect::<Vec<_>>()
            .await
    };
    let (ra, rb) = tokio::join!(
        run(a.clone(), ids[..half].to_vec()),
        run(b.clone(), ids[half..].to_vec())
    );
    assert!(ra.iter().chain(&rb).all(Result::is_ok));
    assert_eq!(emu.store().count(&project()), 0);
    let stats = emu.stats();
    // Together, not each, they learned the limit: one limiter, few throttles.
    assert!(stats.throttled * 4 < stats.requests_received, "{stats:?}");
    // One limiter: both clients pace at the same rate, near the stated 50/s together.
    let rate = a.send_rate("DeleteProcessorTask").unwrap();
    assert_eq!(b.send_rate("DeleteProcessorTask"), Some(rate));
    assert!((35.0..=60.0).contains(&rate), "{rate}");
}
