//! `GET /v2/{project_id}/processor-tasks/{task_id}`: the Task object, or `400 ModelArts.4700`.

use api_model::ProjectId;

use crate::handlers::{decode_task_id, task_not_found};
use crate::reply::Reply;
use crate::store::TaskStore;

/// `200` Task (with its result, when completed); `400 ModelArts.4700`.
pub(crate) fn handle(store: &dyn TaskStore, project: &ProjectId, raw_task: &str) -> Reply {
    match decode_task_id(raw_task).and_then(|task_id| store.get(project, &task_id)) {
        Some(task) => Reply::ok(&task.into_reply(true)),
        None => task_not_found(),
    }
}
