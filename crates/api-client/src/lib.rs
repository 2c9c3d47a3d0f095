//! The ModelArts processor-tasks client: every operation, AK/SK and token auth, retries,
//! timeouts, paginating streams, typed errors.
//!
//! ```no_run
//! # async fn demo() -> Result<(), api_client::Error> {
//! use api_client::{Client, Credentials};
//!
//! let client = Client::builder()
//!     .region("cn-north-4")
//!     .project_id("a4a5d4098fb4474fa22cd05f897d6b99")
//!     .credentials(Credentials::ak_sk("AK", "SK"))
//!     .build()?;
//! let deleted = client.delete_processor_task_if_exists(&"SNEJua7qdZZN8GvkcEr".parse()?).await?;
//! println!("{:?} after {} attempt(s)", deleted.status, deleted.attempts);
//! # Ok(()) }
//! ```
//!
//! - [`ClientBuilder::load`] finds what was not given as the official SDKs do: the credential
//!   chain (OIDC STS, environment, `~/.huaweicloud/credentials`, ECS metadata, pod identity;
//!   [`credentials`]), the region's endpoint ([`config`]) and the project id, discovered through
//!   IAM. Temporary credentials are refreshed in the background ahead of expiry.
//!   [`Client::settings`] says where each setting came from.
//! - Requests are signed with `SDK-HMAC-SHA256` (the official SDKs' signer, from `api-auth`)
//!   or carry an IAM token; every attempt is signed afresh.
//! - One method per operation of the processor-tasks family (create, list, task types,
//!   describe, update, delete; list, create, describe, delete and stop versions), with typed
//!   bodies and replies generated from the spec, and bounds checked before sending.
//! - The list operations also come as streams that page for you ([`pages`]): tasks deleted or
//!   created while a listing is read are never skipped or yielded twice. The service pages by
//!   index (`offset` is the 0-based page number, `limit` the page size); the streams overlap
//!   each page with the last by varying the page size a little, step back when a page shows
//!   that tasks before it were deleted, and give up with [`Error::Listing`] after a request
//!   budget proportional to the pages read. A still listing of 1,000 tasks costs 11 requests;
//!   deleting each task as it is yielded costs about 2 list requests per 100 tasks.
//! - GET, PUT and DELETE are idempotent, so connection failures, timeouts, I/O errors and
//!   429/500/502/503/504 are retried with full-jitter exponential backoff, honouring
//!   `Retry-After` ([`RetryPolicy`], [`classify`]). A POST is retried only when it certainly
//!   never left (no connection). Each attempt and each call has a time limit ([`Timeouts`]).
//! - Every failure is an [`Error`] naming its phase, with [`Error::is_retryable`] and
//!   [`Error::request_id`].
//! - Code against the [`ProcessorTasks`] trait and mock it (`mock` feature) in your tests.
//! - Secrets never reach `Debug`, `Display`, errors or `tracing` output.
#![warn(missing_docs)]

mod authenticate;
mod builder;
mod client;
pub mod config;
pub mod credentials;
mod deletion;
mod error;
mod execute;
mod headers;
mod load;
pub mod pages;
mod processor_tasks;
mod retry;
mod tasks;
pub mod throttle;
mod timeouts;
mod versions;

// What a user needs, from this one crate: ids, queries, bodies, replies and service errors
// (`api-model`), and the transport with its settings (`api-transport`). Both crates are also
// re-exported whole, as `model` and `transport`.
pub use api_model::{
    CreateProcessorTaskRequest, CreateProcessorTaskResponse, CreateProcessorTaskVersionRequest,
    CreateProcessorTaskVersionResponse, DecodeError, ErrorCode, ErrorScope,
    GetProcessorTaskItemsQuery, GetProcessorTaskItemsResponse, InvalidId, InvalidParameter,
    ListProcessorTaskVersionsQuery, ListProcessorTaskVersionsResponse, ListProcessorTasksQuery,
    ListProcessorTasksResponse, OperatorParam, ProcessorDataSource, ProcessorTask,
    ProcessorTaskVersion, ProjectId, ServiceError, SortOrder, TaskId, TaskSortBy, TaskStatus,
    TemplateItem, TemplateParam, UpdateProcessorTaskRequest, VersionId, WorkPath,
};
pub use api_transport::{
    HyperTransport, HyperTransportBuilder, SharedTransport, Transport, TransportError,
};
pub use pages::Paginated;

/// `api-model`, the sans-IO layer, whole: the operations as values (`Operation`), building
/// and parsing requests without a client, and everything re-exported above.
pub mod model {
    pub use api_model::*;
}

/// `api-transport` whole: the [`Transport`] trait and its helpers, for
/// writing your own, and the hyper transport's settings (TLS roots, CA certificates, proxies,
/// timeouts, pool).
pub mod transport {
    pub use api_transport::*;
}
pub use builder::{ClientBuilder, ENV_ENDPOINT, ENV_REGION, USER_AGENT};
pub use client::Client;
pub use config::{Environment, Origin, Settings};
pub use credentials::{Credentials, CredentialsError, CredentialsProvider};
pub use deletion::{Deletion, DeletionStatus};
pub use error::{Error, InvalidInput, TimeoutKind};
#[cfg(any(test, feature = "mock"))]
pub use processor_tasks::MockProcessorTasks;
pub use processor_tasks::ProcessorTasks;
pub use retry::{AttemptOutcome, RetryDecision, RetryPolicy, classify, parse_retry_after};
pub use throttle::{RetryPartition, Throttling};
pub use timeouts::Timeouts;

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
