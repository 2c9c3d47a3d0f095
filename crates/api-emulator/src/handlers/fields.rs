//! Request bodies: JSON object parsing and the type checks of the task and version fields.

use serde_json::{Map, Value};

use crate::handlers::parameter_error;
use crate::reply::Reply;
use api_model::ErrorCode;

/// The longest description the service accepts, in characters.
pub(crate) const MAX_DESCRIPTION_CHARS: usize = 256;
/// Characters the service refuses in a description.
pub(crate) const FORBIDDEN_IN_DESCRIPTION: &[char] = &['^', '!', '<', '>', '=', '&', '"', '\''];
/// The `type`s a data source or an input may have.
const SOURCE_TYPES: &[&str] = &["OBS", "TASK", "DATASET", "CUSTOM"];
/// The `type`s a work path may have.
const WORK_PATH_TYPES: &[&str] = &["OBS", "DATASET"];

/// A body's JSON object: `400 ModelArts.4105` when it is not JSON, `400 ModelArts.0104` when it
/// is JSON but not an object.
pub(crate) fn body_object(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(parameter_error("The body must be a JSON object.")),
        Err(_) => Err(Reply::error_with_meaning(&ErrorCode::InvalidJsonFormat, "")),
    }
}

/// The fields a create body (task or version) may hold, each type-checked; nothing mandatory.
#[derive(Debug, Default)]
pub(crate) struct TaskFields {
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) template: Option<Map<String, Value>>,
    pub(crate) workspace_id: Option<String>,
    pub(crate) create_version: bool,
    pub(crate) data_source: Option<Value>,
    pub(crate) inputs: Option<Vec<Value>>,
    pub(crate) work_path: Option<Value>,
}

/// Type-checks every known field of `object` (`null` is refused); `Err` holds the
/// reply's detail, naming the field.
pub(crate) fn task_fields(object: &Map<String, Value>) -> Result<TaskFields, String> {
    // `version_id` is checked but not kept: a new task or version gets an id of its own.
    string(object, "version_id")?;
    Ok(TaskFields {
        name: string(object, "name")?.map(str::to_owned),
        description: description(object)?,
        template: template(object)?,
        workspace_id: string(object, "workspace_id")?.map(str::to_owned),
        create_version: field(object, "create_version")
            .map(|value| {
                value
                    .as_bool()
                    .ok_or("create_version must be true or false.")
            })
            .transpose()?
            .unwrap_or(false),
        data_source: typed_object(object, "data_source", SOURCE_TYPES)?.cloned(),
        inputs: inputs(object)?,
        work_path: typed_object(object, "work_path", WORK_PATH_TYPES)?.cloned(),
    })
}

/// The optional `description`: a string of at most 256 characters, none of `^!<>=&"'`.
pub(crate) fn description(object: &Map<String, Value>) -> Result<Option<String>, String> {
    let Some(description) = string(object, "description")? else {
        return Ok(None);
    };
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(format!(
            "description is longer than {MAX_DESCRIPTION_CHARS} characters."
        ));
    }
    if description.contains(FORBIDDEN_IN_DESCRIPTION) {
        return Err("description must not contain any of ^!<>=&\"'.".to_owned());
    }
    Ok(Some(description.to_owned()))
}

/// The field, if present. `null` is present, and refused by every type check: the spec
/// declares no field nullable.
fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name)
}

fn string<'a>(object: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, String> {
    field(object, name)
        .map(|value| {
            value
                .as_str()
                .ok_or_else(|| format!("{name} must be a string."))
        })
        .transpose()
}

/// The optional `template`: an object with a non-empty string `id`, a string `name`, and an
/// array of operator objects `operator_params`.
fn template(object: &Map<String, Value>) -> Result<Option<Map<String, Value>>, String> {
    let Some(value) = field(object, "template") else {
        return Ok(None);
    };
    let template = value
        .as_object()
        .ok_or("template must be an object with an id.")?;
    match string(template, "id") {
        Ok(Some(id)) if !id.trim().is_empty() => {}
        _ => return Err("template.id is mandatory: a non-empty string.".to_owned()),
    }
    string(template, "name").map_err(|_| "template.name must be a string.")?;
    if let Some(params) = field(template, "operator_params") {
        let params = params
            .as_array()
            .ok_or("template.operator_params must be an array.")?;
        for (index, param) in params.iter().enumerate() {
            let name = format!("template.operator_params[{index}]");
            let param = param
                .as_object()
                .ok_or_else(|| format!("{name} must be an object."))?;
            strings(param, &name, &["id", "name"])?;
            if field(param, "advanced_params_switch").is_some_and(|v| !v.is_boolean()) {
                return Err(format!(
                    "{name}.advanced_params_switch must be true or false."
                ));
            }
        }
    }
    Ok(Some(template.clone()))
}

/// Each of `names` in `object`, if present, must be a string.
fn strings(object: &Map<String, Value>, parent: &str, names: &[&str]) -> Result<(), String> {
    for name in names {
        string(object, name).map_err(|_| format!("{parent}.{name} must be a string."))?;
    }
    Ok(())
}

/// An optional object whose optional `type` is one of `types` and whose `source` is a string.
fn typed_object<'a>(
    object: &'a Map<String, Value>,
    name: &str,
    types: &[&str],
) -> Result<Option<&'a Value>, String> {
    let Some(value) = field(object, name) else {
        return Ok(None);
    };
    check_typed(value, name, types)?;
    Ok(Some(value))
}

fn check_typed(value: &Value, name: &str, types: &[&str]) -> Result<(), String> {
    let object = value
        .as_object()
        .ok_or_else(|| format!("{name} must be an object."))?;
    let kind = string(object, "type").map_err(|_| format!("{name}.type must be a string."))?;
    if let Some(kind) = kind
        && !types.contains(&kind)
    {
        return Err(format!("{name}.type must be one of {}.", types.join(", ")));
    }
    strings(
        object,
        name,
        &[
            "source",
            "name",
            "version_id",
            "version_name",
            "output_path",
            "path",
        ],
    )
}

/// The optional `inputs`: an array of objects like a data source.
fn inputs(object: &Map<String, Value>) -> Result<Option<Vec<Value>>, String> {
    let Some(value) = field(object, "inputs") else {
        return Ok(None);
    };
    let inputs = value
        .as_array()
        .ok_or("inputs must be an array of objects.")?;
    for (index, input) in inputs.iter().enumerate() {
        check_typed(input, &format!("inputs[{index}]"), SOURCE_TYPES)?;
    }
    Ok(Some(inputs.clone()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn check(value: Value) -> Result<TaskFields, String> {
        task_fields(value.as_object().unwrap())
    }

    #[test]
    fn wrong_types_name_the_field() {
        for (body, field) in [
            (json!({"name": 1}), "name"),
            (json!({"description": []}), "description"),
            (json!({"template": "t"}), "template"),
            (json!({"template": {"id": 5}}), "template.id"),
            (json!({"template": {"id": "t", "name": 5}}), "template.name"),
            (
                json!({"template": {"id": "t", "operator_params": {}}}),
                "template.operator_params",
            ),
            (json!({"workspace_id": 0}), "workspace_id"),
            (json!({"create_version": "yes"}), "create_version"),
            (json!({"version_id": 1}), "version_id"),
            (json!({"data_source": []}), "data_source"),
            (json!({"data_source": {"type": "S3"}}), "data_source.type"),
            (json!({"data_source": {"type": 1}}), "data_source.type"),
            (json!({"data_source": {"source": 1}}), "data_source.source"),
            (json!({"inputs": {}}), "inputs"),
            (json!({"inputs": [{"type": "OBS"}, 3]}), "inputs[1]"),
            (json!({"inputs": [{"type": "obs"}]}), "inputs[0].type"),
            (json!({"work_path": "obs://x"}), "work_path"),
            (json!({"work_path": {"type": "TASK"}}), "work_path.type"),
        ] {
            let detail = check(body.clone()).err().unwrap_or_default();
            assert!(detail.starts_with(field), "{body}: {detail}");
        }
    }

    #[test]
    fn valid_fields_are_kept_as_given() {
        let fields = check(json!({
            "name": "n", "description": "d", "template": {"id": "t", "operator_params": []},
            "workspace_id": "w", "create_version": true, "version_id": "v",
            "data_source": {"type": "DATASET", "source": "ds", "extra": 1},
            "inputs": [{"type": "CUSTOM"}, {"source": "s"}],
            "work_path": {"type": "DATASET", "path": "p"},
        }))
        .unwrap();
        assert_eq!(fields.name.as_deref(), Some("n"));
        assert!(fields.create_version);
        assert_eq!(fields.data_source.unwrap()["extra"], 1);
        assert_eq!(fields.inputs.unwrap().len(), 2);
        assert_eq!(fields.work_path.unwrap()["path"], "p");
        // The spec declares no field nullable: null is a wrong type, at any depth.
        for body in [
            json!({"name": null}),
            json!({"inputs": null}),
            json!({"create_version": null}),
            json!({"work_path": {"version_name": null}}),
            json!({"template": {"id": "t", "name": null}}),
        ] {
            assert!(check(body.clone()).is_err(), "{body}");
        }
    }

    #[test]
    fn descriptions() {
        let with = |text: &str| check(json!({ "description": text }));
        assert!(with(&"x".repeat(256)).is_ok());
        assert!(with(&"é".repeat(256)).is_ok(), "characters, not bytes");
        assert!(with(&"x".repeat(257)).is_err());
        for forbidden in FORBIDDEN_IN_DESCRIPTION {
            assert!(with(&format!("a{forbidden}b")).is_err(), "{forbidden}");
        }
        assert!(with("plain, (fine) text; 100% ok? yes.").is_ok());
    }
}
