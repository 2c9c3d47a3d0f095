//! `BuildError`: why a `ReqwestTransport` could not be built from its builder's settings.

use api_transport::BoxError;

/// Why [`ReqwestTransportBuilder`](crate::ReqwestTransportBuilder) could not build a
/// transport.
///
/// The errors of the libraries underneath are boxed and reachable through
/// [`std::error::Error::source`], so that their versions are not part of this crate's API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The PEM data given to `add_root_certificate` could not be parsed.
    #[error(
        "the root certificate PEM could not be read: expected -----BEGIN CERTIFICATE----- blocks"
    )]
    #[non_exhaustive]
    InvalidPem {
        /// The PEM parser's error.
        #[source]
        source: BoxError,
    },

    /// The PEM data given to `add_root_certificate` holds no certificate.
    #[error(
        "no certificate found in the root certificate PEM: expected at least one -----BEGIN CERTIFICATE----- block"
    )]
    NoCertificateInPem,

    /// A root certificate could not be used as a trust anchor.
    #[error(
        "a root certificate could not be used as a trust anchor: is it a valid X.509 CA certificate?"
    )]
    #[non_exhaustive]
    InvalidRootCertificate {
        /// The rustls error.
        #[source]
        source: BoxError,
    },

    /// No root certificate would be trusted: the built-in roots were turned off and none was
    /// added.
    #[error(
        "no trusted root certificate: add one with add_root_certificate, or keep the built-in roots"
    )]
    NoRootCertificates,

    /// The rustls configuration could not be built (e.g. a crypto provider without the
    /// protocol versions asked for).
    #[error("the TLS configuration could not be built")]
    #[non_exhaustive]
    Tls {
        /// The rustls error.
        #[source]
        source: BoxError,
    },

    /// reqwest refused to build its client.
    #[error("the reqwest client could not be built")]
    #[non_exhaustive]
    Client {
        /// The reqwest error.
        #[source]
        source: BoxError,
    },
}
