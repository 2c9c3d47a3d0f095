//! `GET /v2/{project_id}/processor-tasks/{task_id}/versions`: a page of a task's versions.

use api_model::ProjectId;
use serde::Serialize;

use crate::handlers::{
    DEFAULT_LIMIT, MAX_LIMIT, decode_task_id, paging, parameter_error, task_not_found,
};
use crate::reply::Reply;
use crate::store::TaskStore;
use crate::version::TaskVersion;

#[derive(Serialize)]
struct VersionsBody<'a> {
    count: usize,
    versions: Vec<&'a TaskVersion>,
}

/// `200 {"count", "versions"}`, newest first (ties by version id); `offset` is the page index
/// from 0 and `limit` the page size from 1 to 100 (default 10), else `400 ModelArts.0104`;
/// `400 ModelArts.4700` for an unknown task.
pub(crate) fn handle(
    store: &dyn TaskStore,
    project: &ProjectId,
    raw_task: &str,
    query: Option<&str>,
) -> Reply {
    let page = match paging(query, DEFAULT_LIMIT, MAX_LIMIT) {
        Ok(paging) => paging,
        Err(detail) => return parameter_error(&detail),
    };
    let Some(record) = decode_task_id(raw_task).and_then(|task_id| store.record(project, &task_id))
    else {
        return task_not_found();
    };
    let versions = record.versions_newest_first();
    Reply::ok(&VersionsBody {
        count: versions.len(),
        versions: page.of(versions),
    })
}
