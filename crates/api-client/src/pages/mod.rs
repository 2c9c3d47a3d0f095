//! Paginating streams over the list operations: every task, version or task type, once each.

mod pager;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use api_model::{
    GetProcessorTaskItemsQuery, ListProcessorTaskVersionsQuery, ListProcessorTasksQuery,
    ProcessorTask, ProcessorTaskVersion, SortOrder, TaskId, TaskSortBy, TemplateItem,
};
use futures_util::stream::BoxStream;

use crate::{Error, ProcessorTasks};
use pager::{Direction, SortKey, paginate};

/// The page size the streams ask for unless the query sets `limit`: the most the service allows.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// Every task matching `query`, one page after another, each task once.
///
/// The stream handles `offset` and `limit` itself: `limit` is the page size (100, the
/// maximum, when unset) and `offset` is ignored. It always sorts by `create_time` (in `query`'s
/// `order`, newest first by default), because that order lets it notice tasks removed or
/// added while it reads: no task is skipped or yielded twice (see the crate docs). The first
/// error ends the stream.
///
/// Works over any [`ProcessorTasks`], so code that lists can be tested with
/// `MockProcessorTasks`; [`Client::list_processor_tasks_stream`](crate::Client::list_processor_tasks_stream)
/// is the same for a client.
pub fn all_tasks(
    api: Arc<dyn ProcessorTasks>,
    query: ListProcessorTasksQuery,
) -> BoxStream<'static, Result<ProcessorTask, Error>> {
    let direction = match query.order {
        Some(SortOrder::Asc) => Direction::OldestFirst,
        _ => Direction::NewestFirst,
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    let base = ListProcessorTasksQuery {
        sort_by: Some(TaskSortBy::CreateTime),
        order: Some(query.order.unwrap_or(SortOrder::Desc)),
        ..query
    };
    paginate(limit, direction, task_key, move |offset, limit| {
        let api = Arc::clone(&api);
        let query = base.clone().offset(offset).limit(limit);
        async move { Ok(api.list_processor_tasks(query).await?.tasks) }
    })
}

/// Every version of a task, newest first, each once (like [`all_tasks`]).
pub fn all_versions(
    api: Arc<dyn ProcessorTasks>,
    task_id: TaskId,
    page_size: Option<u32>,
) -> BoxStream<'static, Result<ProcessorTaskVersion, Error>> {
    let limit = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    paginate(
        limit,
        Direction::NewestFirst,
        version_key,
        move |offset, limit| {
            let api = Arc::clone(&api);
            let task_id = task_id.clone();
            let query = ListProcessorTaskVersionsQuery::default()
                .offset(offset)
                .limit(limit);
            async move {
                Ok(api
                    .list_processor_task_versions(&task_id, query)
                    .await?
                    .versions)
            }
        },
    )
}

/// Every task type (template), each once.
pub fn all_task_types(
    api: Arc<dyn ProcessorTasks>,
    page_size: Option<u32>,
) -> BoxStream<'static, Result<TemplateItem, Error>> {
    let limit = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    paginate(
        limit,
        Direction::NewestFirst,
        item_key,
        move |offset, limit| {
            let api = Arc::clone(&api);
            let query = GetProcessorTaskItemsQuery::default()
                .offset(offset)
                .limit(limit);
            async move { Ok(api.get_processor_task_items(query).await?.items) }
        },
    )
}

fn task_key(task: &ProcessorTask) -> SortKey {
    SortKey {
        time: task.create_time,
        id: task.task_id.to_string(),
    }
}

fn version_key(version: &ProcessorTaskVersion) -> SortKey {
    SortKey {
        time: version.create_time,
        id: version.task_version_id.to_string(),
    }
}

/// Task types have no time: all tie, and their ids alone tell them apart.
fn item_key(item: &TemplateItem) -> SortKey {
    SortKey {
        time: 0,
        id: item.template_id.clone(),
    }
}
