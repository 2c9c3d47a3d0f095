//! The JSON lines every command writes with `--output json`: one object a line, each with a
//! `kind` (`task`, `version`, `delete`, `summary`, `error`), ending with one `summary` (or, when
//! the command itself fails, an `error`). Schemas: `crates/api-cli/schemas/`.
//!
//! Field names are stable: `status` is a task's or version's status name and `status_code` its
//! number; `http_status` is the HTTP status of a failed request; times are RFC 3339 strings.

use api_model::{ProcessorTask, ProcessorTaskVersion, TaskStatus};
use serde_json::{Map, Value, json};

use crate::{
    batch::{Outcome, Record, already_gone},
    error::{CliError, for_people},
    ids::Location,
    time::rfc3339,
};

/// A task as `list` and `show` print it: the service's fields, with `status` as a name,
/// `status_code` as a number and `create_time` in RFC 3339.
pub fn task(task: &ProcessorTask) -> Value {
    with_kind(
        "task",
        serde_json::to_value(task).unwrap_or(Value::Null),
        task.status,
        task.create_time,
    )
}

/// A version as `show --versions` prints it (like [`task`], `update_time` in RFC 3339 too).
pub fn version(version: &ProcessorTaskVersion) -> Value {
    let mut out = with_kind(
        "version",
        serde_json::to_value(version).unwrap_or(Value::Null),
        version.status,
        version.create_time,
    );
    if let (Value::Object(map), Some(updated)) = (&mut out, version.update_time) {
        map.insert("update_time".into(), rfc3339(updated).into());
    }
    out
}

fn with_kind(kind: &str, fields: Value, status: TaskStatus, create_time: i64) -> Value {
    let mut out = Map::new();
    out.insert("kind".into(), kind.into());
    if let Value::Object(fields) = fields {
        out.extend(fields);
    }
    out.insert("status".into(), status.name().unwrap_or("unknown").into());
    out.insert("status_code".into(), status.code().into());
    out.insert("create_time".into(), rfc3339(create_time).into());
    Value::Object(out)
}

/// What became of one id of a `delete`.
pub fn delete(record: &Record) -> Value {
    let (result, fields) = match &record.outcome {
        Outcome::Done(d) => (
            if already_gone(d) {
                "already_gone"
            } else {
                "deleted"
            },
            json!({
                "gone_on_retry": d.gone_on_retry,
                "attempts": d.attempts,
                "request_id": d.request_id,
            }),
        ),
        Outcome::GoneAfterFailure(e) => (
            "deleted",
            json!({
                "gone_on_retry": false,
                "confirmed_by": "describe",
                "attempts": e.attempts(),
                "error": for_people(&e.to_string()),
            }),
        ),
        Outcome::Failed(e) => (
            "failed",
            json!({
                "attempts": e.attempts(),
                "http_status": e.service_error().map(|s| s.status().as_u16()),
                "code": e.code().map(|c| c.as_str().to_owned()),
                "error": for_people(&e.to_string()),
                "retryable": e.is_retryable(),
                "request_id": e.request_id(),
            }),
        ),
        Outcome::Invalid(e) => ("invalid", json!({"error": e.to_string()})),
        Outcome::Duplicate { first } => ("duplicate", json!({"first_seen": first.to_string()})),
        Outcome::Unknown(why) => ("unknown", json!({"error": why})),
        Outcome::Unconfirmed { error, .. } => (
            "unknown",
            json!({
                "attempts": error.attempts(),
                "error": unconfirmed(&record.outcome),
            }),
        ),
    };
    let mut out = json!({
        "kind": "delete",
        "task_id": record.task_id,
        "source": record.location.to_string(),
        "result": result,
    });
    extend(&mut out, fields);
    without_nulls(out)
}

/// Why an [`Outcome::Unconfirmed`] task may or may not be gone, for people.
pub fn unconfirmed(outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Unconfirmed { error, check } => Some(format!(
            "the delete failed ({}) after a request that may have reached the service, and \
             asking whether the task is still there failed too ({}): it may or may not have \
             been deleted",
            for_people(&error.to_string()),
            for_people(&check.to_string())
        )),
        _ => None,
    }
}

/// What a dry run would delete.
pub fn would_delete(location: &Location, task_id: &str) -> Value {
    json!({
        "kind": "delete",
        "task_id": task_id,
        "source": location.to_string(),
        "result": "would_delete",
    })
}

/// The last line of a command: `{"kind": "summary", "command": …, …fields}`.
pub fn summary(command: &str, fields: Value) -> Value {
    let mut out = json!({"kind": "summary", "command": command});
    extend(&mut out, fields);
    out
}

/// The `emulator` command is serving: where, for which project, with which credentials, and
/// how many tasks it seeded (the first line, for test harnesses).
#[cfg(feature = "emulator")]
pub fn emulator_ready(
    url: &str,
    project_id: &api_model::ProjectId,
    demo_credentials: bool,
    seeded: usize,
) -> Value {
    let mut out = json!({
        "kind": "emulator",
        "url": url,
        "project_id": project_id.as_str(),
        "tasks": seeded,
        "demo_credentials": demo_credentials,
    });
    if demo_credentials {
        extend(
            &mut out,
            json!({
                "ak": api_emulator::DEMO_AK,
                "sk": api_emulator::DEMO_SK,
                "token": api_emulator::DEMO_TOKEN,
            }),
        );
    }
    out
}

/// The command itself failed: what went wrong and the exit status it gives.
pub fn error(error: &CliError) -> Value {
    let mut out = json!({
        "kind": "error",
        "error": error.to_string(),
        "exit_code": error.exit_status(),
    });
    if let CliError::Call {
        http_status,
        code,
        request_id,
        ..
    } = error
    {
        extend(
            &mut out,
            json!({"http_status": http_status, "code": code, "request_id": request_id}),
        );
    }
    without_nulls(out)
}

/// The object without its `null` fields: absent rather than null.
fn without_nulls(mut value: Value) -> Value {
    if let Value::Object(map) = &mut value {
        map.retain(|_, v| !v.is_null());
    }
    value
}

fn extend(target: &mut Value, fields: Value) {
    if let (Value::Object(target), Value::Object(fields)) = (target, fields) {
        target.extend(fields);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_have_names_numbers_and_rfc3339_times() {
        let task: ProcessorTask = serde_json::from_value(json!({
            "task_id": "SNEJua7qdZZN8GvkcEr", "name": "n", "status": 3,
            "create_time": 1_700_000_000_000_i64, "template": {"id": "sys_data_cleaning"}
        }))
        .unwrap();
        let record = super::task(&task);
        assert_eq!(record["kind"], "task");
        assert_eq!(record["status"], "failed");
        assert_eq!(record["status_code"], 3);
        assert_eq!(record["create_time"], "2023-11-14T22:13:20.000Z");
        assert_eq!(record["template"]["id"], "sys_data_cleaning");
        let odd: ProcessorTask = serde_json::from_value(json!({
            "task_id": "x", "name": "n", "status": 9, "create_time": 0
        }))
        .unwrap();
        assert_eq!(super::task(&odd)["status"], "unknown");
        assert_eq!(super::task(&odd)["status_code"], 9);
    }
}
