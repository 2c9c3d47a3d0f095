//! The real `api_client::Client` over `ReqwestTransport` against the emulator: delete, list, retries under injected faults, and timeouts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use api_client::{
    Client, Credentials, DeletionStatus, Error, ProjectId, RetryPolicy, TaskId, TimeoutKind,
    Timeouts,
};
use api_emulator::{Emulator, EmulatorBuilder, FaultConfig, FaultKind, Route, seeded_tasks};
use api_model::{CreateProcessorTaskRequest, ListProcessorTasksQuery, TemplateParam};
use api_transport::{SharedTransport, TransportError};
use api_transport_reqwest::ReqwestTransport;
use futures_util::TryStreamExt;
use http::Method;

const PROJECT: &str = "a4a5d4098fb4474fa22cd05f897d6b99";
const AK: &str = "REQWESTAKEXAMPLE0001";
const SK: &str = "SK-reqwest-e2e-9d2f7a1c4b6e8f0a2c4e6a8b0d2f4a6c";
/// No test may run longer than this: a hang fails instead of blocking.
const GUARD: Duration = Duration::from_secs(60);

fn project() -> ProjectId {
    PROJECT.parse().unwrap()
}

fn emulator() -> EmulatorBuilder {
    Emulator::builder()
        .ak_sk(AK, SK, &project())
        .shutdown_grace(Duration::from_millis(200))
}

fn transport() -> SharedTransport {
    SharedTransport::new(
        ReqwestTransport::builder()
            .no_proxy()
            .connect_timeout(Duration::from_secs(2))
            .response_timeout(Duration::from_secs(15))
            .build()
            .unwrap(),
    )
}

/// `max_attempts` with millisecond backoff, so that retries cost little time.
fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(50))
        .with_max_retry_after(Duration::from_millis(50))
}

fn client(endpoint: &str, max_attempts: u32, timeouts: Timeouts) -> Client {
    Client::builder()
        .endpoint(endpoint)
        .project_id(PROJECT)
        .credentials(Credentials::ak_sk(AK, SK))
        .shared_transport(transport())
        .retry_policy(fast_retries(max_attempts))
        .throttling(api_client::Throttling::Off)
        .timeouts(timeouts)
        .build()
        .unwrap()
}

fn roomy() -> Timeouts {
    Timeouts::default()
        .with_attempt(Duration::from_secs(10))
        .with_deadline(Duration::from_secs(30))
}

fn ids(n: usize, seed: u64) -> (Vec<api_emulator::Task>, Vec<TaskId>) {
    let tasks = seeded_tasks(&project(), n, seed);
    let ids = tasks.iter().map(|t| t.task_id.clone()).collect();
    (tasks, ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_then_list_go_through_reqwest() {
    let (tasks, ids) = ids(75, 11);
    let emu = emulator()
        .with_tasks(&project(), tasks)
        .start()
        .await
        .unwrap();
    let client = client(&emu.endpoint(), 3, roomy());

    let victim = &ids[0];
    let deletion = tokio::time::timeout(GUARD, client.delete_processor_task(victim))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deletion.status, DeletionStatus::Deleted);
    assert_eq!(deletion.attempts, 1);
    assert!(deletion.request_id.is_some(), "{deletion:?}");
    let stats = emu.stats();
    assert_eq!(stats.tasks_deleted, 1);
    assert_eq!(stats.requests_received, 1);
    assert_eq!(stats.responses(Route::DeleteTask, 200), 1);
    assert!(!emu.store().contains(&project(), victim));
    assert_eq!(emu.store().count(&project()), 74);

    // Pages of 20: the 74 left, each once, and not the deleted one.
    let listed: Vec<_> = tokio::time::timeout(
        GUARD,
        client
            .list_processor_tasks_stream(ListProcessorTasksQuery::default().limit(20))
            .map_ok(|task| task.task_id.to_string())
            .try_collect(),
    )
    .await
    .unwrap()
    .unwrap();
    let unique: HashSet<&String> = listed.iter().collect();
    assert_eq!(listed.len(), 74);
    assert_eq!(unique.len(), 74, "a task was listed twice");
    assert!(!unique.contains(&victim.to_string()));
    let stats = emu.stats();
    let pages = stats.responses(Route::ListTasks, 200);
    assert!(
        pages >= 4,
        "74 tasks in pages of 20 take at least 4 pages, got {pages}"
    );
    assert_eq!(stats.requests_received, 1 + pages, "{stats:?}");
    let gets = emu
        .received_requests()
        .iter()
        .filter(|r| r.method == Method::GET)
        .count() as u64;
    assert_eq!(gets, pages);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_under_5xx_and_dropped_connections_are_retried_to_success() {
    const DELETE: usize = 150;
    const KEEP: usize = 20;
    let (tasks, ids) = ids(DELETE + KEEP, 20_260_101);
    let faults = FaultConfig {
        seed: 0x5eed_0e9e,
        internal_error: 0.08,
        unavailable: 0.08,
        drop_connection: 0.08,
        delete_then_drop: 0.08,
        ..FaultConfig::default()
    };
    let emu = emulator()
        .with_tasks(&project(), tasks)
        .faults(faults)
        .start()
        .await
        .unwrap();
    let client = client(&emu.endpoint(), 10, roomy());

    let mut attempts = 0u64;
    let mut gone_on_retry = 0u64;
    for id in &ids[..DELETE] {
        let deletion = tokio::time::timeout(GUARD, client.delete_processor_task_if_exists(id))
            .await
            .expect("a delete hung")
            .unwrap_or_else(|error| panic!("{id}: {error}"));
        assert!(
            matches!(deletion.status, DeletionStatus::Deleted),
            "{id}: {deletion:?}"
        );
        attempts += u64::from(deletion.attempts);
        gone_on_retry += u64::from(deletion.gone_on_retry);
    }
    let stats = emu.stats();
    eprintln!(
        "reqwest under faults: {attempts} attempts for {DELETE} deletes; injected {:?}; \
         {} connections",
        stats.faults, stats.connections_accepted
    );

    // Exactly the doomed tasks are gone, the others stay.
    for id in &ids[..DELETE] {
        assert!(!emu.store().contains(&project(), id), "{id} survived");
    }
    for id in &ids[DELETE..] {
        assert!(emu.store().contains(&project(), id), "{id} was deleted");
    }
    assert_eq!(emu.store().count(&project()), KEEP);
    assert_eq!(stats.tasks_deleted, DELETE as u64);

    // Every kind of fault happened, and each cost exactly one retry.
    for kind in [
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
    assert_eq!(
        attempts, stats.requests_received,
        "the client's attempts are the emulator's requests"
    );
    assert_eq!(attempts - DELETE as u64, stats.faults_total());
    assert_eq!(
        stats.responses(Route::DeleteTask, 500),
        stats.faults(FaultKind::InternalError)
    );
    assert_eq!(
        stats.responses(Route::DeleteTask, 503),
        stats.faults(FaultKind::Unavailable)
    );
    // A delete whose reply was lost finds its task gone on the retry (400): still this call's.
    assert_eq!(gone_on_retry, stats.responses(Route::DeleteTask, 400));
    assert_eq!(
        stats.responses(Route::DeleteTask, 200) + gone_on_retry,
        DELETE as u64
    );
    // A dropped connection really was a dropped connection: new ones were opened for the retries.
    assert!(stats.connections_accepted > 1, "{stats:?}");
    emu.shutdown().await;
}

fn cleaning(name: &str) -> CreateProcessorTaskRequest {
    CreateProcessorTaskRequest::new(name, TemplateParam::new("sys_data_cleaning"))
        .create_version(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_whose_connection_drops_is_not_resent_but_one_never_connected_is() {
    // Every connection is dropped once the request is in: the POST may have been applied, so
    // the client must not send it again; a GET is idempotent and is retried.
    let faults = FaultConfig {
        drop_connection: 1.0,
        ..FaultConfig::default()
    };
    let emu = emulator().faults(faults).start().await.unwrap();
    let dropping = client(&emu.endpoint(), 3, roomy());
    let error = tokio::time::timeout(GUARD, dropping.create_processor_task(cleaning("once")))
        .await
        .unwrap()
        .unwrap_err();
    assert!(error.request_may_have_been_sent(), "{error}");
    assert_eq!(error.attempts(), 1, "{error:?}");
    assert_eq!(emu.stats().requests_received, 1, "one POST, never resent");
    let _ = dropping
        .describe_processor_task(&"any".parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(emu.stats().requests_received, 1 + 3);
    emu.shutdown().await;

    // Nothing listens any more: the POST never leaves, so it is retried to the limit.
    let endpoint = format!("http://{}", nothing_listening());
    let refused = client(&endpoint, 3, roomy());
    let error = tokio::time::timeout(GUARD, refused.create_processor_task(cleaning("refused")))
        .await
        .unwrap()
        .unwrap_err();
    match &error {
        Error::Transport {
            source, attempts, ..
        } => {
            assert!(
                matches!(source, TransportError::Connect { .. }),
                "{source:?}"
            );
            assert_eq!(*attempts, 3);
        }
        other => panic!("expected a connect error, got {other:?}"),
    }
    assert!(!error.request_may_have_been_sent());
}

/// A loopback address where nothing listens.
fn nothing_listening() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_latency_above_the_attempt_timeout_gives_the_clients_timeout() {
    const ATTEMPT: Duration = Duration::from_millis(200);
    let (tasks, ids) = ids(1, 5);
    let faults = FaultConfig {
        latency: Duration::from_secs(3),
        ..FaultConfig::default()
    };
    let emu = emulator()
        .with_tasks(&project(), tasks)
        .faults(faults)
        .start()
        .await
        .unwrap();
    let client = client(
        &emu.endpoint(),
        2,
        Timeouts::default()
            .with_attempt(ATTEMPT)
            .with_deadline(Duration::from_secs(10)),
    );
    let started = Instant::now();
    let error = tokio::time::timeout(GUARD, client.delete_processor_task(&ids[0]))
        .await
        .expect("the client hung: no timeout fired")
        .unwrap_err();
    let elapsed = started.elapsed();
    eprintln!("latency 3 s, attempts of 200 ms: {error} after {elapsed:?}");
    match &error {
        Error::Timeout {
            kind: TimeoutKind::Attempt,
            limit,
            attempts,
        } => {
            assert_eq!(*limit, ATTEMPT);
            assert_eq!(*attempts, 2);
        }
        other => panic!("expected the client's attempt timeout, got {other:?}"),
    }
    assert!(error.request_may_have_been_sent());
    assert!(elapsed >= ATTEMPT * 2, "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    // Both attempts reached the emulator and were still sleeping: nothing was deleted yet.
    let stats = emu.stats();
    assert_eq!(stats.requests_received, 2, "{stats:?}");
    assert_eq!(stats.faults(FaultKind::Latency), 2);
    assert_eq!(stats.tasks_deleted, 0);
    assert!(emu.store().contains(&project(), &ids[0]));
    emu.shutdown().await;
}
