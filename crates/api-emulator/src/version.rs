//! `TaskVersion`: one version of a processing task, as the service shows it in JSON.

use api_model::TaskId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::task::TaskStatus;

/// A version of a processing task (`V001`, `V002`, …), the service's Version object.
///
/// Version ids have the shape of task ids (the emulator makes 19 ASCII letters and digits),
/// so they are [`TaskId`]s.
///
/// ```
/// use api_emulator::{TaskStatus, TaskVersion};
///
/// let version = TaskVersion::new("VersionId0000000001".parse()?, "SNEJua7qdZZN8GvkcEr".parse()?)
///     .with_status(TaskStatus::Running)
///     .with_times(5);
/// let json = serde_json::to_value(&version)?;
/// assert_eq!(json["task_version_id"], "VersionId0000000001");
/// assert_eq!(json["status"], 1);
/// assert_eq!(json["update_time"], 5);
/// assert!(json.get("template").is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskVersion {
    /// The version id.
    pub task_version_id: TaskId,
    /// The task the version belongs to.
    pub task_id: TaskId,
    /// The version's name: `V001`, `V002`, … numbered per task, never reused.
    pub version_name: String,
    /// The description (empty when none was given).
    #[serde(default)]
    pub description: String,
    /// The status.
    pub status: TaskStatus,
    /// When the version was created, in milliseconds since the Unix epoch.
    pub create_time: u64,
    /// When the version last changed, in milliseconds since the Unix epoch.
    pub update_time: u64,
    /// How long the version has run, in seconds.
    #[serde(default)]
    pub duration_seconds: u64,
    /// Samples the version added.
    #[serde(default)]
    pub add_sample_count: u64,
    /// Samples the version deleted.
    #[serde(default)]
    pub deleted_sample_count: u64,
    /// Samples the version modified.
    #[serde(default)]
    pub modified_sample_count: u64,
    /// Samples the version started from.
    #[serde(default)]
    pub origin_sample_count: u64,
    /// Samples the version left unmodified.
    #[serde(default)]
    pub unmodified_sample_count: u64,
    /// The template, as given when the version was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<Value>,
    /// The inputs, as given when the version was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<Value>>,
    /// The output path, as given when the version was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_path: Option<Value>,
}

impl TaskVersion {
    /// A running version of `task_id` with no name yet (the store names it when it is added),
    /// no description, created at the Unix epoch, with all counts 0.
    pub fn new(task_version_id: TaskId, task_id: TaskId) -> Self {
        Self {
            task_version_id,
            task_id,
            version_name: String::new(),
            description: String::new(),
            status: TaskStatus::Running,
            create_time: 0,
            update_time: 0,
            duration_seconds: 0,
            add_sample_count: 0,
            deleted_sample_count: 0,
            modified_sample_count: 0,
            origin_sample_count: 0,
            unmodified_sample_count: 0,
            template: None,
            inputs: None,
            work_path: None,
        }
    }

    /// The same version with `status`.
    #[must_use]
    pub fn with_status(mut self, status: TaskStatus) -> Self {
        self.status = status;
        self
    }

    /// The same version with `description`.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The same version created and last updated at `time` (milliseconds since the Unix
    /// epoch).
    #[must_use]
    pub fn with_times(mut self, time: u64) -> Self {
        self.create_time = time;
        self.update_time = time;
        self
    }

    /// Stops the version if it is initializing or running: status stopped, `update_time` and
    /// the duration set from `now` (ms). A finished version is left as it is. Returns whether
    /// it changed.
    pub fn stop(&mut self, now: u64) -> bool {
        if !matches!(self.status, TaskStatus::Initializing | TaskStatus::Running) {
            return false;
        }
        self.status = TaskStatus::Stopped;
        self.update_time = now.max(self.update_time);
        self.duration_seconds = self.update_time.saturating_sub(self.create_time) / 1000;
        true
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn version(status: TaskStatus) -> TaskVersion {
        TaskVersion::new("v".parse().unwrap(), "t".parse().unwrap())
            .with_status(status)
            .with_times(1_000)
    }

    #[test]
    fn stop_changes_only_unfinished_versions() {
        for status in [TaskStatus::Initializing, TaskStatus::Running] {
            let mut v = version(status);
            assert!(v.stop(61_000));
            assert_eq!(
                (v.status, v.update_time, v.duration_seconds),
                (TaskStatus::Stopped, 61_000, 60)
            );
        }
        for status in [
            TaskStatus::Completed,
            TaskStatus::Failed,
            TaskStatus::Stopped,
        ] {
            let mut v = version(status);
            assert!(!v.stop(61_000));
            assert_eq!(v, version(status));
        }
    }

    #[test]
    fn serializes_every_mandatory_field() {
        let json = serde_json::to_value(version(TaskStatus::Completed)).unwrap();
        for field in [
            "task_version_id",
            "task_id",
            "version_name",
            "description",
            "status",
            "create_time",
            "update_time",
            "duration_seconds",
            "add_sample_count",
            "deleted_sample_count",
            "modified_sample_count",
            "origin_sample_count",
            "unmodified_sample_count",
        ] {
            assert!(json.get(field).is_some(), "{field}");
        }
        assert_eq!(json["status"], 2);
    }
}
