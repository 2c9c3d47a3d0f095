//! `ReqwestTransport`: a `Transport` on a `reqwest::Client`, with a response timeout and a body limit.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use api_transport::support;
use api_transport::{BoxFuture, Transport, TransportError};
use bytes::Bytes;
use http::{Request, Response};

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

    /// The response timeout of requests without a [`ResponseTimeout`](api_transport::ResponseTimeout) extension.
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
        support::check_uri(request.uri())?;
        let target = support::host_port(request.uri());
        let response_timeout = support::response_timeout(&request, self.response_timeout);
        let method = request.method().clone();
        let request = reqwest::Request::try_from(request).map_err(|error| {
            TransportError::invalid_request(format!(
                "the URI is not a URL reqwest accepts: {}",
                root_cause(&error.without_url())
            ))
        })?;

        let exchange = async {
            let response = self.client.execute(request).await.map_err(from_reqwest)?;
            let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
            let has_body = support::response_has_body(&method, parts.status);
            let body = support::read_body_limited(
                body,
                &parts.headers,
                has_body,
                self.max_response_body_size,
                from_reqwest,
            )
            .await?;
            Ok(Response::from_parts(parts, body))
        };
        // A timeout may fire while still connecting: not knowing, it says "may have been sent".
        support::bounded_exchange(response_timeout, target, exchange).await
    }
}
