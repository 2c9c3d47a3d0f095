//! TLS settings: the explicit crypto provider, the trusted roots, and the rustls `ClientConfig`.

use std::fmt;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::build_error::BuildError;

/// The TLS part of a `HyperTransportBuilder`.
#[derive(Clone)]
pub(crate) struct TlsSettings {
    /// `None`: the provider chosen by the cargo features.
    pub(crate) provider: Option<Arc<CryptoProvider>>,
    /// Trust the roots compiled in / loaded from the OS (per cargo features).
    pub(crate) built_in_roots: bool,
    /// Roots added with `add_root_certificate`, already checked to be usable anchors.
    pub(crate) extra_roots: Vec<CertificateDer<'static>>,
}

impl Default for TlsSettings {
    fn default() -> Self {
        Self {
            provider: None,
            built_in_roots: true,
            extra_roots: Vec::new(),
        }
    }
}

impl fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSettings")
            .field(
                "provider",
                &if self.provider.is_some() {
                    "explicit"
                } else {
                    "from features"
                },
            )
            .field("built_in_roots", &self.built_in_roots)
            .field("extra_roots", &self.extra_roots.len())
            .finish()
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

/// The TLS features this build has, for `--version` lines and bug reports: the crypto provider
/// (`aws-lc-rs` or `ring`) and the root stores (`webpki-roots`, `native-roots`).
pub const COMPILED_TLS_FEATURES: &[&str] = &[
    #[cfg(feature = "aws-lc-rs")]
    "aws-lc-rs",
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    "ring",
    #[cfg(feature = "webpki-roots")]
    "webpki-roots",
    #[cfg(feature = "native-roots")]
    "native-roots",
];

/// The crypto provider selected by the cargo features: `aws-lc-rs` if enabled (it is opt-in, so
/// enabling it is a choice), else `ring`. A build with neither does not compile (see `lib.rs`).
#[cfg_attr(
    not(any(feature = "ring", feature = "aws-lc-rs")),
    allow(unreachable_code, unused_variables)
)]
fn provider_from_features() -> Arc<CryptoProvider> {
    #[cfg(feature = "aws-lc-rs")]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    let provider = rustls::crypto::ring::default_provider();
    // Never compiled: `lib.rs` stops such a build first, with a message saying what to enable.
    #[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
    let provider: CryptoProvider = unreachable!();
    Arc::new(provider)
}

/// Loads the roots the cargo features ask for into `roots`.
#[allow(unused_variables)]
fn add_built_in_roots(roots: &mut RootCertStore) {
    #[cfg(feature = "webpki-roots")]
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    #[cfg(feature = "native-roots")]
    {
        let loaded = rustls_native_certs::load_native_certs();
        if !loaded.errors.is_empty() {
            tracing::debug!(
                errors = loaded.errors.len(),
                "some native root certificates could not be loaded"
            );
        }
        let (added, ignored) = roots.add_parsable_certificates(loaded.certs);
        tracing::debug!(added, ignored, "loaded native root certificates");
    }
}

/// Builds the rustls client configuration (without ALPN: the connector sets it).
pub(crate) fn client_config(settings: &TlsSettings) -> Result<ClientConfig, BuildError> {
    let provider = settings
        .provider
        .clone()
        .unwrap_or_else(provider_from_features);

    let mut roots = RootCertStore::empty();
    if settings.built_in_roots {
        add_built_in_roots(&mut roots);
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

    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|source| BuildError::Tls {
            source: Box::new(source),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca_pem() -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.self_signed(&key).unwrap().pem()
    }

    #[test]
    fn parses_every_certificate_in_a_bundle() {
        let bundle = format!("{}\n{}", ca_pem(), ca_pem());
        assert_eq!(parse_root_certificates(bundle.as_bytes()).unwrap().len(), 2);
    }

    #[test]
    fn rejects_pem_without_certificates() {
        assert!(matches!(
            parse_root_certificates(b"not pem at all"),
            Err(BuildError::NoCertificateInPem)
        ));
        let key_only = rcgen::KeyPair::generate().unwrap().serialize_pem();
        assert!(matches!(
            parse_root_certificates(key_only.as_bytes()),
            Err(BuildError::NoCertificateInPem)
        ));
    }

    #[test]
    fn rejects_garbage_inside_a_certificate_block() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(parse_root_certificates(pem.as_bytes()).is_err());
    }

    #[test]
    fn no_roots_at_all_is_a_build_error() {
        let settings = TlsSettings {
            built_in_roots: false,
            ..TlsSettings::default()
        };
        assert!(matches!(
            client_config(&settings),
            Err(BuildError::NoRootCertificates)
        ));
    }

    #[test]
    fn private_ca_alone_is_enough() {
        let settings = TlsSettings {
            built_in_roots: false,
            extra_roots: parse_root_certificates(ca_pem().as_bytes()).unwrap(),
            ..TlsSettings::default()
        };
        assert!(client_config(&settings).is_ok());
    }
}
