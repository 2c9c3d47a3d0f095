//! Seeded tasks with realistic variety (statuses, errors, durations), for demos and filters.

use std::collections::HashSet;

use api_model::ProjectId;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::record::TaskRecord;
use crate::seed::{SEED_EPOCH_MS, project_salt, random_id};
use crate::task::{Task, TaskStatus};
use crate::version::TaskVersion;

/// The gap between the `create_time`s of two tasks from [`seeded_tasks_mixed`]: one hour.
pub const MIXED_SEED_INTERVAL_MS: u64 = 3_600_000;

/// The statuses mixed seeding cycles through (never initializing).
const STATUSES: [TaskStatus; 6] = [
    TaskStatus::Completed,
    TaskStatus::Failed,
    TaskStatus::Running,
    TaskStatus::Completed,
    TaskStatus::Stopped,
    TaskStatus::Failed,
];

/// The templates mixed seeding cycles through, with the word their tasks are named after.
const TEMPLATES: [(&str, &str); 5] = [
    ("sys_data_cleaning", "cleaning"),
    ("sys_data_analyse", "analyse"),
    ("sys_data_augmentation", "augmentation"),
    ("sys_data_validation", "validation"),
    ("sys_data_selection", "selection"),
];

/// The `error_msg`s failed tasks cycle through.
const ERRORS: [&str; 3] = [
    "The input OBS path does not exist.",
    "The dataset version is not published.",
    "The task ran out of memory.",
];

/// Keeps mixed ids apart from [`seeded_tasks`](crate::seeded_tasks)' ids for the same seed.
const MIXED_SALT: u64 = 0x6d69_7865_642d_7365;

/// `n` varied tasks for `project`, the same for the same `rng_seed`, for demos of filters such
/// as `delete --where`:
///
/// - ids of 19 ASCII letters and digits, distinct (and not those of
///   [`seeded_tasks`](crate::seeded_tasks) with the same seed);
/// - statuses cycling completed, failed, running, completed, stopped, failed (never
///   initializing, so every one can be deleted); failed tasks carry an `error_msg`, completed
///   ones a `result` of `{"sample_count": …}`;
/// - templates cycling `sys_data_cleaning`, `sys_data_analyse`, `sys_data_augmentation`,
///   `sys_data_validation`, `sys_data_selection`, and names after them: `cleaning-00001`,
///   `analyse-00002`, …;
/// - `create_time` one hour ([`MIXED_SEED_INTERVAL_MS`]) apart, counting down from
///   [`SEED_EPOCH_MS`](crate::SEED_EPOCH_MS) (so list order is seeding order);
/// - `duration_seconds` from the RNG: 60 to 600 for running tasks, 30 to 7,200 for the rest.
///
/// ```
/// use api_emulator::{TaskStatus, seeded_tasks_mixed};
///
/// let project = api_emulator::demo_project_id();
/// let tasks = seeded_tasks_mixed(&project, 6, 7);
/// assert_eq!(tasks, seeded_tasks_mixed(&project, 6, 7));
/// assert_eq!(tasks[0].name, "cleaning-00001");
/// assert_eq!(tasks[1].status, TaskStatus::Failed);
/// assert!(tasks[1].error_msg.is_some());
/// assert_eq!(tasks[0].create_time - tasks[1].create_time, 3_600_000);
/// ```
#[must_use]
pub fn seeded_tasks_mixed(project: &ProjectId, n: usize, rng_seed: u64) -> Vec<Task> {
    let mut rng = StdRng::seed_from_u64(rng_seed ^ project_salt(project) ^ MIXED_SALT);
    let mut seen = HashSet::with_capacity(n);
    let mut tasks = Vec::with_capacity(n);
    let mut time = SEED_EPOCH_MS;
    while tasks.len() < n {
        let id = random_id(&mut rng);
        if !seen.insert(id.clone()) {
            continue;
        }
        let index = tasks.len();
        let status = STATUSES[index % STATUSES.len()];
        let (template, word) = TEMPLATES[index % TEMPLATES.len()];
        let duration = if status == TaskStatus::Running {
            rng.random_range(60..=600)
        } else {
            rng.random_range(30..=7_200)
        };
        let mut task = Task::new(id, format!("{word}-{:05}", index + 1), template)
            .with_description(format!("seeded {status} {word} task {}", index + 1))
            .with_status(status)
            .with_create_time(time)
            .with_duration_seconds(duration);
        match status {
            TaskStatus::Failed => task = task.with_error_msg(ERRORS[index % ERRORS.len()]),
            TaskStatus::Completed => {
                let samples: u64 = rng.random_range(100..=5_000);
                task = task.with_result(json!({ "sample_count": samples }));
            }
            _ => {}
        }
        tasks.push(task);
        time = time.saturating_sub(MIXED_SEED_INTERVAL_MS);
    }
    tasks
}

/// The salt of the RNG behind seeded versions, apart from the tasks' so that adding versions
/// changes no task.
const VERSION_SALT: u64 = 0x7665_7273_696f_6e73;

/// [`seeded_tasks_mixed`], each with versions: none for running tasks, and 0, 1, 2 or 3
/// versions in turn for the others (deterministic ids, named `V001`…, an hour apart after
/// their task, each in its task's status, the last one current).
///
/// ```
/// let project = api_emulator::demo_project_id();
/// let records = api_emulator::seeded_records_mixed(&project, 8, 7);
/// assert_eq!(records.len(), 8);
/// assert!(records.iter().any(|r| r.versions().len() >= 2));
/// let tasks: Vec<_> = records.iter().map(|r| r.task().task_id.clone()).collect();
/// let plain: Vec<_> = api_emulator::seeded_tasks_mixed(&project, 8, 7).into_iter().map(|t| t.task_id).collect();
/// assert_eq!(tasks, plain, "the same tasks");
/// ```
#[must_use]
pub fn seeded_records_mixed(project: &ProjectId, n: usize, rng_seed: u64) -> Vec<TaskRecord> {
    let mut rng = StdRng::seed_from_u64(rng_seed ^ project_salt(project) ^ VERSION_SALT);
    seeded_tasks_mixed(project, n, rng_seed)
        .into_iter()
        .enumerate()
        .map(|(index, task)| {
            let versions = if task.status == TaskStatus::Running {
                0
            } else {
                index % 4
            };
            let (status, created, task_id) = (task.status, task.create_time, task.task_id.clone());
            let mut record = TaskRecord::new(task);
            for v in 0..versions {
                let hours = u64::try_from(v + 1).unwrap_or(1);
                let version = TaskVersion::new(random_id(&mut rng), task_id.clone())
                    .with_status(status)
                    .with_description(format!("seeded version {}", v + 1))
                    .with_times(created.saturating_add(hours * MIXED_SEED_INTERVAL_MS / 4));
                record.add_version(version);
            }
            record
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::seed::seeded_tasks;

    fn project() -> ProjectId {
        "a4a5d4098fb4474fa22cd05f897d6b99".parse().unwrap()
    }

    #[test]
    fn varied_and_deterministic() {
        let tasks = seeded_tasks_mixed(&project(), 30, 3);
        assert_eq!(tasks, seeded_tasks_mixed(&project(), 30, 3));
        assert_ne!(
            tasks[0].task_id,
            seeded_tasks_mixed(&project(), 1, 4)[0].task_id
        );
        assert_ne!(tasks[0].task_id, seeded_tasks(&project(), 1, 3)[0].task_id);
        let names: Vec<&str> = tasks.iter().take(3).map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["cleaning-00001", "analyse-00002", "augmentation-00003"]
        );
        for (index, task) in tasks.iter().enumerate() {
            assert_eq!(task.status, STATUSES[index % 6]);
            assert_ne!(task.status, TaskStatus::Initializing);
            assert_eq!(task.error_msg.is_some(), task.status == TaskStatus::Failed);
            assert_eq!(task.result.is_some(), task.status == TaskStatus::Completed);
            let hours = u64::try_from(index).unwrap();
            assert_eq!(
                task.create_time,
                SEED_EPOCH_MS - hours * MIXED_SEED_INTERVAL_MS
            );
            assert!((30..=7_200).contains(&task.duration_seconds));
            assert_eq!(task.task_id.as_str().len(), 19);
        }
        let durations: HashSet<u64> = tasks.iter().map(|t| t.duration_seconds).collect();
        assert!(durations.len() > 20, "durations vary: {durations:?}");
        let ids: HashSet<_> = tasks.iter().map(|t| &t.task_id).collect();
        assert_eq!(ids.len(), 30);
    }
}
