//! The rest of the family through the client alone (mock transport): what each method sends,
//! what it returns, bounds refused before sending, and POSTs never resent once maybe sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use api_auth::{SecretKey, Verifier};
use api_client::{Error, InvalidInput, RetryPolicy, TaskStatus, VersionId};
use api_model::{
    BuildError, CreateProcessorTaskRequest, CreateProcessorTaskVersionRequest,
    ListProcessorTasksQuery, TemplateParam, UpdateProcessorTaskRequest,
};
use api_transport::{MockTransport, TimeoutPhase, TransportError};
use common::*;
use futures_util::TryStreamExt;

const TASK_JSON: &str = r#"{"task_id": "SNEJua7qdZZN8GvkcEr", "name": "clean-1", "status": 3, "create_time": 1700000000000, "error_msg": "out of memory", "template": {"id": "sys_data_cleaning"}}"#;

fn version() -> VersionId {
    "qSaudx2sbPvthHygckA".parse().unwrap()
}

fn base() -> String {
    format!("https://modelarts.cn-north-4.myhuaweicloud.com/v2/{PROJECT}/processor-tasks")
}

fn new_task() -> CreateProcessorTaskRequest {
    CreateProcessorTaskRequest::new("clean-1", TemplateParam::new("sys_data_cleaning"))
        .description("nightly")
}

#[tokio::test(start_paused = true)]
async fn each_method_sends_its_request_and_reads_its_reply() {
    let (transport, sent) = scripted(vec![
        Ok(reply(200, r#"{"task_id": "SNEJua7qdZZN8GvkcEr"}"#)),
        Ok(reply(
            200,
            &format!(r#"{{"count": 1, "tasks": [{TASK_JSON}]}}"#),
        )),
        Ok(reply(200, TASK_JSON)),
        Ok(reply(200, "{}")),
        Ok(reply(
            200,
            r#"{"total": 1, "items": [{"template_id": "sys_data_analyse", "label_en": "Data analysis"}]}"#,
        )),
        Ok(reply(200, r#"{"version_id": "qSaudx2sbPvthHygckA"}"#)),
        Ok(reply(
            200,
            r#"{"count": 1, "versions": [{"task_version_id": "qSaudx2sbPvthHygckA", "task_id": "SNEJua7qdZZN8GvkcEr", "status": 1, "create_time": 5}]}"#,
        )),
        Ok(reply(
            200,
            r#"{"task_version_id": "qSaudx2sbPvthHygckA", "task_id": "SNEJua7qdZZN8GvkcEr", "status": 4, "create_time": 5}"#,
        )),
        Ok(reply(200, "{}")),
        Ok(reply(204, "")),
    ]);
    let client = client(transport);
    let created = client.create_processor_task(new_task()).await.unwrap();
    assert_eq!(created.task_id, task());
    let page = client
        .list_processor_tasks(ListProcessorTasksQuery::default().status(TaskStatus::Failed))
        .await
        .unwrap();
    assert_eq!(page.count, 1);
    assert_eq!(page.tasks[0].error_msg.as_deref(), Some("out of memory"));
    let described = client.describe_processor_task(&task()).await.unwrap();
    assert_eq!(described.status, TaskStatus::Failed);
    client
        .update_processor_task(
            &task(),
            UpdateProcessorTaskRequest::new().description("kept"),
        )
        .await
        .unwrap();
    let items = client
        .get_processor_task_items(Default::default())
        .await
        .unwrap();
    assert_eq!(items.items[0].template_id, "sys_data_analyse");
    let new_version = client
        .create_processor_task_version(&task(), Default::default())
        .await
        .unwrap();
    assert_eq!(new_version.version_id, version());
    let versions = client
        .list_processor_task_versions(&task(), Default::default())
        .await
        .unwrap();
    assert_eq!(versions.versions[0].status, TaskStatus::Running);
    let one = client
        .describe_processor_task_version(&task(), &version())
        .await
        .unwrap();
    assert_eq!(one.status, TaskStatus::Stopped);
    client
        .stop_processor_task_version(&task(), &version())
        .await
        .unwrap();
    client
        .delete_processor_task_version(&task(), &version())
        .await
        .unwrap();

    let sent = sent.lock().unwrap();
    let lines: Vec<String> = sent
        .iter()
        .map(|r| format!("{} {}", r.method(), r.uri()))
        .collect();
    let t = TASK;
    let v = "qSaudx2sbPvthHygckA";
    let b = base();
    assert_eq!(
        lines,
        [
            format!("POST {b}"),
            format!("GET {b}?status=3"),
            format!("GET {b}/{t}"),
            format!("PUT {b}/{t}"),
            format!("GET {b}/items"),
            format!("POST {b}/{t}/versions"),
            format!("GET {b}/{t}/versions"),
            format!("GET {b}/{t}/versions/{v}"),
            format!("POST {b}/{t}/versions/{v}/stop"),
            format!("DELETE {b}/{t}/versions/{v}"),
        ]
    );
    let body: serde_json::Value = serde_json::from_slice(sent[0].body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"name": "clean-1", "template": {"id": "sys_data_cleaning"}, "description": "nightly"})
    );
    assert_eq!(sent[3].body().as_ref(), br#"{"description":"kept"}"#);
    assert_eq!(sent[5].body().as_ref(), b"{}");
    // Bodies and queries are covered by the signature: the verifier accepts each request.
    let verifier = Verifier::new(|ak: &str| (ak == AK).then(|| SecretKey::new(SK)))
        .with_clock(ticking_clock());
    for request in sent.iter() {
        verifier
            .verify(request)
            .unwrap_or_else(|e| panic!("{} {}: {e}", request.method(), request.uri()));
    }
    let mut tampered = sent[0].clone();
    *tampered.body_mut() = bytes::Bytes::from_static(br#"{"name":"other"}"#);
    assert!(verifier.verify(&tampered).is_err(), "the body is signed");
}

#[tokio::test(start_paused = true)]
async fn posts_are_not_sent_again_once_they_may_have_been_sent() {
    let maybe_sent = || {
        vec![
            Err(TransportError::io(std::io::Error::other("reset by peer"))),
            Err(TransportError::timeout(TimeoutPhase::Response)),
            Ok(error_reply(503, "ModelArts.4700")),
            Ok(error_reply(500, "ModelArts.0010")),
            Ok(error_reply(429, "ModelArts.4206")),
        ]
    };
    for answer in maybe_sent() {
        let shown = format!("{answer:?}");
        let (transport, sent) = scripted(vec![answer]);
        let err = client(transport)
            .create_processor_task(new_task())
            .await
            .unwrap_err();
        assert_eq!(sent.lock().unwrap().len(), 1, "{shown}: sent once only");
        if matches!(err, Error::Transport { .. }) {
            assert!(err.request_may_have_been_sent(), "{err}");
            assert!(
                err.to_string().contains("may have reached the server"),
                "{err}"
            );
        }
    }
    for answer in maybe_sent() {
        let (transport, sent) = scripted(vec![answer]);
        let client = client(transport);
        let _ = client
            .stop_processor_task_version(&task(), &version())
            .await
            .unwrap_err();
        assert_eq!(sent.lock().unwrap().len(), 1);
    }
    let (transport, sent) = scripted(vec![Err(TransportError::timeout(TimeoutPhase::Response))]);
    let _ = client(transport)
        .create_processor_task_version(&task(), CreateProcessorTaskVersionRequest::default())
        .await
        .unwrap_err();
    assert_eq!(sent.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_post_that_never_left_is_retried() {
    let (transport, sent) = scripted(vec![
        Err(TransportError::connect(std::io::Error::other("refused"))),
        Err(TransportError::timeout(TimeoutPhase::Connect)),
        Ok(reply(200, r#"{"task_id": "SNEJua7qdZZN8GvkcEr"}"#)),
    ]);
    let created = client(transport)
        .create_processor_task(new_task())
        .await
        .unwrap();
    assert_eq!(created.task_id, task());
    assert_eq!(sent.lock().unwrap().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn reads_and_puts_are_retried_on_transient_failures() {
    let (transport, sent) = scripted(vec![
        Ok(error_reply(503, "ModelArts.4700")),
        Err(TransportError::timeout(TimeoutPhase::Response)),
        Ok(reply(200, TASK_JSON)),
        Ok(error_reply(500, "ModelArts.0010")),
        Ok(reply(200, "{}")),
    ]);
    let client = client(transport);
    client.describe_processor_task(&task()).await.unwrap();
    client
        .update_processor_task(&task(), Default::default())
        .await
        .unwrap();
    assert_eq!(sent.lock().unwrap().len(), 5);
}

#[tokio::test(start_paused = true)]
async fn out_of_bounds_input_never_reaches_the_transport() {
    // A transport that must never be called.
    let client = client_with_retry(MockTransport::new(), RetryPolicy::default());
    let err = client
        .list_processor_tasks(ListProcessorTasksQuery::default().limit(500))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(InvalidInput::Build(BuildError::InvalidParameter(p))) if p.name == "limit"),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("invalid input, nothing was sent"),
        "{err}"
    );
    let err = client
        .update_processor_task(
            &task(),
            UpdateProcessorTaskRequest::new().description("a=b"),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("description"), "{err}");
    let err = client
        .create_processor_task(new_task().description("x".repeat(300)))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("300 characters"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn malformed_replies_are_typed_decode_errors() {
    let (transport, _) = scripted(vec![Ok(reply(200, r#"{"count": 1, "tasks": "none"}"#))]);
    let err = client(transport)
        .list_processor_tasks(Default::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { attempts: 1, .. }), "{err}");
    assert!(err.to_string().contains("documented shape"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn the_stream_pages_with_the_client() {
    let page = |from: i64, n: i64| {
        let tasks: Vec<String> = (from..from + n)
            .map(|i| {
                format!(
                    r#"{{"task_id": "t{i:03}", "name": "n", "status": 3, "create_time": {}}}"#,
                    10_000 - i
                )
            })
            .collect();
        reply(
            200,
            &format!(r#"{{"count": 250, "tasks": [{}]}}"#, tasks.join(",")),
        )
    };
    // 250 tasks; `offset` is the page index. Page 0 of 100 (tasks 0-99), page 1 of 99 (tasks
    // 99-197, re-reading task 99) and page 2 of 98 (tasks 196-249, short: the end).
    let (transport, sent) = scripted(vec![Ok(page(0, 100)), Ok(page(99, 99)), Ok(page(196, 54))]);
    let tasks: Vec<_> = client(transport)
        .list_processor_tasks_stream(ListProcessorTasksQuery::default().status(TaskStatus::Failed))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(tasks.len(), 250);
    assert_eq!(tasks[249].task_id.as_str(), "t249");
    let queries: Vec<String> = sent
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.uri().query().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        queries,
        [
            "offset=0&limit=100&sort_by=create_time&order=desc&status=3",
            "offset=1&limit=99&sort_by=create_time&order=desc&status=3",
            "offset=2&limit=98&sort_by=create_time&order=desc&status=3",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_version_delete_whose_reply_was_lost_is_done_when_the_retry_finds_it_gone() {
    let (transport, sent) = scripted(vec![
        Err(TransportError::timeout(TimeoutPhase::Response)),
        Ok(error_reply(400, "ModelArts.4851")),
    ]);
    client(transport)
        .delete_processor_task_version(&task(), &version())
        .await
        .unwrap();
    assert_eq!(sent.lock().unwrap().len(), 2);

    // On the first attempt, "no such version" is an error; so it is on a retry after a 429
    // or another 4xx, which the service refused without acting.
    for replies in [
        vec![Ok(error_reply(400, "ModelArts.4851"))],
        vec![
            Ok(error_reply(429, "APIG.0308")),
            Ok(error_reply(400, "ModelArts.4851")),
        ],
    ] {
        let (transport, sent) = scripted(replies);
        let err = client(transport)
            .delete_processor_task_version(&task(), &version())
            .await
            .unwrap_err();
        assert_eq!(
            err.code(),
            Some(&api_client::ErrorCode::TaskVersionNotFound),
            "after {} attempt(s)",
            sent.lock().unwrap().len()
        );
    }
    // After a 503, it is the earlier attempt's doing: success.
    let (transport, _) = scripted(vec![
        Ok(error_reply(503, "ModelArts.4700")),
        Ok(error_reply(400, "ModelArts.4851")),
    ]);
    client(transport)
        .delete_processor_task_version(&task(), &version())
        .await
        .unwrap();
}
