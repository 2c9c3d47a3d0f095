//! Connection reuse, and requests arriving exactly as given.

use api_transport::Transport;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;

use crate::common::{builder, ok_json, request, start_http};

#[tokio::test]
async fn twenty_sequential_requests_use_one_connection() {
    let server = start_http(ok_json()).await;
    let transport = builder().build().unwrap();
    for i in 0..20 {
        let url = server.url("http", &format!("/v2/p/processor-tasks/{i}"));
        let response = transport.send(request(Method::DELETE, &url)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body(), "{}");
    }
    assert_eq!(server.connection_count(), 1);
    assert_eq!(server.seen().len(), 20);
}

#[tokio::test]
async fn clones_share_the_pool() {
    let server = start_http(ok_json()).await;
    let transport = builder().build().unwrap();
    let clone = transport.clone();
    transport
        .send(request(Method::GET, &server.url("http", "/a")))
        .await
        .unwrap();
    clone
        .send(request(Method::GET, &server.url("http", "/b")))
        .await
        .unwrap();
    assert_eq!(server.connection_count(), 1);
}

#[tokio::test]
async fn request_is_sent_exactly_as_given() {
    let server = start_http(|seen| {
        Response::builder()
            .status(StatusCode::ACCEPTED)
            .header("x-request-id", "r-1")
            .body(Full::new(seen.body.clone()))
            .unwrap()
    })
    .await;
    let transport = builder().build().unwrap();
    let target = "/v2/p%2Fq/processor-tasks/a%20b;c/%7E?x=1%2C2&y=%E2%9C%93&z";
    let request = Request::builder()
        .method(Method::POST)
        .uri(server.url("http", target))
        .header("x-sdk-date", "20250101T000000Z")
        .header("content-type", "application/json")
        .body(Bytes::from_static(br#"{"name":"t"}"#))
        .unwrap();
    let response = transport.send(request).await.unwrap();

    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(response.headers()["x-request-id"], "r-1");
    assert_eq!(response.body(), r#"{"name":"t"}"#);
    let seen = &server.seen()[0];
    assert_eq!(seen.method, Method::POST);
    assert_eq!(
        seen.target, target,
        "the path and query must not be re-encoded"
    );
    assert_eq!(seen.headers["x-sdk-date"], "20250101T000000Z");
    assert_eq!(seen.headers["content-type"], "application/json");
    assert_eq!(seen.headers["host"], server.addr.to_string());
    assert_eq!(seen.body, r#"{"name":"t"}"#);
}

#[tokio::test]
async fn large_body_under_the_limit_is_read_whole() {
    let body = Bytes::from(vec![b'x'; 300 * 1024]);
    let server = start_http({
        let body = body.clone();
        move |_| Response::new(Full::new(body.clone()))
    })
    .await;
    let transport = builder()
        .max_response_body_size(300 * 1024)
        .build()
        .unwrap();
    let response = transport
        .send(request(Method::GET, &server.url("http", "/big")))
        .await
        .unwrap();
    assert_eq!(response.body(), &body);
}
