//! The retry classifier: whether a failed attempt may be tried again, and no later than when.

use std::time::Duration;

use api_transport::{TimeoutPhase, TransportError};
use http::StatusCode;

/// What one attempt ended with, as far as retrying is concerned.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum AttemptOutcome<'a> {
    /// The transport failed.
    Transport(&'a TransportError),
    /// The attempt ran out of its time; the request may have been sent.
    TimedOut,
    /// The service answered with an error status, maybe with a `Retry-After`.
    Status {
        /// The status.
        status: StatusCode,
        /// The parsed `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
}

/// The classifier's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryDecision {
    /// Try again, waiting at least this long (the server's `Retry-After`) if given.
    Retry {
        /// The server's `Retry-After`.
        at_least: Option<Duration>,
    },
    /// Do not try again.
    Stop,
}

/// Decides whether an attempt may be retried.
///
/// - A connection that was never made (`Connect`, or a timeout while connecting) is always
///   retried: the request was not sent.
/// - Idempotent operations (the spec marks DELETE as one) are also retried after timeouts and
///   I/O errors, and on 429, 500, 502, 503 and 504, honouring `Retry-After`.
/// - Never retried: TLS failures, invalid requests, bodies over the limit, and every other
///   status (400, 401, 403, 404, ...).
///
/// ```
/// use api_client::{AttemptOutcome, RetryDecision, classify};
/// use http::StatusCode;
///
/// let throttled = AttemptOutcome::Status { status: StatusCode::TOO_MANY_REQUESTS, retry_after: None };
/// assert_eq!(classify(throttled, true), RetryDecision::Retry { at_least: None });
/// assert_eq!(classify(throttled, false), RetryDecision::Stop);
/// ```
pub fn classify(outcome: AttemptOutcome<'_>, idempotent: bool) -> RetryDecision {
    let retry = RetryDecision::Retry { at_least: None };
    match outcome {
        AttemptOutcome::Transport(e) if !e.request_may_have_been_sent() && never_connected(e) => {
            retry
        }
        AttemptOutcome::Transport(e) if idempotent && transport_error_is_transient(e) => retry,
        AttemptOutcome::TimedOut if idempotent => retry,
        AttemptOutcome::Status {
            status,
            retry_after,
        } if idempotent && status_is_transient(status.as_u16()) => RetryDecision::Retry {
            at_least: retry_after,
        },
        _ => RetryDecision::Stop,
    }
}

/// The request certainly never left: no connection was made.
fn never_connected(e: &TransportError) -> bool {
    matches!(
        e,
        TransportError::Connect { .. }
            | TransportError::Timeout {
                phase: TimeoutPhase::Connect,
                ..
            }
    )
}

/// Errors that may pass if the same request is sent again.
pub(crate) fn transport_error_is_transient(e: &TransportError) -> bool {
    matches!(
        e,
        TransportError::Connect { .. } | TransportError::Timeout { .. } | TransportError::Io { .. }
    )
}

/// 429, 500, 502, 503 and 504.
pub(crate) fn status_is_transient(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> AttemptOutcome<'static> {
        AttemptOutcome::Status {
            status: StatusCode::from_u16(code).unwrap(),
            retry_after: None,
        }
    }

    #[test]
    fn never_sent_is_always_retried() {
        let connect = TransportError::connect(std::io::Error::other("refused"));
        let connect_timeout = TransportError::timeout(TimeoutPhase::Connect);
        for idempotent in [true, false] {
            assert!(matches!(
                classify(AttemptOutcome::Transport(&connect), idempotent),
                RetryDecision::Retry { .. }
            ));
            assert!(matches!(
                classify(AttemptOutcome::Transport(&connect_timeout), idempotent),
                RetryDecision::Retry { .. }
            ));
        }
    }

    #[test]
    fn maybe_sent_is_retried_only_when_idempotent() {
        let io = TransportError::io(std::io::Error::other("reset"));
        let response_timeout = TransportError::timeout(TimeoutPhase::Response);
        for outcome in [
            AttemptOutcome::Transport(&io),
            AttemptOutcome::Transport(&response_timeout),
            AttemptOutcome::TimedOut,
        ] {
            assert!(matches!(
                classify(outcome, true),
                RetryDecision::Retry { .. }
            ));
            assert_eq!(classify(outcome, false), RetryDecision::Stop);
        }
    }

    #[test]
    fn statuses() {
        for code in [429, 500, 502, 503, 504] {
            assert!(
                matches!(classify(status(code), true), RetryDecision::Retry { .. }),
                "{code}"
            );
            assert_eq!(classify(status(code), false), RetryDecision::Stop, "{code}");
        }
        for code in [400, 401, 403, 404, 409, 413, 501] {
            assert_eq!(classify(status(code), true), RetryDecision::Stop, "{code}");
        }
        let with_after = AttemptOutcome::Status {
            status: StatusCode::SERVICE_UNAVAILABLE,
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(
            classify(with_after, true),
            RetryDecision::Retry {
                at_least: Some(Duration::from_secs(2))
            }
        );
    }

    #[test]
    fn permanent_transport_errors_stop() {
        for e in [
            TransportError::tls(std::io::Error::other("bad cert")),
            TransportError::invalid_request("bad"),
            TransportError::body_too_large(10),
        ] {
            assert_eq!(
                classify(AttemptOutcome::Transport(&e), true),
                RetryDecision::Stop,
                "{e}"
            );
        }
    }
}
