//! `TaskQuery`: which tasks `GET …/processor-tasks` lists, in what order, and which page.

use std::cmp::Ordering;

use serde_json::Value;

use crate::task::{Task, TaskStatus};

/// What tasks are sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortKey {
    /// `create_time` (the default).
    #[default]
    CreateTime,
    /// `name`, compared byte by byte.
    Name,
    /// `duration_seconds`.
    DurationSeconds,
}

/// Which way tasks are sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortOrder {
    /// Smallest first.
    Asc,
    /// Largest first (the default).
    #[default]
    Desc,
}

/// A filter, an order and a page over one project's tasks.
///
/// Every filter that is set must match. The order is total: ties on the sort key are broken by
/// task id, ascending, whatever the [`SortOrder`], so pages are stable between requests.
/// The default matches every task, newest first, with no limit.
///
/// ```
/// use api_emulator::{SortKey, Task, TaskQuery};
///
/// let task = Task::new("SNEJua7qdZZN8GvkcEr".parse()?, "Cleaning-1", "sys_data_cleaning");
/// let query = TaskQuery {
///     name_contains: Some("clean".into()),
///     template_id: Some("sys_data_cleaning".into()),
///     sort_by: SortKey::Name,
///     ..TaskQuery::default()
/// };
/// assert!(query.matches(&task));
/// assert!(!TaskQuery { workspace_id: Some("7".into()), ..query }.matches(&task));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    /// The 0-based page index (the service's `offset`): the page holds the matching tasks from
    /// `page * page_size` on.
    pub page: usize,
    /// The page size (the service's `limit`): the most tasks to return.
    pub page_size: usize,
    /// The sort key.
    pub sort_by: SortKey,
    /// The sort direction.
    pub order: SortOrder,
    /// Only tasks with this status.
    pub status: Option<TaskStatus>,
    /// Only tasks whose name contains this, ignoring case.
    pub name_contains: Option<String>,
    /// Only tasks of this template (task type).
    pub template_id: Option<String>,
    /// Only tasks in this workspace.
    pub workspace_id: Option<String>,
    /// Only tasks whose current version id is one of these.
    pub version_ids: Option<Vec<String>>,
    /// Only tasks with this `source` in their data source or in one of their inputs.
    pub source: Option<String>,
    /// Only tasks with this `type` in their data source or in one of their inputs.
    pub source_type: Option<String>,
}

impl Default for TaskQuery {
    fn default() -> Self {
        Self {
            page: 0,
            page_size: usize::MAX,
            sort_by: SortKey::default(),
            order: SortOrder::default(),
            status: None,
            name_contains: None,
            template_id: None,
            workspace_id: None,
            version_ids: None,
            source: None,
            source_type: None,
        }
    }
}

impl TaskQuery {
    /// Every task, newest first: page `page` (from 0) of `page_size` tasks.
    #[must_use]
    pub fn page(page: usize, page_size: usize) -> Self {
        Self {
            page,
            page_size,
            ..Self::default()
        }
    }

    /// How many matching tasks come before the page.
    #[must_use]
    pub fn skipped(&self) -> usize {
        self.page.saturating_mul(self.page_size)
    }

    /// Whether `task` passes every filter that is set.
    #[must_use]
    pub fn matches(&self, task: &Task) -> bool {
        self.status.is_none_or(|status| task.status == status)
            && self.name_contains.as_ref().is_none_or(|part| {
                task.name
                    .to_lowercase()
                    .contains(part.to_lowercase().as_str())
            })
            && self
                .template_id
                .as_ref()
                .is_none_or(|id| &task.template.id == id)
            && self
                .workspace_id
                .as_ref()
                .is_none_or(|id| &task.workspace_id == id)
            && self.version_ids.as_ref().is_none_or(|ids| {
                task.version_id
                    .as_ref()
                    .is_some_and(|current| ids.iter().any(|id| id == current.as_str()))
            })
            && self
                .source
                .as_ref()
                .is_none_or(|source| has_source_field(task, "source", source))
            && self
                .source_type
                .as_ref()
                .is_none_or(|kind| has_source_field(task, "type", kind))
    }

    /// The order of two tasks: by the sort key in the sort direction, then by task id.
    #[must_use]
    pub fn compare(&self, a: &Task, b: &Task) -> Ordering {
        let by_key = match self.sort_by {
            SortKey::CreateTime => a.create_time.cmp(&b.create_time),
            SortKey::Name => a.name.cmp(&b.name),
            SortKey::DurationSeconds => a.duration_seconds.cmp(&b.duration_seconds),
        };
        let by_key = match self.order {
            SortOrder::Asc => by_key,
            SortOrder::Desc => by_key.reverse(),
        };
        by_key.then_with(|| a.task_id.cmp(&b.task_id))
    }
}

/// Whether the data source or any input has `field` equal to `wanted`.
fn has_source_field(task: &Task, field: &str, wanted: &str) -> bool {
    let is_wanted = |value: &Value| value.get(field).and_then(Value::as_str) == Some(wanted);
    task.data_source.as_ref().is_some_and(is_wanted)
        || task
            .inputs
            .as_ref()
            .is_some_and(|inputs| inputs.iter().any(is_wanted))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn task(id: &str) -> Task {
        Task::new(id.parse().unwrap(), id, "sys_data_analyse")
    }

    #[test]
    fn sources_match_the_data_source_or_any_input() {
        let mut with_source = task("a");
        with_source.data_source = Some(json!({"type": "OBS", "source": "obs://b/in/"}));
        let mut with_inputs = task("b");
        with_inputs.inputs = Some(vec![
            json!({"type": "DATASET", "source": "ds-1"}),
            json!({"type": "OBS", "source": "obs://b/x/"}),
        ]);
        let by_source = |source: &str| TaskQuery {
            source: Some(source.into()),
            ..TaskQuery::default()
        };
        let by_type = |kind: &str| TaskQuery {
            source_type: Some(kind.into()),
            ..TaskQuery::default()
        };
        assert!(by_source("obs://b/in/").matches(&with_source));
        assert!(!by_source("obs://b/in/").matches(&with_inputs));
        assert!(by_source("obs://b/x/").matches(&with_inputs));
        assert!(by_type("OBS").matches(&with_source) && by_type("OBS").matches(&with_inputs));
        assert!(by_type("DATASET").matches(&with_inputs));
        assert!(!by_type("DATASET").matches(&with_source));
        assert!(!by_type("OBS").matches(&task("c")));
    }

    #[test]
    fn version_ids_need_a_current_version() {
        let mut versioned = task("a");
        versioned.version_id = Some("v1".parse().unwrap());
        let query = TaskQuery {
            version_ids: Some(vec!["v0".into(), "v1".into()]),
            ..TaskQuery::default()
        };
        assert!(query.matches(&versioned));
        assert!(!query.matches(&task("b")));
    }

    #[test]
    fn ties_are_broken_by_task_id_ascending_either_way() {
        let (a, b) = (task("a"), task("b"));
        for order in [SortOrder::Asc, SortOrder::Desc] {
            let query = TaskQuery {
                order,
                ..TaskQuery::default()
            };
            assert_eq!(query.compare(&a, &b), Ordering::Less);
        }
    }
}
