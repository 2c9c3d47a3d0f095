//! `ReqwestTransport`: a `Transport` on a `reqwest::Client`, with a response timeout and a body limit.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use api_transport::{BoxFuture, ResponseTimeout, TimeoutPhase, Transport, TransportError};
use bytes::Bytes;
use http::uri::Scheme;
use http::{Method, Request, Response};

use crate::body::read_limited;
use crate::build_error::BuildError;
use crate::builder::ReqwestTransportBuilder;
use crate::error_map::{from_reqwest, root_cause};

/// A [`Transport`] on reqwest: rustls with `ring`, a connection pool, HTTP/1.1 and HTTP/2
/// (ALPN), proxies from the environment, and finite timeouts and body limit.
///
/// Cloning is cheap and clones share the pool. Sending needs a Tokio runtime with time and
/// IO enabled. The request's method, headers and body are sent as given; its URI goes
/// through reqwest's URL parser (the `url` crate), which leaves an already valid absolute
/// URI as it is. reqwest adds `Accept: */*` when the request has no `Accept` (the SDK signs
/// only the headers it sets, so this does not break a signature).
///
/// ```no_run
/// use api_transport::Transport;
/// use api_transport_reqwest::ReqwestTransport;
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let transport = ReqwestTransport::builder().build()?;
/// let request = http::Request::delete("https://modelarts.example.com/v2/p/processor-tasks/t")
///     .body(bytes::Bytes::new())?;
/// let response = transport.send(request).await?;
/// println!("{}", response.status());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ReqwestTransport {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    own_client: bool,
    response_timeout: Duration,
    max_response_body_size: usize,
}

impl ReqwestTransport {
    /// A builder with the defaults (see [`ReqwestTransportBuilder`]).
    pub fn builder() -> ReqwestTransportBuilder {
        ReqwestTransportBuilder::new()
    }

    /// A transport on `client`, with the default response timeout (30 s) and body limit
    /// (10 MiB). The same as `ReqwestTransport::builder().client(client).build()`.
    pub fn from_client(client: reqwest::Client) -> Self {
        Self::from_parts(
            client,
            true,
            api_transport::DEFAULT_RESPONSE_TIMEOUT,
            api_transport::DEFAULT_MAX_RESPONSE_BODY_SIZE,
        )
    }

    /// A `reqwest::ClientBuilder` set up as the one this crate builds with its defaults:
    /// rustls with `ring` and the `webpki-roots` roots (ALPN `h2`, `http/1.1`), connect
    /// timeout 10 s, no redirects, no retries, proxies from the environment. Add your own
    /// settings, build it, and hand it to [`ReqwestTransportBuilder::client`].
    ///
    /// reqwest is built with `rustls-no-provider` here, so a `reqwest::Client::builder()`
    /// started from scratch has no crypto provider unless one was installed process-wide.
    ///
    /// # Errors
    ///
    /// If the TLS configuration cannot be built (it can with the defaults).
    pub fn client_builder() -> Result<reqwest::ClientBuilder, BuildError> {
        ReqwestTransportBuilder::new().reqwest_builder()
    }

    pub(crate) fn from_parts(
        client: reqwest::Client,
        own_client: bool,
        response_timeout: Duration,
        max_response_body_size: usize,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                client,
                own_client,
                response_timeout,
                max_response_body_size,
            }),
        }
    }

    /// The reqwest client it sends with.
    pub fn client(&self) -> &reqwest::Client {
        &self.inner.client
    }

    /// The response timeout of requests without a [`ResponseTimeout`] extension.
    pub fn response_timeout(&self) -> Duration {
        self.inner.response_timeout
    }

    /// The largest response body accepted, in bytes.
    pub fn max_response_body_size(&self) -> usize {
        self.inner.max_response_body_size
    }
}

impl fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Settings only: `reqwest::Client`'s own `Debug` lists its proxies and default headers.
        f.debug_struct("ReqwestTransport")
            .field("own_client", &self.inner.own_client)
            .field("response_timeout", &self.inner.response_timeout)
            .field("max_response_body_size", &self.inner.max_response_body_size)
            .finish_non_exhaustive()
    }
}

impl Transport for ReqwestTransport {
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
        let request = reqwest::Request::try_from(request).map_err(|error| {
            TransportError::invalid_request(format!(
                "the URI is not a URL reqwest accepts: {}",
                root_cause(&error.without_url())
            ))
        })?;

        let exchange = async {
            let response = self.client.execute(request).await.map_err(from_reqwest)?;
            let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
            let has_body = !is_head && !matches!(parts.status.as_u16(), 100..=199 | 204 | 304);
            let body =
                read_limited(body, &parts.headers, has_body, self.max_response_body_size).await?;
            Ok(Response::from_parts(parts, body))
        };
        let result = match tokio::time::timeout(response_timeout, exchange).await {
            Ok(result) => result,
            // It may fire while still connecting: not knowing, say "may have been sent".
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

/// Rejects, before reqwest sees it, a URI it would refuse: not absolute, not http(s), no host.
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
