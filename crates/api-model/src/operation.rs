//! `Operation`: what every generated operation provides, and how it becomes a request and a result.

use bytes::Bytes;
use http::{Method, Request, Response};

use crate::{DecodeError, Endpoint, ResponseError, ServiceError};

/// Why a request could not be built. Nothing was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The endpoint and path did not form a valid URI.
    #[error("could not build the request URI from the endpoint and path {path:?}: {source}")]
    InvalidUri {
        /// The encoded path.
        path: String,
        /// What `http` said.
        #[source]
        source: http::Error,
    },
    /// A parameter or body field is outside what the spec allows.
    #[error(transparent)]
    InvalidParameter(#[from] InvalidParameter),
    /// The body could not be serialized as JSON.
    #[error("could not serialize the request body as JSON: {0}")]
    Body(#[source] serde_json::Error),
    /// The URI's path differs from the encoded path (a defence that should never trigger).
    #[error("refusing to send: the request path would be {actual:?} instead of {expected:?}")]
    PathChanged {
        /// The path that was built.
        expected: String,
        /// The path the URI holds.
        actual: String,
    },
}

/// A parameter the spec bounds (a limit, a description's length or characters) is out of bounds.
/// Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {name} for {operation}: {reason}")]
#[non_exhaustive]
pub struct InvalidParameter {
    /// The operation, e.g. `ListProcessorTasks`.
    pub operation: &'static str,
    /// The parameter or body field, as the spec names it, e.g. `limit`.
    pub name: &'static str,
    /// What is wrong, and what is allowed.
    pub reason: String,
}

/// One operation of the API: its method, path template, statuses, and how to read its reply.
///
/// The per-operation types (such as [`DeleteProcessorTask`](crate::DeleteProcessorTask)) are
/// generated from `spec/openapi.json`; this trait is the hand-written part they share.
pub trait Operation {
    /// What a successful reply decodes to.
    type Output;
    /// The operation id in the spec, e.g. `DeleteProcessorTask`.
    const NAME: &'static str;
    /// The HTTP method.
    const METHOD: Method;
    /// The path template, e.g. `/v2/{project_id}/processor-tasks/{task_id}`.
    const PATH_TEMPLATE: &'static str;
    /// The statuses that mean success.
    const SUCCESS_STATUSES: &'static [u16];
    /// Every status the spec documents, success and error.
    const DOCUMENTED_STATUSES: &'static [u16];
    /// Whether sending the request twice has the same effect as sending it once.
    const IDEMPOTENT: bool;

    /// The path with every parameter percent-encoded as exactly one segment.
    fn path(&self) -> String;

    /// Decodes the body of a successful reply.
    fn decode_output(body: &[u8]) -> Result<Self::Output, String>;

    /// Checks the parameters against the bounds in the spec, before anything is sent.
    fn validate(&self) -> Result<(), InvalidParameter> {
        Ok(())
    }

    /// The query string, without `?`, or `None` for none.
    fn query(&self) -> Option<String> {
        None
    }

    /// The JSON body, or `None` for none.
    fn body(&self) -> Result<Option<Bytes>, serde_json::Error> {
        Ok(None)
    }

    /// Validates the parameters and builds the request relative to `endpoint`: method, URI
    /// (path and query) and JSON body. It has no auth headers yet.
    ///
    /// ```
    /// use api_model::{DeleteProcessorTask, Endpoint, Operation};
    ///
    /// let op = DeleteProcessorTask::new(
    ///     "a4a5d4098fb4474fa22cd05f897d6b99".parse()?,
    ///     "SNEJua7qdZZN8GvkcEr".parse()?,
    /// );
    /// let request = op.build_request(&Endpoint::for_region("cn-north-4")?)?;
    /// assert_eq!(request.method(), "DELETE");
    /// assert_eq!(
    ///     request.uri(),
    ///     "https://modelarts.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks/SNEJua7qdZZN8GvkcEr"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn build_request(&self, endpoint: &Endpoint) -> Result<Request<Bytes>, BuildError> {
        self.validate()?;
        let path = self.path();
        let query = self.query();
        let path_and_query = match &query {
            Some(query) => format!("{path}?{query}"),
            None => path.clone(),
        };
        let uri = endpoint
            .uri_for(&path_and_query)
            .map_err(|source| BuildError::InvalidUri {
                path: path.clone(),
                source,
            })?;
        if !uri.path().ends_with(path.as_str()) || uri.query() != query.as_deref() {
            return Err(BuildError::PathChanged {
                expected: path,
                actual: uri.path().to_owned(),
            });
        }
        let body = self.body().map_err(BuildError::Body)?.unwrap_or_default();
        let mut request = Request::new(body);
        *request.method_mut() = Self::METHOD;
        *request.uri_mut() = uri;
        Ok(request)
    }

    /// Reads the body of a 2xx reply whose status the spec does not list for this operation
    /// (a `204` where `200 {}` is documented, say). Operations without output (generated to
    /// return `Ok(())`) take any 2xx as success, since the service did what was asked; others
    /// read it as they read a documented success.
    fn decode_other_success(body: &[u8]) -> Result<Self::Output, String> {
        Self::decode_output(body)
    }

    /// Reads a reply: the output on a success status, a [`ServiceError`] on an error status,
    /// a [`DecodeError`] when a success reply cannot be read. A 2xx the spec does not list is
    /// read by [`decode_other_success`](Self::decode_other_success).
    fn parse_response(response: &Response<Bytes>) -> Result<Self::Output, ResponseError> {
        let status = response.status();
        if Self::SUCCESS_STATUSES.contains(&status.as_u16()) {
            return Self::decode_output(response.body())
                .map_err(|reason| DecodeError::new(response, reason).into());
        }
        if status.is_success() {
            return Self::decode_other_success(response.body()).map_err(|reason| {
                let reason = format!(
                    "{} answers {:?} on success, not {}: {reason}",
                    Self::NAME,
                    Self::SUCCESS_STATUSES,
                    status.as_u16()
                );
                DecodeError::new(response, reason).into()
            });
        }
        Err(ServiceError::from_reply(status, response.headers(), response.body()).into())
    }
}
