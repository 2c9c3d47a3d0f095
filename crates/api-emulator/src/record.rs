//! `TaskRecord`: a task with its versions, the unit the store keeps and changes atomically.

use std::cmp::Ordering;

use api_model::TaskId;

use crate::task::Task;
use crate::version::TaskVersion;

/// A task and its versions, kept together so that one store call changes both at once.
///
/// The record keeps the task's `version_count`, `version_id` and `version_name` in step with
/// its versions, and names each added version `V001`, `V002`, … (a name is never reused, even
/// after its version is deleted).
///
/// ```
/// use api_emulator::{Task, TaskRecord, TaskVersion};
///
/// let task_id: api_model::TaskId = "SNEJua7qdZZN8GvkcEr".parse()?;
/// let mut record = TaskRecord::new(Task::new(task_id.clone(), "t", "sys_data_analyse"));
/// let v1 = TaskVersion::new("VersionId0000000001".parse()?, task_id.clone()).with_times(1);
/// assert_eq!(record.add_version(v1).map(|v| v.version_name.as_str()), Some("V001"));
/// assert_eq!(record.task().version_count, 1);
/// assert_eq!(record.task().version_name.as_deref(), Some("V001"));
/// assert!(record.remove_version(&"VersionId0000000001".parse()?).is_some());
/// assert_eq!(record.task().version_count, 0);
/// assert_eq!(record.task().version_id, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    task: Task,
    versions: Vec<TaskVersion>,
    /// How many versions were ever numbered, so names are never reused.
    numbered: u64,
}

impl TaskRecord {
    /// A record of `task` with no versions. Numbering continues after the task's
    /// `version_count`, so a task that claims two versions gets `V003` next.
    #[must_use]
    pub fn new(task: Task) -> Self {
        Self {
            numbered: task.version_count,
            task,
            versions: Vec::new(),
        }
    }

    /// The task.
    #[must_use]
    pub fn task(&self) -> &Task {
        &self.task
    }

    /// The task, to change (its description, status, …).
    pub fn task_mut(&mut self) -> &mut Task {
        &mut self.task
    }

    /// The task, without its versions.
    #[must_use]
    pub fn into_task(self) -> Task {
        self.task
    }

    /// The versions, oldest added first.
    #[must_use]
    pub fn versions(&self) -> &[TaskVersion] {
        &self.versions
    }

    /// The versions newest first (by `create_time`; ties by version id, ascending).
    #[must_use]
    pub fn versions_newest_first(&self) -> Vec<&TaskVersion> {
        let mut versions: Vec<&TaskVersion> = self.versions.iter().collect();
        versions.sort_by(|a, b| newest_first(a, b));
        versions
    }

    /// The version with id `version_id`.
    #[must_use]
    pub fn version(&self, version_id: &TaskId) -> Option<&TaskVersion> {
        self.versions
            .iter()
            .find(|version| &version.task_version_id == version_id)
    }

    /// The version with id `version_id`, to change.
    pub fn version_mut(&mut self, version_id: &TaskId) -> Option<&mut TaskVersion> {
        self.versions
            .iter_mut()
            .find(|version| &version.task_version_id == version_id)
    }

    /// Adds `version` under the next name (`V001`, …), belonging to this task, and makes it the
    /// task's current version (`version_count` + 1). `None`, changing nothing, when the task
    /// already has a version with its id.
    pub fn add_version(&mut self, mut version: TaskVersion) -> Option<&TaskVersion> {
        if self.version(&version.task_version_id).is_some() {
            return None;
        }
        self.numbered += 1;
        version.version_name = format!("V{:03}", self.numbered);
        version.task_id = self.task.task_id.clone();
        self.task.version_id = Some(version.task_version_id.clone());
        self.task.version_name = Some(version.version_name.clone());
        self.task.version_count += 1;
        self.versions.push(version);
        self.versions.last()
    }

    /// Removes the version with id `version_id` (`version_count` − 1). If it was the task's
    /// current one, the newest remaining version becomes current (or none).
    pub fn remove_version(&mut self, version_id: &TaskId) -> Option<TaskVersion> {
        let index = self
            .versions
            .iter()
            .position(|version| &version.task_version_id == version_id)?;
        let removed = self.versions.remove(index);
        self.task.version_count = self.task.version_count.saturating_sub(1);
        if self.task.version_id.as_ref() == Some(version_id) {
            let newest = self.versions_newest_first().first().map(|version| {
                (
                    version.task_version_id.clone(),
                    version.version_name.clone(),
                )
            });
            self.task.version_id = newest.as_ref().map(|(id, _)| id.clone());
            self.task.version_name = newest.map(|(_, name)| name);
        }
        Some(removed)
    }
}

/// Newest first; ties by version id, so the order is total.
fn newest_first(a: &TaskVersion, b: &TaskVersion) -> Ordering {
    b.create_time
        .cmp(&a.create_time)
        .then_with(|| a.task_version_id.cmp(&b.task_version_id))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn id(text: &str) -> TaskId {
        text.parse().unwrap()
    }

    fn record() -> TaskRecord {
        TaskRecord::new(Task::new(id("task"), "t", "sys_data_analyse"))
    }

    fn version(text: &str, time: u64) -> TaskVersion {
        TaskVersion::new(id(text), id("someone-else")).with_times(time)
    }

    #[test]
    fn names_are_never_reused_and_the_current_version_follows() {
        let mut record = record();
        for (v, time) in [("a", 1), ("b", 2), ("c", 3)] {
            record.add_version(version(v, time)).unwrap();
        }
        assert_eq!(record.task().version_name.as_deref(), Some("V003"));
        assert_eq!(record.task().version_count, 3);
        assert!(record.versions().iter().all(|v| v.task_id == id("task")));

        assert!(record.remove_version(&id("c")).is_some());
        assert_eq!(record.task().version_id, Some(id("b")));
        assert_eq!(record.task().version_name.as_deref(), Some("V002"));
        assert!(record.remove_version(&id("c")).is_none());
        assert_eq!(record.task().version_count, 2);

        // Removing a version that is not current keeps the current one.
        assert!(record.remove_version(&id("a")).is_some());
        assert_eq!(record.task().version_id, Some(id("b")));

        let added = record.add_version(version("d", 0)).unwrap();
        assert_eq!(added.version_name, "V004");
        assert_eq!(record.task().version_id, Some(id("d")));
        record.remove_version(&id("d"));
        record.remove_version(&id("b"));
        assert_eq!(record.task().version_id, None);
        assert_eq!(record.task().version_name, None);
        assert_eq!(record.task().version_count, 0);
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let mut record = record();
        record.add_version(version("a", 1)).unwrap();
        assert!(record.add_version(version("a", 2)).is_none());
        assert_eq!(record.task().version_count, 1);
        assert_eq!(record.versions()[0].create_time, 1);
    }

    #[test]
    fn newest_first_breaks_ties_by_id() {
        let mut record = record();
        for (v, time) in [("b", 5), ("a", 5), ("c", 9), ("d", 1)] {
            record.add_version(version(v, time)).unwrap();
        }
        let order: Vec<&str> = record
            .versions_newest_first()
            .iter()
            .map(|v| v.task_version_id.as_str())
            .collect();
        assert_eq!(order, ["c", "a", "b", "d"]);
    }

    #[test]
    fn numbering_continues_after_a_claimed_count() {
        let mut task = Task::new(id("task"), "t", "x");
        task.version_count = 2;
        let mut record = TaskRecord::new(task);
        let added = record.add_version(version("a", 1)).unwrap();
        assert_eq!(added.version_name, "V003");
        assert_eq!(record.task().version_count, 3);
    }
}
