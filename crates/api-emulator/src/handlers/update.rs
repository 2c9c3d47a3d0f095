//! `PUT /v2/{project_id}/processor-tasks/{task_id}`: changes a task's description.

use api_model::ProjectId;

use crate::handlers::fields::{body_object, description};
use crate::handlers::{decode_task_id, parameter_error, task_not_found};
use crate::record::TaskRecord;
use crate::reply::Reply;
use crate::store::TaskStore;

/// `200 {}`, the description changed when one is given (other fields are ignored); `400
/// ModelArts.4105` for a body that is not JSON, `400 ModelArts.0104` for one that is not an
/// object or an invalid description, `400 ModelArts.4700` for an unknown task.
pub(crate) fn handle(
    store: &dyn TaskStore,
    project: &ProjectId,
    raw_task: &str,
    body: &[u8],
) -> Reply {
    let object = match body_object(body) {
        Ok(object) => object,
        Err(reply) => return reply,
    };
    let new_description = match description(&object) {
        Ok(new_description) => new_description,
        Err(detail) => return parameter_error(&detail),
    };
    let Some(task_id) = decode_task_id(raw_task) else {
        return task_not_found();
    };
    let found = store.modify(project, &task_id, &mut |record: &mut TaskRecord| {
        if let Some(text) = &new_description {
            record.task_mut().description.clone_from(text);
        }
    });
    if found {
        Reply::empty_object()
    } else {
        task_not_found()
    }
}
