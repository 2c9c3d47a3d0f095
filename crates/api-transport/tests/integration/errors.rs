//! Failures: refused, timeouts in each phase, too-large bodies, dropped connections, invalid requests.

use std::time::{Duration, Instant};

use api_transport::{TimeoutPhase, Transport, TransportError};
use http::Method;
use tokio::io::AsyncWriteExt;

use crate::common::{
    SHORT, builder, closed_port, read_head, request, start_http, start_raw, start_silent,
    start_stalling_body,
};

/// The bound plus a margin for a loaded 2-core machine: "does not hang", not a speed test.
fn assert_within_bound(started: Instant) {
    assert!(
        started.elapsed() < SHORT + Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn refused_connection_is_connect_and_never_sent() {
    let addr = closed_port().await;
    let transport = builder().build().unwrap();
    let error = transport
        .send(request(Method::DELETE, &format!("http://{addr}/v1/x")))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Connect { .. }), "{error:?}");
    assert!(!error.request_may_have_been_sent());
    assert!(error.to_string().contains("reachable"));
}

/// Sends a GET to `url` and checks it ends in a response-phase timeout within the bound.
async fn expect_response_timeout(url: &str) {
    let transport = builder().response_timeout(SHORT).build().unwrap();
    let started = Instant::now();
    let error = transport.send(request(Method::GET, url)).await.unwrap_err();
    assert!(
        matches!(
            error,
            TransportError::Timeout {
                phase: TimeoutPhase::Response,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.request_may_have_been_sent());
    assert_within_bound(started);
}

#[tokio::test]
async fn server_that_never_answers_is_a_response_timeout() {
    let server = start_silent().await;
    expect_response_timeout(&server.url("http", "/")).await;
}

#[tokio::test]
async fn a_response_timeout_on_the_request_replaces_the_built_one() {
    // Built with an hour; the request says SHORT: SHORT wins.
    let server = start_silent().await;
    let transport = builder()
        .response_timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    let mut req = request(Method::GET, &server.url("http", "/"));
    req.extensions_mut()
        .insert(api_transport::ResponseTimeout(SHORT));
    let started = Instant::now();
    let error = transport.send(req).await.unwrap_err();
    assert!(
        matches!(
            error,
            TransportError::Timeout {
                phase: TimeoutPhase::Response,
                ..
            }
        ),
        "{error:?}"
    );
    assert_within_bound(started);

    // Built with SHORT; the request gives more: a reply after twice SHORT still arrives.
    let slow = start_raw(|mut stream| async move {
        read_head(&mut stream).await;
        tokio::time::sleep(SHORT * 2).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\nlate")
            .await;
    })
    .await;
    let transport = builder().response_timeout(SHORT).build().unwrap();
    let mut req = request(Method::GET, &slow.url("http", "/"));
    req.extensions_mut()
        .insert(api_transport::ResponseTimeout(Duration::from_secs(10)));
    let response = transport.send(req).await.unwrap();
    assert_eq!(response.body().as_ref(), b"late");
}

#[tokio::test]
async fn body_that_stalls_is_a_response_timeout() {
    let server = start_stalling_body().await;
    expect_response_timeout(&server.url("http", "/")).await;
}

#[tokio::test]
async fn tls_handshake_that_stalls_is_a_connect_timeout() {
    // The server accepts TCP but never answers the ClientHello: the connect deadline covers
    // the handshake, so the request is known not to have been sent.
    let server = start_silent().await;
    let transport = builder().connect_timeout(SHORT).build().unwrap();
    let started = Instant::now();
    let error = transport
        .send(request(Method::GET, &server.url("https", "/")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            TransportError::Timeout {
                phase: TimeoutPhase::Connect,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.request_may_have_been_sent());
    assert_within_bound(started);
}

#[tokio::test]
async fn declared_oversized_body_is_body_too_large() {
    let server = start_http(|_| {
        http::Response::new(http_body_util::Full::new(vec![b'x'; 64 * 1024].into()))
    })
    .await;
    let transport = builder().max_response_body_size(1024).build().unwrap();
    let error = transport
        .send(request(Method::GET, &server.url("http", "/")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, TransportError::BodyTooLarge { limit: 1024, .. }),
        "{error:?}"
    );
    assert!(error.request_may_have_been_sent());
}

#[tokio::test]
async fn chunked_oversized_body_is_body_too_large_without_reading_it_all() {
    // No Content-Length: the limit is enforced while reading. The server would send 1 MiB in
    // chunks but is stopped early when the client drops the connection.
    let server = start_raw(|mut stream| async move {
        read_head(&mut stream).await;
        if stream
            .write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        let chunk = format!("400\r\n{}\r\n", "y".repeat(1024));
        for _ in 0..1024 {
            if stream.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
    })
    .await;
    let transport = builder().max_response_body_size(4096).build().unwrap();
    let error = transport
        .send(request(Method::GET, &server.url("http", "/")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, TransportError::BodyTooLarge { limit: 4096, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn connection_closed_before_the_response_is_io_and_maybe_sent() {
    let server = start_raw(|mut stream| async move {
        read_head(&mut stream).await;
        drop(stream);
    })
    .await;
    let transport = builder().build().unwrap();
    let error = transport
        .send(request(Method::POST, &server.url("http", "/")))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Io { .. }), "{error:?}");
    assert!(error.request_may_have_been_sent());
}

#[tokio::test]
async fn relative_uri_is_an_invalid_request() {
    let transport = builder().build().unwrap();
    let error = transport
        .send(request(Method::GET, "/v1/tasks"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, TransportError::InvalidRequest { .. }),
        "{error:?}"
    );
    assert!(!error.request_may_have_been_sent());
}

#[tokio::test]
async fn head_response_declaring_a_large_body_is_not_too_large() {
    let server = start_http(|_| {
        http::Response::new(http_body_util::Full::new(vec![b'x'; 64 * 1024].into()))
    })
    .await;
    let transport = builder().max_response_body_size(1024).build().unwrap();
    let response = transport
        .send(request(Method::HEAD, &server.url("http", "/")))
        .await
        .unwrap();
    assert_eq!(response.headers()["content-length"], "65536");
    assert!(response.body().is_empty());
}
