//! Sans-IO request and error types for the ModelArts processor-tasks API.
//!
//! This crate builds [`http::Request`]s and reads [`http::Response`]s; it does no I/O and
//! pulls in no async runtime. Its path parameters are typed: a [`ProjectId`] or [`TaskId`]
//! that exists can never be empty and can never change the shape of the request path.
//!
//! ```
//! use api_model::{DeleteProcessorTask, Endpoint, Operation, ProjectId, TaskId};
//!
//! let project: ProjectId = "a4a5d4098fb4474fa22cd05f897d6b99".parse()?;
//! let task: TaskId = "SNEJua7qdZZN8GvkcEr".parse()?;
//! let request = DeleteProcessorTask::new(project, task)
//!     .build_request(&Endpoint::open_telekom_cloud())?;
//! assert_eq!(
//!     request.uri().path(),
//!     "/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks/SNEJua7qdZZN8GvkcEr"
//! );
//!
//! let reply = http::Response::new(bytes::Bytes::from_static(b"{ }"));
//! assert_eq!(DeleteProcessorTask::parse_response(&reply), Ok(()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod decode;
mod endpoint;
mod error_body;
mod error_code;
mod error_scope;
#[rustfmt::skip]
mod generated;
mod ids;
mod operation;
mod path;
mod printable;
mod query;
mod response_error;
mod service_error;
mod task_status;
mod validate;

pub use endpoint::{Endpoint, InvalidEndpoint};
pub use error_body::{ErrorBody, parse_error_body};
pub use error_scope::ErrorScope;
pub use generated::*;
pub use ids::{IdKind, IdRule, InvalidId, ProjectId, TaskId, VersionId};
pub use operation::{BuildError, InvalidParameter, Operation};
pub use path::push_segment;
pub use printable::{MESSAGE_CHARS, printable};
pub use query::QueryString;
pub use response_error::{DecodeError, ResponseError};
pub use service_error::{RAW_BODY_LIMIT, REQUEST_ID_HEADER, ServiceError};
pub use task_status::{InvalidTaskStatus, TaskStatus};
