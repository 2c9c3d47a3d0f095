//! Item 2: 5,000 deletes through one client at concurrency 32 while the emulator injects 20%
//! faults; exactly those 5,000 go, the 500 others stay, and the attempts add up.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use api_client::{Credentials, DeletionStatus, Timeouts};
use api_emulator::{FaultConfig, FaultKind, Route, TaskStatus, seeded_tasks};
use e2e_tests::*;
use http::Method;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const TO_DELETE: usize = 5_000;
const TO_KEEP: usize = 500;
const CONCURRENCY: usize = 32;
const MAX_ATTEMPTS: u32 = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_deletes_under_faults_lose_nothing_and_delete_nothing_else() {
    let started = Instant::now();
    // 5,500 distinct, completed tasks: the first 5,000 are deleted, the last 500 must stay.
    let tasks = seeded_tasks(&project(), TO_DELETE + TO_KEEP, 20_251_128);
    assert!(tasks.iter().all(|t| t.status == TaskStatus::Completed));
    let (doomed, keep) = tasks.split_at(TO_DELETE);
    let doomed_ids: Vec<_> = doomed.iter().map(|t| t.task_id.clone()).collect();
    let keep_ids: Vec<_> = keep.iter().map(|t| t.task_id.clone()).collect();
    // 50 tasks of another project, which must not be touched either.
    let elsewhere = seeded_tasks(&other_project(), 50, 7);

    let faults = FaultConfig {
        seed: 0x5eed_f417,
        too_many_requests: 0.04,
        internal_error: 0.04,
        unavailable: 0.04,
        drop_connection: 0.04,
        delete_then_drop: 0.04,
        // Sent as `Retry-After: 1`; the client's policy clamps it to 50 ms to keep this fast.
        retry_after_secs: 1,
        ..FaultConfig::default()
    };
    let emu = emulator()
        .with_tasks(&project(), tasks.iter().cloned())
        .with_tasks(&other_project(), elsewhere.iter().cloned())
        .faults(faults)
        .start()
        .await
        .unwrap();
    assert_eq!(emu.store().count(&project()), TO_DELETE + TO_KEEP);

    // ONE client, so one connection pool, for all 5,000 calls.
    let client = client_builder(
        &emu.endpoint(),
        Credentials::ak_sk(AK, SK),
        api_transport::SharedTransport::new(http_transport()),
    )
    .retry_policy(fast_retries(MAX_ATTEMPTS))
    // Throttles at random (not by rate) would teach the rate limiter a rate of a few per
    // second: retry them plainly. `throttling.rs` runs the limiter against a rate limit.
    .throttling(api_client::Throttling::Off)
    .timeouts(
        Timeouts::default()
            .with_attempt(Duration::from_secs(10))
            .with_deadline(Duration::from_secs(60)),
    )
    .build()
    .unwrap();

    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let mut calls = JoinSet::new();
    for id in doomed_ids.iter().cloned() {
        let client = client.clone();
        let permit = permits.clone().acquire_owned().await.unwrap();
        calls.spawn(async move {
            let result = client.delete_processor_task_if_exists(&id).await;
            drop(permit);
            (id, result)
        });
    }

    let mut histogram: BTreeMap<u32, usize> = BTreeMap::new();
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    let mut total_attempts: u64 = 0;
    let mut total_throttled: u64 = 0;
    let mut failures = Vec::new();
    let mut answered = HashSet::new();
    while let Some(joined) = calls.join_next().await {
        let (id, result) = joined.unwrap();
        assert!(answered.insert(id.clone()), "{id} answered twice");
        match result {
            Ok(deletion) => {
                assert!(
                    (1..=MAX_ATTEMPTS).contains(&deletion.attempts),
                    "{id}: {deletion:?}"
                );
                *histogram.entry(deletion.attempts).or_default() += 1;
                total_attempts += u64::from(deletion.attempts);
                total_throttled += u64::from(deletion.throttled);
                let status = match deletion.status {
                    DeletionStatus::Deleted if deletion.gone_on_retry => "GoneOnRetry",
                    DeletionStatus::Deleted => "Deleted",
                    DeletionStatus::AlreadyGone => "AlreadyGone",
                    other => panic!("{id}: unexpected status {other:?}"),
                };
                *by_status.entry(status).or_default() += 1;
            }
            Err(error) => failures.push(format!("{id}: {error}")),
        }
    }
    let stats = emu.stats();
    let elapsed = started.elapsed();

    eprintln!("faults: {TO_DELETE} deletes, {CONCURRENCY} at a time, in {elapsed:?}");
    eprintln!("faults: outcomes {by_status:?}");
    eprintln!("faults: attempts histogram (attempts -> calls) {histogram:?}");
    eprintln!("faults: total attempts {total_attempts}, throttled {total_throttled}");
    eprintln!("faults: injected {:?}", stats.faults);
    eprintln!(
        "faults: emulator received {} requests on {} connections; responses {:?}",
        stats.requests_received, stats.connections_accepted, stats.responses
    );

    // Every call succeeded, each exactly once.
    assert!(
        failures.is_empty(),
        "{} calls failed: {failures:#?}",
        failures.len()
    );
    assert_eq!(answered.len(), TO_DELETE);
    assert_eq!(histogram.values().sum::<usize>(), TO_DELETE);

    // Exactly the 5,000 are gone; all 500 others remain, and the other project is untouched.
    for id in &doomed_ids {
        assert!(!emu.store().contains(&project(), id), "{id} survived");
    }
    for id in &keep_ids {
        assert!(emu.store().contains(&project(), id), "{id} was deleted");
    }
    assert_eq!(emu.store().count(&project()), TO_KEEP);
    assert_eq!(emu.store().count(&other_project()), elsewhere.len());
    assert_eq!(stats.tasks_deleted, TO_DELETE as u64);

    // The faults really happened, of every kind asked for.
    for kind in [
        FaultKind::TooManyRequests,
        FaultKind::InternalError,
        FaultKind::Unavailable,
        FaultKind::DropConnection,
        FaultKind::DeleteThenDrop,
    ] {
        assert!(
            stats.faults(kind) > 0,
            "no {kind} injected: {:?}",
            stats.faults
        );
    }

    // The client's count of attempts is the emulator's count of DELETE requests.
    let deletes_received = emu
        .received_requests()
        .iter()
        .filter(|r| r.method == Method::DELETE)
        .count() as u64;
    assert_eq!(emu.received_paths_not_kept(), 0);
    assert_eq!(deletes_received, stats.requests_received);
    assert_eq!(total_attempts, deletes_received);
    // Each request got a response or was dropped on purpose.
    let dropped = stats.faults(FaultKind::DropConnection) + stats.faults(FaultKind::DeleteThenDrop);
    assert_eq!(
        stats.responses_for(Route::DeleteTask) + dropped,
        stats.requests_received
    );
    // Each 429 is one throttled attempt, whether the call ends Deleted or AlreadyGone.
    assert_eq!(total_throttled, stats.faults(FaultKind::TooManyRequests));
    assert!(total_throttled > 0);
    assert_eq!(
        stats.responses(Route::DeleteTask, 429),
        stats.faults(FaultKind::TooManyRequests)
    );
    assert_eq!(
        stats.responses(Route::DeleteTask, 500),
        stats.faults(FaultKind::InternalError)
    );
    assert_eq!(
        stats.responses(Route::DeleteTask, 503),
        stats.faults(FaultKind::Unavailable)
    );
    // Each 200 is one `Deleted`; each `400 4700` is a task that a delete-then-drop took
    // away: the retry found it gone after a lost reply, so it counts as deleted by this call
    // (`gone_on_retry`), never as "already gone".
    let deleted = by_status.get("Deleted").copied().unwrap_or(0) as u64;
    let gone_on_retry = by_status.get("GoneOnRetry").copied().unwrap_or(0) as u64;
    let already_gone = by_status.get("AlreadyGone").copied().unwrap_or(0) as u64;
    assert_eq!(deleted, stats.responses(Route::DeleteTask, 200));
    assert_eq!(gone_on_retry, stats.responses(Route::DeleteTask, 400));
    assert_eq!(already_gone, 0);
    assert_eq!(deleted + gone_on_retry, TO_DELETE as u64);
    assert!(gone_on_retry > 0, "no lost reply was ever recovered from");
    // Each fault costs exactly one retry (and nothing else does): the histogram's retries
    // are the faults injected.
    let retries: u64 = histogram
        .iter()
        .map(|(attempts, calls)| u64::from(attempts - 1) * *calls as u64)
        .sum();
    assert_eq!(retries, total_attempts - TO_DELETE as u64);
    assert_eq!(
        retries,
        stats.faults_total() - stats.faults(FaultKind::Latency)
    );
    emu.shutdown().await;
}
