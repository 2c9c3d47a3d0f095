//! `GET /v2/{project_id}/processor-tasks/{task_id}`: the Task object, or `400 ModelArts.4700`.

use api_model::{ErrorCode, ProjectId};

use crate::handlers::decode_task_id;
use crate::reply::Reply;
use crate::store::TaskStore;

pub(crate) fn handle(store: &dyn TaskStore, project: &ProjectId, raw_task: &str) -> Reply {
    match decode_task_id(raw_task).and_then(|task_id| store.get(project, &task_id)) {
        Some(task) => Reply::ok(&task),
        None => Reply::error_with_meaning(&ErrorCode::TaskNotFound, ""),
    }
}
