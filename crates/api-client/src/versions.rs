//! The version sub-resources of a task: list (a page, or all as a stream), create, describe,
//! delete and stop.

use std::sync::Arc;

use api_model::{
    CreateProcessorTaskVersion, CreateProcessorTaskVersionRequest,
    CreateProcessorTaskVersionResponse, DeleteProcessorTaskVersion, DescProcessorTaskVersion,
    ListProcessorTaskVersions, ListProcessorTaskVersionsQuery, ListProcessorTaskVersionsResponse,
    ProcessorTaskVersion, StopProcessorTaskVersion, TaskId, VersionId,
};

use crate::{Client, Error, ErrorCode, execute::Failed, pages};

impl Client {
    /// One page of a task's versions: `GET …/processor-tasks/{task_id}/versions`.
    pub async fn list_processor_task_versions(
        &self,
        task_id: &TaskId,
        query: ListProcessorTaskVersionsQuery,
    ) -> Result<ListProcessorTaskVersionsResponse, Error> {
        let op =
            ListProcessorTaskVersions::new(self.inner.project_id.clone(), task_id.clone(), query);
        self.call(&op).await
    }

    /// Every version of a task, newest first, as a stream that pages for you.
    pub fn list_processor_task_versions_stream(
        &self,
        task_id: &TaskId,
    ) -> crate::pages::Paginated<ProcessorTaskVersion> {
        pages::all_versions(Arc::new(self.clone()), task_id.clone(), None)
    }

    /// Creates and starts a version: `POST …/processor-tasks/{task_id}/versions`.
    ///
    /// Not idempotent: not sent again once it may have reached the service (see
    /// [`Client::create_processor_task`]).
    pub async fn create_processor_task_version(
        &self,
        task_id: &TaskId,
        request: CreateProcessorTaskVersionRequest,
    ) -> Result<CreateProcessorTaskVersionResponse, Error> {
        let op = CreateProcessorTaskVersion::new(
            self.inner.project_id.clone(),
            task_id.clone(),
            request,
        );
        self.call(&op).await
    }

    /// One version: `GET …/processor-tasks/{task_id}/versions/{version_id}`. A version that
    /// does not exist is `400 ModelArts.4851`.
    pub async fn describe_processor_task_version(
        &self,
        task_id: &TaskId,
        version_id: &VersionId,
    ) -> Result<ProcessorTaskVersion, Error> {
        let op = DescProcessorTaskVersion::new(
            self.inner.project_id.clone(),
            task_id.clone(),
            version_id.clone(),
        );
        self.call(&op).await
    }

    /// Deletes a version: `DELETE …/processor-tasks/{task_id}/versions/{version_id}` (`204`).
    ///
    /// Retried like any idempotent call. When a retry finds the version gone
    /// (`400 ModelArts.4851`) and an earlier attempt may have reached the service (it timed
    /// out, lost its connection after sending, or was answered 5xx), that attempt deleted it:
    /// success. Otherwise (the first attempt, or retries after 429 or another 4xx) 4851 is
    /// the error it is: there was no such version. The rule of
    /// [`Client::delete_processor_task`].
    pub async fn delete_processor_task_version(
        &self,
        task_id: &TaskId,
        version_id: &VersionId,
    ) -> Result<(), Error> {
        let op = DeleteProcessorTaskVersion::new(
            self.inner.project_id.clone(),
            task_id.clone(),
            version_id.clone(),
        );
        match self.execute(&op).await {
            Ok(_) => Ok(()),
            Err(Failed {
                error: Error::Service { source, .. },
                earlier_maybe_applied: true,
                ..
            }) if *source.code() == ErrorCode::TaskVersionNotFound => {
                tracing::info!("a retry found the version gone: an earlier attempt deleted it");
                Ok(())
            }
            Err(failed) => Err(failed.error),
        }
    }

    /// Stops a running version: `POST …/versions/{version_id}/stop`. A POST: not sent again
    /// once it may have reached the service.
    pub async fn stop_processor_task_version(
        &self,
        task_id: &TaskId,
        version_id: &VersionId,
    ) -> Result<(), Error> {
        let op = StopProcessorTaskVersion::new(
            self.inner.project_id.clone(),
            task_id.clone(),
            version_id.clone(),
        );
        self.call(&op).await
    }
}
