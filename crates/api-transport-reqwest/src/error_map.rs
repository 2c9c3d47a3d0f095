//! Turning `reqwest::Error`s into `TransportError`s, keeping whether the request may have been sent.

use std::error::Error as StdError;

use api_transport::support::any_in_chain;
use api_transport::{TimeoutPhase, TransportError};

/// Maps an error of `reqwest::Client::execute` or of reading the response body.
///
/// Only what reqwest can say happened before the request was written gives a "never sent"
/// error: a request it refused to build (`is_builder`), or a failure to connect
/// (`is_connect`: hyper-util's connect errors, which come from the connector, before any byte
/// of the request). Everything else may have happened after (part of) the request was
/// written, so it says "may have been sent": the conservative answer.
///
/// The URL is removed from the error first: it may carry a query that should not end up in
/// logs.
pub(crate) fn from_reqwest(error: reqwest::Error) -> TransportError {
    let error = error.without_url();
    if error.is_builder() {
        return TransportError::invalid_request(format!(
            "reqwest refused it before sending: {}",
            root_cause(&error)
        ));
    }
    if error.is_connect() {
        return if error.is_timeout() {
            TransportError::timeout(TimeoutPhase::Connect)
        } else if has_rustls_error(&error) {
            TransportError::tls(error)
        } else {
            TransportError::connect(error)
        };
    }
    if error.is_timeout() {
        // A timeout of the caller's own reqwest client (`timeout`, `read_timeout`) once
        // connected, or one reqwest cannot place: the request may have been sent.
        return TransportError::timeout(TimeoutPhase::Response);
    }
    TransportError::io(error)
}

/// Whether a `rustls::Error` is somewhere in `error`'s chain (a TLS handshake failure).
fn has_rustls_error(error: &(dyn StdError + 'static)) -> bool {
    any_in_chain(error, &mut |e| e.is::<rustls::Error>())
}

/// The message at the bottom of `error`'s chain, e.g. `relative URL without a base`.
pub(crate) fn root_cause(error: &(dyn StdError + 'static)) -> String {
    let mut last = error.to_string();
    any_in_chain(error, &mut |e| {
        last = e.to_string();
        false
    });
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn finds_a_rustls_error_inside_nested_io_errors() {
        let rustls_error =
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let wrapped = io::Error::other(io::Error::new(io::ErrorKind::InvalidData, rustls_error));
        assert!(has_rustls_error(&wrapped));
        assert!(!has_rustls_error(&io::Error::other("plain")));
    }

    #[test]
    fn root_cause_is_the_innermost_message() {
        let wrapped = io::Error::other(io::Error::new(io::ErrorKind::InvalidInput, "innermost"));
        assert_eq!(root_cause(&wrapped), "innermost");
    }
}
