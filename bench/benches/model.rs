//! The sans-IO steps of one delete that no other crate's bench measures: building the path
//! (with percent-encoding) and the request, and reading an error reply.
//! Run with `cargo bench -p bench --bench model` (or through `cargo xtask bench`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use api_model::{
    DeleteProcessorTask, Endpoint, Operation, ProjectId, ServiceError, TaskId, parse_error_body,
};
use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue, Response, StatusCode};

const PROJECT: &str = "a4a5d4098fb4474fa22cd05f897d6b99";
/// The shape of every public example: nothing to encode.
const PLAIN_ID: &str = "SNEJua7qdZZN8GvkcEr";
/// An id with bytes to percent-encode (the emulator's interop test uses it).
const ODD_ID: &str = "odd?id#%41+é~";
const ERROR_BODY: &[u8] =
    br#"{"error_code": "ModelArts.4700", "error_msg": "Task does not exist. task_id: SNEJua7qdZZN8GvkcEr"}"#;

fn op(task: &str) -> DeleteProcessorTask {
    let project: ProjectId = PROJECT.parse().unwrap();
    let task: TaskId = task.parse().unwrap();
    DeleteProcessorTask::new(project, task)
}

fn path(c: &mut Criterion) {
    let plain = op(PLAIN_ID);
    let odd = op(ODD_ID);
    let endpoint = Endpoint::for_region("cn-north-4").unwrap();
    c.bench_function("path: DeleteProcessorTask::path, plain id", |b| {
        b.iter(|| black_box(&plain).path())
    });
    c.bench_function("path: DeleteProcessorTask::path, id to encode", |b| {
        b.iter(|| black_box(&odd).path())
    });
    c.bench_function("path: build_request (path + URI), plain id", |b| {
        b.iter(|| {
            black_box(&plain)
                .build_request(black_box(&endpoint))
                .unwrap()
        })
    });
    c.bench_function("path: TaskId::from_str (validation)", |b| {
        b.iter(|| black_box(PLAIN_ID).parse::<TaskId>().unwrap())
    });
}

fn error_body(c: &mut Criterion) {
    c.bench_function("error: parse_error_body, 4700", |b| {
        b.iter(|| parse_error_body(black_box(ERROR_BODY)))
    });
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-request-id",
        HeaderValue::from_static("0d2c4ba4f1a94d7b8a3e1f6c5b7d9e01"),
    );
    c.bench_function("error: ServiceError::from_reply, 4700", |b| {
        b.iter(|| {
            ServiceError::from_reply(
                StatusCode::BAD_REQUEST,
                black_box(&headers),
                black_box(ERROR_BODY),
            )
        })
    });
    let mut reply = Response::new(Bytes::from_static(ERROR_BODY));
    *reply.status_mut() = StatusCode::BAD_REQUEST;
    *reply.headers_mut() = headers.clone();
    c.bench_function(
        "error: DeleteProcessorTask::parse_response, 400 4700",
        |b| b.iter(|| DeleteProcessorTask::parse_response(black_box(&reply)).unwrap_err()),
    );
    let ok = Response::new(Bytes::from_static(b"{}"));
    c.bench_function(
        "success: DeleteProcessorTask::parse_response, 200 {}",
        |b| b.iter(|| DeleteProcessorTask::parse_response(black_box(&ok)).unwrap()),
    );
}

criterion_group!(benches, path, error_body);
criterion_main!(benches);
