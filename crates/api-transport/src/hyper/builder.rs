//! `HyperTransportBuilder`: timeouts, body limit, pool, TLS roots and proxy settings of a `HyperTransport`.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::crypto::CryptoProvider;

use crate::build_error::BuildError;
use crate::hyper::connect_deadline::ConnectDeadline;
use crate::hyper::{HyperTransport, Inner};
use crate::proxy::{ProxyConnector, ProxyRules, ProxySettings, validate_proxy_url};
use crate::tls::{TlsSettings, client_config, parse_root_certificates};

/// The default [`connect_timeout`](HyperTransportBuilder::connect_timeout): 10 s.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default [`response_timeout`](HyperTransportBuilder::response_timeout): 30 s.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);
/// The default [`max_response_body_size`](HyperTransportBuilder::max_response_body_size):
/// 10 MiB.
pub const DEFAULT_MAX_RESPONSE_BODY_SIZE: usize = 10 * 1024 * 1024;
/// The default [`pool_idle_timeout`](HyperTransportBuilder::pool_idle_timeout): 60 s.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The default [`pool_max_idle_per_host`](HyperTransportBuilder::pool_max_idle_per_host): 32.
pub const DEFAULT_POOL_MAX_IDLE_PER_HOST: usize = 32;

/// Configures and builds a [`HyperTransport`]. Start with [`HyperTransport::builder`].
///
/// Every setting has a finite default: connect 10 s, response 30 s, body 10 MiB. Proxies come
/// from the environment unless [`proxy`](Self::proxy) or [`no_proxy`](Self::no_proxy) says
/// otherwise.
///
/// ```
/// use std::time::Duration;
/// use api_transport::HyperTransport;
///
/// # fn main() -> Result<(), api_transport::BuildError> {
/// let transport = HyperTransport::builder()
///     .connect_timeout(Duration::from_secs(3))
///     .response_timeout(Duration::from_secs(60))
///     .max_response_body_size(1024 * 1024)
///     .build()?;
/// # drop(transport);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until build() is called"]
pub struct HyperTransportBuilder {
    connect_timeout: Duration,
    response_timeout: Duration,
    max_response_body_size: usize,
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
    http2: bool,
    tls: TlsSettings,
    proxy: ProxySettings,
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            response_timeout: DEFAULT_RESPONSE_TIMEOUT,
            max_response_body_size: DEFAULT_MAX_RESPONSE_BODY_SIZE,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            pool_max_idle_per_host: DEFAULT_POOL_MAX_IDLE_PER_HOST,
            http2: true,
            tls: TlsSettings::default(),
            proxy: ProxySettings::default(),
        }
    }
}

impl HyperTransportBuilder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The longest time to set up a new connection: TCP connect, proxy tunnel and TLS
    /// handshake together. Past it, `send` fails with `Timeout { phase: Connect }` and the
    /// request was not sent. Default: 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The longest time for one `send`, from its start until the whole response body is read
    /// (including setting up a connection if one is needed, so keep it above the connect
    /// timeout). Past it, `send` fails with `Timeout { phase: Response }`. Default: 30 s.
    /// A request that carries a [`ResponseTimeout`](crate::ResponseTimeout) extension (the
    /// client sets it to the attempt's time limit) uses that instead.
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

    /// The most idle connections kept per host. Default: 32.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// Whether to offer HTTP/2 in the TLS handshake (ALPN); the server chooses. Plain-HTTP
    /// connections always use HTTP/1.1. Default: true.
    pub fn http2(mut self, enabled: bool) -> Self {
        self.http2 = enabled;
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

    /// Whether to trust the built-in roots chosen by the cargo features (`webpki-roots`,
    /// `native-roots`). With `false`, only the certificates added with
    /// [`add_root_certificate`](Self::add_root_certificate) are trusted. Default: true.
    pub fn built_in_roots(mut self, enabled: bool) -> Self {
        self.tls.built_in_roots = enabled;
        self
    }

    /// Uses `provider` for TLS instead of the one the cargo features select (`aws-lc-rs` if
    /// enabled, else `ring`). The process-wide default provider is never consulted.
    ///
    /// This is the one place where a rustls type is taken: use the re-exported
    /// [`rustls`](crate::rustls) (0.23) to build it, so that the versions match.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use api_transport::HyperTransport;
    ///
    /// # fn main() -> Result<(), api_transport::BuildError> {
    /// # #[cfg(feature = "ring")]
    /// let transport = HyperTransport::builder()
    ///     .crypto_provider(Arc::new(api_transport::rustls::crypto::ring::default_provider()))
    ///     .build()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn crypto_provider(mut self, provider: Arc<CryptoProvider>) -> Self {
        self.tls.provider = Some(provider);
        self
    }

    /// Uses the proxies in the environment, read when [`build`](Self::build) runs (the
    /// default): `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http URLs, `ALL_PROXY` for
    /// both, except the hosts in `NO_PROXY` (each also in lowercase; the uppercase one wins).
    /// Under CGI (`REQUEST_METHOD` set) the environment is ignored.
    pub fn proxy_from_env(mut self) -> Self {
        self.proxy = ProxySettings::FromEnv;
        self
    }

    /// Sends every request through the proxy at `url` (`http://[user:password@]host:port`),
    /// ignoring the environment. HTTPS requests go through a `CONNECT` tunnel; plain-HTTP
    /// requests are forwarded with an absolute URI (and `Proxy-Authorization` if the URL has
    /// credentials). Hosts can be excluded with [`proxy_bypass`](Self::proxy_bypass).
    ///
    /// # Errors
    ///
    /// If `url` is not an `http://` URL with a host. The error never repeats the URL, since it
    /// may hold a password.
    pub fn proxy(mut self, url: &str) -> Result<Self, BuildError> {
        validate_proxy_url(url)?;
        let bypass = match &self.proxy {
            ProxySettings::Explicit { bypass, .. } => bypass.clone(),
            _ => String::new(),
        };
        self.proxy = ProxySettings::Explicit {
            url: url.to_owned(),
            bypass,
        };
        Ok(self)
    }

    /// The hosts that do not go through the proxy set with [`proxy`](Self::proxy), in
    /// `NO_PROXY` syntax: comma-separated domains (matching subdomains too), IP addresses or
    /// CIDR blocks, or `*`. Call it after `proxy`; it has no effect otherwise.
    pub fn proxy_bypass(mut self, hosts: &str) -> Self {
        if let ProxySettings::Explicit { bypass, .. } = &mut self.proxy {
            *bypass = hosts.to_owned();
        }
        self
    }

    /// Never uses a proxy, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySettings::Disabled;
        self
    }

    /// Builds the transport. It needs a Tokio runtime (with time and IO) to *send*, not to
    /// be built.
    ///
    /// # Errors
    ///
    /// If the TLS settings are unusable: no trusted root at all, or a crypto provider (given
    /// with [`crypto_provider`](Self::crypto_provider)) that supports no safe protocol version.
    pub fn build(self) -> Result<HyperTransport, BuildError> {
        let tls_config = client_config(&self.tls)?;
        let proxy = ProxyRules::resolve(&self.proxy);

        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(self.connect_timeout));

        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config)
            .https_or_http();
        let https = if self.http2 {
            https
                .enable_http1()
                .enable_http2()
                .wrap_connector(ProxyConnector::new(http, proxy.clone()))
        } else {
            https
                .enable_http1()
                .wrap_connector(ProxyConnector::new(http, proxy.clone()))
        };
        let connector = ConnectDeadline::new(https, self.connect_timeout);

        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .build::<_, Full<bytes::Bytes>>(connector);

        tracing::debug!(
            connect_timeout = ?self.connect_timeout,
            response_timeout = ?self.response_timeout,
            max_response_body_size = self.max_response_body_size,
            proxy = proxy.is_some(),
            "built the hyper transport"
        );
        Ok(HyperTransport {
            inner: Arc::new(Inner {
                client,
                response_timeout: self.response_timeout,
                max_response_body_size: self.max_response_body_size,
                proxy,
            }),
        })
    }
}
