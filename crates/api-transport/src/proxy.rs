//! Proxies: which requests go through one (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), and the connector that reaches them.
//!
//! HTTPS requests go through an HTTP `CONNECT` tunnel, so the proxy sees only the host and
//! port. Plain-HTTP requests are forwarded the classic way: the connection goes to the proxy
//! and the request line carries the absolute URI (`GET http://host/path HTTP/1.1`), which is
//! what proxies that refuse `CONNECT` to ports other than 443 expect. Only `http://` proxy URLs
//! are supported (TLS to the proxy itself, and SOCKS, are not).

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use http::header::HeaderValue;
use http::uri::Scheme;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::build_error::BuildError;
use crate::error::BoxError;
use crate::transport::BoxFuture;

/// Where the proxy settings come from.
#[derive(Clone, Default)]
pub(crate) enum ProxySettings {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (or lowercase), read when the
    /// transport is built.
    #[default]
    FromEnv,
    /// One proxy for every request, except the hosts in `bypass` (`NO_PROXY` syntax).
    Explicit {
        /// The validated proxy URL; may hold credentials, so never printed.
        url: String,
        bypass: String,
    },
    /// Never use a proxy.
    Disabled,
}

impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FromEnv => f.write_str("FromEnv"),
            Self::Explicit { bypass, .. } => f
                .debug_struct("Explicit")
                .field("url", &"<redacted>")
                .field("bypass", bypass)
                .finish(),
            Self::Disabled => f.write_str("Disabled"),
        }
    }
}

/// Checks a proxy URL given to the builder: `http://[user:password@]host[:port]` (the scheme
/// may be left out).
pub(crate) fn validate_proxy_url(url: &str) -> Result<(), BuildError> {
    let uri: Uri = url.parse().map_err(|_| BuildError::InvalidProxy {
        reason: "it is not a valid URL (expected http://host:port)",
    })?;
    match uri.scheme_str() {
        None | Some("http") => {}
        Some("https") => {
            return Err(BuildError::InvalidProxy {
                reason: "TLS to the proxy (https://) is not supported: use an http:// proxy URL \
                         (HTTPS requests are still end-to-end encrypted through the tunnel)",
            });
        }
        Some(_) => {
            return Err(BuildError::InvalidProxy {
                reason: "only http:// proxies are supported",
            });
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(BuildError::InvalidProxy {
            reason: "it has no host",
        });
    }
    Ok(())
}

/// The resolved proxy rules of one transport.
#[derive(Clone, Debug)]
pub(crate) struct ProxyRules {
    pub(crate) matcher: Arc<Matcher>,
    /// Whether plain-HTTP requests through the proxy need a `Proxy-Authorization` header
    /// (the proxy URL has credentials).
    pub(crate) forward_auth: bool,
}

impl ProxyRules {
    /// Resolves the settings; `None` when no request would ever use a proxy.
    pub(crate) fn resolve(settings: &ProxySettings) -> Option<Self> {
        Self::resolve_with(settings, |name| std::env::var(name).ok())
    }

    /// As [`resolve`](Self::resolve), reading the environment through `env`.
    pub(crate) fn resolve_with(
        settings: &ProxySettings,
        env: impl Fn(&str) -> Option<String>,
    ) -> Option<Self> {
        let (all, http, https, no) = match settings {
            ProxySettings::Disabled => return None,
            ProxySettings::Explicit { url, bypass } => {
                (url.clone(), String::new(), String::new(), bypass.clone())
            }
            ProxySettings::FromEnv => {
                // As curl and hyper-util: under CGI, `HTTP_PROXY` may come from a request
                // header ("httpoxy"), so the environment is not trusted for proxies.
                if env("REQUEST_METHOD").is_some() {
                    return None;
                }
                let first =
                    |names: [&str; 2]| names.iter().find_map(|name| env(name)).unwrap_or_default();
                (
                    first(["ALL_PROXY", "all_proxy"]),
                    first(["HTTP_PROXY", "http_proxy"]),
                    first(["HTTPS_PROXY", "https_proxy"]),
                    first(["NO_PROXY", "no_proxy"]),
                )
            }
        };
        let unfiltered = Matcher::builder()
            .all(all.as_str())
            .http(http.as_str())
            .https(https.as_str())
            .build();
        let http_proxy = unfiltered.intercept(&Uri::from_static("http://probe.invalid/"));
        let https_proxy = unfiltered.intercept(&Uri::from_static("https://probe.invalid/"));
        if http_proxy.is_none() && https_proxy.is_none() {
            if [&all, &http, &https].iter().any(|value| !value.is_empty()) {
                // The value may hold credentials: say which setting, never what it holds.
                tracing::warn!(
                    "a proxy is configured but its URL could not be parsed; no proxy is used"
                );
            }
            return None;
        }
        let forward_auth = http_proxy.is_some_and(|proxy| proxy.basic_auth().is_some());
        let matcher = Matcher::builder()
            .all(all)
            .http(http)
            .https(https)
            .no(no)
            .build();
        Some(Self {
            matcher: Arc::new(matcher),
            forward_auth,
        })
    }

    /// The `Proxy-Authorization` value to add to a plain-HTTP request forwarded to a proxy
    /// with credentials, if `uri` goes through one.
    pub(crate) fn forward_authorization(&self, uri: &Uri) -> Option<HeaderValue> {
        if !self.forward_auth || uri.scheme() != Some(&Scheme::HTTP) {
            return None;
        }
        self.matcher
            .intercept(uri)
            .and_then(|proxy| proxy.basic_auth().cloned())
    }
}

/// The connector under TLS: connects directly, through a `CONNECT` tunnel (HTTPS), or to a
/// forwarding proxy (plain HTTP), as the proxy rules say.
#[derive(Clone, Debug)]
pub(crate) struct ProxyConnector {
    http: HttpConnector,
    rules: Option<ProxyRules>,
}

impl ProxyConnector {
    pub(crate) fn new(http: HttpConnector, rules: Option<ProxyRules>) -> Self {
        Self { http, rules }
    }
}

/// A proxy URL that the connector cannot use.
#[derive(Debug, thiserror::Error)]
#[error(
    "the proxy URL's scheme is not supported: only http:// proxies are (check HTTPS_PROXY / HTTP_PROXY / ALL_PROXY)"
)]
struct UnsupportedProxyScheme;

impl Service<Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<ProxyStream, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let proxy = self
            .rules
            .as_ref()
            .and_then(|rules| rules.matcher.intercept(&dst));
        let mut http = self.http.clone();
        Box::pin(async move {
            let Some(proxy) = proxy else {
                let stream = http.call(dst).await?;
                return Ok(ProxyStream {
                    inner: stream,
                    forwarding: false,
                });
            };
            if proxy.uri().scheme() != Some(&Scheme::HTTP) {
                return Err(UnsupportedProxyScheme.into());
            }
            tracing::debug!(proxy = %proxy.uri(), https = dst.scheme() == Some(&Scheme::HTTPS), "connecting through a proxy");
            if dst.scheme() == Some(&Scheme::HTTPS) {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                std::future::poll_fn(|cx| tunnel.poll_ready(cx)).await?;
                let stream = tunnel.call(dst).await?;
                Ok(ProxyStream {
                    inner: stream,
                    forwarding: false,
                })
            } else {
                let stream = http.call(proxy.uri().clone()).await?;
                Ok(ProxyStream {
                    inner: stream,
                    forwarding: true,
                })
            }
        })
    }
}

/// A TCP connection, to the server or to a proxy; `forwarding` marks a connection to a
/// forwarding proxy, so that hyper sends absolute-form request targets on it.
#[derive(Debug)]
pub(crate) struct ProxyStream {
    inner: TokioIo<TcpStream>,
    forwarding: bool,
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.inner.connected().proxy(self.forwarding)
    }
}

impl Read for ProxyStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl Write for ProxyStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn resolve(vars: &[(&str, &str)]) -> Option<ProxyRules> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProxyRules::resolve_with(&ProxySettings::FromEnv, |name| vars.get(name).cloned())
    }

    fn proxied(rules: &ProxyRules, uri: &'static str) -> Option<String> {
        rules
            .matcher
            .intercept(&Uri::from_static(uri))
            .map(|proxy| proxy.uri().to_string())
    }

    #[test]
    fn no_variables_means_no_proxy() {
        assert!(resolve(&[]).is_none());
        assert!(resolve(&[("NO_PROXY", "example.com")]).is_none());
    }

    #[test]
    fn https_proxy_applies_to_https_only() {
        let rules = resolve(&[("HTTPS_PROXY", "http://proxy:3128")]).unwrap();
        assert_eq!(
            proxied(&rules, "https://example.com/").as_deref(),
            Some("http://proxy:3128/")
        );
        assert_eq!(proxied(&rules, "http://example.com/"), None);
    }

    #[test]
    fn lowercase_variables_and_all_proxy_work() {
        let rules = resolve(&[("https_proxy", "proxy:1"), ("ALL_PROXY", "http://all:2")]).unwrap();
        assert_eq!(
            proxied(&rules, "https://example.com/").as_deref(),
            Some("http://proxy:1/")
        );
        assert_eq!(
            proxied(&rules, "http://example.com/").as_deref(),
            Some("http://all:2/")
        );
    }

    #[test]
    fn no_proxy_excludes_hosts_and_subdomains() {
        let rules = resolve(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("no_proxy", "internal.example, 10.0.0.0/8"),
        ])
        .unwrap();
        assert_eq!(proxied(&rules, "https://api.internal.example/"), None);
        assert_eq!(proxied(&rules, "https://10.1.2.3/"), None);
        assert!(proxied(&rules, "https://example.com/").is_some());
    }

    #[test]
    fn cgi_environment_is_not_trusted() {
        assert!(resolve(&[("HTTP_PROXY", "http://evil:1"), ("REQUEST_METHOD", "GET")]).is_none());
    }

    #[test]
    fn forwarding_auth_only_for_http_through_a_proxy_with_credentials() {
        let rules = resolve(&[
            ("HTTP_PROXY", "http://user:secret@proxy:3128"),
            ("NO_PROXY", "local"),
        ])
        .unwrap();
        assert!(rules.forward_auth);
        let auth = rules
            .forward_authorization(&Uri::from_static("http://example.com/"))
            .unwrap();
        assert!(auth.is_sensitive());
        assert!(
            rules
                .forward_authorization(&Uri::from_static("http://local/"))
                .is_none()
        );
        assert!(
            rules
                .forward_authorization(&Uri::from_static("https://example.com/"))
                .is_none()
        );
        let without = resolve(&[("HTTP_PROXY", "http://proxy:3128")]).unwrap();
        assert!(!without.forward_auth);
    }

    #[test]
    fn explicit_proxy_with_bypass() {
        let settings = ProxySettings::Explicit {
            url: "http://proxy:8080".to_owned(),
            bypass: "localhost".to_owned(),
        };
        let rules = ProxyRules::resolve_with(&settings, |_| None).unwrap();
        assert!(proxied(&rules, "https://example.com/").is_some());
        assert!(proxied(&rules, "http://example.com/").is_some());
        assert_eq!(proxied(&rules, "https://localhost/"), None);
        assert!(
            ProxyRules::resolve_with(&ProxySettings::Disabled, |_| Some("http://p:1".into()))
                .is_none()
        );
    }

    #[test]
    fn validates_proxy_urls_without_echoing_them() {
        assert!(validate_proxy_url("http://user:pw@proxy:3128").is_ok());
        assert!(validate_proxy_url("proxy:3128").is_ok());
        let error = validate_proxy_url("https://user:pw@proxy:3128").unwrap_err();
        assert!(!error.to_string().contains("pw"));
        assert!(validate_proxy_url("socks5://proxy:1080").is_err());
        assert!(validate_proxy_url("not a url").is_err());
    }

    #[test]
    fn debug_never_shows_the_proxy_url() {
        let settings = ProxySettings::Explicit {
            url: "http://user:secret@proxy:8080".to_owned(),
            bypass: String::new(),
        };
        assert!(!format!("{settings:?}").contains("secret"));
    }
}
