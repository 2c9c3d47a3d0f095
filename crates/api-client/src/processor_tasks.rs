//! `ProcessorTasks`: the client's operations as a trait, so users can mock the client itself.

use api_model::{
    CreateProcessorTaskRequest, CreateProcessorTaskResponse, CreateProcessorTaskVersionRequest,
    CreateProcessorTaskVersionResponse, GetProcessorTaskItemsQuery, GetProcessorTaskItemsResponse,
    ListProcessorTaskVersionsQuery, ListProcessorTaskVersionsResponse, ListProcessorTasksQuery,
    ListProcessorTasksResponse, ProcessorTask, ProcessorTaskVersion, TaskId,
    UpdateProcessorTaskRequest, VersionId,
};

use crate::{Deletion, Error};

/// The operations of the processor-tasks API, one method each. [`Client`](crate::Client)
/// implements it; the streams in [`pages`](crate::pages) work over it.
///
/// Write your code against this trait, and test it without a network: with the `mock`
/// feature, mockall generates `MockProcessorTasks`.
///
/// ```
/// use api_client::{Deletion, Error, ProcessorTasks};
/// use api_model::TaskId;
///
/// async fn clean_up(api: &dyn ProcessorTasks, ids: &[TaskId]) -> Result<u32, Error> {
///     let mut attempts = 0;
///     for id in ids {
///         attempts += api.delete_processor_task_if_exists(id).await?.attempts;
///     }
///     Ok(attempts)
/// }
/// ```
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait::async_trait]
pub trait ProcessorTasks: Send + Sync + std::fmt::Debug {
    /// Creates a task (`POST …/processor-tasks`). Not retried once it may have been sent.
    async fn create_processor_task(
        &self,
        request: CreateProcessorTaskRequest,
    ) -> Result<CreateProcessorTaskResponse, Error>;

    /// One page of tasks (`GET …/processor-tasks`).
    async fn list_processor_tasks(
        &self,
        query: ListProcessorTasksQuery,
    ) -> Result<ListProcessorTasksResponse, Error>;

    /// One page of task types (`GET …/processor-tasks/items`).
    async fn get_processor_task_items(
        &self,
        query: GetProcessorTaskItemsQuery,
    ) -> Result<GetProcessorTaskItemsResponse, Error>;

    /// One task (`GET …/processor-tasks/{task_id}`).
    async fn describe_processor_task(&self, task_id: &TaskId) -> Result<ProcessorTask, Error>;

    /// Changes a task's description (`PUT …/processor-tasks/{task_id}`).
    async fn update_processor_task(
        &self,
        task_id: &TaskId,
        request: UpdateProcessorTaskRequest,
    ) -> Result<(), Error>;

    /// Deletes a task (`DELETE …/processor-tasks/{task_id}`).
    async fn delete_processor_task(&self, task_id: &TaskId) -> Result<Deletion, Error>;

    /// Deletes a task, counting "it does not exist" (`400 ModelArts.4700`) as success.
    async fn delete_processor_task_if_exists(&self, task_id: &TaskId) -> Result<Deletion, Error>;

    /// One page of a task's versions (`GET …/{task_id}/versions`).
    async fn list_processor_task_versions(
        &self,
        task_id: &TaskId,
        query: ListProcessorTaskVersionsQuery,
    ) -> Result<ListProcessorTaskVersionsResponse, Error>;

    /// Creates and starts a version (`POST …/{task_id}/versions`). Not retried once it may
    /// have been sent.
    async fn create_processor_task_version(
        &self,
        task_id: &TaskId,
        request: CreateProcessorTaskVersionRequest,
    ) -> Result<CreateProcessorTaskVersionResponse, Error>;

    /// One version (`GET …/{task_id}/versions/{version_id}`).
    async fn describe_processor_task_version(
        &self,
        task_id: &TaskId,
        version_id: &VersionId,
    ) -> Result<ProcessorTaskVersion, Error>;

    /// Deletes a version (`DELETE …/{task_id}/versions/{version_id}`, `204`).
    async fn delete_processor_task_version(
        &self,
        task_id: &TaskId,
        version_id: &VersionId,
    ) -> Result<(), Error>;

    /// Stops a version (`POST …/{task_id}/versions/{version_id}/stop`). Not retried once it
    /// may have been sent.
    async fn stop_processor_task_version(
        &self,
        task_id: &TaskId,
        version_id: &VersionId,
    ) -> Result<(), Error>;
}
