//! `Client`: the processor-tasks API as users call it.

use std::{fmt, sync::Arc};

use api_auth::Signer;
use api_model::{
    CreateProcessorTaskRequest, CreateProcessorTaskResponse, CreateProcessorTaskVersionRequest,
    CreateProcessorTaskVersionResponse, DeleteProcessorTask, Endpoint, ErrorCode,
    GetProcessorTaskItemsQuery, GetProcessorTaskItemsResponse, ListProcessorTaskVersionsQuery,
    ListProcessorTaskVersionsResponse, ListProcessorTasksQuery, ListProcessorTasksResponse,
    ProcessorTask, ProcessorTaskVersion, ProjectId, TaskId, UpdateProcessorTaskRequest, VersionId,
};
use api_transport::SharedTransport;
use http::HeaderValue;

use crate::{
    ClientBuilder, CredentialsProvider, Deletion, Error, ProcessorTasks, RetryPolicy, Timeouts,
    execute::Failed,
};

/// A client of the processor-tasks API. Cheap to clone; clones share the connection pool.
///
/// ```no_run
/// # async fn demo() -> Result<(), api_client::Error> {
/// use api_client::Client;
///
/// let client = Client::from_env()?; // HUAWEICLOUD_SDK_AK, _SK, _PROJECT_ID, _REGION
/// let deleted = client.delete_processor_task(&"SNEJua7qdZZN8GvkcEr".parse()?).await?;
/// println!("deleted (request id {:?})", deleted.request_id);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) settings: crate::Settings,
    pub(crate) endpoint: Endpoint,
    pub(crate) project_id: ProjectId,
    pub(crate) credentials: Arc<dyn CredentialsProvider>,
    pub(crate) transport: SharedTransport,
    pub(crate) signer: Signer,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeouts: Timeouts,
    pub(crate) throttling: crate::Throttling,
    pub(crate) partition: crate::RetryPartition,
    /// This client's limiters by operation, from its partition: no key to build per call.
    /// Shared by the handles made with `with_*`, which share the partition too.
    pub(crate) limiters: Arc<
        std::sync::RwLock<
            std::collections::HashMap<&'static str, Arc<crate::throttle::AdaptiveLimiter>>,
        >,
    >,
    pub(crate) host: HeaderValue,
    pub(crate) project_header: HeaderValue,
    /// The `User-Agent` and the default headers.
    pub(crate) headers: crate::headers::RequestHeaders,
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().from_env()?.build()
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }

    /// A handle on this client with other timeouts: the same connection pool, credentials,
    /// rate limiters and retry quota; only the calls made through it use `timeouts`.
    ///
    /// ```no_run
    /// # async fn demo(client: api_client::Client, id: api_client::TaskId) -> Result<(), api_client::Error> {
    /// use std::time::Duration;
    /// use api_client::{RetryPolicy, Timeouts};
    ///
    /// // One patient call, on the same connections as every other.
    /// let patient = client
    ///     .with_timeouts(Timeouts::default().with_deadline(Duration::from_secs(600)))
    ///     .with_retry_policy(RetryPolicy::default().with_max_attempts(10));
    /// patient.delete_processor_task(&id).await?;
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn with_timeouts(&self, timeouts: Timeouts) -> Client {
        self.derive(|inner| inner.timeouts = timeouts)
    }

    /// A handle on this client with another retry policy (attempts, backoff), sharing the rest
    /// as [`with_timeouts`](Self::with_timeouts) does.
    #[must_use]
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Client {
        self.derive(|inner| inner.retry = policy)
    }

    /// A handle on this client with another throttling mode, sharing the rest as
    /// [`with_timeouts`](Self::with_timeouts) does. With [`Throttling::Adaptive`](crate::Throttling::Adaptive)
    /// it paces with the same limiters as the client.
    #[must_use]
    pub fn with_throttling(&self, throttling: crate::Throttling) -> Client {
        self.derive(|inner| inner.throttling = throttling)
    }

    fn derive(&self, change: impl FnOnce(&mut Inner)) -> Client {
        let mut inner = Inner::clone(&self.inner);
        change(&mut inner);
        Client::from_inner(inner)
    }

    /// The timeouts of this client (or handle).
    pub fn timeouts(&self) -> Timeouts {
        self.inner.timeouts
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The project of every request.
    pub fn project_id(&self) -> &ProjectId {
        &self.inner.project_id
    }

    /// The rate, in requests per second, at which the adaptive limiter paces `operation`
    /// (e.g. `"DeleteProcessorTask"`) for this client's endpoint and project; `None` while it
    /// has not been throttled, or with [`Throttling::Off`](crate::Throttling::Off).
    pub fn send_rate(&self, operation: &str) -> Option<f64> {
        if self.inner.throttling != crate::Throttling::Adaptive {
            return None;
        }
        if let Some(limiter) = self
            .inner
            .limiters
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(operation)
        {
            return limiter.rate();
        }
        self.inner.partition.rate(
            self.inner.endpoint.host_header(),
            self.inner.project_id.as_str(),
            operation,
        )
    }

    /// The limiter of `operation` at this client's endpoint and project.
    pub(crate) fn limiter(&self, operation: &'static str) -> Arc<crate::throttle::AdaptiveLimiter> {
        let inner = &*self.inner;
        if let Some(limiter) = inner
            .limiters
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(operation)
        {
            return limiter.clone();
        }
        let limiter = inner.partition.limiter(
            inner.endpoint.host_header(),
            inner.project_id.as_str(),
            operation,
        );
        inner
            .limiters
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(operation, limiter.clone());
        limiter
    }

    /// The endpoint, region and project id in use, and where each came from.
    pub fn settings(&self) -> &crate::Settings {
        &self.inner.settings
    }

    /// Where the credentials come from (the chain's chosen provider, once it has delivered);
    /// `None` when the provider does not say.
    pub fn credentials_origin(&self) -> Option<crate::Origin> {
        self.inner.credentials.origin()
    }

    /// When the temporary credentials last fetched expire; `None` for credentials that do not,
    /// or before any were fetched.
    pub fn credentials_expiry(&self) -> Option<std::time::SystemTime> {
        self.inner.credentials.expires_at()
    }

    /// What credentials the next request would use (fetching or refreshing them if needed,
    /// within the attempt timeout), without their secrets: to check a setup.
    pub async fn credentials_info(&self) -> Result<crate::credentials::CredentialsInfo, Error> {
        let limit = self.inner.timeouts.attempt();
        let credentials = tokio::time::timeout(limit, self.inner.credentials.credentials())
            .await
            .map_err(|_| {
                Error::Credentials(crate::CredentialsError::Unavailable {
                    source_name: "the credentials provider",
                    reason: format!("no credentials within {limit:?}"),
                })
            })??;
        Ok(crate::credentials::CredentialsInfo::of(
            &credentials,
            self.inner.credentials.as_ref(),
        ))
    }

    /// Deletes a processing task: `DELETE /v2/{project_id}/processor-tasks/{task_id}`.
    ///
    /// Retried per the [`RetryPolicy`] (DELETE is idempotent).
    ///
    /// **When a retry finds the task gone.** If an earlier attempt may have reached the
    /// service (it timed out, lost its connection after sending, or was answered 5xx) and a
    /// retry is answered "no such task" (`400 ModelArts.4700`), that earlier attempt deleted
    /// it: this is success, [`Deletion::gone_on_retry`] says so. After a 429 or another 4xx,
    /// which the service refused without acting, "no such task" on a retry is the error it is.
    /// The same rule holds for [`Client::delete_processor_task_version`].
    pub async fn delete_processor_task(&self, task_id: &TaskId) -> Result<Deletion, Error> {
        self.delete(task_id, false).await
    }

    /// Deletes a task, counting "the task does not exist" (`400 ModelArts.4700`) as success:
    /// [`DeletionStatus::AlreadyGone`](crate::DeletionStatus::AlreadyGone), or `Deleted` with
    /// [`Deletion::gone_on_retry`] when an earlier attempt may have deleted it (see
    /// [`Client::delete_processor_task`]).
    pub async fn delete_processor_task_if_exists(
        &self,
        task_id: &TaskId,
    ) -> Result<Deletion, Error> {
        self.delete(task_id, true).await
    }

    async fn delete(&self, task_id: &TaskId, if_exists: bool) -> Result<Deletion, Error> {
        let op = DeleteProcessorTask::new(self.inner.project_id.clone(), task_id.clone());
        match self.execute(&op).await {
            Ok(done) => Ok(
                Deletion::deleted(done.request_id, done.attempts).with_throttled(done.throttled)
            ),
            Err(Failed {
                error: Error::Service { source, attempts },
                throttled,
                earlier_maybe_applied,
            }) if *source.code() == ErrorCode::TaskNotFound
                && (if_exists || earlier_maybe_applied) =>
            {
                let request_id = source.request_id().map(str::to_owned);
                Ok(if earlier_maybe_applied {
                    tracing::info!("a retry found the task gone: an earlier attempt deleted it");
                    Deletion::deleted(request_id, attempts).with_gone_on_retry()
                } else {
                    Deletion::already_gone(request_id, attempts)
                }
                .with_throttled(throttled))
            }
            Err(failed) => Err(failed.error),
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint.to_string())
            .field("project_id", &self.inner.project_id)
            .field("credentials", &self.inner.credentials)
            .field("transport", &self.inner.transport)
            .field("retry", &self.inner.retry)
            .field("timeouts", &self.inner.timeouts)
            .finish()
    }
}

/// Forwards every operation to the inherent method of the same name.
#[async_trait::async_trait]
impl ProcessorTasks for Client {
    async fn create_processor_task(
        &self,
        request: CreateProcessorTaskRequest,
    ) -> Result<CreateProcessorTaskResponse, Error> {
        Client::create_processor_task(self, request).await
    }

    async fn list_processor_tasks(
        &self,
        query: ListProcessorTasksQuery,
    ) -> Result<ListProcessorTasksResponse, Error> {
        Client::list_processor_tasks(self, query).await
    }

    async fn get_processor_task_items(
        &self,
        query: GetProcessorTaskItemsQuery,
    ) -> Result<GetProcessorTaskItemsResponse, Error> {
        Client::get_processor_task_items(self, query).await
    }

    async fn describe_processor_task(&self, task_id: &TaskId) -> Result<ProcessorTask, Error> {
        Client::describe_processor_task(self, task_id).await
    }

    async fn update_processor_task(
        &self,
        task_id: &TaskId,
        request: UpdateProcessorTaskRequest,
    ) -> Result<(), Error> {
        Client::update_processor_task(self, task_id, request).await
    }

    async fn delete_processor_task(&self, task_id: &TaskId) -> Result<Deletion, Error> {
        Client::delete_processor_task(self, task_id).await
    }

    async fn delete_processor_task_if_exists(&self, task_id: &TaskId) -> Result<Deletion, Error> {
        Client::delete_processor_task_if_exists(self, task_id).await
    }

    async fn list_processor_task_versions(
        &self,
        task_id: &TaskId,
        query: ListProcessorTaskVersionsQuery,
    ) -> Result<ListProcessorTaskVersionsResponse, Error> {
        Client::list_processor_task_versions(self, task_id, query).await
    }

    async fn create_processor_task_version(
        &self,
        task_id: &TaskId,
        request: CreateProcessorTaskVersionRequest,
    ) -> Result<CreateProcessorTaskVersionResponse, Error> {
        Client::create_processor_task_version(self, task_id, request).await
    }

    async fn describe_processor_task_version(
        &self,
        task_id: &TaskId,
        version_id: &VersionId,
    ) -> Result<ProcessorTaskVersion, Error> {
        Client::describe_processor_task_version(self, task_id, version_id).await
    }

    async fn delete_processor_task_version(
        &self,
        task_id: &TaskId,
        version_id: &VersionId,
    ) -> Result<(), Error> {
        Client::delete_processor_task_version(self, task_id, version_id).await
    }

    async fn stop_processor_task_version(
        &self,
        task_id: &TaskId,
        version_id: &VersionId,
    ) -> Result<(), Error> {
        Client::stop_processor_task_version(self, task_id, version_id).await
    }
}
