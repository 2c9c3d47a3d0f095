//! `GET /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}`: the Version object.

use api_model::ProjectId;

use crate::handlers::find_version;
use crate::reply::Reply;
use crate::store::TaskStore;

/// `200` Version; `400 ModelArts.4700` for an unknown task, `400 ModelArts.4851` for an
/// unknown version of it.
pub(crate) fn handle(
    store: &dyn TaskStore,
    project: &ProjectId,
    raw_task: &str,
    raw_version: &str,
) -> Reply {
    match find_version(store, project, raw_task, raw_version) {
        Ok(version) => Reply::ok(&version),
        Err(reply) => reply,
    }
}
