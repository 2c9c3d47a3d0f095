//! Turning hyper-util client errors into `TransportError`s, by phase: connect or in flight.

use std::error::Error as StdError;
use std::io;

use crate::error::{BoxError, TimeoutPhase, TransportError, any_in_chain, find_in_chain};
use crate::hyper::connect_deadline::ConnectDeadlineElapsed;

/// Maps an error of hyper-util's legacy client.
///
/// Connect errors (`is_connect()`) happened before the request was written: they become
/// `Timeout { Connect }`, `Tls` or `Connect`. Every other error may have happened after (part
/// of) the request was written, so it becomes `Io`, whose `request_may_have_been_sent()` is
/// true: the conservative answer.
pub(crate) fn from_client_error(error: hyper_util::client::legacy::Error) -> TransportError {
    let is_connect = error.is_connect();
    classify(Box::new(error), is_connect)
}

pub(crate) fn classify(error: BoxError, is_connect: bool) -> TransportError {
    if !is_connect {
        return TransportError::io(error);
    }
    let chain: &(dyn StdError + 'static) = error.as_ref();
    if is_connect_timeout(chain) {
        TransportError::timeout(TimeoutPhase::Connect)
    } else if find_in_chain::<rustls::Error>(chain).is_some() {
        TransportError::tls(error)
    } else {
        TransportError::connect(error)
    }
}

/// Our connect deadline, or the TCP connect timeout of hyper-util's `HttpConnector` (an
/// `io::Error` of kind `TimedOut`).
fn is_connect_timeout(chain: &(dyn StdError + 'static)) -> bool {
    if find_in_chain::<ConnectDeadlineElapsed>(chain).is_some() {
        return true;
    }
    any_in_chain(chain, &mut |error| {
        error
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn connect_deadline_is_a_connect_timeout() {
        let error = classify(
            Box::new(ConnectDeadlineElapsed(Duration::from_secs(1))),
            true,
        );
        assert!(matches!(
            error,
            TransportError::Timeout {
                phase: TimeoutPhase::Connect,
                ..
            }
        ));
        assert!(!error.request_may_have_been_sent());
    }

    #[test]
    fn tcp_connect_timed_out_is_a_connect_timeout() {
        let wrapped =
            io::Error::other(io::Error::new(io::ErrorKind::TimedOut, "connect timed out"));
        let error = classify(Box::new(wrapped), true);
        assert!(error.is_timeout());
    }

    #[test]
    fn handshake_failure_is_tls() {
        let rustls_error =
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let wrapped = io::Error::other(io::Error::new(io::ErrorKind::InvalidData, rustls_error));
        let error = classify(Box::new(wrapped), true);
        assert!(matches!(error, TransportError::Tls { .. }));
        assert!(!error.request_may_have_been_sent());
    }

    #[test]
    fn refused_is_connect_and_in_flight_is_io() {
        let refused = classify(
            Box::new(io::Error::from(io::ErrorKind::ConnectionRefused)),
            true,
        );
        assert!(matches!(refused, TransportError::Connect { .. }));
        let reset = classify(
            Box::new(io::Error::from(io::ErrorKind::ConnectionReset)),
            false,
        );
        assert!(matches!(reset, TransportError::Io { .. }));
        assert!(reset.request_may_have_been_sent());
    }
}
