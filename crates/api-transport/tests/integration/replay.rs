//! The test transports (feature `test-util`): `ReplayTransport` and `NeverTransport`.

use std::time::Duration;

use api_transport::test_util::{NeverTransport, ReplayTransport};
use api_transport::{SharedTransport, TimeoutPhase, Transport, TransportError};
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};

use crate::common::request;

fn status(code: u16) -> Result<Response<Bytes>, TransportError> {
    Ok(Response::builder().status(code).body(Bytes::new()).unwrap())
}

#[tokio::test]
async fn answers_in_order_and_captures_requests() {
    let replay = ReplayTransport::new([
        status(503),
        Err(TransportError::timeout(TimeoutPhase::Response)),
        status(200),
    ]);
    let shared = SharedTransport::new(replay.clone());
    assert_eq!(replay.remaining(), 3);

    let post = Request::post("https://host/v1/tasks")
        .header("content-type", "application/json")
        .body(Bytes::from_static(b"{}"))
        .unwrap();
    assert_eq!(
        shared.send(post).await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert!(
        shared
            .send(request(Method::GET, "https://host/a"))
            .await
            .unwrap_err()
            .is_timeout()
    );
    assert_eq!(
        shared
            .send(request(Method::DELETE, "https://host/b"))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    let requests = replay.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].method(), Method::POST);
    assert_eq!(requests[0].headers()["content-type"], "application/json");
    assert_eq!(requests[0].body(), "{}");
    assert_eq!(requests[2].uri(), "https://host/b");
    assert_eq!(replay.request_count(), 3);
    assert_eq!(replay.remaining(), 0);
}

#[tokio::test]
async fn running_out_of_answers_is_a_clear_error() {
    let replay = ReplayTransport::new([]);
    let error = replay
        .send(request(Method::GET, "https://host/"))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::InvalidRequest { .. }));
    assert!(
        error.to_string().contains("no answer left for request #1"),
        "{error}"
    );

    replay.push(status(204));
    assert_eq!(
        replay
            .send(request(Method::GET, "https://host/"))
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(replay.take_requests().len(), 2);
    assert!(replay.requests().is_empty());
    assert_eq!(replay.request_count(), 2);
}

#[tokio::test]
async fn debug_does_not_show_captured_headers() {
    let replay = ReplayTransport::new([status(200)]);
    let request = Request::get("https://host/")
        .header("authorization", "secret-token")
        .body(Bytes::new())
        .unwrap();
    replay.send(request).await.unwrap();
    assert!(!format!("{replay:?}").contains("secret-token"));
}

#[tokio::test]
async fn never_transport_never_answers() {
    let never = NeverTransport::new();
    let waited = tokio::time::timeout(
        Duration::from_millis(50),
        never.send(request(Method::GET, "https://host/")),
    )
    .await;
    assert!(waited.is_err());
    assert_eq!(never.request_count(), 1);
}
