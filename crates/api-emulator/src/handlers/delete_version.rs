//! `DELETE /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}`: `204`, no body.

use api_model::ProjectId;

use crate::handlers::change_version;
use crate::reply::Reply;
use crate::store::TaskStore;

/// `204` with no body, the version gone (if it was current, the newest remaining one becomes
/// current); `400 ModelArts.4700` for an unknown task, `400 ModelArts.4851` for an unknown
/// version of it.
pub(crate) fn handle(
    store: &dyn TaskStore,
    project: &ProjectId,
    raw_task: &str,
    raw_version: &str,
) -> Reply {
    change_version(
        store,
        project,
        raw_task,
        raw_version,
        |record, version_id| {
            record
                .remove_version(version_id)
                .map(|_| Reply::no_content())
        },
    )
}
