//! `DELETE /v2/{project_id}/processor-tasks/{task_id}`: one atomic store call, three outcomes.

use api_model::{ErrorCode, ProjectId};

use crate::handlers::decode_task_id;
use crate::reply::Reply;
use crate::stats::Stats;
use crate::store::{DeleteOutcome, TaskStore};

/// `200 {}` when deleted, `400 ModelArts.4700` when there is no such task, `403
/// ModelArts.4850` when it is initializing.
pub(crate) fn handle(
    store: &dyn TaskStore,
    stats: &Stats,
    project: &ProjectId,
    raw_task: &str,
) -> Reply {
    let outcome = match decode_task_id(raw_task) {
        Some(task_id) => store.delete(project, &task_id),
        None => DeleteOutcome::NotFound,
    };
    match outcome {
        DeleteOutcome::Deleted => {
            stats.task_deleted();
            Reply::empty_object()
        }
        DeleteOutcome::NotFound => Reply::error_with_meaning(&ErrorCode::TaskNotFound, ""),
        DeleteOutcome::Initializing => Reply::error_with_meaning(
            &ErrorCode::TaskInitializing,
            "Wait until the task has started, then delete it.",
        ),
    }
}
