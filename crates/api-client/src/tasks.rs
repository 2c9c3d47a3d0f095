//! The task operations besides delete: create, list (a page, or all as a stream), describe,
//! update, and the task types.

use std::sync::Arc;

use api_model::{
    CreateProcessorTask, CreateProcessorTaskRequest, CreateProcessorTaskResponse,
    DescribeProcessorTask, GetProcessorTaskItems, GetProcessorTaskItemsQuery,
    GetProcessorTaskItemsResponse, ListProcessorTasks, ListProcessorTasksQuery,
    ListProcessorTasksResponse, ProcessorTask, TaskId, TemplateItem, UpdateProcessorTask,
    UpdateProcessorTaskRequest,
};

use crate::{Client, Error, pages};

impl Client {
    /// Creates a processing task: `POST /v2/{project_id}/processor-tasks`.
    ///
    /// Not idempotent: once the request may have reached the service (a timeout, a dropped
    /// connection, a 5xx), it is not sent again, and the error says it may have been sent
    /// ([`Error::request_may_have_been_sent`]); list the tasks to see whether it was created.
    /// Failures before sending (no connection) are retried.
    pub async fn create_processor_task(
        &self,
        request: CreateProcessorTaskRequest,
    ) -> Result<CreateProcessorTaskResponse, Error> {
        let op = CreateProcessorTask::new(self.inner.project_id.clone(), request);
        self.call(&op).await
    }

    /// One page of tasks: `GET /v2/{project_id}/processor-tasks` with `query`'s filters,
    /// `offset` and `limit` (1 to 100, checked before sending).
    pub async fn list_processor_tasks(
        &self,
        query: ListProcessorTasksQuery,
    ) -> Result<ListProcessorTasksResponse, Error> {
        let op = ListProcessorTasks::new(self.inner.project_id.clone(), query);
        self.call(&op).await
    }

    /// Every task matching `query`'s filters, as a stream that pages for you; tasks removed or
    /// added meanwhile are never skipped or yielded twice. See [`pages::all_tasks`].
    ///
    /// ```no_run
    /// # async fn demo(client: api_client::Client) -> Result<(), api_client::Error> {
    /// use api_model::{ListProcessorTasksQuery, TaskStatus};
    /// use futures_util::TryStreamExt;
    ///
    /// let failed = ListProcessorTasksQuery::default().status(TaskStatus::Failed);
    /// let mut tasks = client.list_processor_tasks_stream(failed);
    /// while let Some(task) = tasks.try_next().await? {
    ///     println!("{} {}", task.task_id, task.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_processor_tasks_stream(
        &self,
        query: ListProcessorTasksQuery,
    ) -> crate::pages::Paginated<ProcessorTask> {
        pages::all_tasks(Arc::new(self.clone()), query)
    }

    /// One page of task types: `GET /v2/{project_id}/processor-tasks/items` (`limit` 1 to 1000).
    pub async fn get_processor_task_items(
        &self,
        query: GetProcessorTaskItemsQuery,
    ) -> Result<GetProcessorTaskItemsResponse, Error> {
        let op = GetProcessorTaskItems::new(self.inner.project_id.clone(), query);
        self.call(&op).await
    }

    /// Every task type, as a stream that pages for you.
    pub fn get_processor_task_items_stream(&self) -> crate::pages::Paginated<TemplateItem> {
        pages::all_task_types(Arc::new(self.clone()), None)
    }

    /// One task: `GET /v2/{project_id}/processor-tasks/{task_id}`. A task that does not exist
    /// is `400 ModelArts.4700` ([`ErrorCode::TaskNotFound`](crate::ErrorCode::TaskNotFound)).
    pub async fn describe_processor_task(&self, task_id: &TaskId) -> Result<ProcessorTask, Error> {
        let op = DescribeProcessorTask::new(self.inner.project_id.clone(), task_id.clone());
        self.call(&op).await
    }

    /// Changes a task's description: `PUT /v2/{project_id}/processor-tasks/{task_id}`. The
    /// description (at most 256 characters, none of `^!<>=&"'`) is checked before sending.
    pub async fn update_processor_task(
        &self,
        task_id: &TaskId,
        request: UpdateProcessorTaskRequest,
    ) -> Result<(), Error> {
        let op = UpdateProcessorTask::new(self.inner.project_id.clone(), task_id.clone(), request);
        self.call(&op).await
    }
}
