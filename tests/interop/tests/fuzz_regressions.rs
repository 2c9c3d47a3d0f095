//! Regressions found by `cargo xtask fuzz` in other crates: each test asserts the documented
//! behaviour that the fuzzer once broke, so that the fix stays.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use api_model::{DeleteProcessorTask, Operation, ResponseError, ServiceError};
use bytes::Bytes;
use http::{HeaderMap, Response, StatusCode};

/// Found by the `error_body` target within a second, input `7a a8 ca 0f` (status 930, no
/// request id, body `0x0f`).
///
/// `ServiceError::from_reply` documents that a body without a JSON error keeps "the raw body as
/// the message", and its `raw_excerpt` helper (crates/api-model/src/service_error.rs) answers
/// "(empty body)" for a body with no text. But it checks for emptiness *before* it removes
/// control characters, so a body of nothing but control characters (`"\x0f"`, `"\0"`,
/// `"\x1b\x07"`, `"\x7f"`, or any mix with whitespace) gives an empty message, and the error
/// displays as `the service answered HTTP 502 Bad Gateway: ` with nothing after the colon.
/// Expected: "(empty body)" (or some non-empty note). The fix: test `out.is_empty()` after the
/// filter, not `text.is_empty()` before it.
#[test]
fn a_body_of_control_characters_still_gives_a_message() {
    for body in [&b"\x0f"[..], b"\x00", b"\x1b\x07", b"\x7f", b" \x01\t\x02 "] {
        let error = ServiceError::from_reply(StatusCode::BAD_GATEWAY, &HeaderMap::new(), body);
        assert!(
            !error.message().is_empty(),
            "body {body:?}: empty message; displays as {:?}",
            error.to_string()
        );
        let mut response = Response::new(Bytes::copy_from_slice(body));
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        match DeleteProcessorTask::parse_response(&response) {
            Err(ResponseError::Service(e)) => assert!(!e.message().is_empty(), "{body:?}"),
            other => panic!("{other:?}"),
        }
    }
}

/// The neighbours of the bug that already behave: an empty or blank body says so, and visible
/// text survives with the control characters removed.
#[test]
fn empty_and_blank_bodies_are_named() {
    for body in [&b""[..], b"   ", b"\r\n\t"] {
        let error = ServiceError::from_reply(StatusCode::BAD_GATEWAY, &HeaderMap::new(), body);
        assert_eq!(error.message(), "(empty body)", "{body:?}");
    }
    let error = ServiceError::from_reply(StatusCode::BAD_GATEWAY, &HeaderMap::new(), b"a\x0fb");
    assert_eq!(error.message(), "ab");
}

/// Found by the `ids` target after 44 s (1.9 M executions): 46 characters, mostly U+302E
/// (a combining tone mark) with a few U+FFFD, gave a `ProjectId` error of 403 characters.
///
/// api-model's property test `error_messages_stay_short` (crates/api-model/tests/properties.rs)
/// asserts that an id error message has fewer than 400 characters, and `InvalidId` documents
/// that it shows the value "shortened". But `shorten` (crates/api-model/src/ids/error.rs) cuts
/// the value after 40 *characters* and then escapes each with `escape_debug`, which writes a
/// non-printable or combining character as up to 10 characters (`\u{e0001}`): 40 of them show
/// as up to 400 characters before the rule's text is added. Random strings (proptest's
/// `any::<String>()`) seldom hit it; the fuzzer did. Expected: fewer than 400 characters for
/// every input. The fix: cut on the escaped length (say, 80 characters), not on the characters.
#[test]
fn id_error_messages_stay_under_400_characters() {
    let inputs = [
        "\u{e0001}".repeat(39),
        format!("{}/", "\u{302e}".repeat(40)),
        format!("{} ", "\u{302e}".repeat(41)),
    ];
    for input in &inputs {
        let message = input.parse::<api_model::TaskId>().unwrap_err().to_string();
        assert!(
            message.chars().count() < 400,
            "task id error of {} characters: {message}",
            message.chars().count()
        );
    }
    let project = "\u{302e}".repeat(40);
    let message = project
        .parse::<api_model::ProjectId>()
        .unwrap_err()
        .to_string();
    assert!(
        message.chars().count() < 400,
        "project id error of {} characters: {message}",
        message.chars().count()
    );
}
