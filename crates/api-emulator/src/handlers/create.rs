//! `POST /v2/{project_id}/processor-tasks`: validates the body and stores a new task.

use std::time::{SystemTime, UNIX_EPOCH};

use api_model::{ErrorCode, ProjectId};
use serde::Serialize;
use serde_json::Value;

use crate::reply::Reply;
use crate::seed::IdGenerator;
use crate::store::TaskStore;
use crate::task::{Task, TaskStatus};

/// The longest description the service accepts, in characters.
const MAX_DESCRIPTION_CHARS: usize = 256;
/// Characters the service refuses in a description.
const FORBIDDEN_IN_DESCRIPTION: &[char] = &['^', '!', '<', '>', '=', '&', '"', '\''];
/// How many fresh ids to try if one is taken (practically never).
const ID_ATTEMPTS: usize = 8;

#[derive(Serialize)]
struct Created {
    task_id: String,
}

/// What a create request asks for, once validated.
struct NewTask {
    name: String,
    template_id: String,
    description: String,
}

/// `200 {"task_id": …}`; `400 ModelArts.4105` for a body that is not JSON, `400
/// ModelArts.0104` for a missing or invalid field.
pub(crate) fn handle(
    store: &dyn TaskStore,
    ids: &IdGenerator,
    status: TaskStatus,
    project: &ProjectId,
    body: &[u8],
) -> Reply {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(_) => return Reply::error_with_meaning(&ErrorCode::InvalidJsonFormat, ""),
    };
    let new = match validate(&value) {
        Ok(new) => new,
        Err(detail) => return Reply::error_with_meaning(&ErrorCode::ParameterError, detail),
    };
    let create_time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        });
    for _ in 0..ID_ATTEMPTS {
        let task_id = ids.next_id();
        let task = Task::new(task_id.clone(), &new.name, &new.template_id)
            .with_description(&new.description)
            .with_status(status)
            .with_create_time(create_time);
        if store.insert(project, task) {
            return Reply::ok(&Created {
                task_id: task_id.to_string(),
            });
        }
    }
    Reply::error_with_meaning(&ErrorCode::InternalError, "Could not allocate a task id.")
}

fn validate(value: &Value) -> Result<NewTask, &'static str> {
    let object = value.as_object().ok_or("The body must be a JSON object.")?;
    let name = object
        .get("name")
        .and_then(Value::as_str)
        .filter(|name| !name.trim().is_empty())
        .ok_or("name is mandatory: a non-empty string.")?;
    let template_id = object
        .get("template")
        .and_then(|template| template.get("id"))
        .and_then(Value::as_str)
        .filter(|id| !id.trim().is_empty())
        .ok_or("template is mandatory: an object with a non-empty id.")?;
    let description = match object.get("description") {
        None | Some(Value::Null) => "",
        Some(Value::String(description)) => description,
        Some(_) => return Err("description must be a string."),
    };
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err("description is longer than 256 characters.");
    }
    if description.contains(FORBIDDEN_IN_DESCRIPTION) {
        return Err("description must not contain any of ^!<>=&\"'.");
    }
    Ok(NewTask {
        name: name.to_owned(),
        template_id: template_id.to_owned(),
        description: description.to_owned(),
    })
}
