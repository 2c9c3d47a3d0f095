//! `TransportError`: what went wrong while sending, and whether the request may have reached the server.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::io;

/// A boxed error, the `source` of the [`TransportError`] variants that wrap another error.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// The phase of an exchange in which a [`TransportError::Timeout`] fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Setting up the connection (TCP connect, proxy tunnel, TLS handshake) took too long.
    /// The request was not sent.
    Connect,
    /// The response, headers and whole body, did not arrive in time after the request started
    /// being sent. The request may have reached the server.
    Response,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Response => "response",
        })
    }
}

/// Why a [`Transport`](crate::Transport) could not return a response.
///
/// The most important question for a caller deciding whether to retry is answered by
/// [`request_may_have_been_sent`](Self::request_may_have_been_sent): a request that was never
/// sent can always be retried, even if it is not idempotent.
///
/// Variants that wrap another error expose it through [`std::error::Error::source`]; print the
/// whole chain (e.g. `{:#}` with `anyhow`) to see the underlying cause.
///
/// The variants are `#[non_exhaustive]`: outside this crate build them with the constructors
/// ([`connect`](Self::connect), [`timeout`](Self::timeout), ...), for example to return canned
/// errors from a test transport.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// No connection to the server could be set up (DNS, refused, unreachable, proxy tunnel
    /// refused). The request was never sent, so retrying is always safe.
    #[error(
        "could not connect to {} ({}), so the request was not sent: is the endpoint reachable, \
         and is a proxy required (set HTTPS_PROXY) or wrongly used (check NO_PROXY)?",
        target.as_deref().unwrap_or("the server"),
        root_cause(source.as_ref())
    )]
    #[non_exhaustive]
    Connect {
        /// The underlying error.
        #[source]
        source: BoxError,
        /// The `host:port` it tried, when the transport knows it.
        target: Option<String>,
    },

    /// A timeout fired. See [`TimeoutPhase`] for whether the request may have been sent.
    #[error("{}", timeout_message(*phase, target.as_deref()))]
    #[non_exhaustive]
    Timeout {
        /// The phase that took too long.
        phase: TimeoutPhase,
        /// The `host:port` it was talking to, when the transport knows it.
        target: Option<String>,
    },

    /// The connection failed while the request or its response was in flight (reset, closed
    /// early, a malformed response, a TLS failure after the handshake). The request may have
    /// reached the server.
    #[error(
        "the connection failed while the request was in flight, so it may have reached the \
         server: retry only if the operation is idempotent"
    )]
    #[non_exhaustive]
    Io {
        /// The underlying error.
        #[source]
        source: BoxError,
    },

    /// The TLS handshake failed, so the request was never sent. TLS failures after the
    /// handshake are reported as [`Io`](Self::Io).
    #[error(
        "the TLS handshake with {} failed ({}), so the request was not sent: {}",
        target.as_deref().unwrap_or("the server"),
        root_cause(source.as_ref()),
        tls_hint(source.as_ref())
    )]
    #[non_exhaustive]
    Tls {
        /// The underlying error; its chain holds the `rustls::Error`.
        #[source]
        source: BoxError,
        /// The `host:port` it tried, when the transport knows it.
        target: Option<String>,
    },

    /// The response body is larger than the transport's limit; reading stopped there.
    #[error(
        "the response body is larger than the limit of {limit} bytes: raise the limit \
         (max_response_body_size) if such a response is expected"
    )]
    #[non_exhaustive]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },

    /// The request could not be sent as given (for example its URI has no scheme or host).
    /// It was never sent.
    #[error("the request was not sent because it is invalid: {reason}")]
    #[non_exhaustive]
    InvalidRequest {
        /// What is wrong with the request.
        reason: Cow<'static, str>,
    },
}

impl TransportError {
    /// A [`Connect`](Self::Connect) error: no connection could be set up.
    pub fn connect(source: impl Into<BoxError>) -> Self {
        Self::Connect {
            source: source.into(),
            target: None,
        }
    }

    /// A [`Timeout`](Self::Timeout) in the given phase.
    pub fn timeout(phase: TimeoutPhase) -> Self {
        Self::Timeout {
            phase,
            target: None,
        }
    }

    /// The same error, naming the `host:port` it was about (for connect errors, TLS handshake
    /// errors and timeouts; other errors are returned as they are).
    #[must_use]
    pub fn with_target(mut self, host_port: impl Into<String>) -> Self {
        match &mut self {
            Self::Connect { target, .. }
            | Self::Tls { target, .. }
            | Self::Timeout { target, .. } => {
                *target = Some(host_port.into());
            }
            _ => {}
        }
        self
    }

    /// An [`Io`](Self::Io) error: the connection failed while the request was in flight.
    pub fn io(source: impl Into<BoxError>) -> Self {
        Self::Io {
            source: source.into(),
        }
    }

    /// A [`Tls`](Self::Tls) error: the TLS handshake failed.
    pub fn tls(source: impl Into<BoxError>) -> Self {
        Self::Tls {
            source: source.into(),
            target: None,
        }
    }

    /// A [`BodyTooLarge`](Self::BodyTooLarge) error for the given limit in bytes.
    pub fn body_too_large(limit: usize) -> Self {
        Self::BodyTooLarge { limit }
    }

    /// An [`InvalidRequest`](Self::InvalidRequest) error with the given reason.
    pub fn invalid_request(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::InvalidRequest {
            reason: reason.into(),
        }
    }

    /// Whether the request may have reached the server.
    ///
    /// `false` means the request was certainly not sent ([`Connect`](Self::Connect), a
    /// connect-phase [`Timeout`](Self::Timeout), [`Tls`](Self::Tls),
    /// [`InvalidRequest`](Self::InvalidRequest)): retrying it is always safe. `true` means it
    /// may have been processed: retry only idempotent operations.
    ///
    /// ```
    /// use api_transport::{TimeoutPhase, TransportError};
    ///
    /// assert!(!TransportError::timeout(TimeoutPhase::Connect).request_may_have_been_sent());
    /// assert!(TransportError::timeout(TimeoutPhase::Response).request_may_have_been_sent());
    /// ```
    pub fn request_may_have_been_sent(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Tls { .. } | Self::InvalidRequest { .. } => false,
            Self::Timeout { phase, .. } => *phase != TimeoutPhase::Connect,
            Self::Io { .. } | Self::BodyTooLarge { .. } => true,
        }
    }

    /// Whether this is a [`Timeout`](Self::Timeout), in any phase.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }
}

fn timeout_message(phase: TimeoutPhase, target: Option<&str>) -> String {
    let target = target.unwrap_or("the server");
    match phase {
        TimeoutPhase::Connect => format!(
            "connecting to {target} timed out, so the request was not sent: is the endpoint \
             reachable, and is a proxy required (set HTTPS_PROXY)?"
        ),
        TimeoutPhase::Response => format!(
            "the response of {target} did not arrive in full within the response timeout, so \
             the request may have reached the server: raise the timeout if the operation is slow"
        ),
    }
}

/// What the operating system (or the resolver, or rustls) said at the bottom of the chain,
/// e.g. `Connection refused (os error 111)` or `failed to lookup address information: Name or
/// service not known`.
pub(crate) fn root_cause(error: &(dyn StdError + Send + Sync + 'static)) -> String {
    let mut last: &(dyn StdError + 'static) = error;
    any_in_chain(error, &mut |e| {
        last = e;
        false
    });
    last.to_string()
}

/// What to check, given the rustls error somewhere in a TLS error's chain.
fn tls_hint(source: &(dyn StdError + Send + Sync + 'static)) -> &'static str {
    use rustls::{CertificateError as Cert, Error as Tls};

    let Some(error) = find_in_chain::<rustls::Error>(source) else {
        return "check the endpoint URL and the server's TLS setup";
    };
    match error {
        Tls::InvalidCertificate(Cert::UnknownIssuer) => {
            "the server's certificate is not trusted: if it is signed by a private CA, add that \
             CA with add_root_certificate"
        }
        Tls::InvalidCertificate(Cert::NotValidForName | Cert::NotValidForNameContext { .. }) => {
            "the server's certificate does not match the host name: check the endpoint URL"
        }
        Tls::InvalidCertificate(
            Cert::Expired
            | Cert::ExpiredContext { .. }
            | Cert::NotValidYet
            | Cert::NotValidYetContext { .. },
        ) => "the server's certificate is expired or not yet valid: check the system clock",
        Tls::InvalidCertificate(_) => "the server's certificate was rejected",
        Tls::InvalidMessage(_)
        | Tls::InappropriateMessage { .. }
        | Tls::InappropriateHandshakeMessage { .. } => {
            "the server did not answer with TLS: is the endpoint really https, and is the port right?"
        }
        Tls::AlertReceived(_) | Tls::PeerIncompatible(_) => {
            "the server refused the handshake: it may require TLS settings this client does not offer"
        }
        _ => "check the endpoint URL and the server's TLS setup",
    }
}

/// Finds an error of type `E` in `error`'s chain (see [`any_in_chain`]).
pub(crate) fn find_in_chain<'a, E: StdError + 'static>(
    error: &'a (dyn StdError + 'static),
) -> Option<&'a E> {
    let mut found = None;
    any_in_chain(error, &mut |error| {
        found = error.downcast_ref::<E>();
        found.is_some()
    });
    found
}

/// Whether `predicate` holds for an error in `error`'s `source()` chain, including the errors
/// wrapped inside `std::io::Error`s (whose `source()` skips the wrapped error itself).
pub fn any_in_chain<'a>(
    error: &'a (dyn StdError + 'static),
    predicate: &mut dyn FnMut(&'a (dyn StdError + 'static)) -> bool,
) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if predicate(error) {
            return true;
        }
        if let Some(inner) = error
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
            && any_in_chain(inner, predicate)
        {
            return true;
        }
        current = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_errors_before_sending_say_never_sent() {
        let never_sent = [
            TransportError::connect(io::Error::from(io::ErrorKind::ConnectionRefused)),
            TransportError::timeout(TimeoutPhase::Connect),
            TransportError::tls(io::Error::other("handshake")),
            TransportError::invalid_request("no host"),
        ];
        for error in &never_sent {
            assert!(!error.request_may_have_been_sent(), "{error:?}");
        }
        let maybe_sent = [
            TransportError::timeout(TimeoutPhase::Response),
            TransportError::io(io::Error::from(io::ErrorKind::ConnectionReset)),
            TransportError::body_too_large(10),
        ];
        for error in &maybe_sent {
            assert!(error.request_may_have_been_sent(), "{error:?}");
        }
    }

    #[test]
    fn finds_rustls_error_wrapped_in_nested_io_errors() {
        let rustls_error =
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let inner = io::Error::new(io::ErrorKind::InvalidData, rustls_error);
        let outer = io::Error::other(inner);
        let error = TransportError::tls(outer);
        let message = error.to_string();
        assert!(message.contains("add_root_certificate"), "{message}");
    }

    #[test]
    fn tls_hint_without_rustls_error_is_generic() {
        let error = TransportError::tls(io::Error::other("boom"));
        assert!(error.to_string().contains("check the endpoint URL"));
    }

    #[test]
    fn connect_errors_name_the_target_and_the_os_reason() {
        let refused = io::Error::from_raw_os_error(111);
        let wrapped = io::Error::other(refused);
        let error = TransportError::connect(wrapped).with_target("127.0.0.1:9");
        let message = error.to_string();
        assert!(
            message.contains("could not connect to 127.0.0.1:9"),
            "{message}"
        );
        assert!(message.contains("os error 111"), "{message}");
        let error = TransportError::timeout(TimeoutPhase::Connect).with_target("example.com:443");
        assert!(error.to_string().contains("example.com:443"), "{error}");
        let body = TransportError::body_too_large(1).with_target("ignored:1");
        assert!(!body.to_string().contains("ignored"));
    }

    #[test]
    fn messages_say_what_to_check() {
        let connect = TransportError::connect(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert!(connect.to_string().contains("proxy"));
        assert!(connect.source().is_some());
        let too_large = TransportError::body_too_large(1024);
        assert!(too_large.to_string().contains("1024"));
        assert!(TransportError::timeout(TimeoutPhase::Response).is_timeout());
    }
}
