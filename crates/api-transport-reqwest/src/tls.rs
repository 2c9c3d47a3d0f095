//! TLS for reqwest: a rustls `ClientConfig` with the `ring` provider, the chosen roots and ALPN.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::build_error::BuildError;

/// The TLS part of a `ReqwestTransportBuilder`.
#[derive(Clone)]
pub(crate) struct TlsSettings {
    /// `None`: `ring`'s default provider.
    pub(crate) provider: Option<Arc<CryptoProvider>>,
    /// Trust the Mozilla roots of `webpki-roots`.
    pub(crate) built_in_roots: bool,
    /// Roots added with `add_root_certificate`, already checked to be usable anchors.
    pub(crate) extra_roots: Vec<CertificateDer<'static>>,
    /// Offer `h2` in ALPN.
    pub(crate) http2: bool,
}

impl Default for TlsSettings {
    fn default() -> Self {
        Self {
            provider: None,
            built_in_roots: true,
            extra_roots: Vec::new(),
            http2: true,
        }
    }
}

/// Parses every `CERTIFICATE` block in `pem` and checks that each can be a trust anchor.
pub(crate) fn parse_root_certificates(
    pem: &[u8],
) -> Result<Vec<CertificateDer<'static>>, BuildError> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| BuildError::InvalidPem {
            source: Box::new(source),
        })?;
    if certificates.is_empty() {
        return Err(BuildError::NoCertificateInPem);
    }
    let mut scratch = RootCertStore::empty();
    for certificate in &certificates {
        scratch
            .add(certificate.clone())
            .map_err(|source| BuildError::InvalidRootCertificate {
                source: Box::new(source),
            })?;
    }
    Ok(certificates)
}

/// Builds the rustls client configuration reqwest is given, ALPN included (reqwest uses a
/// preconfigured `ClientConfig` as it is).
pub(crate) fn client_config(settings: &TlsSettings) -> Result<ClientConfig, BuildError> {
    let provider = settings
        .provider
        .clone()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let mut roots = RootCertStore::empty();
    if settings.built_in_roots {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for certificate in &settings.extra_roots {
        roots
            .add(certificate.clone())
            .map_err(|source| BuildError::InvalidRootCertificate {
                source: Box::new(source),
            })?;
    }
    if roots.is_empty() {
        return Err(BuildError::NoRootCertificates);
    }
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|source| BuildError::Tls {
            source: Box::new(source),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = if settings.http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(config)
}
