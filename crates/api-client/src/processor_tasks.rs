//! `ProcessorTasks`: the client's operations as a trait, so users can mock the client itself.

use api_model::TaskId;

use crate::{Deletion, Error};

/// The operations of the processor-tasks API. [`Client`](crate::Client) implements it.
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
    /// Deletes a task (`DELETE /v2/{project_id}/processor-tasks/{task_id}`).
    async fn delete_processor_task(&self, task_id: &TaskId) -> Result<Deletion, Error>;

    /// Deletes a task, counting "it does not exist" (`400 ModelArts.4700`) as success.
    async fn delete_processor_task_if_exists(&self, task_id: &TaskId) -> Result<Deletion, Error>;
}
