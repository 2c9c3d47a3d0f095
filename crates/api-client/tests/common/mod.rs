//! Shared helpers of the client's tests: a client over a mock transport, replies, a fixed clock.
#![allow(dead_code, unreachable_pub)]

use std::{
    sync::{Arc, Mutex},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use api_auth::MockClock;
use api_client::{Client, Credentials, RetryPolicy, Timeouts};
use api_transport::{MockTransport, TransportError};
use bytes::Bytes;
use http::{Request, Response};

pub const PROJECT: &str = "a4a5d4098fb4474fa22cd05f897d6b99";
pub const TASK: &str = "SNEJua7qdZZN8GvkcEr";
pub const AK: &str = "HPUAEXAMPLEAK0000001";
pub const SK: &str = "sk-secret-0123456789abcdefghijklmnopqrstuv";

pub type Sent = Arc<Mutex<Vec<Request<Bytes>>>>;

/// A clock that starts at 2026-11-28T12:00:00Z and moves one second per reading.
pub fn ticking_clock() -> Arc<MockClock> {
    let mut clock = MockClock::new();
    let tick = Arc::new(Mutex::new(0u64));
    clock.expect_now().returning(move || {
        let mut t = tick.lock().unwrap();
        *t += 1;
        UNIX_EPOCH + Duration::from_secs(1_795_867_200 + *t)
    });
    Arc::new(clock)
}

pub fn reply(status: u16, body: &str) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header("x-request-id", format!("rid-{status}"))
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

pub fn error_reply(status: u16, code: &str) -> Response<Bytes> {
    reply(
        status,
        &format!(r#"{{"error_code":"{code}","error_msg":"message for {code}"}}"#),
    )
}

/// A mock transport answering `answers` in order and recording the requests.
pub fn scripted(answers: Vec<Result<Response<Bytes>, TransportError>>) -> (MockTransport, Sent) {
    let sent: Sent = Arc::default();
    let mut transport = MockTransport::new();
    let mut seq = mockall::Sequence::new();
    for answer in answers {
        let sent = sent.clone();
        let mut answer = Some(answer);
        transport
            .expect_send()
            .times(1)
            .in_sequence(&mut seq)
            .returning(move |request| {
                sent.lock().unwrap().push(request);
                let answer = answer.take().unwrap();
                Box::pin(async move { answer })
            });
    }
    (transport, sent)
}

pub fn client_with(transport: MockTransport, credentials: Credentials) -> Client {
    Client::builder()
        .endpoint("https://modelarts.cn-north-4.myhuaweicloud.com")
        .project_id(PROJECT)
        .credentials(credentials)
        .transport(transport)
        .clock(ticking_clock())
        .retry_policy(RetryPolicy::default())
        .timeouts(Timeouts::default())
        .build()
        .unwrap()
}

/// A client on a loopback endpoint with AK/SK credentials and the given retry policy.
pub fn client_with_retry(transport: MockTransport, retry: RetryPolicy) -> Client {
    Client::builder()
        .endpoint("http://127.0.0.1:1")
        .project_id(PROJECT)
        .credentials(Credentials::ak_sk(AK, SK))
        .transport(transport)
        .retry_policy(retry)
        .build()
        .unwrap()
}

pub fn client(transport: MockTransport) -> Client {
    client_with(transport, Credentials::ak_sk(AK, SK))
}

pub fn task() -> api_model::TaskId {
    TASK.parse().unwrap()
}

pub fn now() -> SystemTime {
    SystemTime::now()
}
