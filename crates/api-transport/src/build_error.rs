//! `BuildError`: why a `HyperTransport` could not be built from its builder's settings.

use crate::error::BoxError;

/// Why [`HyperTransportBuilder`](crate::HyperTransportBuilder) could not build a transport.
///
/// The errors of the TLS libraries underneath are boxed and reachable through
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
        /// The PEM parser's error (boxed, so that the parser's version is not part of this
        /// crate's API).
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
        /// The rustls error (boxed, so that the rustls version is not part of this crate's
        /// API; downcast it to [`rustls::Error`] to inspect it).
        #[source]
        source: BoxError,
    },

    /// No root certificate would be trusted, so no HTTPS server could be verified.
    #[error(
        "no trusted root certificates: enable the `webpki-roots` (default) or `native-roots` \
         feature, or add a CA with add_root_certificate"
    )]
    NoRootCertificates,

    /// rustls rejected the TLS configuration (e.g. the crypto provider supports no safe
    /// protocol version).
    #[error("the TLS configuration was rejected")]
    #[non_exhaustive]
    Tls {
        /// The rustls error (boxed, so that the rustls version is not part of this crate's
        /// API; downcast it to [`rustls::Error`] to inspect it).
        #[source]
        source: BoxError,
    },

    /// The proxy URL is not usable. The URL itself is not repeated here, since it may hold
    /// credentials.
    #[error("invalid proxy URL: {reason}")]
    #[non_exhaustive]
    InvalidProxy {
        /// What is wrong with it.
        reason: &'static str,
    },
}
