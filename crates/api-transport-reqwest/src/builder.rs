//! `ReqwestTransportBuilder`: the reqwest client (built here or given), timeouts and body limit of a `ReqwestTransport`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use api_transport::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT};
use api_transport::{DEFAULT_MAX_RESPONSE_BODY_SIZE, DEFAULT_POOL_IDLE_TIMEOUT};
use rustls::crypto::CryptoProvider;

use crate::build_error::BuildError;
use crate::tls::{TlsSettings, client_config, parse_root_certificates};
use crate::transport::ReqwestTransport;

/// Configures and builds a [`ReqwestTransport`]. Start with [`ReqwestTransport::builder`].
///
/// Every setting has a finite default, the same as `HyperTransport`'s: connect 10 s
/// ([`api_transport::DEFAULT_CONNECT_TIMEOUT`]), response 30 s
/// ([`api_transport::DEFAULT_RESPONSE_TIMEOUT`]), body 10 MiB
/// ([`api_transport::DEFAULT_MAX_RESPONSE_BODY_SIZE`]).
///
/// The client it builds follows no redirect and retries nothing (retries are the SDK
/// client's job, and it must see every attempt), trusts the Mozilla roots of `webpki-roots`
/// with rustls and `ring`, offers HTTP/2 by ALPN, and uses the proxies of the environment
/// (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`) unless [`no_proxy`](Self::no_proxy)
/// is called. Give a client of your own with [`client`](Self::client) to choose otherwise.
///
/// ```
/// use std::time::Duration;
/// use api_transport_reqwest::ReqwestTransport;
///
/// # fn main() -> Result<(), api_transport_reqwest::BuildError> {
/// let transport = ReqwestTransport::builder()
///     .connect_timeout(Duration::from_secs(3))
///     .response_timeout(Duration::from_secs(60))
///     .max_response_body_size(1024 * 1024)
///     .build()?;
/// # drop(transport);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until build() is called"]
pub struct ReqwestTransportBuilder {
    client: Option<reqwest::Client>,
    connect_timeout: Duration,
    response_timeout: Duration,
    max_response_body_size: usize,
    pool_idle_timeout: Duration,
    proxy_from_env: bool,
    tls: TlsSettings,
}

impl Default for ReqwestTransportBuilder {
    fn default() -> Self {
        Self {
            client: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            response_timeout: DEFAULT_RESPONSE_TIMEOUT,
            max_response_body_size: DEFAULT_MAX_RESPONSE_BODY_SIZE,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            proxy_from_env: true,
            tls: TlsSettings::default(),
        }
    }
}

impl fmt::Debug for ReqwestTransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Settings only: the given client's `Debug` could show its proxies and headers.
        f.debug_struct("ReqwestTransportBuilder")
            .field("own_client", &self.client.is_some())
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("max_response_body_size", &self.max_response_body_size)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("proxy_from_env", &self.proxy_from_env)
            .field("http2", &self.tls.http2)
            .field("built_in_roots", &self.tls.built_in_roots)
            .field("extra_roots", &self.tls.extra_roots.len())
            .field("explicit_crypto_provider", &self.tls.provider.is_some())
            .finish()
    }
}

impl ReqwestTransportBuilder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends through `client` instead of a client built from this builder's settings; only
    /// [`response_timeout`](Self::response_timeout) and
    /// [`max_response_body_size`](Self::max_response_body_size) still apply, the other
    /// settings are the client's own. Start it with [`ReqwestTransport::client_builder`] to
    /// keep this crate's TLS and its no-redirect, no-retry behaviour.
    ///
    /// Keep a connect timeout on it (`connect_timeout`) below the response timeout: only a
    /// connect timeout reqwest reports as such tells the SDK that the request was not sent.
    /// If it follows redirects, the response returned is the last one of the chain.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The longest time to set up a new connection (TCP connect, proxy tunnel and TLS
    /// handshake). Past it, `send` fails with `Timeout { phase: Connect }` and the request
    /// was not sent. Default: 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The longest time for one `send`, from its start until the whole response body is read
    /// (a connection included, so keep it above the connect timeout). Past it, `send` fails
    /// with `Timeout { phase: Response }`. Default: 30 s. A request that carries a
    /// [`ResponseTimeout`](api_transport::ResponseTimeout) extension (the client sets it to
    /// the attempt's time limit) uses that instead.
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// The largest response body accepted, in bytes; a larger one fails with `BodyTooLarge`
    /// without being read further. Default: 10 MiB.
    pub fn max_response_body_size(mut self, bytes: usize) -> Self {
        self.max_response_body_size = bytes;
        self
    }

    /// How long an unused connection stays in the pool. Default: 60 s.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Whether to offer HTTP/2 in the TLS handshake (ALPN); the server chooses. Plain-HTTP
    /// connections always use HTTP/1.1. Default: true.
    pub fn http2(mut self, enabled: bool) -> Self {
        self.tls.http2 = enabled;
        self
    }

    /// Never uses a proxy, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.proxy_from_env = false;
        self
    }

    /// Also trusts the CA certificate(s) in `pem` (one or more `-----BEGIN CERTIFICATE-----`
    /// blocks), e.g. a private CA in front of a private endpoint.
    ///
    /// # Errors
    ///
    /// If the PEM cannot be read, holds no certificate, or holds one that cannot be a trust
    /// anchor.
    pub fn add_root_certificate(mut self, pem: &[u8]) -> Result<Self, BuildError> {
        self.tls.extra_roots.extend(parse_root_certificates(pem)?);
        Ok(self)
    }

    /// Whether to trust the Mozilla roots compiled in (`webpki-roots`). With `false`, only
    /// the certificates added with [`add_root_certificate`](Self::add_root_certificate) are
    /// trusted. Default: true.
    pub fn built_in_roots(mut self, enabled: bool) -> Self {
        self.tls.built_in_roots = enabled;
        self
    }

    /// Uses `provider` for TLS instead of `ring`'s default provider. The process-wide default
    /// provider is never consulted.
    pub fn crypto_provider(mut self, provider: Arc<CryptoProvider>) -> Self {
        self.tls.provider = Some(provider);
        self
    }

    /// A `reqwest::ClientBuilder` with this builder's TLS, connect timeout, pool and proxy
    /// settings, no redirects and no retries.
    pub(crate) fn reqwest_builder(&self) -> Result<reqwest::ClientBuilder, BuildError> {
        let tls = client_config(&self.tls)?;
        let builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(self.connect_timeout)
            .pool_idle_timeout(self.pool_idle_timeout)
            .tcp_nodelay(true)
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never());
        Ok(if self.proxy_from_env {
            builder
        } else {
            builder.no_proxy()
        })
    }

    /// Builds the transport. It needs a Tokio runtime (with time and IO) to *send*, not to
    /// be built.
    ///
    /// # Errors
    ///
    /// If the TLS settings are unusable (no trusted root at all, a provider without the
    /// default protocol versions), or reqwest refuses to build its client.
    pub fn build(self) -> Result<ReqwestTransport, BuildError> {
        let (client, own_client) = match self.client.clone() {
            Some(client) => (client, true),
            None => {
                let client =
                    self.reqwest_builder()?
                        .build()
                        .map_err(|source| BuildError::Client {
                            source: Box::new(source.without_url()),
                        })?;
                (client, false)
            }
        };
        Ok(ReqwestTransport::from_parts(
            client,
            own_client,
            self.response_timeout,
            self.max_response_body_size,
        ))
    }
}
