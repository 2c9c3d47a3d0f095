//! Item 4: malformed replies from a hand-written HTTP/1.1 server each give a typed error with
//! a useful message, retried only when retrying can help, and never a panic or a hang.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error as _;
use std::time::Duration;

use api_client::{Client, Credentials, Error, ErrorCode};
use api_transport::{DEFAULT_MAX_RESPONSE_BODY_SIZE, SharedTransport, TransportError};
use e2e_tests::raw_server::http_response;
use e2e_tests::*;

const ATTEMPTS: u32 = 3;
const TWENTY_MIB: u64 = 20 * 1024 * 1024;
const GUARD: Duration = Duration::from_secs(20);

/// Starts `script`, sends one delete through a client with 3 fast attempts and the default
/// transport limits, and returns the error and the server.
async fn delete_against(script: Script, if_exists: bool) -> (Error, RawServer) {
    let server = RawServer::start(script).await;
    let client: Client = client_builder(
        &server.endpoint(),
        Credentials::ak_sk(AK, SK),
        SharedTransport::new(http_transport()),
    )
    .retry_policy(fast_retries(ATTEMPTS))
    .build()
    .unwrap();
    let id = task_id("SNEJua7qdZZN8GvkcEr");
    let call = async {
        if if_exists {
            client.delete_processor_task_if_exists(&id).await
        } else {
            client.delete_processor_task(&id).await
        }
    };
    let result = tokio::time::timeout(GUARD, call)
        .await
        .expect("the client hung on a malformed reply");
    let error = match result {
        Ok(deletion) => panic!("a malformed reply was taken for success: {deletion:?}"),
        Err(error) => error,
    };
    (error, server)
}

/// The error's Display and its whole source chain, for the record.
fn describe(error: &Error) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        text.push_str(&format!(" <- {cause}"));
        next = cause.source();
    }
    text
}

#[tokio::test]
async fn an_html_502_page_is_a_service_error_keeping_the_page_text() {
    let page = b"<!DOCTYPE html>\r\n<html><head><title>502 Bad Gateway</title></head>\r\n\
                 <body><center><h1>502 Bad Gateway</h1></center><hr>nginx</body></html>\r\n";
    let (error, server) = delete_against(
        Script::WriteThenClose(http_response("502 Bad Gateway", "text/html", page)),
        false,
    )
    .await;
    eprintln!("html 502: {}", describe(&error));
    let service = error.service_error().expect("a service error");
    assert_eq!(service.status(), 502);
    assert_eq!(service.code(), &ErrorCode::Unknown(String::new()));
    assert!(
        service.message().contains("<h1>502 Bad Gateway</h1>"),
        "{service:?}"
    );
    assert!(
        !service.message().contains('\r'),
        "control characters kept: {service:?}"
    );
    assert_eq!(error.request_id(), Some("raw-server-0001"));
    // A 502 is transient: retried up to the limit.
    assert!(error.is_retryable());
    assert_eq!(error.attempts(), ATTEMPTS);
    assert_eq!(server.requests(), u64::from(ATTEMPTS));
    let message = error.to_string();
    assert!(
        message.contains("the service answered HTTP 502 Bad Gateway"),
        "{message}"
    );
    assert!(message.contains("try again later"), "{message}");
}

#[tokio::test]
async fn an_empty_500_is_a_service_error_saying_the_body_was_empty() {
    let (error, server) = delete_against(
        Script::WriteThenClose(http_response(
            "500 Internal Server Error",
            "application/json",
            b"",
        )),
        false,
    )
    .await;
    eprintln!("empty 500: {}", describe(&error));
    let Error::Service { source, attempts } = &error else {
        panic!("expected Error::Service, got {error:?}");
    };
    assert_eq!(source.status(), 500);
    assert_eq!(source.message(), "(empty body)");
    assert_eq!(*attempts, ATTEMPTS);
    assert_eq!(server.requests(), u64::from(ATTEMPTS));
    assert!(
        error.to_string().contains("HTTP 500 Internal Server Error"),
        "{error}"
    );
    assert!(error.to_string().contains("(empty body)"), "{error}");
}

#[tokio::test]
async fn truncated_json_with_400_is_a_service_error_not_mistaken_for_task_not_found() {
    // The cut-off body *starts* like "task does not exist"; a parser that guessed would turn
    // this into AlreadyGone. It must stay an error.
    let body = br#"{"error_code":"ModelArts.4700","error_m"#;
    let (error, server) = delete_against(
        Script::WriteThenClose(http_response("400 Bad Request", "application/json", body)),
        true,
    )
    .await;
    eprintln!("truncated json 400: {}", describe(&error));
    let service = error.service_error().expect("a service error");
    assert_eq!(service.status(), 400);
    assert_eq!(service.code(), &ErrorCode::Unknown(String::new()));
    assert!(
        service
            .message()
            .contains(r#"{"error_code":"ModelArts.4700","error_m"#)
    );
    assert!(!error.is_retryable());
    assert_eq!(error.attempts(), 1);
    assert_eq!(server.requests(), 1);
    assert!(
        error.to_string().contains("HTTP 400 Bad Request"),
        "{error}"
    );
}

#[tokio::test]
async fn a_200_with_a_non_json_body_is_a_decode_error() {
    let (error, server) = delete_against(
        Script::WriteThenClose(http_response("200 OK", "text/html", b"<html>OK</html>")),
        false,
    )
    .await;
    eprintln!("200 not json: {}", describe(&error));
    let Error::Decode { source, attempts } = &error else {
        panic!("expected Error::Decode, got {error:?}");
    };
    assert_eq!(source.status(), 200);
    assert!(source.reason().contains("not JSON"), "{source:?}");
    assert_eq!(source.body_excerpt(), "<html>OK</html>");
    assert_eq!(*attempts, 1);
    assert_eq!(server.requests(), 1);
    assert!(!error.is_retryable());
    assert_eq!(error.request_id(), Some("raw-server-0001"));
    let message = error.to_string();
    assert!(
        message.contains("could not read the service's reply (HTTP 200 OK)"),
        "{message}"
    );
    assert!(message.contains("expected a JSON object"), "{message}");
}

fn assert_body_too_large(error: &Error) {
    let Error::Transport {
        source,
        sent,
        attempts,
    } = error
    else {
        panic!("expected Error::Transport, got {error:?}");
    };
    assert!(
        matches!(source, TransportError::BodyTooLarge { limit, .. } if *limit == DEFAULT_MAX_RESPONSE_BODY_SIZE),
        "{source:?}"
    );
    assert!(*sent);
    // The same reply would be just as large: not retried.
    assert_eq!(*attempts, 1);
    assert!(!error.is_retryable());
    let message = error.to_string();
    assert!(
        message.contains("larger than the limit of 10485760 bytes"),
        "{message}"
    );
    assert!(message.contains("max_response_body_size"), "{message}");
}

#[tokio::test]
async fn a_20_mib_body_with_content_length_is_refused_from_the_header() {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {TWENTY_MIB}\r\n\r\n"
    );
    let (error, server) = delete_against(
        Script::Stream {
            head: head.into_bytes(),
            chunked: false,
            body_len: Some(TWENTY_MIB),
        },
        false,
    )
    .await;
    eprintln!("20 MiB (content-length): {}", describe(&error));
    assert_body_too_large(&error);
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_20_mib_chunked_body_is_cut_off_at_the_limit() {
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    let (error, server) = delete_against(
        Script::Stream {
            head: head.as_bytes().to_vec(),
            chunked: true,
            body_len: Some(TWENTY_MIB),
        },
        false,
    )
    .await;
    eprintln!(
        "20 MiB (chunked): {} (server wrote {} bytes)",
        describe(&error),
        server.body_bytes_written()
    );
    assert_body_too_large(&error);
    // Nothing announced the size: the limit was found by reading past it.
    assert!(server.body_bytes_written() > DEFAULT_MAX_RESPONSE_BODY_SIZE as u64);
}

#[tokio::test]
async fn an_endless_body_is_cut_off_at_the_limit_so_memory_stays_bounded() {
    // If the client buffered without bound, this would never end (and the guard would fail it).
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    let (error, server) = delete_against(
        Script::Stream {
            head: head.as_bytes().to_vec(),
            chunked: true,
            body_len: None,
        },
        false,
    )
    .await;
    eprintln!(
        "endless body: {} (server wrote {} bytes before the client hung up)",
        describe(&error),
        server.body_bytes_written()
    );
    assert_body_too_large(&error);
}

#[tokio::test]
async fn a_body_cut_off_mid_stream_is_an_io_error_that_may_have_been_sent() {
    let cut = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"partial\": tr"
        .to_vec();
    let (error, server) = delete_against(Script::WriteThenClose(cut), false).await;
    let described = describe(&error);
    eprintln!("cut off mid-stream: {described}");
    let Error::Transport {
        source,
        sent,
        attempts,
    } = &error
    else {
        panic!("expected Error::Transport, got {error:?}");
    };
    assert!(matches!(source, TransportError::Io { .. }), "{source:?}");
    assert!(*sent && error.request_may_have_been_sent());
    // DELETE is idempotent, and a broken connection may be a passing glitch: retried.
    assert!(error.is_retryable());
    assert_eq!(*attempts, ATTEMPTS);
    assert_eq!(server.requests(), u64::from(ATTEMPTS));
    assert!(
        described.contains("the connection failed while the request was in flight"),
        "{described}"
    );
    assert!(described.contains("after 3 attempt(s)"), "{described}");
    // hyper's own words are in the chain, for whoever debugs it.
    assert!(
        described.contains("end of file before message length reached"),
        "{described}"
    );
}

#[tokio::test]
async fn a_reply_that_is_not_http_at_all_is_an_io_error() {
    let (error, server) = delete_against(
        Script::WriteThenClose(b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec()),
        false,
    )
    .await;
    let described = describe(&error);
    eprintln!("not HTTP: {described}");
    assert!(
        matches!(
            &error,
            Error::Transport {
                source: TransportError::Io { .. },
                sent: true,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.attempts(), ATTEMPTS);
    assert_eq!(server.requests(), u64::from(ATTEMPTS));
    assert!(described.contains("in flight"), "{described}");
    assert!(described.contains("invalid HTTP version"), "{described}");
}
