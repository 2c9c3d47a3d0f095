//! The pipeline and handlers against a `MockTaskStore`: statuses, bodies, and which store calls
//! each request makes (none, when a check before the handler refuses it); submodules per area.

mod create;
mod list_filters;
mod update;
mod versions;

use std::sync::Arc;
use std::time::Duration;

use api_auth::{AccessKey, Signer};
use api_model::{ProjectId, TaskId};
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST, RETRY_AFTER};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use mockall::predicate::eq;
use serde_json::{Value, json};

use crate::app::{App, Outcome};
use crate::auth::{Authenticator, Credentials, X_AUTH_TOKEN};
use crate::faults::{FaultConfig, FaultInjector, FaultKind};
use crate::identity::{Identity, IdentityConfig};
use crate::path_log::PathLog;
use crate::query::TaskQuery;
use crate::rate_limit::{RateLimit, RateLimitSchedule, RateLimiter, TimeSource};
use crate::request_id::RequestIds;
use crate::seed::IdGenerator;
use crate::stats::Stats;
use crate::store::{DeleteOutcome, InMemoryTaskStore, MockTaskStore, TaskPage, TaskStore};
use crate::task::{Task, TaskStatus};

const PROJECT: &str = "a4a5d4098fb4474fa22cd05f897d6b99";
const OTHER_PROJECT: &str = "0000000000000000000000000000000b";
const TOKEN: &str = "good-token";

fn project() -> ProjectId {
    PROJECT.parse().unwrap()
}

fn task_id(id: &str) -> TaskId {
    id.parse().unwrap()
}

fn app_with(store: MockTaskStore, faults: FaultConfig) -> App {
    app_on(Arc::new(store), faults)
}

fn app_on(store: Arc<dyn TaskStore>, faults: FaultConfig) -> App {
    let mut credentials = Credentials::default();
    credentials.add_token(TOKEN.into(), project());
    credentials.add_access_key("AK".into(), "SK".into(), project());
    App {
        store,
        auth: Authenticator::new(credentials, Duration::from_secs(900), None),
        identity: Arc::new(Identity::new(
            IdentityConfig::default(),
            project(),
            Arc::new(api_auth::SystemClock),
            Arc::default(),
        )),
        faults: FaultInjector::new(faults),
        rate_limiter: Arc::new(RateLimiter::new(
            TimeSource::new(None),
            None,
            RateLimitSchedule::new(),
        )),
        stats: Arc::new(Stats::default()),
        paths: Arc::new(PathLog::new(100)),
        request_ids: RequestIds::new(),
        ids: IdGenerator::new(1),
        max_body_size: 1024,
        created_status: TaskStatus::Running,
    }
}

fn app(store: MockTaskStore) -> App {
    app_with(store, FaultConfig::default())
}

/// An app on an in-memory store holding `tasks`, and the store.
fn app_in_memory(tasks: impl IntoIterator<Item = Task>) -> (App, Arc<InMemoryTaskStore>) {
    let store = Arc::new(InMemoryTaskStore::with_tasks(
        tasks.into_iter().map(|task| (project(), task)),
    ));
    (app_on(store.clone(), FaultConfig::default()), store)
}

fn request(method: Method, path: &str, body: &str) -> Request<Full<Bytes>> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(X_AUTH_TOKEN, TOKEN)
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap()
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    /// The body as JSON; `Value::Null` when there is none.
    body: Value,
    raw: Bytes,
}

fn run<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(future)
}

fn call<B>(app: &App, request: Request<B>) -> Answer
where
    B: http_body::Body<Data = Bytes>,
{
    run(async {
        match app.handle(request).await {
            Outcome::Respond(response) => {
                let (parts, body) = response.into_parts();
                let raw = body.collect().await.unwrap().to_bytes();
                let body = if raw.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_slice(&raw).unwrap()
                };
                Answer {
                    status: parts.status,
                    headers: parts.headers,
                    body,
                    raw,
                }
            }
            Outcome::Drop => panic!("the connection was dropped"),
        }
    })
}

fn is_dropped(app: &App, request: Request<Full<Bytes>>) -> bool {
    run(async { matches!(app.handle(request).await, Outcome::Drop) })
}

fn item(id: &str) -> String {
    format!("/v2/{PROJECT}/processor-tasks/{id}")
}

fn collection() -> String {
    format!("/v2/{PROJECT}/processor-tasks")
}

fn assert_error(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status.as_u16(), status, "{:?}", answer.body);
    assert_eq!(answer.body["error_code"], code, "{:?}", answer.body);
    assert!(
        answer.body["error_msg"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert_eq!(answer.headers[CONTENT_TYPE], "application/json");
    assert_eq!(answer.headers["x-request-id"].len(), 32);
}

#[test]
fn delete_outcomes_map_to_200_400_403() {
    for (outcome, status, code) in [
        (DeleteOutcome::Deleted, 200, None),
        (DeleteOutcome::NotFound, 400, Some("ModelArts.4700")),
        (DeleteOutcome::Initializing, 403, Some("ModelArts.4850")),
    ] {
        let mut store = MockTaskStore::new();
        store
            .expect_delete()
            .with(eq(project()), eq(task_id("SNEJua7qdZZN8GvkcEr")))
            .times(1)
            .return_const(outcome);
        let app = app(store);
        let answer = call(
            &app,
            request(Method::DELETE, &item("SNEJua7qdZZN8GvkcEr"), ""),
        );
        match code {
            None => {
                assert_eq!(answer.status, StatusCode::OK);
                assert_eq!(answer.body, json!({}));
                assert_eq!(answer.headers[CONTENT_TYPE], "application/json");
                assert!(answer.headers.contains_key("x-request-id"));
                assert_eq!(app.stats.snapshot().tasks_deleted, 1);
            }
            Some(code) => {
                assert_error(&answer, status, code);
                assert_eq!(app.stats.snapshot().tasks_deleted, 0);
            }
        }
    }
}

#[test]
fn task_id_segment_is_percent_decoded() {
    let mut store = MockTaskStore::new();
    store
        .expect_delete()
        .with(eq(project()), eq(task_id("a?b#c+é%41")))
        .times(1)
        .return_const(DeleteOutcome::Deleted);
    let app = app(store);
    let answer = call(
        &app,
        request(Method::DELETE, &item("a%3Fb%23c%2B%C3%A9%2541"), ""),
    );
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(app.paths.entries()[0].path, item("a%3Fb%23c%2B%C3%A9%2541"));
}

#[test]
fn impossible_task_ids_are_not_found_without_asking_the_store() {
    let app = app(MockTaskStore::new());
    for raw in ["%2F", "a%2Fb", "%FF", "%2E%2E", "%00"] {
        assert_error(
            &call(&app, request(Method::DELETE, &item(raw), "")),
            400,
            "ModelArts.4700",
        );
        assert_error(
            &call(&app, request(Method::GET, &item(raw), "")),
            400,
            "ModelArts.4700",
        );
    }
}

#[test]
fn describe_shows_the_task_or_4700() {
    let task = Task::new(task_id("abc"), "cleaning", "sys_data_cleaning")
        .with_description("d")
        .with_status(TaskStatus::Failed)
        .with_create_time(42);
    let mut store = MockTaskStore::new();
    store
        .expect_get()
        .with(eq(project()), eq(task_id("abc")))
        .return_const(Some(task));
    store
        .expect_get()
        .with(eq(project()), eq(task_id("gone")))
        .return_const(None);
    let app = app(store);
    let answer = call(&app, request(Method::GET, &item("abc"), ""));
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.body,
        json!({
            "task_id": "abc", "name": "cleaning", "description": "d", "status": 3,
            "create_time": 42, "template": {"id": "sys_data_cleaning"}, "workspace_id": "0",
            "duration_seconds": 0, "version_count": 0, "is_current": true
        })
    );
    assert_error(
        &call(&app, request(Method::GET, &item("gone"), "")),
        400,
        "ModelArts.4700",
    );
}

#[test]
fn list_passes_offset_and_limit_and_shapes_the_page() {
    let mut store = MockTaskStore::new();
    store
        .expect_search()
        .with(eq(project()), eq(TaskQuery::page(0, 10)))
        .times(1)
        .return_const(TaskPage::default());
    store
        .expect_search()
        .with(eq(project()), eq(TaskQuery::page(5, 2)))
        .times(1)
        .return_const(TaskPage {
            count: 9,
            tasks: vec![Task::new(task_id("t1"), "one", "sys_data_analyse")],
        });
    let app = app(store);
    let empty = call(&app, request(Method::GET, &collection(), ""));
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.body, json!({"count": 0, "tasks": []}));
    let page = call(
        &app,
        request(
            Method::GET,
            &format!("{}?limit=2&offset=5", collection()),
            "",
        ),
    );
    assert_eq!(page.body["count"], 9);
    assert_eq!(page.body["tasks"][0]["task_id"], "t1");
    assert_eq!(page.body["tasks"].as_array().map(Vec::len), Some(1));
}

#[test]
fn list_refuses_bad_paging_without_asking_the_store() {
    let app = app(MockTaskStore::new());
    for query in [
        "limit=0",
        "limit=101",
        "limit=x",
        "offset=-1",
        "offset=1.5",
        "limit=",
    ] {
        let answer = call(
            &app,
            request(Method::GET, &format!("{}?{query}", collection()), ""),
        );
        assert_error(&answer, 400, "ModelArts.0104");
    }
}

#[test]
fn templates_list_the_task_types() {
    let app = app(MockTaskStore::new());
    let answer = call(
        &app,
        request(Method::GET, &format!("{}/items", collection()), ""),
    );
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["total"], 5);
    assert_eq!(answer.body["items"][1]["template_id"], "sys_data_cleaning");
}

#[test]
fn create_stores_a_new_task() {
    let mut store = MockTaskStore::new();
    store
        .expect_insert_record()
        .withf(|project, record| {
            let task = record.task();
            project.as_str() == PROJECT
                && task.name == "n"
                && task.template.id == "sys_data_cleaning"
                && task.description == "about"
                && task.status == TaskStatus::Running
                && task.task_id.as_str().len() == 19
                && task.version_count == 0
                && record.versions().is_empty()
        })
        .times(1)
        .return_const(true);
    let app = app(store);
    let answer = call(
        &app,
        request(
            Method::POST,
            &collection(),
            r#"{"name": "n", "template": {"id": "sys_data_cleaning"}, "description": "about"}"#,
        ),
    );
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["task_id"].as_str().map(str::len), Some(19));
}

#[test]
fn create_retries_a_taken_id() {
    let mut store = MockTaskStore::new();
    let mut seq = mockall::Sequence::new();
    store
        .expect_insert_record()
        .times(1)
        .in_sequence(&mut seq)
        .return_const(false);
    store
        .expect_insert_record()
        .times(1)
        .in_sequence(&mut seq)
        .return_const(true);
    let app = app(store);
    let answer = call(
        &app,
        request(
            Method::POST,
            &collection(),
            r#"{"name":"n","template":{"id":"t"}}"#,
        ),
    );
    assert_eq!(answer.status, StatusCode::OK);
}

#[test]
fn create_refuses_bad_bodies_without_asking_the_store() {
    let app = app(MockTaskStore::new());
    for (body, code) in [
        ("{not json", "ModelArts.4105"),
        ("", "ModelArts.4105"),
        ("[]", "ModelArts.0104"),
        (r#"{"template": {"id": "t"}}"#, "ModelArts.0104"),
        (r#"{"name": "", "template": {"id": "t"}}"#, "ModelArts.0104"),
        (r#"{"name": "n"}"#, "ModelArts.0104"),
        (r#"{"name": "n", "template": {}}"#, "ModelArts.0104"),
        (r#"{"name": 1, "template": {"id": "t"}}"#, "ModelArts.0104"),
        (
            r#"{"name": "n", "template": {"id": "t"}, "description": "a<b"}"#,
            "ModelArts.0104",
        ),
        (
            r#"{"name": "n", "template": {"id": "t"}, "description": 5}"#,
            "ModelArts.0104",
        ),
    ] {
        let answer = call(&app, request(Method::POST, &collection(), body));
        assert_error(&answer, 400, code);
    }
    let long = format!(
        r#"{{"name": "n", "template": {{"id": "t"}}, "description": "{}"}}"#,
        "x".repeat(257)
    );
    assert_error(
        &call(&app, request(Method::POST, &collection(), &long)),
        400,
        "ModelArts.0104",
    );
}

#[test]
fn refused_credentials_never_reach_the_store() {
    // The mock has no expectations: any store call would panic.
    let app = app(MockTaskStore::new());
    let bare = Request::delete(item("t"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_error(&call(&app, bare), 401, "APIG.0301");

    let mut bad_token = request(Method::DELETE, &item("t"), "");
    bad_token
        .headers_mut()
        .insert(X_AUTH_TOKEN, "other".parse().unwrap());
    assert_error(&call(&app, bad_token), 401, "APIG.0301");

    let mut wrong_sk = Request::delete(format!("http://h{}", item("t")))
        .header(HOST, "h")
        .body(Bytes::new())
        .unwrap();
    Signer::new()
        .sign(&mut wrong_sk, &AccessKey::new("AK", "not-the-SK"))
        .unwrap();
    let answer = call(&app, wrong_sk.map(Full::new));
    assert_error(&answer, 401, "APIG.0301");
    let message = answer.body["error_msg"].as_str().unwrap_or_default();
    assert!(message.contains("signature does not match"), "{message}");

    let mut malformed = request(Method::DELETE, &item("t"), "");
    malformed.headers_mut().insert(
        "authorization",
        "SDK-HMAC-SHA256 Access=AK".parse().unwrap(),
    );
    assert_error(&call(&app, malformed), 401, "APIG.0301");

    let other = format!("/v2/{OTHER_PROJECT}/processor-tasks/t");
    assert_error(
        &call(&app, request(Method::DELETE, &other, "")),
        403,
        "ModelArts.0210",
    );
    assert_error(
        &call(
            &app,
            request(Method::DELETE, "/v2/NOT-A-PROJECT/processor-tasks/t", ""),
        ),
        400,
        "ModelArts.0210",
    );
    let mut header_mismatch = request(Method::DELETE, &item("t"), "");
    header_mismatch
        .headers_mut()
        .insert("x-project-id", OTHER_PROJECT.parse().unwrap());
    assert_error(&call(&app, header_mismatch), 403, "ModelArts.0210");

    let stats = app.stats.snapshot();
    assert_eq!(stats.auth_failures, 4);
    assert_eq!(stats.requests_received, 7);
}

#[test]
fn signed_requests_are_accepted() {
    let mut store = MockTaskStore::new();
    store
        .expect_delete()
        .times(1)
        .return_const(DeleteOutcome::Deleted);
    let app = app(store);
    let mut signed = Request::delete(format!("http://h{}", item("t")))
        .header(HOST, "h")
        .header("x-project-id", PROJECT)
        .body(Bytes::new())
        .unwrap();
    Signer::new()
        .sign(&mut signed, &AccessKey::new("AK", "SK"))
        .unwrap();
    assert_eq!(call(&app, signed.map(Full::new)).status, StatusCode::OK);
}

#[test]
fn unknown_paths_and_methods_are_404_without_auth_or_store() {
    let app = app(MockTaskStore::new());
    for (method, path) in [
        (Method::GET, "/".to_owned()),
        (Method::PATCH, item("t")),
        (Method::PUT, collection()),
        (Method::PATCH, format!("{}/versions", item("t"))),
        (Method::GET, format!("{}/versions/v/stop", item("t"))),
        (Method::DELETE, collection()),
        (Method::DELETE, format!("{}/", item("t"))),
        (Method::DELETE, format!("{}/x", item("t"))),
        (Method::GET, format!("/v2/{PROJECT}//processor-tasks")),
    ] {
        let unauthenticated = Request::builder()
            .method(method)
            .uri(path)
            .body(Full::new(Bytes::new()))
            .unwrap();
        let answer = call(&app, unauthenticated);
        assert_error(&answer, 404, "APIG.0101");
        assert_eq!(
            answer.body["error_msg"],
            "The API does not exist or has not been published in the environment"
        );
    }
    assert_eq!(app.stats.snapshot().auth_failures, 0);
}

/// A body of `n` 512-byte chunks with no declared length.
struct Chunks(usize);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if self.0 == 0 {
            return std::task::Poll::Ready(None);
        }
        self.0 -= 1;
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(vec![
            b'x';
            512
        ])))))
    }
}

#[test]
fn bodies_over_the_limit_are_413_before_auth() {
    let app = app(MockTaskStore::new());
    let unauthenticated = Request::post(collection()).body(Chunks(3)).unwrap();
    let answer = call(&app, unauthenticated);
    assert_error(&answer, 413, "APIG.0201");
    assert_eq!(answer.headers["connection"], "close");
    assert_eq!(app.stats.snapshot().auth_failures, 0);
}

#[test]
fn reply_faults_change_nothing() {
    for (config, status, code) in [
        (
            FaultConfig {
                too_many_requests: 1.0,
                retry_after_secs: 7,
                ..FaultConfig::default()
            },
            429,
            "ModelArts.4206",
        ),
        (
            FaultConfig {
                internal_error: 1.0,
                ..FaultConfig::default()
            },
            500,
            "ModelArts.0010",
        ),
        (
            FaultConfig {
                unavailable: 1.0,
                ..FaultConfig::default()
            },
            503,
            "ModelArts.4700",
        ),
    ] {
        let app = app_with(MockTaskStore::new(), config);
        let answer = call(&app, request(Method::DELETE, &item("t"), ""));
        assert_error(&answer, status, code);
        if status == 429 {
            assert_eq!(answer.headers[RETRY_AFTER], "7");
        }
    }
}

#[test]
fn faults_come_after_auth() {
    let config = FaultConfig {
        unavailable: 1.0,
        ..FaultConfig::default()
    };
    let app = app_with(MockTaskStore::new(), config);
    let bare = Request::delete(item("t"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_error(&call(&app, bare), 401, "APIG.0301");
    assert_eq!(app.stats.snapshot().faults_total(), 0);
}

#[test]
fn drop_faults() {
    let drop_only = FaultConfig {
        drop_connection: 1.0,
        ..FaultConfig::default()
    };
    let app = app_with(MockTaskStore::new(), drop_only);
    assert!(is_dropped(&app, request(Method::DELETE, &item("t"), "")));
    assert_eq!(app.stats.snapshot().faults(FaultKind::DropConnection), 1);

    let mut store = MockTaskStore::new();
    store
        .expect_delete()
        .with(eq(project()), eq(task_id("t")))
        .times(1)
        .return_const(DeleteOutcome::Deleted);
    let delete_then_drop = FaultConfig {
        delete_then_drop: 1.0,
        ..FaultConfig::default()
    };
    let app = app_with(store, delete_then_drop);
    assert!(is_dropped(&app, request(Method::DELETE, &item("t"), "")));
    let stats = app.stats.snapshot();
    assert_eq!(stats.tasks_deleted, 1);
    assert_eq!(stats.faults(FaultKind::DeleteThenDrop), 1);
    assert!(stats.responses.is_empty());
}

#[test]
fn latency_is_exactly_what_was_asked_and_only_after_auth() {
    // Paused time: the wait is measured exactly, and takes no real time.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let faults = FaultConfig {
        latency: Duration::from_millis(150),
        latency_jitter: Duration::from_millis(50),
        ..FaultConfig::default()
    };
    let app = app_with(MockTaskStore::new(), faults.clone());
    runtime.block_on(async {
        let unsigned = Request::builder()
            .uri(collection())
            .body(Full::new(Bytes::new()))
            .unwrap();
        let started = tokio::time::Instant::now();
        assert!(matches!(app.handle(unsigned).await, Outcome::Respond(_)));
        assert_eq!(started.elapsed(), Duration::ZERO, "no latency before auth");

        let mut store = MockTaskStore::new();
        store.expect_search().return_const(TaskPage::default());
        let app = app_with(store, faults);
        for _ in 0..20 {
            let started = tokio::time::Instant::now();
            assert!(matches!(
                app.handle(request(Method::GET, &collection(), "")).await,
                Outcome::Respond(_)
            ));
            let waited = started.elapsed();
            assert!(
                waited >= Duration::from_millis(150) && waited < Duration::from_millis(200),
                "{waited:?}"
            );
        }
    });
}

/// A limiter of `limit`, on Tokio's clock (create it inside a paused runtime to pause it).
fn limiter(limit: RateLimit) -> Arc<RateLimiter> {
    Arc::new(RateLimiter::new(
        TimeSource::new(None),
        Some(limit),
        RateLimitSchedule::new(),
    ))
}

#[test]
fn throttled_requests_come_after_auth_and_never_reach_the_store() {
    let mut store = MockTaskStore::new();
    store
        .expect_delete()
        .with(eq(project()), eq(task_id("t")))
        .times(1)
        .return_const(DeleteOutcome::Deleted);
    let mut app = app(store);
    app.rate_limiter = limiter(RateLimit::per_minute(1.0));
    // Refused before the limit: no token taken.
    let bare = Request::delete(item("t"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_error(&call(&app, bare), 401, "APIG.0301");
    assert_eq!(
        call(&app, request(Method::DELETE, &item("t"), "")).status,
        200
    );
    // The mock allows one delete only: a second reaching the store would panic.
    let answer = call(&app, request(Method::DELETE, &item("t"), ""));
    assert_error(&answer, 429, "APIG.0308");
    assert_eq!(
        answer.body["error_msg"],
        "The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1 minute"
    );
    assert_eq!(
        answer.body["request_id"],
        answer.headers["x-request-id"].to_str().unwrap()
    );
    assert!(answer.headers.get(RETRY_AFTER).is_none());
    let keys: Vec<&String> = answer.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["error_code", "error_msg", "request_id"]);
    let stats = app.stats.snapshot();
    assert_eq!(stats.throttled_for(crate::Route::DeleteTask), 1);
    assert_eq!(stats.responses(crate::Route::DeleteTask, 429), 1);
    assert_eq!(stats.tasks_deleted, 1);
}

#[test]
fn latency_comes_before_the_limit_and_time_can_be_paused() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let faults = FaultConfig {
        latency: Duration::from_millis(150),
        ..FaultConfig::default()
    };
    let mut store = MockTaskStore::new();
    store.expect_search().return_const(TaskPage::default());
    let mut app = app_with(store, faults);
    runtime.block_on(async {
        app.rate_limiter = limiter(RateLimit::per_second(2.0).retry_after(true));
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let started = tokio::time::Instant::now();
            let Outcome::Respond(response) =
                app.handle(request(Method::GET, &collection(), "")).await
            else {
                panic!("dropped");
            };
            assert_eq!(
                started.elapsed(),
                Duration::from_millis(150),
                "throttled too"
            );
            statuses.push(response.status().as_u16());
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                // Less than a token: 0.6 at 450 ms, 0.9 at 600 ms; at 2/s, under 1 s.
                assert_eq!(response.headers()[RETRY_AFTER], "1");
            }
        }
        // At 150 ms and 300 ms: the burst of 2; at 450 ms, 0.6 of a token; at 600 ms, 0.9.
        assert_eq!(statuses, [200, 200, 429, 429]);
        tokio::time::advance(Duration::from_millis(200)).await;
        let Outcome::Respond(response) = app.handle(request(Method::GET, &collection(), "")).await
        else {
            panic!("dropped");
        };
        assert_eq!(response.status(), StatusCode::OK, "a token by 950 ms");
    });
    let stats = app.stats.snapshot();
    assert_eq!(stats.throttled, 2);
    assert_eq!(stats.faults(FaultKind::Latency), 5);
}
