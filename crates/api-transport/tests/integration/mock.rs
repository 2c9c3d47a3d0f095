//! `MockTransport` (feature `mock`), and `SharedTransport` delegating to the transport it wraps.

use std::sync::Arc;

use api_transport::{MockTransport, SharedTransport, TimeoutPhase, Transport, TransportError};
use bytes::Bytes;
use http::{Method, Response, StatusCode};

use crate::common::request;

#[tokio::test]
async fn shared_transport_and_its_clones_delegate_to_the_wrapped_transport() {
    let mut mock = MockTransport::new();
    mock.expect_send()
        .withf(|request| {
            request.method() == Method::DELETE && request.uri().path() == "/v2/p/processor-tasks/t"
        })
        .times(2)
        .returning(|_| {
            Box::pin(async {
                Ok(Response::builder()
                    .status(StatusCode::NO_CONTENT)
                    .body(Bytes::new())
                    .unwrap())
            })
        });
    let shared = SharedTransport::new(mock);
    let clone = shared.clone();
    for transport in [&shared, &clone] {
        let response = transport
            .send(request(
                Method::DELETE,
                "https://host/v2/p/processor-tasks/t",
            ))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
    assert!(format!("{shared:?}").starts_with("SharedTransport("));
    // Dropping the last handle checks `times(2)`.
}

#[tokio::test]
async fn errors_pass_through_unchanged() {
    let mut mock = MockTransport::new();
    mock.expect_send()
        .times(1)
        .returning(|_| Box::pin(async { Err(TransportError::timeout(TimeoutPhase::Connect)) }));
    let shared = SharedTransport::from(Arc::new(mock) as Arc<dyn Transport>);
    let error = shared
        .send(request(Method::GET, "https://host/"))
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        TransportError::Timeout {
            phase: TimeoutPhase::Connect,
            ..
        }
    ));
    assert!(!error.request_may_have_been_sent());
}

#[tokio::test]
async fn arc_and_box_of_a_transport_are_transports() {
    let mut mock = MockTransport::new();
    mock.expect_send()
        .times(2)
        .returning(|_| Box::pin(async { Ok(Response::new(Bytes::from_static(b"{}"))) }));
    let arc = Arc::new(mock);
    let boxed: Box<dyn Transport> = Box::new(arc.clone());
    assert_eq!(
        arc.send(request(Method::GET, "https://host/"))
            .await
            .unwrap()
            .body(),
        "{}"
    );
    assert_eq!(
        boxed
            .send(request(Method::GET, "https://host/"))
            .await
            .unwrap()
            .body(),
        "{}"
    );
}
