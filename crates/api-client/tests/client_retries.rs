//! Retries and timeouts, deterministic under tokio's paused clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use api_client::{
    Client, Credentials, DeletionStatus, Error, ErrorCode, RetryPolicy, TimeoutKind, Timeouts,
};
use api_transport::{MockTransport, TimeoutPhase, TransportError, test_util::NeverTransport};
use common::*;
use tokio::time::Instant;

fn io_error() -> TransportError {
    TransportError::io(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "reset",
    ))
}

fn connect_error() -> TransportError {
    TransportError::connect(std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "refused",
    ))
}

#[tokio::test(start_paused = true)]
async fn documented_client_errors_are_typed_and_never_retried() {
    for (status, code, expected) in [
        (400, "ModelArts.4700", ErrorCode::TaskNotFound),
        (401, "APIG.0301", ErrorCode::IncorrectIamAuthentication),
        (403, "ModelArts.4850", ErrorCode::TaskInitializing),
        (403, "ModelArts.0210", ErrorCode::ProjectIdMismatch),
        (404, "APIG.0101", ErrorCode::ApiNotFound),
    ] {
        let (transport, sent) = scripted(vec![Ok(error_reply(status, code))]);
        let err = client(transport)
            .delete_processor_task(&task())
            .await
            .unwrap_err();
        assert_eq!(sent.lock().unwrap().len(), 1, "{status} {code} was retried");
        let Error::Service { source, attempts } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*attempts, 1);
        assert_eq!(source.status().as_u16(), status);
        assert_eq!(source.code(), &expected);
        assert_eq!(err.request_id(), Some(format!("rid-{status}").as_str()));
        assert!(!err.is_retryable());
    }
}

#[tokio::test(start_paused = true)]
async fn transient_statuses_are_retried_until_attempts_run_out() {
    for status in [500u16, 502, 503, 504] {
        let (transport, sent) = scripted(vec![
            Ok(reply(status, "")),
            Ok(reply(status, "")),
            Ok(reply(status, "")),
        ]);
        let err = client(transport)
            .delete_processor_task(&task())
            .await
            .unwrap_err();
        assert_eq!(sent.lock().unwrap().len(), 3, "{status}");
        assert_eq!(err.attempts(), 3);
        assert!(err.is_retryable());
        assert_eq!(err.service_error().unwrap().status().as_u16(), status);
    }
}

#[tokio::test(start_paused = true)]
async fn throttles_wait_on_the_limiter_and_do_not_spend_attempts() {
    // Adaptive (the default): five throttles and a success, with 3 attempts allowed.
    let mut replies: Vec<_> = (0..5).map(|_| Ok(error_reply(429, "APIG.0308"))).collect();
    replies.push(Ok(reply(204, "")));
    let (transport, sent) = scripted(replies);
    let deleted = client(transport)
        .delete_processor_task(&task())
        .await
        .unwrap();
    assert_eq!((deleted.attempts, deleted.throttled), (6, 5));
    assert_eq!(sent.lock().unwrap().len(), 6);

    // Off: a throttle is retried like a 5xx, within the attempts.
    let (transport, sent) = scripted((0..3).map(|_| Ok(reply(429, ""))).collect());
    let plain = api_client::Client::builder()
        .endpoint("http://127.0.0.1:1")
        .project_id(PROJECT)
        .credentials(Credentials::ak_sk(AK, SK))
        .transport(transport)
        .throttling(api_client::Throttling::Off)
        .build()
        .unwrap();
    let err = plain.delete_processor_task(&task()).await.unwrap_err();
    assert_eq!((err.attempts(), sent.lock().unwrap().len()), (3, 3));
    assert!(err.is_retryable());

    // A quota gone for the day is not retried at all.
    let (transport, sent) = scripted(vec![Ok(reply(
        429,
        r#"{"error_code":"APIG.0308","error_msg":"Daily quota exhausted"}"#,
    ))]);
    let err = client(transport)
        .delete_processor_task(&task())
        .await
        .unwrap_err();
    assert_eq!((err.attempts(), sent.lock().unwrap().len()), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn a_failing_service_empties_the_retry_quota() {
    // 100 retries at 5 tokens each empty the quota of 500; then calls are not retried.
    let mut replies = Vec::new();
    for _ in 0..100 {
        replies.push(Ok(reply(503, "")));
        replies.push(Ok(reply(503, "")));
    }
    for _ in 0..3 {
        replies.push(Ok(reply(503, "")));
    }
    let (transport, sent) = scripted(replies);
    let client = client_with_retry(transport, RetryPolicy::default().with_max_attempts(2));
    for _ in 0..100 {
        assert_eq!(
            client
                .delete_processor_task(&task())
                .await
                .unwrap_err()
                .attempts(),
            2
        );
    }
    for _ in 0..3 {
        assert_eq!(
            client
                .delete_processor_task(&task())
                .await
                .unwrap_err()
                .attempts(),
            1
        );
    }
    assert_eq!(sent.lock().unwrap().len(), 203);
}

#[tokio::test(start_paused = true)]
async fn a_transient_failure_then_success_succeeds() {
    let (transport, _) = scripted(vec![
        Ok(error_reply(429, "ModelArts.4206")),
        Err(io_error()),
        Ok(reply(200, "{}")),
    ]);
    let deleted = client(transport)
        .delete_processor_task(&task())
        .await
        .unwrap();
    assert_eq!(deleted.attempts, 3);
    assert_eq!(deleted.status, DeletionStatus::Deleted);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured_and_clamped() {
    let throttled = || {
        let mut r = error_reply(429, "ModelArts.4206");
        r.headers_mut().insert("retry-after", "7".parse().unwrap());
        r
    };
    let (transport, _) = scripted(vec![Ok(throttled()), Ok(reply(200, "{}"))]);
    let started = Instant::now();
    client(transport)
        .delete_processor_task(&task())
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(7),
        "{:?}",
        started.elapsed()
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );

    let (transport, _) = scripted(vec![Ok(throttled()), Ok(reply(200, "{}"))]);
    let client = client_with_retry(
        transport,
        RetryPolicy::default().with_max_retry_after(Duration::from_secs(2)),
    );
    let started = Instant::now();
    client.delete_processor_task(&task()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(2) && started.elapsed() < Duration::from_secs(3)
    );
}

#[tokio::test(start_paused = true)]
async fn backoff_grows_but_stays_under_its_caps() {
    let (transport, _) = scripted(vec![
        Ok(reply(503, "")),
        Ok(reply(503, "")),
        Ok(reply(503, "")),
        Ok(reply(503, "")),
    ]);
    let client = client_with_retry(
        transport,
        RetryPolicy::default()
            .with_max_attempts(4)
            .with_initial_backoff(Duration::from_secs(1))
            .with_max_backoff(Duration::from_secs(3)),
    );
    let started = Instant::now();
    assert_eq!(
        client
            .delete_processor_task(&task())
            .await
            .unwrap_err()
            .attempts(),
        4
    );
    // Caps 1 s, 2 s, 3 s: full jitter waits at most their sum.
    assert!(
        started.elapsed() <= Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn connection_failures_are_retried_and_say_nothing_was_sent() {
    let (transport, _) = scripted(vec![
        Err(connect_error()),
        Err(connect_error()),
        Err(connect_error()),
    ]);
    let err = client(transport)
        .delete_processor_task(&task())
        .await
        .unwrap_err();
    let Error::Transport { sent, attempts, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(!sent);
    assert_eq!(*attempts, 3);
    assert!(err.to_string().contains("never sent"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn permanent_transport_failures_are_not_retried() {
    for e in [
        TransportError::tls(std::io::Error::other("unknown CA")),
        TransportError::body_too_large(1024),
    ] {
        let (transport, sent) = scripted(vec![Err(e)]);
        assert!(
            client(transport)
                .delete_processor_task(&task())
                .await
                .is_err()
        );
        assert_eq!(sent.lock().unwrap().len(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn unreadable_success_replies_are_decode_errors_not_retried() {
    let (transport, sent) = scripted(vec![Ok(reply(200, "<html>maintenance</html>"))]);
    let err = client(transport)
        .delete_processor_task(&task())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("not JSON"), "{err}");
    assert_eq!(sent.lock().unwrap().len(), 1);
}

/// What a delete's retries end with, scripted: the delete, with or without `if_exists`.
async fn delete_after(
    replies: Vec<Result<http::Response<bytes::Bytes>, TransportError>>,
    if_exists: bool,
) -> Result<api_client::Deletion, Error> {
    let (transport, _) = scripted(replies);
    let client = client_with_retry(transport, RetryPolicy::default().with_max_attempts(3));
    if if_exists {
        client.delete_processor_task_if_exists(&task()).await
    } else {
        client.delete_processor_task(&task()).await
    }
}

#[tokio::test(start_paused = true)]
async fn a_retry_that_finds_the_task_gone_after_a_lost_reply_is_a_deletion() {
    // The first attempt may have deleted the task (its connection dropped after sending, it
    // timed out, or it was answered 5xx); the retry finds it gone: deleted, with or without
    // if_exists.
    for first in [
        Err(io_error()),
        Err(TransportError::timeout(TimeoutPhase::Response)),
        Ok(error_reply(502, "APIG.0999")),
        Ok(error_reply(500, "ModelArts.0010")),
    ] {
        for if_exists in [false, true] {
            let first_text = format!("{first:?}");
            let deleted = delete_after(
                vec![
                    match &first {
                        Ok(r) => Ok(r.clone()),
                        Err(_) => first_err(&first_text),
                    },
                    Ok(error_reply(400, "ModelArts.4700")),
                ],
                if_exists,
            )
            .await
            .unwrap_or_else(|e| panic!("{first_text} if_exists={if_exists}: {e}"));
            assert_eq!(deleted.status, DeletionStatus::Deleted, "{first_text}");
            assert!(deleted.gone_on_retry, "{first_text}");
            assert_eq!(deleted.attempts, 2);
            assert_eq!(deleted.request_id.as_deref(), Some("rid-400"));
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_refused_retry_after_a_lost_reply_says_the_request_may_have_been_sent() {
    // The first attempt's connection dropped after sending (it may have deleted the task); the
    // retries are refused. The call's request may have reached the server, so the error must
    // not say "never sent": callers check before calling the task not deleted.
    let err = delete_after(
        vec![Err(io_error()), Err(connect_error()), Err(connect_error())],
        false,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                sent: true,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.request_may_have_been_sent());
    assert!(
        err.to_string().contains("may have reached the server"),
        "{err}"
    );

    // Refused every time: never sent.
    let err = delete_after(
        vec![
            Err(connect_error()),
            Err(connect_error()),
            Err(connect_error()),
        ],
        false,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::Transport { sent: false, .. }),
        "{err:?}"
    );
    // After a 429 (refused by the gateway without acting; it spends no attempt): never sent
    // either.
    let err = delete_after(
        vec![
            Ok(error_reply(429, "APIG.0308")),
            Err(connect_error()),
            Err(connect_error()),
            Err(connect_error()),
        ],
        false,
    )
    .await
    .unwrap_err();
    assert!(!err.request_may_have_been_sent(), "{err:?}");
}

/// A transport error like the one `text` describes (they cannot be cloned).
fn first_err(text: &str) -> Result<http::Response<bytes::Bytes>, TransportError> {
    if text.contains("Timeout") {
        Err(TransportError::timeout(TimeoutPhase::Response))
    } else {
        Err(io_error())
    }
}

#[tokio::test(start_paused = true)]
async fn after_429s_or_4xx_a_missing_task_was_never_there() {
    // Throttled attempts never reached the service: 4700 on the retry means the task did not
    // exist. With if_exists that is "already gone" (throttled attempts still counted);
    // without, the error.
    let throttled_then_gone = || {
        vec![
            Ok(error_reply(429, "ModelArts.4206")),
            Ok(error_reply(429, "APIG.0308")),
            Ok(error_reply(400, "ModelArts.4700")),
        ]
    };
    let gone = delete_after(throttled_then_gone(), true).await.unwrap();
    assert_eq!(
        (
            gone.status,
            gone.attempts,
            gone.throttled,
            gone.gone_on_retry
        ),
        (DeletionStatus::AlreadyGone, 3, 2, false)
    );
    let err = delete_after(throttled_then_gone(), false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::TaskNotFound));

    // On the first attempt, too.
    let err = delete_after(vec![Ok(error_reply(400, "ModelArts.4700"))], false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::TaskNotFound));
    let gone = delete_after(vec![Ok(error_reply(400, "ModelArts.4700"))], true)
        .await
        .unwrap();
    assert_eq!(gone.status, DeletionStatus::AlreadyGone);

    // Other errors stay errors; a 503 carrying 4700 is not "gone".
    let (transport, _) = scripted(vec![Ok(error_reply(403, "ModelArts.4850"))]);
    assert!(
        client(transport)
            .delete_processor_task_if_exists(&task())
            .await
            .is_err()
    );
    let (transport, _) = scripted(
        (0..3)
            .map(|_| Ok(error_reply(503, "ModelArts.4700")))
            .collect(),
    );
    let err = client(transport)
        .delete_processor_task_if_exists(&task())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::GatewayUnavailable));
}

#[tokio::test(start_paused = true)]
async fn disabling_retries_is_one_call() {
    let (transport, sent) = scripted(vec![Ok(reply(503, ""))]);
    let client = client_with_retry(transport, RetryPolicy::disabled());
    assert_eq!(
        client
            .delete_processor_task(&task())
            .await
            .unwrap_err()
            .attempts(),
        1
    );
    assert_eq!(sent.lock().unwrap().len(), 1);
}

fn hanging_client(timeouts: Timeouts, retry: RetryPolicy) -> (Client, NeverTransport) {
    let never = NeverTransport::new();
    let client = Client::builder()
        .endpoint("http://127.0.0.1:1")
        .project_id(PROJECT)
        .credentials(Credentials::ak_sk(AK, SK))
        .transport(never.clone())
        .retry_policy(retry)
        .timeouts(timeouts)
        .build()
        .unwrap();
    (client, never)
}

#[tokio::test(start_paused = true)]
async fn each_attempt_times_out_and_is_retried() {
    let (client, never) = hanging_client(
        Timeouts::default()
            .with_attempt(Duration::from_secs(2))
            .with_deadline(Duration::from_secs(60)),
        RetryPolicy::default().with_initial_backoff(Duration::from_millis(10)),
    );
    let started = Instant::now();
    let err = client.delete_processor_task(&task()).await.unwrap_err();
    let Error::Timeout {
        kind,
        limit,
        attempts,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (kind, limit, attempts),
        (TimeoutKind::Attempt, Duration::from_secs(2), 3)
    );
    assert_eq!(never.request_count(), 3);
    assert!(
        started.elapsed() >= Duration::from_secs(6) && started.elapsed() < Duration::from_secs(7)
    );
}

#[tokio::test(start_paused = true)]
async fn the_deadline_bounds_the_whole_call() {
    let (client, _never) = hanging_client(
        Timeouts::default()
            .with_attempt(Duration::from_secs(4))
            .with_deadline(Duration::from_secs(10)),
        RetryPolicy::default()
            .with_max_attempts(10)
            .with_initial_backoff(Duration::from_millis(1)),
    );
    let started = Instant::now();
    let err = client.delete_processor_task(&task()).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        elapsed <= Duration::from_secs(10) + Duration::from_millis(50),
        "{elapsed:?}"
    );
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Deadline,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_transport_timeout_while_connecting_is_retried_even_if_not_idempotent() {
    let (transport, sent) = scripted(vec![
        Err(TransportError::timeout(TimeoutPhase::Connect)),
        Ok(reply(200, "{}")),
    ]);
    assert_eq!(
        client(transport)
            .delete_processor_task(&task())
            .await
            .unwrap()
            .attempts,
        2
    );
    assert_eq!(sent.lock().unwrap().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_invalid_task_id_never_reaches_the_transport() {
    let mut transport = MockTransport::new();
    transport.expect_send().never();
    let _client = client(transport);
    for bad in ["", "..", "a/b", "a\nb", "a b"] {
        let err: Error = bad.parse::<api_model::TaskId>().unwrap_err().into();
        assert!(matches!(err, Error::InvalidInput(_)));
        assert!(
            err.to_string()
                .starts_with("invalid input, nothing was sent: invalid task id"),
            "{err}"
        );
    }
}
