//! DeleteProcessorTask end to end within the model: the request it builds and every reply it reads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use api_model::{DeleteProcessorTask, Endpoint, ErrorCode, Operation, ResponseError};
use bytes::Bytes;
use http::{Method, Response, StatusCode};

fn op(task: &str) -> DeleteProcessorTask {
    DeleteProcessorTask::new(
        "a4a5d4098fb4474fa22cd05f897d6b99".parse().unwrap(),
        task.parse().unwrap(),
    )
}

fn reply(status: u16, body: &'static str) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header("x-request-id", "rid-7")
        .body(Bytes::from_static(body.as_bytes()))
        .unwrap()
}

#[test]
fn spec_facts_are_generated() {
    assert_eq!(DeleteProcessorTask::METHOD, Method::DELETE);
    assert_eq!(
        DeleteProcessorTask::PATH_TEMPLATE,
        "/v2/{project_id}/processor-tasks/{task_id}"
    );
    assert_eq!(DeleteProcessorTask::SUCCESS_STATUSES, &[200]);
    assert_eq!(
        DeleteProcessorTask::DOCUMENTED_STATUSES,
        &[200, 400, 401, 403, 404, 413, 429, 500, 503]
    );
    const { assert!(DeleteProcessorTask::IDEMPOTENT) };
}

#[test]
fn builds_an_encoded_path_under_the_endpoint_prefix() {
    let endpoint: Endpoint = "http://127.0.0.1:9000/gateway".parse().unwrap();
    let request = op("a?b#c%d").build_request(&endpoint).unwrap();
    assert_eq!(request.method(), Method::DELETE);
    assert_eq!(
        request.uri().to_string(),
        "http://127.0.0.1:9000/gateway/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks/a%3Fb%23c%25d"
    );
    assert!(request.body().is_empty());
}

#[test]
fn success_is_ok() {
    assert_eq!(
        DeleteProcessorTask::parse_response(&reply(200, "{ }")),
        Ok(())
    );
    assert_eq!(DeleteProcessorTask::parse_response(&reply(200, "")), Ok(()));
}

#[test]
fn each_documented_error_status_is_typed() {
    let cases = [
        (
            400,
            r#"{"error_code":"ModelArts.4700","error_msg":"Task does not exist."}"#,
            ErrorCode::TaskNotFound,
        ),
        (
            401,
            r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}"#,
            ErrorCode::IncorrectIamAuthentication,
        ),
        (
            403,
            r#"{"error_code":"ModelArts.4850","error_msg":"initializing"}"#,
            ErrorCode::TaskInitializing,
        ),
        (
            403,
            r#"{"error_code":"ModelArts.0210","error_msg":"project mismatch"}"#,
            ErrorCode::ProjectIdMismatch,
        ),
        (
            429,
            r#"{"error_code":"ModelArts.4206","error_msg":"slow down"}"#,
            ErrorCode::TooManyRequests,
        ),
        (
            500,
            r#"{"error_code":"ModelArts.0010","error_msg":"internal"}"#,
            ErrorCode::InternalError,
        ),
        (
            503,
            r#"{"error_code":"ModelArts.4700","error_msg":"gateway"}"#,
            ErrorCode::GatewayUnavailable,
        ),
        (
            404,
            r#"{"error_code":"APIG.0101","error_msg":"no such API"}"#,
            ErrorCode::ApiNotFound,
        ),
    ];
    for (status, body, code) in cases {
        match DeleteProcessorTask::parse_response(&reply(status, body)) {
            Err(ResponseError::Service(e)) => {
                assert_eq!(e.status(), StatusCode::from_u16(status).unwrap());
                assert_eq!(e.code(), &code, "{status} {body}");
                assert_eq!(e.request_id(), Some("rid-7"));
            }
            other => panic!("{status}: {other:?}"),
        }
    }
}

#[test]
fn malformed_success_replies_are_decode_errors() {
    for (status, body, needle) in [
        (200, "<html>ok</html>", "not JSON"),
        (200, "{\"trunc", "not JSON"),
        (200, "[]", "JSON array"),
    ] {
        match DeleteProcessorTask::parse_response(&reply(status, body)) {
            Err(ResponseError::Decode(e)) => {
                assert!(e.to_string().contains(needle), "{e}");
                assert_eq!(e.request_id(), Some("rid-7"));
            }
            other => panic!("{status} {body}: {other:?}"),
        }
    }
}

#[test]
fn a_success_status_the_spec_does_not_list_still_means_deleted() {
    // The spec lists `200 {}`; a `204`, or a `202` with any body, means the service did it.
    for (status, body) in [(204, ""), (202, "accepted"), (200, "")] {
        assert_eq!(
            DeleteProcessorTask::parse_response(&reply(status, body)).ok(),
            Some(()),
            "{status} {body:?}"
        );
    }
    // An operation with output still needs a readable body on any 2xx.
    let Err(ResponseError::Decode(e)) =
        api_model::DescribeProcessorTask::parse_response(&reply(204, ""))
    else {
        panic!("a 204 has no task to read");
    };
    assert!(
        e.to_string().contains("answers [200] on success, not 204"),
        "{e}"
    );
}

#[test]
fn gateway_pages_keep_the_status_and_text() {
    let Err(ResponseError::Service(e)) =
        DeleteProcessorTask::parse_response(&reply(502, "<html>Bad Gateway</html>"))
    else {
        panic!("expected a service error");
    };
    assert_eq!(e.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(e.code(), &ErrorCode::Unknown(String::new()));
    assert!(e.to_string().contains("Bad Gateway"));
}
