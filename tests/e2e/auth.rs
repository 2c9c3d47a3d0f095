//! Item 6: requests signed by hand (`Signer::sign_parts`, fixed dates) and sent with
//! `HyperTransport`: expired and future dates, a wrong SK, a tampered signed header, a replay
//! to another path, and a token of another project are refused, and the store never changes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use api_auth::{AccessKey, SdkDate, Signer};
use api_client::{Credentials, Error, ErrorCode};
use api_emulator::Emulator;
use api_transport::{HyperTransport, SharedTransport, Transport};
use bytes::Bytes;
use e2e_tests::*;
use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderMap, HeaderValue, Method, Request, Uri};

/// The emulator's clock: 2026-11-28T12:00:00Z.
const NOW: u64 = 1_795_867_200;
const MINUTE: i64 = 60;

/// Tasks A and B (targets of the attacks), and three used by the control cases.
const TASKS: [&str; 5] = [
    "task-A",
    "task-B",
    "control-now",
    "control-past",
    "control-future",
];

async fn start() -> Emulator {
    emulator()
        .clock(FixedClock::at_unix(NOW))
        .with_tasks(&project(), TASKS.map(task))
        .with_tasks(&other_project(), [task("task-A")])
        .start()
        .await
        .unwrap()
}

/// A request to delete `task` in `project`, with the headers the SDK sends (all signed).
fn unsigned(emu: &Emulator, project: &str, task: &str) -> (Uri, HeaderMap) {
    let uri: Uri = format!("{}/v2/{project}/processor-tasks/{task}", emu.endpoint())
        .parse()
        .unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        HOST,
        HeaderValue::from_str(&emu.addr().to_string()).unwrap(),
    );
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("x-project-id", HeaderValue::from_str(project).unwrap());
    (uri, headers)
}

/// Signs `headers` for `DELETE uri` with `key`, dated `offset` seconds from the emulator's now.
fn sign(uri: &Uri, headers: &mut HeaderMap, key: &AccessKey, offset: i64) {
    let date = SdkDate::from_unix_seconds(NOW as i64 + offset).unwrap();
    Signer::new()
        .sign_parts(&Method::DELETE, uri, headers, b"", key, date)
        .unwrap();
}

fn request(uri: Uri, headers: HeaderMap) -> Request<Bytes> {
    let mut request = Request::new(Bytes::new());
    *request.method_mut() = Method::DELETE;
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    request
}

/// Sends `request` and returns the status, the error code and the message.
async fn send(transport: &HyperTransport, request: Request<Bytes>) -> (u16, String, String) {
    let response = transport.send(request).await.unwrap();
    let status = response.status().as_u16();
    if status == 200 {
        return (status, String::new(), String::new());
    }
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    (
        status,
        body["error_code"].as_str().unwrap_or("").to_owned(),
        body["error_msg"].as_str().unwrap_or("").to_owned(),
    )
}

fn ids(emu: &Emulator) -> Vec<String> {
    let mut ids: Vec<String> = emu
        .store()
        .task_ids(&project())
        .iter()
        .map(ToString::to_string)
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn forged_stale_and_misdirected_requests_are_refused_and_change_nothing() {
    let emu = start().await;
    let transport = http_transport();
    let key = AccessKey::new(AK, SK);

    // Controls: a fresh signature, and signatures 14 minutes off either way, are accepted,
    // so the refusals below come from what each case changes, not from the harness.
    for (task, offset) in [
        ("control-now", 0),
        ("control-past", -14 * MINUTE),
        ("control-future", 14 * MINUTE),
    ] {
        let (uri, mut headers) = unsigned(&emu, PROJECT, task);
        sign(&uri, &mut headers, &key, offset);
        let (status, code, message) = send(&transport, request(uri, headers)).await;
        assert_eq!(
            (status, code.as_str()),
            (200, ""),
            "control {task}: {message}"
        );
    }
    let before = ids(&emu);
    assert_eq!(before, ["task-A", "task-B"]);
    let deleted_before = emu.stats().tasks_deleted;

    let mut cases: Vec<(&str, Request<Bytes>, u16, &str, &str)> = Vec::new();

    // 1. Expired: dated 16 minutes ago, beyond the 15-minute skew.
    let (uri, mut headers) = unsigned(&emu, PROJECT, "task-A");
    sign(&uri, &mut headers, &key, -16 * MINUTE);
    cases.push((
        "expired date",
        request(uri, headers),
        401,
        "APIG.0301",
        "behind the server's clock",
    ));

    // 2. Too far in the future: 16 minutes ahead.
    let (uri, mut headers) = unsigned(&emu, PROJECT, "task-A");
    sign(&uri, &mut headers, &key, 16 * MINUTE);
    cases.push((
        "future date",
        request(uri, headers),
        401,
        "APIG.0301",
        "ahead of the server's clock",
    ));

    // 3. A wrong SK.
    let (uri, mut headers) = unsigned(&emu, PROJECT, "task-A");
    sign(
        &uri,
        &mut headers,
        &AccessKey::new(AK, "not-the-secret-key"),
        0,
    );
    cases.push((
        "wrong SK",
        request(uri, headers),
        401,
        "APIG.0301",
        "signature does not match",
    ));

    // 4. A signed header changed after signing (X-Project-Id, to the other project's id; the
    //    path is changed with it so that only the signature can catch it).
    let (uri, mut headers) = unsigned(&emu, OTHER_PROJECT, "task-A");
    sign(&uri, &mut headers, &key, 0);
    headers.insert("x-project-id", HeaderValue::from_static(PROJECT));
    cases.push((
        "tampered x-project-id",
        request(uri, headers),
        401,
        "APIG.0301",
        "signature does not match",
    ));

    let (uri, mut headers) = unsigned(&emu, PROJECT, "task-A");
    sign(&uri, &mut headers, &key, 0);
    headers.insert("x-project-id", HeaderValue::from_static(OTHER_PROJECT));
    cases.push((
        "tampered x-project-id (path kept)",
        request(uri, headers),
        401,
        "APIG.0301",
        "signature does not match",
    ));

    // 5. Replay with a changed path: signed for task A, sent to task B.
    let (uri_a, mut headers) = unsigned(&emu, PROJECT, "task-A");
    sign(&uri_a, &mut headers, &key, 0);
    let (uri_b, _) = unsigned(&emu, PROJECT, "task-B");
    cases.push((
        "replay to another task",
        request(uri_b, headers),
        401,
        "APIG.0301",
        "signature does not match",
    ));

    // 5b. The same signature replayed to the same path with a query added.
    let (uri, mut headers) = unsigned(&emu, PROJECT, "task-A");
    sign(&uri, &mut headers, &key, 0);
    let with_query: Uri = format!("{uri}?force=true").parse().unwrap();
    cases.push((
        "replay with a query",
        request(with_query, headers),
        401,
        "APIG.0301",
        "signature does not match",
    ));

    // 5c. A signed header removed.
    let (uri, mut headers) = unsigned(&emu, PROJECT, "task-A");
    sign(&uri, &mut headers, &key, 0);
    headers.remove(CONTENT_TYPE);
    cases.push((
        "signed header removed",
        request(uri, headers),
        401,
        "APIG.0301",
        "missing from the request",
    ));

    // 6. A token bound to the other project, used on this project's path.
    let (uri, mut headers) = unsigned(&emu, PROJECT, "task-A");
    headers.insert("x-auth-token", HeaderValue::from_static(OTHER_TOKEN));
    cases.push((
        "token of another project",
        request(uri, headers),
        403,
        "ModelArts.0210",
        "",
    ));

    // 6b. The AK/SK (bound to this project only) on the other project's path.
    let (uri, mut headers) = unsigned(&emu, OTHER_PROJECT, "task-A");
    sign(&uri, &mut headers, &key, 0);
    cases.push((
        "AK/SK on another project",
        request(uri, headers),
        403,
        "ModelArts.0210",
        "",
    ));

    // 6c. An unknown token, an unknown AK, no credentials at all.
    let (uri, mut headers) = unsigned(&emu, PROJECT, "task-A");
    headers.insert("x-auth-token", HeaderValue::from_static("forged-token"));
    cases.push((
        "unknown token",
        request(uri, headers),
        401,
        "APIG.0301",
        "X-Auth-Token is not valid",
    ));
    let (uri, mut headers) = unsigned(&emu, PROJECT, "task-A");
    sign(
        &uri,
        &mut headers,
        &AccessKey::new("UNKNOWNAK00000000000", SK),
        0,
    );
    cases.push((
        "unknown AK",
        request(uri, headers),
        401,
        "APIG.0301",
        "is unknown",
    ));
    let (uri, headers) = unsigned(&emu, PROJECT, "task-A");
    cases.push((
        "no credentials",
        request(uri, headers),
        401,
        "APIG.0301",
        "carries no credentials",
    ));

    let refusals = cases.len();
    for (name, request, status, code, phrase) in cases {
        let (got_status, got_code, message) = send(&transport, request).await;
        eprintln!("auth: {name}: {got_status} {got_code}: {message}");
        assert_eq!(
            (got_status, got_code.as_str()),
            (status, code),
            "{name}: {message}"
        );
        assert!(
            message.contains(phrase),
            "{name}: {message:?} lacks {phrase:?}"
        );
        assert!(!message.contains(SK), "{name}: the SK leaked");
        assert_eq!(ids(&emu), before, "{name} changed the store");
        assert!(emu.store().contains(&other_project(), &task_id("task-A")));
    }
    let stats = emu.stats();
    assert_eq!(stats.tasks_deleted, deleted_before);
    assert_eq!(stats.requests_received, 3 + refusals as u64);
    // Every 401 is an authentication failure; the 403s passed authentication.
    assert_eq!(stats.auth_failures, stats.responses_with_status(401));
    assert_eq!(stats.responses_with_status(403), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_client_reports_refused_credentials_as_typed_service_errors_without_retrying() {
    let emu = start().await;
    let transport = SharedTransport::new(http_transport());
    let before = ids(&emu);
    let client = |credentials: Credentials, clock_offset: i64| {
        client_builder(&emu.endpoint(), credentials, transport.clone())
            .retry_policy(fast_retries(5))
            .clock(FixedClock::at_unix((NOW as i64 + clock_offset) as u64))
            .build()
            .unwrap()
    };
    let cases: Vec<(&str, api_client::Client, u16, ErrorCode, &str)> = vec![
        (
            "wrong SK",
            client(Credentials::ak_sk(AK, "wrong-sk"), 0),
            401,
            ErrorCode::IncorrectIamAuthentication,
            "AK/SK",
        ),
        (
            "clock 20 min slow",
            client(Credentials::ak_sk(AK, SK), -20 * MINUTE),
            401,
            ErrorCode::IncorrectIamAuthentication,
            "clock",
        ),
        (
            "clock 20 min fast",
            client(Credentials::ak_sk(AK, SK), 20 * MINUTE),
            401,
            ErrorCode::IncorrectIamAuthentication,
            "clock",
        ),
        (
            "token of another project",
            client(Credentials::token(OTHER_TOKEN), 0),
            403,
            ErrorCode::ProjectIdMismatch,
            "project id",
        ),
    ];
    for (name, client, status, code, hint) in cases {
        let error = client
            .delete_processor_task_if_exists(&task_id("task-A"))
            .await
            .unwrap_err();
        eprintln!("auth via client: {name}: {error}");
        let Error::Service { source, attempts } = &error else {
            panic!("{name}: expected a service error, got {error:?}");
        };
        assert_eq!(source.status(), status, "{name}");
        assert_eq!(source.code(), &code, "{name}");
        assert_eq!(*attempts, 1, "{name}: credentials errors are not retried");
        assert!(!error.is_retryable(), "{name}");
        assert!(error.to_string().contains(hint), "{name}: {error}");
        assert!(error.request_id().is_some(), "{name}");
        assert_eq!(ids(&emu), before, "{name} changed the store");
    }
    // The same client set-up with the right clock and key works (control).
    let deleted = client(Credentials::ak_sk(AK, SK), 0)
        .delete_processor_task(&task_id("task-A"))
        .await
        .unwrap();
    assert_eq!(deleted.attempts, 1);
    assert!(!emu.store().contains(&project(), &task_id("task-A")));
    assert!(emu.store().contains(&other_project(), &task_id("task-A")));
    emu.shutdown().await;
}
