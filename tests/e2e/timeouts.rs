//! Item 3: servers that never answer, or stall a body, give a typed timeout within the
//! configured bound (plus a margin), and never hang.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use api_client::{Client, Credentials, Error, TimeoutKind, Timeouts};
use api_transport::SharedTransport;
use e2e_tests::raw_server::http_response;
use e2e_tests::*;
use tokio::time::Instant;

const ATTEMPT: Duration = Duration::from_millis(300);
const DEADLINE: Duration = Duration::from_secs(2);
/// Whatever happens, no test here may run longer than this: a hang fails, it does not block.
const GUARD: Duration = Duration::from_secs(10);
/// Scheduling slack on a loaded machine; this is a bound, not a speed test.
const MARGIN: Duration = Duration::from_secs(1);

fn client(
    server: &RawServer,
    transport: SharedTransport,
    attempts: u32,
    deadline: Duration,
) -> Client {
    client_builder(&server.endpoint(), Credentials::ak_sk(AK, SK), transport)
        .retry_policy(fast_retries(attempts))
        .timeouts(
            Timeouts::default()
                .with_attempt(ATTEMPT)
                .with_deadline(deadline),
        )
        .build()
        .unwrap()
}

/// Runs one delete against `server`, returning the error and how long it took.
async fn timed_delete(client: &Client) -> (Error, Duration) {
    let started = Instant::now();
    let outcome = tokio::time::timeout(GUARD, client.delete_processor_task(&task_id("t1")))
        .await
        .expect("the client hung: no timeout fired");
    (outcome.unwrap_err(), started.elapsed())
}

fn assert_attempt_timeout(error: &Error, attempts: u32) {
    match error {
        Error::Timeout {
            kind: TimeoutKind::Attempt,
            limit,
            attempts: made,
        } => {
            assert_eq!(*limit, ATTEMPT);
            assert_eq!(*made, attempts);
        }
        other => panic!("expected Error::Timeout {{ kind: Attempt }}, got {other:?}"),
    }
    assert!(error.is_retryable());
    assert!(error.request_may_have_been_sent());
    let message = error.to_string();
    assert!(
        message.contains("per-attempt timeout of 300ms"),
        "{message}"
    );
    assert!(
        message.contains(&format!("after {attempts} attempt(s)")),
        "{message}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_gives_an_attempt_timeout_per_attempt() {
    let server = RawServer::start(Script::Silent).await;
    let client = client(&server, SharedTransport::new(http_transport()), 2, DEADLINE);
    let (error, elapsed) = timed_delete(&client).await;
    eprintln!("never answers: {error} after {elapsed:?}");
    assert_attempt_timeout(&error, 2);
    // Two attempts of 300 ms and a short backoff: well within the deadline.
    assert!(elapsed >= ATTEMPT * 2, "{elapsed:?}");
    assert!(elapsed < ATTEMPT * 2 + MARGIN, "{elapsed:?}");
    assert_eq!(server.requests(), 2, "each attempt reached the server");
}

#[tokio::test]
async fn a_server_that_never_answers_stops_at_the_deadline_despite_many_retries() {
    let server = RawServer::start(Script::Silent).await;
    let deadline = Duration::from_millis(1_000);
    let client = client(
        &server,
        SharedTransport::new(http_transport()),
        50,
        deadline,
    );
    let (error, elapsed) = timed_delete(&client).await;
    eprintln!("never answers, 50 attempts allowed: {error} after {elapsed:?}");
    // The last attempt is cut short by the deadline (`Deadline`), unless the wait before it
    // would already pass the deadline, in which case the previous `Attempt` timeout stands.
    match &error {
        Error::Timeout {
            kind: TimeoutKind::Deadline,
            limit,
            ..
        } => assert_eq!(*limit, deadline),
        Error::Timeout {
            kind: TimeoutKind::Attempt,
            limit,
            ..
        } => assert_eq!(*limit, ATTEMPT),
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    assert!((2..50).contains(&error.attempts()), "{error:?}");
    assert!(error.is_retryable());
    assert!(elapsed < deadline + MARGIN, "{elapsed:?}");
}

#[tokio::test]
async fn headers_then_a_stalled_body_give_an_attempt_timeout() {
    // Headers promising 100 bytes of body, two bytes of it, then nothing.
    let partial =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\""
            .to_vec();
    let server = RawServer::start(Script::WriteThenStall(partial)).await;
    let client = client(&server, SharedTransport::new(http_transport()), 2, DEADLINE);
    let (error, elapsed) = timed_delete(&client).await;
    eprintln!("stalled body: {error} after {elapsed:?}");
    assert_attempt_timeout(&error, 2);
    assert!(elapsed < ATTEMPT * 2 + MARGIN, "{elapsed:?}");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn the_transports_response_timeout_follows_the_attempt_timeout() {
    // The transport was built with a response timeout of 300 ms; the client's attempts get
    // 1 s each. One timer decides, the attempt's: each attempt lasts 1 s, not 300 ms, and the
    // error is the attempt timeout.
    let server = RawServer::start(Script::Silent).await;
    let transport = transport_builder()
        .response_timeout(ATTEMPT)
        .build()
        .unwrap();
    let attempt = Duration::from_secs(1);
    let client = client_builder(
        &server.endpoint(),
        Credentials::ak_sk(AK, SK),
        SharedTransport::new(transport),
    )
    .retry_policy(fast_retries(2))
    .timeouts(
        Timeouts::default()
            .with_attempt(attempt)
            .with_deadline(Duration::from_secs(8)),
    )
    .build()
    .unwrap();
    let (error, elapsed) = timed_delete(&client).await;
    eprintln!("attempt timeout above the transport's: {error} after {elapsed:?}");
    match &error {
        Error::Timeout {
            kind: TimeoutKind::Attempt,
            limit,
            attempts: 2,
        } => assert_eq!(*limit, attempt),
        other => panic!("expected an attempt timeout after 2 attempts, got {other:?}"),
    }
    assert!(elapsed >= attempt * 2, "{elapsed:?}");
    assert!(elapsed < attempt * 2 + MARGIN, "{elapsed:?}");
}

#[tokio::test]
async fn control_a_raw_server_that_answers_at_once_gives_a_success() {
    // Control: the same raw server answering at once gives a success well within the bound,
    // so the timeouts above come from the stall, not from the harness.
    let server = RawServer::start(Script::WriteThenClose(http_response(
        "200 OK",
        "application/json",
        b"{}",
    )))
    .await;
    let client = client(&server, SharedTransport::new(http_transport()), 2, DEADLINE);
    let started = Instant::now();
    let deleted = tokio::time::timeout(GUARD, client.delete_processor_task(&task_id("t1")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deleted.attempts, 1);
    assert_eq!(deleted.request_id.as_deref(), Some("raw-server-0001"));
    assert!(started.elapsed() < ATTEMPT + MARGIN);
}
