//! `TaskFilter`: which tasks `list` shows and `delete --where` deletes, and how old is "old".

use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use api_client::{Error, ProcessorTasks, pages};
use api_model::{ListProcessorTasksQuery, ProcessorTask, SortOrder, TaskStatus};
use clap::Args;
use futures_util::{Stream, TryStreamExt, future};

/// Filters on tasks. The service filters first (status, type, name); every task it returns is
/// checked again here, so a fuzzy match on the service never widens what is deleted.
#[derive(Debug, Clone, Default, Args)]
pub struct TaskFilter {
    /// Only tasks in this status: initializing, running, completed, failed, stopped (or 0-4).
    #[arg(long, value_name = "STATUS", value_parser = parse_status)]
    pub status: Option<TaskStatus>,

    /// Only tasks of this type (template id), e.g. sys_data_cleaning.
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_type)]
    pub task_type: Option<String>,

    /// Only tasks whose name contains TEXT (case-sensitive; not empty).
    #[arg(long, value_name = "TEXT", value_parser = parse_text)]
    pub name_contains: Option<String>,

    /// Only tasks created longer ago than AGE, e.g. 30d, 12h, 2w, 90m.
    #[arg(long, value_name = "AGE", value_parser = crate::duration::age)]
    pub older_than: Option<Duration>,
}

impl TaskFilter {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.task_type.is_none()
            && self.name_contains.is_none()
            && self.older_than.is_none()
    }

    /// The service-side part of the filter.
    pub fn to_query(&self) -> ListProcessorTasksQuery {
        let mut query = ListProcessorTasksQuery::default();
        query.status = self.status;
        query.task_type = self.task_type.clone();
        query.task_name = self.name_contains.clone();
        query
    }

    /// Whether `task` passes every filter; `now_ms` is the current time in epoch milliseconds.
    pub fn matches(&self, task: &ProcessorTask, now_ms: i64) -> bool {
        let status = self.status.is_none_or(|s| s == task.status);
        let task_type = self.task_type.as_deref().is_none_or(|wanted| {
            task.template
                .as_ref()
                .map(|t| t.id.as_str())
                .is_some_and(|id| id == wanted)
        });
        let name = self
            .name_contains
            .as_deref()
            .is_none_or(|text| task.name.contains(text));
        let old = self.older_than.is_none_or(|age| {
            let age_ms = i64::try_from(age.as_millis()).unwrap_or(i64::MAX);
            task.create_time <= now_ms.saturating_sub(age_ms)
        });
        status && task_type && name && old
    }

    /// The filter in words, for messages: `status failed, older than 30d`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(status) = self.status {
            parts.push(format!("status {status}"));
        }
        if let Some(t) = &self.task_type {
            parts.push(format!("type {t}"));
        }
        if let Some(n) = &self.name_contains {
            parts.push(format!("name containing {n:?}"));
        }
        if let Some(age) = self.older_than {
            parts.push(format!(
                "created more than {} ago",
                crate::duration::format(age)
            ));
        }
        if parts.is_empty() {
            "no filter".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// Every task `filter` matches, in `order` of creation, each once even if tasks are deleted
/// or created meanwhile: the service's filter, then [`TaskFilter::matches`].
pub fn matching(
    api: Arc<dyn ProcessorTasks>,
    filter: &TaskFilter,
    order: SortOrder,
    now_ms: i64,
) -> impl Stream<Item = Result<ProcessorTask, Error>> + use<> {
    let local = filter.clone();
    pages::all_tasks(api, filter.to_query().order(order))
        .try_filter(move |task| future::ready(local.matches(task, now_ms)))
}

/// Now, in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn parse_status(text: &str) -> Result<TaskStatus, String> {
    refuse_blank(text)?;
    text.trim()
        .parse()
        .map_err(|e: api_model::InvalidTaskStatus| e.to_string())
}

/// A filter text: anything but empty or all whitespace, which would match every task (a
/// `--name-contains "$UNSET"` in a script must not mean "all").
fn parse_text(text: &str) -> Result<String, String> {
    refuse_blank(text)?;
    Ok(text.to_owned())
}

/// A task type: a template id, trimmed.
fn parse_type(text: &str) -> Result<String, String> {
    refuse_blank(text)?;
    Ok(text.trim().to_owned())
}

fn refuse_blank(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("it is empty, which would match every task; nothing was sent".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_model::TemplateParam;

    fn task(name: &str, status: TaskStatus, template: &str, created: i64) -> ProcessorTask {
        serde_json::from_value(serde_json::json!({
            "task_id": "SNEJua7qdZZN8GvkcEr", "name": name, "status": status.code(),
            "create_time": created, "template": {"id": template}
        }))
        .unwrap()
    }

    #[test]
    fn a_blank_filter_is_refused_not_taken_for_all() {
        for blank in ["", " ", "\t", "\n"] {
            assert!(parse_text(blank).is_err(), "{blank:?}");
            assert!(parse_type(blank).is_err(), "{blank:?}");
            assert!(parse_status(blank).is_err(), "{blank:?}");
        }
        assert_eq!(parse_text(" a ").unwrap(), " a ");
        assert_eq!(
            parse_type(" sys_data_cleaning ").unwrap(),
            "sys_data_cleaning"
        );
        assert_eq!(parse_status(" failed ").unwrap(), TaskStatus::Failed);
    }

    #[test]
    fn every_filter_is_checked_locally() {
        let day = 86_400_000;
        let now = 100 * day;
        let filter = TaskFilter {
            status: Some(TaskStatus::Failed),
            task_type: Some("sys_data_cleaning".into()),
            name_contains: Some("nightly".into()),
            older_than: Some(Duration::from_secs(30 * 86_400)),
        };
        let good = task(
            "nightly-clean",
            TaskStatus::Failed,
            "sys_data_cleaning",
            60 * day,
        );
        assert!(filter.matches(&good, now));
        assert!(
            filter.matches(
                &task("nightly", TaskStatus::Failed, "sys_data_cleaning", 70 * day),
                now
            ),
            "exactly 30 days old counts"
        );
        for bad in [
            task(
                "nightly-clean",
                TaskStatus::Completed,
                "sys_data_cleaning",
                60 * day,
            ),
            task(
                "nightly-clean",
                TaskStatus::Failed,
                "sys_data_analyse",
                60 * day,
            ),
            task(
                "Nightly-clean",
                TaskStatus::Failed,
                "sys_data_cleaning",
                60 * day,
            ),
            task(
                "nightly-clean",
                TaskStatus::Failed,
                "sys_data_cleaning",
                71 * day,
            ),
        ] {
            assert!(!filter.matches(&bad, now), "{bad:?}");
        }
        let mut no_template = good.clone();
        no_template.template = Some(TemplateParam::default());
        assert!(!filter.matches(&no_template, now));
        assert!(TaskFilter::default().matches(&good, now));
        assert_eq!(
            filter.describe(),
            "status failed, type sys_data_cleaning, name containing \"nightly\", created more than 30d ago"
        );
        let query = filter.to_query();
        assert_eq!(query.status, Some(TaskStatus::Failed));
        assert_eq!(query.task_name.as_deref(), Some("nightly"));
    }
}
