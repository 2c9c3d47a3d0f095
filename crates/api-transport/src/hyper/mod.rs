//! `HyperTransport`: the default `Transport`, hyper 1.x with a pooled client, rustls and proxies.

pub(crate) mod builder;
pub(crate) mod connect_deadline;
mod error_map;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::PROXY_AUTHORIZATION;
use http::{Request, Response};
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;

use crate::error::TransportError;
use crate::hyper::builder::HyperTransportBuilder;
use crate::hyper::connect_deadline::ConnectDeadline;
use crate::proxy::{ProxyConnector, ProxyRules};
use crate::support;
use crate::transport::{BoxFuture, Transport};

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
        support::check_uri(request.uri())?;
        let target = support::host_port(request.uri());
        let response_timeout = support::response_timeout(&request, self.response_timeout);
        let method = request.method().clone();
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
            let has_body = support::response_has_body(&method, parts.status);
            let body = support::read_body_limited(
                body,
                &parts.headers,
                has_body,
                self.max_response_body_size,
                TransportError::io,
            )
            .await?;
            Ok(Response::from_parts(parts, body))
        };
        support::bounded_exchange(response_timeout, target, exchange).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_settings_only() {
        let transport = HyperTransport::builder().no_proxy().build().unwrap();
        let debug = format!("{transport:?}");
        assert!(debug.contains("response_timeout"));
    }
}
