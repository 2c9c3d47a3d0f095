//! `BuildError`: why a `HyperTransport` could not be built from its builder's settings.

/// Why [`HyperTransportBuilder`](crate::HyperTransportBuilder) could not build a transport.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The PEM data given to `add_root_certificate` could not be parsed.
    #[error(
        "the root certificate PEM could not be read: expected -----BEGIN CERTIFICATE----- blocks"
    )]
    InvalidPem {
        /// The PEM parser's error.
        #[source]
        source: rustls_pki_types::pem::Error,
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
    InvalidRootCertificate {
        /// The rustls error.
        #[source]
        source: rustls::Error,
    },

    /// No root certificate would be trusted, so no HTTPS server could be verified.
    #[error(
        "no trusted root certificates: enable the `webpki-roots` (default) or `native-roots` \
         feature, or add a CA with add_root_certificate"
    )]
    NoRootCertificates,

    /// No TLS crypto provider was compiled in or given.
    #[error(
        "no TLS crypto provider: enable the `ring` (default) or `aws-lc-rs` feature, or pass one \
         with crypto_provider"
    )]
    NoCryptoProvider,

    /// rustls rejected the TLS configuration (e.g. the crypto provider supports no safe
    /// protocol version).
    #[error("the TLS configuration was rejected")]
    Tls {
        /// The rustls error.
        #[source]
        source: rustls::Error,
    },

    /// The proxy URL is not usable. The URL itself is not repeated here, since it may hold
    /// credentials.
    #[error("invalid proxy URL: {reason}")]
    InvalidProxy {
        /// What is wrong with it.
        reason: &'static str,
    },
}
