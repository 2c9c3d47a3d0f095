//! `Error`: every way a call can fail, named by phase, with what to do about it.

use std::time::Duration;

use api_model::{ErrorCode, InvalidEndpoint, InvalidId, ServiceError};
use api_transport::TransportError;

use crate::credentials::CredentialsError;

/// Why a call failed. Each variant names the phase that failed; messages say what to do.
///
/// ```
/// # async fn demo(client: &api_client::Client, task: &api_model::TaskId) {
/// match client.delete_processor_task(task).await {
///     Ok(deleted) => println!("deleted after {} attempt(s)", deleted.attempts),
///     Err(err) if err.is_retryable() => eprintln!("try again later: {err}"),
///     Err(err) => eprintln!("{err} (request id {:?})", err.request_id()),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input was refused before any I/O: an id, the endpoint, or the client's settings.
    #[error("invalid input, nothing was sent: {0}")]
    InvalidInput(#[from] InvalidInput),

    /// No usable credentials: none configured, an unreadable source, or a key that cannot sign.
    #[error("no usable credentials, nothing was sent: {0}")]
    Credentials(#[from] CredentialsError),

    /// The HTTP exchange failed. `sent` says whether the request may have reached the server,
    /// on the last attempt or an earlier one (an earlier timeout, lost reply or 5xx).
    #[error("{source} (after {attempts} attempt(s); the request {})", if *sent { "may have reached the server" } else { "was never sent" })]
    Transport {
        /// What the transport reported.
        #[source]
        source: TransportError,
        /// Whether the request may have reached the server, on any attempt.
        sent: bool,
        /// How many attempts were made.
        attempts: u32,
    },

    /// An attempt, or the whole call, ran out of time.
    #[error("{}", timeout_message(*kind, *limit, *attempts))]
    Timeout {
        /// Which limit was reached.
        kind: TimeoutKind,
        /// The limit.
        limit: Duration,
        /// How many attempts were made.
        attempts: u32,
    },

    /// The service answered with an error.
    #[error("{source}{}", hint_suffix(source))]
    Service {
        /// The typed error reply: status, code, message and request id.
        #[source]
        source: ServiceError,
        /// How many attempts were made.
        attempts: u32,
    },

    /// A paginated listing could not be read safely: its pages were not in the order that
    /// paging relies on, so going on could skip entries. The entries yielded before it are real.
    #[error("the listing cannot be paged safely, so it stopped: {reason}")]
    Listing {
        /// What was wrong.
        reason: String,
    },

    /// No project id was given, and IAM did not name exactly one project for the region.
    #[error("cannot discover the project id of region {region:?}: {reason}{}", trace_suffix(trace_id.as_deref()))]
    #[non_exhaustive]
    ProjectDiscovery {
        /// The region looked up.
        region: String,
        /// What went wrong, and what to do.
        reason: String,
        /// IAM's `X-IAM-Trace-Id`, when it answered.
        trace_id: Option<String>,
        /// Whether trying again later may succeed (IAM unreachable, timed out, 429 or 5xx).
        transient: bool,
    },

    /// A success reply that could not be read.
    #[error("{source} (after {attempts} attempt(s))")]
    Decode {
        /// What was wrong with the reply.
        #[source]
        source: api_model::DecodeError,
        /// How many attempts were made.
        attempts: u32,
    },

    /// This implementation of [`ProcessorTasks`](crate::ProcessorTasks) does not do the
    /// operation: the trait's default method, which a hand-written fake written before the
    /// operation existed inherits. Nothing was sent.
    #[error("{operation} is not supported by this implementation of ProcessorTasks")]
    #[non_exhaustive]
    Unsupported {
        /// The operation, as the spec names it, e.g. `StopProcessorTaskVersion`.
        operation: &'static str,
    },
}

impl Error {
    /// [`Error::Unsupported`] for `operation`.
    pub fn unsupported(operation: &'static str) -> Self {
        Error::Unsupported { operation }
    }
}

/// Input refused before any I/O.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidInput {
    /// A project id or task id broke a rule.
    #[error(transparent)]
    Id(#[from] InvalidId),
    /// The endpoint or region is not valid.
    #[error(transparent)]
    Endpoint(#[from] InvalidEndpoint),
    /// The request could not be built.
    #[error(transparent)]
    Build(#[from] api_model::BuildError),
    /// A setting of the client is missing or not allowed.
    #[error("{0}")]
    Config(String),
    /// The region is unknown, or its overrides cannot be read.
    #[error(transparent)]
    Region(#[from] crate::config::RegionError),
}

/// Which time limit a [`Error::Timeout`] reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// One attempt took longer than the per-attempt timeout.
    Attempt,
    /// The whole call, retries included, took longer than the deadline.
    Deadline,
}

fn trace_suffix(trace_id: Option<&str>) -> String {
    trace_id.map_or_else(String::new, |t| format!(" (X-IAM-Trace-Id {t})"))
}

fn timeout_message(kind: TimeoutKind, limit: Duration, attempts: u32) -> String {
    match kind {
        TimeoutKind::Attempt => format!(
            "no reply within the per-attempt timeout of {limit:?} (after {attempts} attempt(s)); \
             the request may have reached the server. Check the endpoint and network, or raise the timeout"
        ),
        TimeoutKind::Deadline => format!(
            "the call did not finish within its deadline of {limit:?} (after {attempts} attempt(s)); \
             the request may have reached the server. Raise the deadline or try again later"
        ),
    }
}

/// What a person can do about a service error, from the error-code table or the status.
pub(crate) fn hint(error: &ServiceError) -> Option<&'static str> {
    if crate::throttle::throttle_of(error) == Some(crate::throttle::Throttle::QuotaExhausted) {
        return Some(
            "A quota for hours or a day is used up, so this was not retried: try again when it \
             resets, or ask for a higher quota.",
        );
    }
    if let Some(hint) = error.code().hint() {
        return Some(hint);
    }
    match error.status().as_u16() {
        401 => Some(
            "Check the credentials: the AK/SK pair (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK) or the IAM token, \
             and that this machine's clock is within 15 minutes of UTC, since signatures are dated.",
        ),
        403 => Some(
            "Check that the credentials may use ModelArts in this project, and that the project id belongs to them and to this region.",
        ),
        404 => {
            Some("Check the endpoint: it should be https://modelarts.{region}.myhuaweicloud.com.")
        }
        429 => Some("Slow down: lower the concurrency or the request rate."),
        500..=599 => Some("The service had a problem; try again later."),
        _ => None,
    }
}

fn hint_suffix(error: &ServiceError) -> String {
    hint(error).map(|h| format!(". {h}")).unwrap_or_default()
}

impl Error {
    /// Whether the same call may succeed if made again later (for an idempotent operation).
    ///
    /// True for connection failures, timeouts, I/O errors, the statuses 429, 500, 502, 503 and
    /// 504, and a credentials source that may recover. False for invalid input, missing or
    /// unusable credentials, 4xx replies and unreadable replies.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Credentials(e) => e.is_transient(),
            Error::InvalidInput(_)
            | Error::Decode { .. }
            | Error::Listing { .. }
            | Error::Unsupported { .. } => false,
            Error::Transport { source, .. } => crate::retry::transport_error_is_transient(source),
            Error::Timeout { .. } => true,
            Error::ProjectDiscovery { transient, .. } => *transient,
            Error::Service { source, .. } => match crate::throttle::throttle_of(source) {
                Some(crate::throttle::Throttle::QuotaExhausted) => false,
                Some(_) => true,
                None => crate::retry::status_is_transient(source.status().as_u16()),
            },
        }
    }

    /// Whether every other call made with this client will fail the same way, so that a batch
    /// should stop at the first rather than repeat it (a wrong secret key repeated 10,000
    /// times is 10,000 failed sign-ins):
    /// - the service refused the credentials, the project or the permissions, or has no such
    ///   API at this endpoint (a [`ServiceError::scope`] that
    ///   [dooms every request](api_model::ErrorScope::dooms_every_request): 401, 403 but for
    ///   per-task codes such as `ModelArts.4850`, 404), or a quota for hours or a day is used
    ///   up;
    /// - no connection could be made on any attempt (DNS, refused, unreachable), or the TLS
    ///   handshake failed;
    /// - the credentials are missing or unusable, or the client's settings are invalid;
    /// - the [`ProcessorTasks`](crate::ProcessorTasks) implementation does not do the
    ///   operation ([`Error::Unsupported`]).
    ///
    /// Timeouts, 429 and 5xx are not: they may pass.
    pub fn dooms_every_call(&self) -> bool {
        match self {
            Error::Service { source, .. }
                if crate::throttle::throttle_of(source)
                    == Some(crate::throttle::Throttle::QuotaExhausted) =>
            {
                true
            }
            Error::Service { source, .. } => source.scope().dooms_every_request(),
            Error::Transport { source, .. } => matches!(
                source,
                TransportError::Connect { .. } | TransportError::Tls { .. }
            ),
            Error::Credentials(e) => !e.is_transient(),
            Error::InvalidInput(
                InvalidInput::Endpoint(_) | InvalidInput::Config(_) | InvalidInput::Region(_),
            ) => true,
            Error::ProjectDiscovery { transient, .. } => !transient,
            Error::Unsupported { .. } => true,
            _ => false,
        }
    }

    /// The `X-Request-Id` of the last reply, to quote to support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service { source, .. } => source.request_id(),
            Error::Decode { source, .. } => source.request_id(),
            _ => None,
        }
    }

    /// How many attempts were made (0 when the call was refused before any I/O).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::InvalidInput(_)
            | Error::Credentials(_)
            | Error::Listing { .. }
            | Error::ProjectDiscovery { .. }
            | Error::Unsupported { .. } => 0,
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::Service { attempts, .. }
            | Error::Decode { attempts, .. } => *attempts,
        }
    }

    /// The service's error reply, if the service answered with one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The service's error code, if the service answered with one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.service_error().map(ServiceError::code)
    }

    /// Whether the request may have reached the server: false only when it certainly did not.
    pub fn request_may_have_been_sent(&self) -> bool {
        match self {
            Error::InvalidInput(_)
            | Error::Credentials(_)
            | Error::ProjectDiscovery { .. }
            | Error::Unsupported { .. } => false,
            Error::Transport { sent, .. } => *sent,
            Error::Timeout { .. }
            | Error::Service { .. }
            | Error::Decode { .. }
            | Error::Listing { .. } => true,
        }
    }
}

impl From<InvalidId> for Error {
    fn from(e: InvalidId) -> Self {
        Error::InvalidInput(InvalidInput::Id(e))
    }
}

impl From<crate::config::RegionError> for Error {
    fn from(e: crate::config::RegionError) -> Self {
        Error::InvalidInput(InvalidInput::Region(e))
    }
}

impl From<InvalidEndpoint> for Error {
    fn from(e: InvalidEndpoint) -> Self {
        Error::InvalidInput(InvalidInput::Endpoint(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, StatusCode};

    fn service(status: u16, body: &str) -> Error {
        Error::Service {
            source: ServiceError::from_reply(
                StatusCode::from_u16(status).unwrap(),
                &HeaderMap::new(),
                body.as_bytes(),
            ),
            attempts: 1,
        }
    }

    #[test]
    fn a_401_mentions_credentials_and_clock_skew() {
        let text = service(401, r#"{"error_code":"APIG.9999","error_msg":"bad"}"#).to_string();
        assert!(text.contains("AK/SK") && text.contains("clock"), "{text}");
        let text = service(401, r#"{"error_code":"APIG.0301","error_msg":"bad"}"#).to_string();
        assert!(text.contains("AK/SK") && text.contains("clock"), "{text}");
    }

    #[test]
    fn a_403_with_0210_mentions_the_project_id() {
        let text = service(
            403,
            r#"{"error_code":"ModelArts.0210","error_msg":"mismatch"}"#,
        )
        .to_string();
        assert!(text.contains("project id"), "{text}");
    }

    #[test]
    fn account_and_endpoint_errors_doom_every_call_task_errors_do_not() {
        for (status, code) in [
            (401, "APIG.0301"),
            (403, "ModelArts.0210"),
            (403, "ModelArts.0108"),
            (403, "Some.Unknown"),
            (404, "APIG.0101"),
        ] {
            let body = format!(r#"{{"error_code":"{code}","error_msg":"m"}}"#);
            assert!(service(status, &body).dooms_every_call(), "{status} {code}");
        }
        for (status, code) in [
            (400, "ModelArts.4700"),
            (403, "ModelArts.4850"),
            (429, "APIG.0308"),
            (500, "ModelArts.0010"),
            (503, "ModelArts.4700"),
        ] {
            let body = format!(r#"{{"error_code":"{code}","error_msg":"m"}}"#);
            assert!(
                !service(status, &body).dooms_every_call(),
                "{status} {code}"
            );
        }
        let refused = Error::Transport {
            source: TransportError::connect(std::io::Error::other("refused")),
            sent: false,
            attempts: 3,
        };
        assert!(refused.dooms_every_call());
        let timeout = Error::Timeout {
            kind: TimeoutKind::Attempt,
            limit: Duration::from_secs(1),
            attempts: 3,
        };
        assert!(!timeout.dooms_every_call());
    }

    #[test]
    fn retryable_statuses() {
        for status in [429, 500, 502, 503, 504] {
            assert!(service(status, "").is_retryable(), "{status}");
        }
        for status in [400, 401, 403, 404, 409] {
            assert!(!service(status, "").is_retryable(), "{status}");
        }
    }

    #[test]
    fn phases_and_attempts() {
        let e = Error::Timeout {
            kind: TimeoutKind::Deadline,
            limit: Duration::from_secs(3),
            attempts: 2,
        };
        assert!(e.is_retryable());
        assert_eq!(e.attempts(), 2);
        assert!(e.to_string().contains("deadline of 3s"));
        let e = Error::Transport {
            source: TransportError::connect(std::io::Error::other("refused")),
            sent: false,
            attempts: 3,
        };
        assert!(e.to_string().contains("was never sent"), "{e}");
        assert!(!e.request_may_have_been_sent());
    }
}
