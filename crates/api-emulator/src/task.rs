//! `Task`: a processing task as the emulator stores it and as the service shows it in JSON.

use std::fmt;

use api_model::TaskId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The status of a processing task, sent as an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskStatus {
    /// `0`: initializing. Such a task cannot be deleted yet (`403 ModelArts.4850`).
    Initializing,
    /// `1`: running.
    Running,
    /// `2`: completed.
    Completed,
    /// `3`: failed.
    Failed,
    /// `4`: stopped.
    Stopped,
}

impl TaskStatus {
    /// Every status, in the order of their codes.
    pub const ALL: [TaskStatus; 5] = [
        Self::Initializing,
        Self::Running,
        Self::Completed,
        Self::Failed,
        Self::Stopped,
    ];

    /// The integer the service sends.
    ///
    /// ```
    /// assert_eq!(api_emulator::TaskStatus::Completed.code(), 2);
    /// ```
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Self::Initializing => 0,
            Self::Running => 1,
            Self::Completed => 2,
            Self::Failed => 3,
            Self::Stopped => 4,
        }
    }

    /// The status of an integer code, if it is one.
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code)).copied()
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Initializing => "initializing",
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Stopped => "stopped",
        })
    }
}

impl Serialize for TaskStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for TaskStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = u8::deserialize(deserializer)?;
        Self::from_code(code).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown task status {code}; expected 0 to 4"))
        })
    }
}

/// The template of a task; its id doubles as the task type (e.g. `sys_data_cleaning`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskTemplate {
    /// The template id.
    pub id: String,
    /// The template's name, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The operator parameters, as given at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_params: Option<Value>,
}

impl TaskTemplate {
    /// A template with only an id.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: None,
            operator_params: None,
        }
    }
}

/// A processing task: the documented fields the emulator keeps.
///
/// It serializes to the service's Task object. The store keeps `version_count`, `version_id`
/// and `version_name` in step with the task's versions; the handlers show `error_msg` only for
/// a failed task and `result` only for a completed one.
///
/// ```
/// use api_emulator::{Task, TaskStatus};
///
/// let task = Task::new("SNEJua7qdZZN8GvkcEr".parse()?, "cleaning", "sys_data_cleaning")
///     .with_status(TaskStatus::Running)
///     .with_create_time(1_700_000_000_000);
/// let json = serde_json::to_value(&task)?;
/// assert_eq!(json["task_id"], "SNEJua7qdZZN8GvkcEr");
/// assert_eq!(json["status"], 1);
/// assert_eq!(json["template"]["id"], "sys_data_cleaning");
/// assert_eq!(json["version_count"], 0);
/// assert_eq!(json["is_current"], true);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// The task id.
    pub task_id: TaskId,
    /// The task name.
    pub name: String,
    /// The description (empty when none was given).
    #[serde(default)]
    pub description: String,
    /// The status.
    pub status: TaskStatus,
    /// When the task was created, in milliseconds since the Unix epoch.
    pub create_time: u64,
    /// The template (task type).
    pub template: TaskTemplate,
    /// The workspace id; `"0"` is the default workspace.
    #[serde(default = "default_workspace")]
    pub workspace_id: String,
    /// How long the task has run, in seconds.
    #[serde(default)]
    pub duration_seconds: u64,
    /// How many versions the task has.
    #[serde(default)]
    pub version_count: u64,
    /// Whether this is the task's current version; always `true` here.
    #[serde(default = "current")]
    pub is_current: bool,
    /// The id of the newest version, if the task has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<TaskId>,
    /// The name of the newest version (`V001`, …), if the task has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    /// Why the task failed; shown only while the status is failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    /// The task's result; shown only for a completed task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// The data source, as given at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source: Option<Value>,
    /// The inputs, as given at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<Value>>,
    /// The output path, as given at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_path: Option<Value>,
}

fn default_workspace() -> String {
    "0".to_owned()
}

fn current() -> bool {
    true
}

impl Task {
    /// A completed task with no description, created at the Unix epoch, in workspace `"0"`,
    /// with no versions.
    pub fn new(task_id: TaskId, name: impl Into<String>, template_id: impl Into<String>) -> Self {
        Self {
            task_id,
            name: name.into(),
            description: String::new(),
            status: TaskStatus::Completed,
            create_time: 0,
            template: TaskTemplate::new(template_id),
            workspace_id: default_workspace(),
            duration_seconds: 0,
            version_count: 0,
            is_current: true,
            version_id: None,
            version_name: None,
            error_msg: None,
            result: None,
            data_source: None,
            inputs: None,
            work_path: None,
        }
    }

    /// The same task with `status`.
    #[must_use]
    pub fn with_status(mut self, status: TaskStatus) -> Self {
        self.status = status;
        self
    }

    /// The same task with `description`.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The same task created at `create_time` (milliseconds since the Unix epoch).
    #[must_use]
    pub fn with_create_time(mut self, create_time: u64) -> Self {
        self.create_time = create_time;
        self
    }

    /// The same task having run for `seconds`.
    #[must_use]
    pub fn with_duration_seconds(mut self, seconds: u64) -> Self {
        self.duration_seconds = seconds;
        self
    }

    /// The same task with `error_msg` (shown while the task is failed).
    #[must_use]
    pub fn with_error_msg(mut self, error_msg: impl Into<String>) -> Self {
        self.error_msg = Some(error_msg.into());
        self
    }

    /// The same task with `result` (shown while the task is completed).
    #[must_use]
    pub fn with_result(mut self, result: Value) -> Self {
        self.result = Some(result);
        self
    }

    /// The same task in workspace `workspace_id`.
    #[must_use]
    pub fn with_workspace_id(mut self, workspace_id: impl Into<String>) -> Self {
        self.workspace_id = workspace_id.into();
        self
    }

    /// The task as a reply shows it: `error_msg` only when failed, and `result` only when
    /// completed and `with_result` (then `{"sample_count": 0}` if none is stored).
    #[must_use]
    pub(crate) fn into_reply(mut self, with_result: bool) -> Self {
        if self.status != TaskStatus::Failed {
            self.error_msg = None;
        }
        if self.status == TaskStatus::Completed && with_result {
            self.result
                .get_or_insert_with(|| serde_json::json!({"sample_count": 0}));
        } else {
            self.result = None;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn status_codes_round_trip() {
        for status in TaskStatus::ALL {
            assert_eq!(TaskStatus::from_code(status.code()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(serde_json::from_str::<TaskStatus>(&json).unwrap(), status);
        }
        assert_eq!(TaskStatus::from_code(5), None);
        assert!(serde_json::from_str::<TaskStatus>("7").is_err());
    }

    #[test]
    fn task_round_trips_through_json() {
        let task = Task::new("abc".parse().unwrap(), "n", "sys_data_analyse")
            .with_description("d")
            .with_status(TaskStatus::Initializing)
            .with_create_time(5);
        let json = serde_json::to_string(&task).unwrap();
        assert_eq!(serde_json::from_str::<Task>(&json).unwrap(), task);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["status"], 0);
        assert_eq!(value["workspace_id"], "0");
        assert_eq!(value["create_time"], 5);
        assert_eq!(value["is_current"], true);
        assert!(value.get("error_msg").is_none() && value.get("version_id").is_none());
    }

    #[test]
    fn replies_show_errors_of_failed_and_results_of_completed_tasks() {
        let task = Task::new("abc".parse().unwrap(), "n", "t")
            .with_error_msg("boom")
            .with_result(serde_json::json!({"sample_count": 3}));
        let failed = task
            .clone()
            .with_status(TaskStatus::Failed)
            .into_reply(true);
        assert_eq!(failed.error_msg.as_deref(), Some("boom"));
        assert_eq!(failed.result, None);
        let done = task.clone().into_reply(true);
        assert_eq!((done.error_msg, done.result), (None, task.result.clone()));
        assert_eq!(task.clone().into_reply(false).result, None);
        let bare = Task::new("abc".parse().unwrap(), "n", "t").into_reply(true);
        assert_eq!(bare.result, Some(serde_json::json!({"sample_count": 0})));
        let running = bare.with_status(TaskStatus::Running).into_reply(true);
        assert_eq!(running.result, None);
    }
}
