//! The rest of the processor-tasks family within the model: requests built, bounds checked
//! before sending, and replies (including the API Explorer's own examples) decoded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use api_model::{
    BuildError, CreateProcessorTask, CreateProcessorTaskRequest, CreateProcessorTaskVersion,
    CreateProcessorTaskVersionRequest, DeleteProcessorTaskVersion, DescProcessorTaskVersion,
    DescribeProcessorTask, Endpoint, GetProcessorTaskItems, GetProcessorTaskItemsQuery,
    ListProcessorTaskVersions, ListProcessorTaskVersionsQuery, ListProcessorTasks,
    ListProcessorTasksQuery, Operation, ProjectId, ResponseError, SortOrder,
    StopProcessorTaskVersion, TaskId, TaskSortBy, TaskStatus, TemplateParam, UpdateProcessorTask,
    UpdateProcessorTaskRequest, VersionId,
};
use bytes::Bytes;
use http::{Method, Response};

const P: &str = "a4a5d4098fb4474fa22cd05f897d6b99";

fn project() -> ProjectId {
    P.parse().unwrap()
}

fn task() -> TaskId {
    "SNEJua7qdZZN8GvkcEr".parse().unwrap()
}

fn version() -> VersionId {
    "qSaudx2sbPvthHygckA".parse().unwrap()
}

fn endpoint() -> Endpoint {
    Endpoint::for_region("cn-north-4").unwrap()
}

fn reply(status: u16, body: &str) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .body(Bytes::from(body.to_owned()))
        .unwrap()
}

fn path_and_query<O: Operation>(op: &O) -> String {
    let request = op.build_request(&endpoint()).unwrap();
    assert_eq!(request.method(), O::METHOD);
    request.uri().path_and_query().unwrap().to_string()
}

#[test]
fn every_operation_has_its_method_path_and_idempotency() {
    let base = format!("/v2/{P}/processor-tasks");
    let t = "SNEJua7qdZZN8GvkcEr";
    let v = "qSaudx2sbPvthHygckA";
    let named = CreateProcessorTaskRequest::default().name("n");
    let create = CreateProcessorTask::new(project(), named);
    assert_eq!(path_and_query(&create), base);
    let unnamed = CreateProcessorTask::new(project(), CreateProcessorTaskRequest::default());
    let err = unnamed.build_request(&endpoint()).unwrap_err();
    assert!(
        err.to_string()
            .contains("invalid name for CreateProcessorTask: it is empty"),
        "{err}"
    );
    let list = ListProcessorTasks::new(project(), ListProcessorTasksQuery::default());
    assert_eq!(path_and_query(&list), base);
    let items = GetProcessorTaskItems::new(project(), GetProcessorTaskItemsQuery::default());
    assert_eq!(path_and_query(&items), format!("{base}/items"));
    let describe = DescribeProcessorTask::new(project(), task());
    assert_eq!(path_and_query(&describe), format!("{base}/{t}"));
    let update = UpdateProcessorTask::new(project(), task(), Default::default());
    assert_eq!(path_and_query(&update), format!("{base}/{t}"));
    let versions = ListProcessorTaskVersions::new(project(), task(), Default::default());
    assert_eq!(path_and_query(&versions), format!("{base}/{t}/versions"));
    let new_version = CreateProcessorTaskVersion::new(project(), task(), Default::default());
    assert_eq!(path_and_query(&new_version), format!("{base}/{t}/versions"));
    let desc = DescProcessorTaskVersion::new(project(), task(), version());
    assert_eq!(path_and_query(&desc), format!("{base}/{t}/versions/{v}"));
    let delete = DeleteProcessorTaskVersion::new(project(), task(), version());
    assert_eq!(path_and_query(&delete), format!("{base}/{t}/versions/{v}"));
    let stop = StopProcessorTaskVersion::new(project(), task(), version());
    assert_eq!(
        path_and_query(&stop),
        format!("{base}/{t}/versions/{v}/stop")
    );

    assert_eq!(UpdateProcessorTask::METHOD, Method::PUT);
    assert_eq!(StopProcessorTaskVersion::METHOD, Method::POST);
    assert_eq!(DeleteProcessorTaskVersion::SUCCESS_STATUSES, &[204]);
    // POSTs are not idempotent; the rest are.
    const {
        assert!(!CreateProcessorTask::IDEMPOTENT);
        assert!(!CreateProcessorTaskVersion::IDEMPOTENT);
        assert!(!StopProcessorTaskVersion::IDEMPOTENT);
        assert!(ListProcessorTasks::IDEMPOTENT);
        assert!(UpdateProcessorTask::IDEMPOTENT);
        assert!(DeleteProcessorTaskVersion::IDEMPOTENT);
    };
}

#[test]
fn list_query_writes_every_parameter_encoded() {
    let query = ListProcessorTasksQuery::default()
        .offset(20)
        .limit(100)
        .sort_by(TaskSortBy::DurationSeconds)
        .order(SortOrder::Asc)
        .query_current(true)
        .return_result(false)
        .source("obs://bucket/a b")
        .source_type("OBS")
        .status(TaskStatus::Failed)
        .task_name("clean&go")
        .task_type("sys_data_cleaning")
        .version_id(["v1", "v2"])
        .workspace_id("0");
    let op = ListProcessorTasks::new(project(), query);
    let uri = op.build_request(&endpoint()).unwrap().uri().clone();
    assert_eq!(uri.path(), format!("/v2/{P}/processor-tasks"));
    assert_eq!(
        uri.query(),
        Some(
            "offset=20&limit=100&sort_by=duration_seconds&order=asc&query_current=true\
             &return_result=false&source=obs%3A%2F%2Fbucket%2Fa%20b&source_type=OBS&status=3\
             &task_name=clean%26go&task_type=sys_data_cleaning&version_id=v1%2Cv2&workspace_id=0"
        )
    );
}

#[test]
fn out_of_bounds_parameters_are_refused_before_sending() {
    for limit in [0, 101] {
        let op =
            ListProcessorTasks::new(project(), ListProcessorTasksQuery::default().limit(limit));
        let err = op.build_request(&endpoint()).unwrap_err();
        assert!(
            matches!(&err, BuildError::InvalidParameter(p) if p.name == "limit"),
            "{err}"
        );
        assert!(
            err.to_string().contains(&format!(
                "page size {limit} is out of range: it must be from 1 to 100"
            )),
            "{err}"
        );
    }
    // `offset` is a page index: any up to the int32 maximum, and no more.
    let op = ListProcessorTasks::new(
        project(),
        ListProcessorTasksQuery::default().offset(ListProcessorTasksQuery::OFFSET_MAX),
    );
    assert!(op.build_request(&endpoint()).is_ok());
    let op = ListProcessorTasks::new(
        project(),
        ListProcessorTasksQuery::default().offset(ListProcessorTasksQuery::OFFSET_MAX + 1),
    );
    assert_eq!(
        op.build_request(&endpoint()).unwrap_err().to_string(),
        "invalid offset for ListProcessorTasks: page index 2147483648 is out of range: it must \
         be from 0 to 2147483647"
    );
    // The largest page sizes, from the spec.
    assert_eq!(ListProcessorTasksQuery::LIMIT_MAX, 100);
    assert_eq!(ListProcessorTaskVersionsQuery::LIMIT_MAX, 100);
    assert_eq!(GetProcessorTaskItemsQuery::LIMIT_MAX, 1000);
    for limit in [1, 100] {
        let op =
            ListProcessorTasks::new(project(), ListProcessorTasksQuery::default().limit(limit));
        assert!(op.build_request(&endpoint()).is_ok());
    }
    let items =
        GetProcessorTaskItems::new(project(), GetProcessorTaskItemsQuery::default().limit(1000));
    assert!(items.build_request(&endpoint()).is_ok());
    let items =
        GetProcessorTaskItems::new(project(), GetProcessorTaskItemsQuery::default().limit(1001));
    assert!(
        items
            .build_request(&endpoint())
            .unwrap_err()
            .to_string()
            .contains("from 1 to 1000")
    );
    let versions = ListProcessorTaskVersions::new(
        project(),
        task(),
        ListProcessorTaskVersionsQuery::default().limit(101),
    );
    assert!(versions.build_request(&endpoint()).is_err());
}

#[test]
fn descriptions_follow_the_documented_rules() {
    let update = |description: String| {
        UpdateProcessorTask::new(
            project(),
            task(),
            UpdateProcessorTaskRequest::new().description(description),
        )
        .build_request(&endpoint())
    };
    let request = update("ü".repeat(256)).unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(request.body()).unwrap()["description"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        256
    );
    let err = update("x".repeat(257)).unwrap_err();
    assert!(err.to_string().contains("257 characters"), "{err}");
    for bad in ['^', '!', '<', '>', '=', '&', '"', '\''] {
        let err = update(format!("a{bad}b")).unwrap_err();
        assert!(
            matches!(&err, BuildError::InvalidParameter(p) if p.name == "description" && p.operation == "UpdateProcessorTask"),
            "{bad}: {err}"
        );
    }
    let create = CreateProcessorTaskVersion::new(
        project(),
        task(),
        CreateProcessorTaskVersionRequest::new().description("<script>"),
    );
    assert!(create.build_request(&endpoint()).is_err());
}

#[test]
fn bodies_are_json_with_only_the_fields_set() {
    let body = CreateProcessorTaskRequest::new("clean-1", TemplateParam::new("sys_data_cleaning"))
        .workspace_id("0");
    let request = CreateProcessorTask::new(project(), body)
        .build_request(&endpoint())
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"name": "clean-1", "template": {"id": "sys_data_cleaning"}, "workspace_id": "0"})
    );
    let describe = DescribeProcessorTask::new(project(), task())
        .build_request(&endpoint())
        .unwrap();
    assert!(describe.body().is_empty());
}

/// The API Explorer's example reply of DescribeProcessorTask: `result` is a string there,
/// though its schema says object, so it is kept as any JSON value.
const DESCRIBE_EXAMPLE: &str = r#"{"create_time": 1606373999627, "data_source": {"source": "X6c3N3eztX7cr3Arvqu", "type": "DATASET"}, "duration_seconds": 22, "inputs": [{"source": "X6c3N3eztX7cr3Arvqu", "type": "DATASET"}], "is_current": true, "name": "V002", "result": "xxx", "status": 2, "task_id": "AcYfsdfhGyrWL5TtahH", "template": {"id": "sys_data_analyse", "name": "data analyse template name", "operator_params": [{"id": "sys_data_analyse", "params": {"is_normed": false, "op_list": [], "task_type": "image_classification"}}]}, "version_id": "XwTuRqI9En7xuZskW70"}"#;

#[test]
fn decodes_the_api_explorer_examples() {
    let task = DescribeProcessorTask::parse_response(&reply(200, DESCRIBE_EXAMPLE)).unwrap();
    assert_eq!(task.task_id.as_str(), "AcYfsdfhGyrWL5TtahH");
    assert_eq!(task.status, TaskStatus::Completed);
    assert_eq!(task.create_time, 1_606_373_999_627);
    assert_eq!(task.template.unwrap().id, "sys_data_analyse");
    assert_eq!(
        task.data_source.unwrap().source_type.as_deref(),
        Some("DATASET")
    );
    assert_eq!(task.result, Some(serde_json::json!("xxx")));

    let version = DescProcessorTaskVersion::parse_response(&reply(
        200,
        r#"{"create_time": 1606377874450, "description": "", "duration_seconds": 312, "status": 0, "task_id": "kM7j9TSa611ZzBThzSr", "task_version_id": "qSaudx2sbPvthHygckA", "version_name": "V001", "new_field": [1]}"#,
    ))
    .unwrap();
    assert_eq!(
        version.task_version_id,
        "qSaudx2sbPvthHygckA".parse::<VersionId>().unwrap()
    );
    assert_eq!(version.status, TaskStatus::Initializing);

    let created =
        CreateProcessorTask::parse_response(&reply(200, r#"{"task_id": "SNEJua7qdZZN8GvkcEr"}"#))
            .unwrap();
    assert_eq!(
        created.task_id,
        "SNEJua7qdZZN8GvkcEr".parse::<TaskId>().unwrap()
    );
    let page = ListProcessorTasks::parse_response(&reply(
        200,
        r#"{"count": 1, "tasks": [{"task_id": "a", "name": "n", "status": 9, "create_time": 0}]}"#,
    ))
    .unwrap();
    assert_eq!(page.count, 1);
    assert_eq!(
        page.tasks[0].status,
        TaskStatus::Other(9),
        "an unknown status is kept"
    );
    assert_eq!(
        DeleteProcessorTaskVersion::parse_response(&reply(204, "")),
        Ok(())
    );
    assert_eq!(
        StopProcessorTaskVersion::parse_response(&reply(200, "{}")),
        Ok(())
    );
}

#[test]
fn malformed_replies_are_decode_errors_naming_the_problem() {
    for (body, expect) in [
        (r#"{"count": 1}"#, "missing field `tasks`"),
        (r#"{"count": "1", "tasks": []}"#, "invalid type"),
        (
            r#"{"count": 1, "tasks": [{"task_id": "a/b", "name": "n", "status": 1, "create_time": 0}]}"#,
            "path separator",
        ),
        ("<html>", "not valid JSON"),
    ] {
        let err = ListProcessorTasks::parse_response(&reply(200, body)).unwrap_err();
        let ResponseError::Decode(decode) = &err else {
            panic!("{body}: {err:?}")
        };
        assert!(decode.to_string().contains(expect), "{body}: {decode}");
    }
    // A 200 where 204 is documented still means the version was deleted.
    assert_eq!(
        DeleteProcessorTaskVersion::parse_response(&reply(200, "{}")),
        Ok(())
    );
    let err = DescProcessorTaskVersion::parse_response(&reply(
        400,
        r#"{"error_code": "ModelArts.4851", "error_msg": "Task version not found."}"#,
    ))
    .unwrap_err();
    let ResponseError::Service(service) = err else {
        panic!("a service error")
    };
    assert_eq!(*service.code(), api_model::ErrorCode::TaskVersionNotFound);
}
