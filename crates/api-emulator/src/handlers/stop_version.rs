//! `POST /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop`: stops a version.

use api_model::ProjectId;

use crate::handlers::{change_version, now_ms};
use crate::reply::Reply;
use crate::store::TaskStore;

/// `200 {}` whether the version was initializing or running (now stopped) or had already
/// finished (unchanged); `400 ModelArts.4700` for an unknown task, `400 ModelArts.4851` for
/// an unknown version of it. The body is ignored.
pub(crate) fn handle(
    store: &dyn TaskStore,
    project: &ProjectId,
    raw_task: &str,
    raw_version: &str,
) -> Reply {
    let now = now_ms();
    change_version(
        store,
        project,
        raw_task,
        raw_version,
        |record, version_id| {
            record.version_mut(version_id).map(|version| {
                version.stop(now);
                Reply::empty_object()
            })
        },
    )
}
