//! `POST /v2/{project_id}/processor-tasks`: validates the body and stores a new task.

use api_model::{ErrorCode, ProjectId};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::handlers::fields::{TaskFields, body_object, task_fields};
use crate::handlers::{now_ms, parameter_error};
use crate::record::TaskRecord;
use crate::reply::Reply;
use crate::seed::IdGenerator;
use crate::store::TaskStore;
use crate::task::{Task, TaskStatus, TaskTemplate};
use crate::version::TaskVersion;

/// How many fresh ids to try if one is taken (practically never).
pub(crate) const ID_ATTEMPTS: usize = 8;

#[derive(Serialize)]
struct Created {
    task_id: String,
}

/// What a create request asks for, once validated.
struct NewTask {
    name: String,
    template: TaskTemplate,
    fields: TaskFields,
}

/// `200 {"task_id": …}`; `400 ModelArts.4105` for a body that is not JSON, `400
/// ModelArts.0104` for a missing or invalid field. With `"create_version": true` the task
/// gets its first version, `V001`, in the same step.
pub(crate) fn handle(
    store: &dyn TaskStore,
    ids: &IdGenerator,
    status: TaskStatus,
    project: &ProjectId,
    body: &[u8],
) -> Reply {
    let object = match body_object(body) {
        Ok(object) => object,
        Err(reply) => return reply,
    };
    let new = match validate(&object) {
        Ok(new) => new,
        Err(detail) => return parameter_error(&detail),
    };
    let create_time = now_ms();
    for _ in 0..ID_ATTEMPTS {
        let task_id = ids.next_id();
        let mut task = Task::new(task_id.clone(), &new.name, "")
            .with_status(status)
            .with_create_time(create_time);
        task.template = new.template.clone();
        task.description = new.fields.description.clone().unwrap_or_default();
        if let Some(workspace_id) = &new.fields.workspace_id {
            task.workspace_id.clone_from(workspace_id);
        }
        task.data_source.clone_from(&new.fields.data_source);
        task.inputs.clone_from(&new.fields.inputs);
        task.work_path.clone_from(&new.fields.work_path);
        let mut record = TaskRecord::new(task);
        if new.fields.create_version {
            let first = TaskVersion::new(ids.next_id(), task_id.clone())
                .with_description(new.fields.description.clone().unwrap_or_default())
                .with_times(create_time);
            // A new record has no versions, so no id can clash.
            let _ = record.add_version(first);
        }
        if store.insert_record(project, record) {
            return Reply::ok(&Created {
                task_id: task_id.to_string(),
            });
        }
    }
    Reply::error_with_meaning(&ErrorCode::InternalError, "Could not allocate a task id.")
}

fn validate(object: &Map<String, Value>) -> Result<NewTask, String> {
    let fields = task_fields(object)?;
    let name = fields
        .name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .ok_or("name is mandatory: a non-empty string.")?;
    let template = fields
        .template
        .as_ref()
        .ok_or("template is mandatory: an object with a non-empty id.")?;
    let id = template
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.trim().is_empty())
        .ok_or("template.id is mandatory: a non-empty string.")?;
    let template = TaskTemplate {
        id: id.to_owned(),
        name: template
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned),
        operator_params: template
            .get("operator_params")
            .filter(|params| !params.is_null())
            .cloned(),
    };
    Ok(NewTask {
        name,
        template,
        fields,
    })
}
