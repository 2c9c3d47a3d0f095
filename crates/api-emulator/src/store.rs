//! The task store: the `TaskStore` trait the handlers use, and its sharded in-memory implementation.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use api_model::{ProjectId, TaskId};

use crate::query::TaskQuery;
use crate::record::TaskRecord;
use crate::task::{Task, TaskStatus};

/// What deleting a task did: the one atomic step behind `DELETE …/processor-tasks/{task_id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeleteOutcome {
    /// The task existed and is gone.
    Deleted,
    /// No such task in that project.
    NotFound,
    /// The task is initializing (status 0), so it was kept: the service refuses with
    /// `403 ModelArts.4850`.
    Initializing,
}

/// One page of a project's tasks, as `GET …/processor-tasks` answers it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskPage {
    /// How many tasks matched in all (for [`TaskStore::list`], the project's task count).
    pub count: usize,
    /// The tasks of the page, in the query's order (for [`TaskStore::list`], newest first,
    /// ties by task id).
    pub tasks: Vec<Task>,
}

/// A change to one task and its versions, made by [`TaskStore::modify`]. Every
/// `FnMut(&mut TaskRecord)` is one (name the closure's argument type: `|record: &mut
/// TaskRecord| …`).
pub trait RecordChange {
    /// Makes the change.
    fn apply(&mut self, record: &mut TaskRecord);
}

impl<F: FnMut(&mut TaskRecord)> RecordChange for F {
    fn apply(&mut self, record: &mut TaskRecord) {
        self(record);
    }
}

/// Where the emulator keeps tasks, keyed by (project id, task id).
///
/// Every method is one short, synchronous step: implementations must be safe to call from many
/// threads at once and must not block for long (the emulator calls them on its runtime's
/// worker threads, never holding a lock across an `.await`). [`InMemoryTaskStore`] is the
/// default; with the `mock` feature (and in this crate's tests) `MockTaskStore` is a
/// [`mockall`](https://docs.rs/mockall) mock of it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait TaskStore: Send + Sync + fmt::Debug {
    /// Adds `task` to `project`. Returns `false`, changing nothing, when the project already
    /// has a task with that id.
    fn insert(&self, project: &ProjectId, task: Task) -> bool;

    /// The task, if `project` has it.
    fn get(&self, project: &ProjectId, task_id: &TaskId) -> Option<Task>;

    /// Whether `project` has the task.
    fn contains(&self, project: &ProjectId, task_id: &TaskId) -> bool;

    /// Page `page` (from 0) of `page_size` of the project's tasks, newest first (ties by task
    /// id), with the project's total count. A page past the end is empty.
    fn list(&self, project: &ProjectId, page: usize, page_size: usize) -> TaskPage;

    /// The page of the project's tasks that `query` selects: filtered, then counted, then
    /// sorted, then paged.
    fn search(&self, project: &ProjectId, query: &TaskQuery) -> TaskPage;

    /// Adds `record` (a task and its versions) to `project`. Returns `false`, changing
    /// nothing, when the project already has a task with that id.
    fn insert_record(&self, project: &ProjectId, record: TaskRecord) -> bool;

    /// The task with its versions, if `project` has it.
    fn record(&self, project: &ProjectId, task_id: &TaskId) -> Option<TaskRecord>;

    /// Calls `change` with the task and its versions, in one atomic step (no other call sees
    /// the task in between); returns `false`, not calling it, when there is no such task.
    fn modify(&self, project: &ProjectId, task_id: &TaskId, change: &mut dyn RecordChange) -> bool;

    /// Deletes the task (and its versions) unless it is initializing, in one atomic step.
    fn delete(&self, project: &ProjectId, task_id: &TaskId) -> DeleteOutcome;

    /// Sets the status of a task; returns `false` when there is no such task.
    fn set_status(&self, project: &ProjectId, task_id: &TaskId, status: TaskStatus) -> bool;

    /// How many tasks `project` has.
    fn count(&self, project: &ProjectId) -> usize;

    /// The ids of the project's tasks, in list order (newest first).
    fn task_ids(&self, project: &ProjectId) -> Vec<TaskId>;
}

/// The number of independently locked shards of an [`InMemoryTaskStore`].
const SHARDS: usize = 32;

type Shard = HashMap<ProjectId, HashMap<TaskId, TaskRecord>>;

/// The default [`TaskStore`]: in memory, split into shards by a hash of (project, task id),
/// each behind its own `RwLock`, so concurrent requests on different tasks rarely meet.
///
/// ```
/// use api_emulator::{DeleteOutcome, InMemoryTaskStore, Task, TaskStore};
///
/// let store = InMemoryTaskStore::new();
/// let project = "a4a5d4098fb4474fa22cd05f897d6b99".parse()?;
/// let id: api_model::TaskId = "SNEJua7qdZZN8GvkcEr".parse()?;
/// assert!(store.insert(&project, Task::new(id.clone(), "t", "sys_data_analyse")));
/// assert_eq!(store.count(&project), 1);
/// assert_eq!(store.delete(&project, &id), DeleteOutcome::Deleted);
/// assert_eq!(store.delete(&project, &id), DeleteOutcome::NotFound);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct InMemoryTaskStore {
    shards: Box<[RwLock<Shard>]>,
    hasher: RandomState,
}

impl Default for InMemoryTaskStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for InMemoryTaskStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryTaskStore")
            .field("shards", &self.shards.len())
            .finish_non_exhaustive()
    }
}

impl InMemoryTaskStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| RwLock::new(Shard::new())).collect(),
            hasher: RandomState::new(),
        }
    }

    /// A store holding `tasks`; a task whose (project, id) is already there is skipped.
    pub fn with_tasks(tasks: impl IntoIterator<Item = (ProjectId, Task)>) -> Self {
        let store = Self::new();
        for (project, task) in tasks {
            store.insert(&project, task);
        }
        store
    }

    fn shard(&self, project: &ProjectId, task_id: &TaskId) -> &RwLock<Shard> {
        let hash = self.hasher.hash_one((project, task_id));
        // The modulo keeps the index below SHARDS, so it fits in usize.
        let index = usize::try_from(hash % SHARDS as u64).unwrap_or(0);
        &self.shards[index]
    }

    /// Calls `each` with every task of `project`, shard by shard (one read lock at a time).
    fn for_each_in(&self, project: &ProjectId, mut each: impl FnMut(&Task)) {
        for shard in &self.shards {
            if let Some(tasks) = read(shard).get(project) {
                tasks.values().map(TaskRecord::task).for_each(&mut each);
            }
        }
    }

    /// The project's tasks that `query` matches, in its order.
    fn sorted(&self, project: &ProjectId, query: &TaskQuery) -> Vec<Task> {
        let mut tasks = Vec::new();
        self.for_each_in(project, |task| {
            if query.matches(task) {
                tasks.push(task.clone());
            }
        });
        tasks.sort_by(|a, b| query.compare(a, b));
        tasks
    }
}

/// A poisoned lock only means another thread panicked while holding it; the map is still whole
/// (every change is a single insert, remove or record update), so keep using it.
fn read(lock: &RwLock<Shard>) -> RwLockReadGuard<'_, Shard> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write(lock: &RwLock<Shard>) -> RwLockWriteGuard<'_, Shard> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

impl TaskStore for InMemoryTaskStore {
    fn insert(&self, project: &ProjectId, task: Task) -> bool {
        self.insert_record(project, TaskRecord::new(task))
    }

    fn get(&self, project: &ProjectId, task_id: &TaskId) -> Option<Task> {
        read(self.shard(project, task_id))
            .get(project)
            .and_then(|tasks| tasks.get(task_id))
            .map(|record| record.task().clone())
    }

    fn contains(&self, project: &ProjectId, task_id: &TaskId) -> bool {
        read(self.shard(project, task_id))
            .get(project)
            .is_some_and(|tasks| tasks.contains_key(task_id))
    }

    fn list(&self, project: &ProjectId, page: usize, page_size: usize) -> TaskPage {
        self.search(project, &TaskQuery::page(page, page_size))
    }

    fn search(&self, project: &ProjectId, query: &TaskQuery) -> TaskPage {
        let tasks = self.sorted(project, query);
        let count = tasks.len();
        TaskPage {
            count,
            tasks: tasks
                .into_iter()
                .skip(query.skipped())
                .take(query.page_size)
                .collect(),
        }
    }

    fn insert_record(&self, project: &ProjectId, record: TaskRecord) -> bool {
        let task_id = record.task().task_id.clone();
        let mut shard = write(self.shard(project, &task_id));
        let tasks = shard.entry(project.clone()).or_default();
        if tasks.contains_key(&task_id) {
            return false;
        }
        tasks.insert(task_id, record);
        true
    }

    fn record(&self, project: &ProjectId, task_id: &TaskId) -> Option<TaskRecord> {
        read(self.shard(project, task_id))
            .get(project)
            .and_then(|tasks| tasks.get(task_id))
            .cloned()
    }

    fn modify(&self, project: &ProjectId, task_id: &TaskId, change: &mut dyn RecordChange) -> bool {
        let mut shard = write(self.shard(project, task_id));
        match shard
            .get_mut(project)
            .and_then(|tasks| tasks.get_mut(task_id))
        {
            Some(record) => {
                change.apply(record);
                true
            }
            None => false,
        }
    }

    fn delete(&self, project: &ProjectId, task_id: &TaskId) -> DeleteOutcome {
        let mut shard = write(self.shard(project, task_id));
        let Some(tasks) = shard.get_mut(project) else {
            return DeleteOutcome::NotFound;
        };
        match tasks.get(task_id).map(|record| record.task().status) {
            None => DeleteOutcome::NotFound,
            Some(TaskStatus::Initializing) => DeleteOutcome::Initializing,
            Some(_) => {
                tasks.remove(task_id);
                if tasks.is_empty() {
                    shard.remove(project);
                }
                DeleteOutcome::Deleted
            }
        }
    }

    fn set_status(&self, project: &ProjectId, task_id: &TaskId, status: TaskStatus) -> bool {
        let mut shard = write(self.shard(project, task_id));
        match shard
            .get_mut(project)
            .and_then(|tasks| tasks.get_mut(task_id))
        {
            Some(record) => {
                record.task_mut().status = status;
                true
            }
            None => false,
        }
    }

    fn count(&self, project: &ProjectId) -> usize {
        self.shards
            .iter()
            .map(|shard| read(shard).get(project).map_or(0, HashMap::len))
            .sum()
    }

    fn task_ids(&self, project: &ProjectId) -> Vec<TaskId> {
        self.sorted(project, &TaskQuery::default())
            .into_iter()
            .map(|task| task.task_id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;

    use super::*;
    use crate::version::TaskVersion;

    fn project(n: u8) -> ProjectId {
        format!("{:032}", n).parse().unwrap()
    }

    fn task(id: &str, time: u64) -> Task {
        Task::new(id.parse().unwrap(), id, "sys_data_analyse").with_create_time(time)
    }

    #[test]
    fn insert_does_not_overwrite() {
        let store = InMemoryTaskStore::new();
        assert!(store.insert(&project(1), task("a", 1)));
        assert!(!store.insert(&project(1), task("a", 2).with_description("other")));
        assert_eq!(
            store
                .get(&project(1), &"a".parse().unwrap())
                .unwrap()
                .create_time,
            1
        );
        assert!(
            store.insert(&project(2), task("a", 3)),
            "projects are separate"
        );
    }

    #[test]
    fn delete_outcomes() {
        let store = InMemoryTaskStore::new();
        let p = project(1);
        store.insert(&p, task("done", 1));
        store.insert(&p, task("init", 2).with_status(TaskStatus::Initializing));
        let done: TaskId = "done".parse().unwrap();
        let init: TaskId = "init".parse().unwrap();
        assert_eq!(store.delete(&p, &init), DeleteOutcome::Initializing);
        assert!(store.contains(&p, &init));
        assert_eq!(store.delete(&p, &done), DeleteOutcome::Deleted);
        assert_eq!(store.delete(&p, &done), DeleteOutcome::NotFound);
        assert_eq!(store.delete(&project(9), &init), DeleteOutcome::NotFound);
        assert!(store.set_status(&p, &init, TaskStatus::Running));
        assert!(!store.set_status(&p, &done, TaskStatus::Running));
        assert_eq!(store.delete(&p, &init), DeleteOutcome::Deleted);
        assert_eq!(store.count(&p), 0);
    }

    #[test]
    fn list_is_newest_first_and_stable() {
        let store = InMemoryTaskStore::new();
        let p = project(1);
        for (id, time) in [("b", 5), ("a", 5), ("c", 9), ("d", 1)] {
            store.insert(&p, task(id, time));
        }
        let ids = |page: TaskPage| {
            page.tasks
                .into_iter()
                .map(|t| t.task_id.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(store.list(&p, 0, 10)), ["c", "a", "b", "d"]);
        // Page 1 of pages of 2: the third and fourth tasks, not "skip one".
        assert_eq!(ids(store.list(&p, 0, 2)), ["c", "a"]);
        assert_eq!(ids(store.list(&p, 1, 2)), ["b", "d"]);
        assert_eq!(ids(store.list(&p, 1, 3)), ["d"]);
        // Past the end: empty, with the true count.
        assert_eq!(store.list(&p, 2, 2).count, 4);
        assert!(store.list(&p, 2, 2).tasks.is_empty());
        assert!(store.list(&p, usize::MAX, usize::MAX).tasks.is_empty());
        let listed: Vec<String> = store.task_ids(&p).iter().map(ToString::to_string).collect();
        assert_eq!(listed, ["c", "a", "b", "d"]);
    }

    #[test]
    fn search_filters_counts_sorts_then_pages() {
        let store = InMemoryTaskStore::new();
        let p = project(1);
        for (id, time, status) in [
            ("a", 1, TaskStatus::Failed),
            ("b", 2, TaskStatus::Completed),
            ("c", 3, TaskStatus::Failed),
            ("d", 3, TaskStatus::Failed),
        ] {
            store.insert(&p, task(id, time).with_status(status));
        }
        let failed = TaskQuery {
            status: Some(TaskStatus::Failed),
            order: crate::SortOrder::Asc,
            ..TaskQuery::page(1, 1)
        };
        let page = store.search(&p, &failed);
        assert_eq!(page.count, 3);
        assert_eq!(page.tasks.len(), 1);
        assert_eq!(page.tasks[0].task_id.as_str(), "c");
        assert_eq!(store.search(&project(2), &failed), TaskPage::default());
    }

    #[test]
    fn records_keep_versions_and_deleting_the_task_drops_them() {
        let store = InMemoryTaskStore::new();
        let p = project(1);
        let id: TaskId = "t".parse().unwrap();
        store.insert(&p, task("t", 1));
        assert!(store.modify(&p, &id, &mut |record: &mut TaskRecord| {
            let version = TaskVersion::new("v".parse().unwrap(), id.clone());
            record.add_version(version).unwrap();
        }));
        assert_eq!(store.get(&p, &id).unwrap().version_count, 1);
        assert_eq!(store.record(&p, &id).unwrap().versions().len(), 1);
        assert!(
            !store.modify(&p, &"none".parse().unwrap(), &mut |_: &mut TaskRecord| {
                unreachable!("no such task")
            })
        );
        assert!(!store.insert_record(&p, TaskRecord::new(task("t", 9))));
        assert_eq!(store.delete(&p, &id), DeleteOutcome::Deleted);
        assert!(store.insert(&p, task("t", 1)));
        assert!(store.record(&p, &id).unwrap().versions().is_empty());
    }

    #[test]
    fn concurrent_version_adds_are_atomic() {
        let store = InMemoryTaskStore::new();
        let p = project(1);
        let id: TaskId = "t".parse().unwrap();
        store.insert(&p, task("t", 1));
        std::thread::scope(|scope| {
            for thread in 0..4 {
                let (store, p, id) = (&store, &p, &id);
                scope.spawn(move || {
                    for n in 0..50 {
                        let version_id: TaskId = format!("v{thread}-{n}").parse().unwrap();
                        store.modify(p, id, &mut |record: &mut TaskRecord| {
                            let version = TaskVersion::new(version_id.clone(), id.clone());
                            record.add_version(version).unwrap();
                        });
                    }
                });
            }
        });
        let record = store.record(&p, &id).unwrap();
        assert_eq!(record.task().version_count, 200);
        let names: std::collections::HashSet<&str> = record
            .versions()
            .iter()
            .map(|v| v.version_name.as_str())
            .collect();
        assert_eq!(names.len(), 200);
        assert!(names.contains("V001") && names.contains("V200"));
    }

    #[test]
    fn concurrent_deletes_each_succeed_once() {
        let store = Arc::new(InMemoryTaskStore::new());
        let p = project(1);
        for i in 0..200 {
            store.insert(&p, task(&format!("t{i}"), i));
        }
        let deleted: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    let store = &store;
                    let p = &p;
                    scope.spawn(move || {
                        (0..200)
                            .filter(|i| {
                                store.delete(p, &format!("t{i}").parse().unwrap())
                                    == DeleteOutcome::Deleted
                            })
                            .count()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(deleted, 200);
        assert_eq!(store.count(&p), 0);
    }
}
