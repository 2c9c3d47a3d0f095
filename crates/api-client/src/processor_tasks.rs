//! `ProcessorTasks`: the client's operations as a trait, so users can mock the client itself.

use api_model::{
    CreateProcessorTaskRequest, CreateProcessorTaskResponse, CreateProcessorTaskVersionRequest,
    CreateProcessorTaskVersionResponse, GetProcessorTaskItemsQuery, GetProcessorTaskItemsResponse,
    ListProcessorTaskVersionsQuery, ListProcessorTaskVersionsResponse, ListProcessorTasksQuery,
    ListProcessorTasksResponse, ProcessorTask, ProcessorTaskVersion, TaskId,
    UpdateProcessorTaskRequest, VersionId,
};

use api_model::Operation as _;

use crate::{Deletion, Error};

/// The operations of the processor-tasks API, one method each. [`Client`](crate::Client)
/// implements it; the streams in [`pages`](crate::pages) work over it.
///
/// Write your code against this trait, and test it without a network: with the `mock`
/// feature, mockall generates `MockProcessorTasks`.
///
/// Every method has a default that returns [`Error::Unsupported`] without sending anything,
/// so a hand-written implementation overrides only the operations it needs, and keeps
/// compiling when a later release adds an operation to the trait. [`Client`](crate::Client)
/// overrides them all.
///
/// Which double for which test:
/// - **`MockProcessorTasks`** (feature `mock`): to check *which calls* your code makes, with
///   what arguments, how often and in what order, and to script any reply or error,
///   including rare ones (a 5xx after a timeout). No network, no runtime beyond the test's.
/// - **a hand-written fake** (implement the few methods you use): for stateful behaviour that
///   is tedious to script with expectations, e.g. an in-memory set of tasks that a delete
///   removes, or a gate that holds requests to count how many are in flight.
/// - **the emulator** (`api-emulator`, or `processor-tasks emulator`) behind a real
///   [`Client`](crate::Client): for end-to-end tests of everything the client does on the
///   wire (signing, retries, timeouts, paging, throttling, TLS) against the service's
///   behaviour, faults and rate limits, over real sockets.
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
        _request: CreateProcessorTaskRequest,
    ) -> Result<CreateProcessorTaskResponse, Error> {
        Err(Error::unsupported(api_model::CreateProcessorTask::NAME))
    }

    /// One page of tasks (`GET …/processor-tasks`).
    async fn list_processor_tasks(
        &self,
        _query: ListProcessorTasksQuery,
    ) -> Result<ListProcessorTasksResponse, Error> {
        Err(Error::unsupported(api_model::ListProcessorTasks::NAME))
    }

    /// One page of task types (`GET …/processor-tasks/items`).
    async fn get_processor_task_items(
        &self,
        _query: GetProcessorTaskItemsQuery,
    ) -> Result<GetProcessorTaskItemsResponse, Error> {
        Err(Error::unsupported(api_model::GetProcessorTaskItems::NAME))
    }

    /// One task (`GET …/processor-tasks/{task_id}`).
    async fn describe_processor_task(&self, _task_id: &TaskId) -> Result<ProcessorTask, Error> {
        Err(Error::unsupported(api_model::DescribeProcessorTask::NAME))
    }

    /// Changes a task's description (`PUT …/processor-tasks/{task_id}`).
    async fn update_processor_task(
        &self,
        _task_id: &TaskId,
        _request: UpdateProcessorTaskRequest,
    ) -> Result<(), Error> {
        Err(Error::unsupported(api_model::UpdateProcessorTask::NAME))
    }

    /// Deletes a task (`DELETE …/processor-tasks/{task_id}`).
    async fn delete_processor_task(&self, _task_id: &TaskId) -> Result<Deletion, Error> {
        Err(Error::unsupported(api_model::DeleteProcessorTask::NAME))
    }

    /// Deletes a task, counting "it does not exist" (`400 ModelArts.4700`) as success. The
    /// default calls [`delete_processor_task`](Self::delete_processor_task) and takes that
    /// error as already gone, so a fake that implements only the delete serves both.
    async fn delete_processor_task_if_exists(&self, task_id: &TaskId) -> Result<Deletion, Error> {
        match self.delete_processor_task(task_id).await {
            Err(Error::Service { source, attempts })
                if *source.code() == api_model::ErrorCode::TaskNotFound =>
            {
                Ok(Deletion::already_gone(
                    source.request_id().map(str::to_owned),
                    attempts,
                ))
            }
            other => other,
        }
    }

    /// One page of a task's versions (`GET …/{task_id}/versions`).
    async fn list_processor_task_versions(
        &self,
        _task_id: &TaskId,
        _query: ListProcessorTaskVersionsQuery,
    ) -> Result<ListProcessorTaskVersionsResponse, Error> {
        Err(Error::unsupported(
            api_model::ListProcessorTaskVersions::NAME,
        ))
    }

    /// Creates and starts a version (`POST …/{task_id}/versions`). Not retried once it may
    /// have been sent.
    async fn create_processor_task_version(
        &self,
        _task_id: &TaskId,
        _request: CreateProcessorTaskVersionRequest,
    ) -> Result<CreateProcessorTaskVersionResponse, Error> {
        Err(Error::unsupported(
            api_model::CreateProcessorTaskVersion::NAME,
        ))
    }

    /// One version (`GET …/{task_id}/versions/{version_id}`).
    async fn describe_processor_task_version(
        &self,
        _task_id: &TaskId,
        _version_id: &VersionId,
    ) -> Result<ProcessorTaskVersion, Error> {
        Err(Error::unsupported(
            api_model::DescProcessorTaskVersion::NAME,
        ))
    }

    /// Deletes a version (`DELETE …/{task_id}/versions/{version_id}`, `204`).
    async fn delete_processor_task_version(
        &self,
        _task_id: &TaskId,
        _version_id: &VersionId,
    ) -> Result<(), Error> {
        Err(Error::unsupported(
            api_model::DeleteProcessorTaskVersion::NAME,
        ))
    }

    /// Stops a version (`POST …/{task_id}/versions/{version_id}/stop`). Not retried once it
    /// may have been sent.
    async fn stop_processor_task_version(
        &self,
        _task_id: &TaskId,
        _version_id: &VersionId,
    ) -> Result<(), Error> {
        Err(Error::unsupported(
            api_model::StopProcessorTaskVersion::NAME,
        ))
    }
}

#[cfg(test)]
mod tests {
    use api_model::{ErrorCode, ServiceError};
    use http::StatusCode;

    use super::*;
    use crate::DeletionStatus;

    /// A fake that implements only the delete: "gone" for one id, deleted for the others.
    #[derive(Debug)]
    struct DeletesOnly;

    #[async_trait::async_trait]
    impl ProcessorTasks for DeletesOnly {
        async fn delete_processor_task(&self, task_id: &TaskId) -> Result<Deletion, Error> {
            if task_id.as_str() == "SNEJua7qdZZN8GvkcEr" {
                return Err(Error::Service {
                    source: ServiceError::new(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::TaskNotFound,
                        "The task does not exist.",
                        Some("rid-1".into()),
                    ),
                    attempts: 2,
                });
            }
            Ok(Deletion::deleted(None, 1))
        }
    }

    #[tokio::test]
    async fn the_default_if_exists_deletes_through_the_delete_and_takes_not_found_as_gone() {
        let gone: TaskId = "SNEJua7qdZZN8GvkcEr".parse().unwrap();
        let there: TaskId = "qSaudx2sbPvthHygckA".parse().unwrap();
        let deleted = DeletesOnly
            .delete_processor_task_if_exists(&gone)
            .await
            .unwrap();
        assert_eq!(deleted.status, DeletionStatus::AlreadyGone);
        assert_eq!(
            (deleted.attempts, deleted.request_id.as_deref()),
            (2, Some("rid-1"))
        );
        let deleted = DeletesOnly
            .delete_processor_task_if_exists(&there)
            .await
            .unwrap();
        assert_eq!(deleted.status, DeletionStatus::Deleted);
        // The other operations are not implemented by the fake.
        let err = DeletesOnly
            .describe_processor_task(&there)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            Error::Unsupported {
                operation: "DescribeProcessorTask",
                ..
            }
        ));
    }
}
