//! `ErrorScope`: what an error reply is about, so that a caller with many requests knows
//! whether the others will fail the same way.

use std::fmt;

/// What a service error is about. The error-code table (`spec/error-codes.json`) gives it for
/// each known code; [`ServiceError::scope`](crate::ServiceError::scope) falls back on the status
/// for the others.
///
/// ```
/// use api_model::{ErrorCode, ErrorScope};
///
/// assert_eq!(ErrorCode::TaskInitializing.scope(), Some(ErrorScope::Task));
/// assert_eq!(ErrorCode::ProjectIdMismatch.scope(), Some(ErrorScope::Account));
/// assert!(ErrorScope::Account.dooms_every_request());
/// assert!(!ErrorScope::Task.dooms_every_request());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorScope {
    /// This task only (it does not exist, it is initializing…): another task may fare better.
    Task,
    /// This request's parameters or body.
    Request,
    /// The credentials, the project or the permissions: every request made with them fails
    /// the same way.
    Account,
    /// The address: every request to this endpoint fails the same way.
    Endpoint,
    /// The service, for now (throttling, an internal error): trying again later may succeed.
    Transient,
}

impl ErrorScope {
    /// The scope of an error status whose code is not in the table: 401 and 403 are about the
    /// account, 404 about the endpoint, 429 and 5xx transient, other 4xx about the request.
    pub fn from_status(status: u16) -> Self {
        match status {
            401 | 403 => Self::Account,
            404 => Self::Endpoint,
            429 | 500..=599 => Self::Transient,
            _ => Self::Request,
        }
    }

    /// Whether every other request made the same way will fail too (account and endpoint
    /// errors): a batch should stop at the first rather than repeat it.
    pub fn dooms_every_request(self) -> bool {
        matches!(self, Self::Account | Self::Endpoint)
    }

    /// The name used in `spec/error-codes.json`: `task`, `request`, `account`, `endpoint`,
    /// `transient`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Task => "task",
            Self::Request => "request",
            Self::Account => "account",
            Self::Endpoint => "endpoint",
            Self::Transient => "transient",
        }
    }
}

impl fmt::Display for ErrorScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
