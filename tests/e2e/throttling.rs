//! Item 2, in detail: a `Deletion` counts the attempts answered 429, whether the delete ends
//! `Deleted` or `AlreadyGone`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use api_client::{Credentials, DeletionStatus};
use api_transport::SharedTransport;
use e2e_tests::raw_server::http_response;
use e2e_tests::*;

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
