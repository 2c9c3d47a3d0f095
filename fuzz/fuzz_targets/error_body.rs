//! Error replies: `parse_error_body`, `ServiceError::from_reply` and
//! `DeleteProcessorTask::parse_response` on arbitrary bodies, statuses and request ids.
//!
//! Input: 2 bytes of status (mapped onto 100..=999), 1 byte saying whether an `X-Request-Id`
//! follows (its length in the next byte), then the body.
#![no_main]

use api_model::{
    DeleteProcessorTask, Operation, RAW_BODY_LIMIT, REQUEST_ID_HEADER, ResponseError, ServiceError,
    parse_error_body,
};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, rest) = match data {
        [a, b, rest @ ..] => (100 + u16::from_le_bytes([*a, *b]) % 900, rest),
        _ => (500, data),
    };
    let status = StatusCode::from_u16(status).expect("100..=999 is a valid status");
    let mut headers = HeaderMap::new();
    let body = match rest {
        [flag, len, rest @ ..] if flag & 1 == 1 => {
            let len = usize::from(*len).min(rest.len());
            if let Ok(value) = HeaderValue::from_bytes(&rest[..len]) {
                headers.insert(REQUEST_ID_HEADER, value);
            }
            &rest[len..]
        }
        [_, rest @ ..] => rest,
        [] => rest,
    };

    // The parser: never panics; a code it finds is never empty, nor is a message.
    let parsed = parse_error_body(body);
    assert!(parsed.code.as_deref() != Some(""));
    assert!(parsed.message.as_deref() != Some(""));

    // The typed error: keeps the status; with no message in the body, the raw excerpt is capped.
    let error = ServiceError::from_reply(status, &headers, body);
    assert_eq!(error.status(), status);
    // Never empty: a body of nothing but control characters is "(empty body)" (a fuzz find,
    // fixed in api-model; tests/interop/tests/fuzz_regressions.rs keeps it fixed).
    assert!(!error.message().is_empty(), "empty message for body {body:?}");
    if parsed.message.is_none() {
        assert!(
            error.message().len() <= RAW_BODY_LIMIT * 3 + 64,
            "raw excerpt of {} bytes",
            error.message().len()
        );
        assert!(!error.message().chars().any(|c| c.is_control() && c != ' '));
    }
    assert_eq!(
        error.request_id(),
        headers.get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok())
    );
    let _ = error.to_string();

    // The operation's reply parser: 200 decodes (or is a decode error), other 2xx are decode
    // errors, everything else is the same ServiceError.
    let mut response = Response::new(Bytes::copy_from_slice(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    match DeleteProcessorTask::parse_response(&response) {
        Ok(()) => assert_eq!(status, StatusCode::OK),
        Err(ResponseError::Decode(e)) => {
            assert!(status.is_success());
            let _ = e.to_string();
        }
        Err(ResponseError::Service(e)) => {
            assert!(!status.is_success());
            assert_eq!(e, error);
        }
    }
});
