//! `POST /v2/{project_id}/processor-tasks/{task_id}/versions`: adds a version to a task.

use api_model::{ErrorCode, ProjectId};
use serde::Serialize;
use serde_json::Value;

use crate::handlers::create::ID_ATTEMPTS;
use crate::handlers::fields::{body_object, task_fields};
use crate::handlers::{decode_task_id, now_ms, parameter_error, task_not_found};
use crate::record::TaskRecord;
use crate::reply::Reply;
use crate::seed::IdGenerator;
use crate::store::TaskStore;
use crate::task::TaskStatus;
use crate::version::TaskVersion;

#[derive(Serialize)]
struct Created {
    version_id: String,
}

/// What adding one version did.
enum Outcome {
    Added(String),
    IdTaken,
    Initializing,
}

/// `200 {"version_id": …}`: a running version, now the task's current one; `400
/// ModelArts.4105` for a body that is not JSON, `400 ModelArts.0104` for one that is not an
/// object or has an invalid field, `400 ModelArts.4700` for an unknown task, `403
/// ModelArts.4850` while the task is initializing.
pub(crate) fn handle(
    store: &dyn TaskStore,
    ids: &IdGenerator,
    project: &ProjectId,
    raw_task: &str,
    body: &[u8],
) -> Reply {
    let object = match body_object(body) {
        Ok(object) => object,
        Err(reply) => return reply,
    };
    let fields = match task_fields(&object) {
        Ok(fields) => fields,
        Err(detail) => return parameter_error(&detail),
    };
    let Some(task_id) = decode_task_id(raw_task) else {
        return task_not_found();
    };
    let now = now_ms();
    for _ in 0..ID_ATTEMPTS {
        let mut version = TaskVersion::new(ids.next_id(), task_id.clone())
            .with_description(fields.description.clone().unwrap_or_default())
            .with_times(now);
        version.template = fields.template.clone().map(Value::Object);
        version.inputs.clone_from(&fields.inputs);
        version.work_path.clone_from(&fields.work_path);
        let mut outcome = None;
        let mut candidate = Some(version);
        let found = store.modify(project, &task_id, &mut |record: &mut TaskRecord| {
            if record.task().status == TaskStatus::Initializing {
                outcome = Some(Outcome::Initializing);
                return;
            }
            if let Some(version) = candidate.take() {
                outcome = Some(match record.add_version(version) {
                    Some(added) => Outcome::Added(added.task_version_id.to_string()),
                    None => Outcome::IdTaken,
                });
            }
        });
        match outcome {
            _ if !found => return task_not_found(),
            Some(Outcome::Added(version_id)) => return Reply::ok(&Created { version_id }),
            Some(Outcome::Initializing) => {
                return Reply::error_with_meaning(
                    &ErrorCode::TaskInitializing,
                    "Wait until the task has started, then add a version.",
                );
            }
            Some(Outcome::IdTaken) | None => {}
        }
    }
    Reply::error_with_meaning(
        &ErrorCode::InternalError,
        "Could not allocate a version id.",
    )
}
