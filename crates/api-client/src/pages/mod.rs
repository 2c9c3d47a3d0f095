//! Paginating streams over the list operations: every task, version or task type, once each.

mod pager;
mod stream;
#[cfg(test)]
mod tests;
mod window;

pub use stream::Paginated;

use std::sync::Arc;

use api_model::{
    GetProcessorTaskItemsQuery, ListProcessorTaskVersionsQuery, ListProcessorTasksQuery,
    ProcessorTask, ProcessorTaskVersion, SortOrder, TaskId, TaskSortBy, TemplateItem,
};

use crate::ProcessorTasks;
use pager::{Direction, Page, SortKey, paginate};
use window::PageSizes;

/// The page size the task and version streams use unless told otherwise: the most the service
/// allows.
pub const DEFAULT_PAGE_SIZE: u32 = ListProcessorTasksQuery::LIMIT_MAX;

/// Every task matching `query`, one page after another, each task once.
///
/// The service pages by index (`offset` is the 0-based page number, `limit` the page size);
/// the stream handles both itself. `limit` is the largest page size it uses (100, the most the
/// service allows, when unset) and `offset` is ignored: it reads from the first page. It always
/// sorts by `create_time` (in `query`'s `order`, newest first by default), because that order
/// lets it notice tasks removed or added while it reads: no task that exists throughout is
/// skipped or yielded twice (see the crate docs for how, and what it costs). The first error
/// ends the stream; so does a listing that will not hold still or contradicts itself
/// ([`Error::Listing`](crate::Error::Listing)), after a number of requests proportional to the pages read.
///
/// Works over any [`ProcessorTasks`], so code that lists can be tested with
/// `MockProcessorTasks`; [`Client::list_processor_tasks_stream`](crate::Client::list_processor_tasks_stream)
/// is the same for a client.
pub fn all_tasks(
    api: Arc<dyn ProcessorTasks>,
    query: ListProcessorTasksQuery,
) -> Paginated<ProcessorTask> {
    let direction = match query.order {
        Some(SortOrder::Asc) => Direction::OldestFirst,
        _ => Direction::NewestFirst,
    };
    let sizes = PageSizes::new(
        query.limit.unwrap_or(DEFAULT_PAGE_SIZE),
        ListProcessorTasksQuery::LIMIT_MAX,
        ListProcessorTasksQuery::OFFSET_MAX,
    );
    let order = query.order.unwrap_or(SortOrder::Desc);
    let base = query.sort_by(TaskSortBy::CreateTime).order(order);
    Paginated::new(paginate(sizes, direction, task_key, move |window| {
        let api = Arc::clone(&api);
        let query = base.clone().offset(window.index).limit(window.size);
        async move {
            let reply = api.list_processor_tasks(query).await?;
            Ok(Page {
                count: u64::try_from(reply.count).ok(),
                entries: reply.tasks,
            })
        }
    }))
}

/// Every version of a task, newest first, each once (like [`all_tasks`]); `page_size` is the
/// largest page size to use (100, the most, when `None`).
pub fn all_versions(
    api: Arc<dyn ProcessorTasks>,
    task_id: TaskId,
    page_size: Option<u32>,
) -> Paginated<ProcessorTaskVersion> {
    let sizes = PageSizes::new(
        page_size.unwrap_or(DEFAULT_PAGE_SIZE),
        ListProcessorTaskVersionsQuery::LIMIT_MAX,
        ListProcessorTaskVersionsQuery::OFFSET_MAX,
    );
    Paginated::new(paginate(
        sizes,
        Direction::NewestFirst,
        version_key,
        move |window| {
            let api = Arc::clone(&api);
            let task_id = task_id.clone();
            let query = ListProcessorTaskVersionsQuery::default()
                .offset(window.index)
                .limit(window.size);
            async move {
                let reply = api.list_processor_task_versions(&task_id, query).await?;
                Ok(Page {
                    count: u64::try_from(reply.count).ok(),
                    entries: reply.versions,
                })
            }
        },
    ))
}

/// Every task type (template), each once; `page_size` is the largest page size to use (1000,
/// the most, when `None`).
pub fn all_task_types(
    api: Arc<dyn ProcessorTasks>,
    page_size: Option<u32>,
) -> Paginated<TemplateItem> {
    let sizes = PageSizes::new(
        page_size.unwrap_or(GetProcessorTaskItemsQuery::LIMIT_MAX),
        GetProcessorTaskItemsQuery::LIMIT_MAX,
        GetProcessorTaskItemsQuery::OFFSET_MAX,
    );
    Paginated::new(paginate(
        sizes,
        Direction::NewestFirst,
        item_key,
        move |window| {
            let api = Arc::clone(&api);
            let query = GetProcessorTaskItemsQuery::default()
                .offset(window.index)
                .limit(window.size);
            async move {
                let reply = api.get_processor_task_items(query).await?;
                Ok(Page {
                    count: u64::try_from(reply.total).ok(),
                    entries: reply.items,
                })
            }
        },
    ))
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
