//! `HyperTransport`: the default `Transport`, hyper 1.x with a pooled client, rustls and proxies.

mod body;
pub(crate) mod builder;
pub(crate) mod connect_deadline;
mod error_map;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::PROXY_AUTHORIZATION;
use http::uri::Scheme;
use http::{Method, Request, Response};
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;

use crate::error::{TimeoutPhase, TransportError};
use crate::hyper::builder::HyperTransportBuilder;
use crate::hyper::connect_deadline::ConnectDeadline;
use crate::proxy::{ProxyConnector, ProxyRules};
use crate::transport::{BoxFuture, ResponseTimeout, Transport};

type Connector = ConnectDeadline<HttpsConnector<ProxyConnector>>;

/// The default [`Transport`]: hyper 1.x over rustls, with a connection pool, HTTP/1.1 and
/// HTTP/2 (negotiated with ALPN), proxies, and finite timeouts and body limit.
///
/// Cloning is cheap and clones share the pool. Sending needs a Tokio runtime with time and IO
/// enabled. The request is sent as given: its URI is not re-encoded and its headers are not
/// changed (hyper adds `Host` if missing and the framing headers it needs, and a plain-HTTP
/// request through a proxy with credentials gets `Proxy-Authorization`).
///
/// ```no_run
/// use api_transport::{HyperTransport, Transport};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let transport = HyperTransport::builder().build()?;
/// let request = http::Request::delete("https://modelarts.example.com/v2/p/processor-tasks/t")
///     .body(bytes::Bytes::new())?;
/// let response = transport.send(request).await?;
/// println!("{}", response.status());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct HyperTransport {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) client: Client<Connector, Full<Bytes>>,
    pub(crate) response_timeout: Duration,
    pub(crate) max_response_body_size: usize,
    pub(crate) proxy: Option<ProxyRules>,
}

impl HyperTransport {
    /// A builder with the defaults (see [`HyperTransportBuilder`]).
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::new()
    }
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("response_timeout", &self.inner.response_timeout)
            .field("max_response_body_size", &self.inner.max_response_body_size)
            .field("proxy", &self.inner.proxy.is_some())
            .finish_non_exhaustive()
    }
}

impl Transport for HyperTransport {
    fn send(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportError>> {
        let inner = Arc::clone(&self.inner);
        Box::pin(async move { inner.send(request).await })
    }
}

impl Inner {
    async fn send(&self, request: Request<Bytes>) -> Result<Response<Bytes>, TransportError> {
        check_uri(request.uri())?;
        let target = host_port(request.uri());
        let response_timeout = request
            .extensions()
            .get::<ResponseTimeout>()
            .map_or(self.response_timeout, |limit| limit.0);
        let is_head = request.method() == Method::HEAD;
        let mut request = request.map(Full::new);
        if let Some(auth) = self
            .proxy
            .as_ref()
            .and_then(|proxy| proxy.forward_authorization(request.uri()))
        {
            request
                .headers_mut()
                .entry(PROXY_AUTHORIZATION)
                .or_insert(auth);
        }

        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(error_map::from_client_error)?;
            let (parts, body) = response.into_parts();
            let has_body = !is_head && !matches!(parts.status.as_u16(), 100..=199 | 204 | 304);
            let body =
                body::read_limited(body, &parts.headers, has_body, self.max_response_body_size)
                    .await?;
            Ok(Response::from_parts(parts, body))
        };
        let result = match tokio::time::timeout(response_timeout, exchange).await {
            Ok(result) => result,
            Err(_elapsed) => Err(TransportError::timeout(TimeoutPhase::Response)),
        };
        let result = result.map_err(|error| error.with_target(target));
        if let Err(error) = &result {
            // Only the error's kind: never the URI's query, nor any header.
            tracing::debug!(
                error = %error,
                may_have_been_sent = error.request_may_have_been_sent(),
                "request failed"
            );
        }
        result
    }
}

/// `host:port` of a URI, with the scheme's default port when it has none.
fn host_port(uri: &http::Uri) -> String {
    let host = uri.host().unwrap_or("?");
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme() == Some(&Scheme::HTTPS) {
            443
        } else {
            80
        });
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Rejects what hyper-util would refuse after a connection attempt, before any.
fn check_uri(uri: &http::Uri) -> Result<(), TransportError> {
    match uri.scheme() {
        Some(scheme) if *scheme == Scheme::HTTPS || *scheme == Scheme::HTTP => {}
        Some(_) => {
            return Err(TransportError::invalid_request(
                "the URI's scheme must be http or https",
            ));
        }
        None => {
            return Err(TransportError::invalid_request(
                "the URI must be absolute (scheme and host), e.g. https://host/path",
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(TransportError::invalid_request("the URI has no host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_or_odd_uris_are_invalid_requests() {
        for uri in ["/v1/tasks", "ftp://host/file"] {
            let error = check_uri(&uri.parse().unwrap()).unwrap_err();
            assert!(
                matches!(error, TransportError::InvalidRequest { .. }),
                "{uri}"
            );
            assert!(!error.request_may_have_been_sent());
        }
        assert!(check_uri(&"https://host/v1/a%2Fb".parse().unwrap()).is_ok());
    }

    #[test]
    fn debug_shows_settings_only() {
        let transport = HyperTransport::builder().no_proxy().build().unwrap();
        let debug = format!("{transport:?}");
        assert!(debug.contains("response_timeout"));
    }
}
