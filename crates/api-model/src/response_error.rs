//! The errors of reading a reply: a typed service error, or a reply that could not be read.

use std::fmt;

use bytes::Bytes;
use http::{Response, StatusCode};

use crate::{ServiceError, service_error::raw_excerpt, service_error::request_id};

/// A success reply whose body (or status) was not what the spec promises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    status: StatusCode,
    reason: String,
    excerpt: String,
    request_id: Option<String>,
}

impl DecodeError {
    /// Describes why `response` could not be read.
    pub fn new(response: &Response<Bytes>, reason: impl Into<String>) -> Self {
        Self {
            status: response.status(),
            reason: reason.into(),
            excerpt: raw_excerpt(response.body()),
            request_id: request_id(response.headers()),
        }
    }

    /// The HTTP status of the reply.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What was wrong with it.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The start of the body, as text.
    pub fn body_excerpt(&self) -> &str {
        &self.excerpt
    }

    /// The `X-Request-Id` of the reply.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not read the service's reply (HTTP {}): {}; the body began: {}",
            self.status,
            crate::printable(&self.reason, crate::MESSAGE_CHARS),
            crate::printable(&self.excerpt, crate::MESSAGE_CHARS)
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {})", crate::printable(id, 128))?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// Reading a reply failed: the service said no, or the reply made no sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The service answered with an error status.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// A success reply that could not be read.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

impl ResponseError {
    /// The `X-Request-Id` of the reply.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ResponseError::Service(e) => e.request_id(),
            ResponseError::Decode(e) => e.request_id(),
        }
    }
}
