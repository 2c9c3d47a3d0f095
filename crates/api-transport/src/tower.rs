//! Bridges to `tower` (feature `tower`): any `tower::Service` as a `Transport`, and a `SharedTransport` as a `Service`.
//!
//! Together they let you put tower middleware into the SDK's HTTP stack: a
//! [`SharedTransport`] (e.g. around a [`HyperTransport`](crate::HyperTransport)) is a
//! `tower::Service<http::Request<Bytes>>`, so layers can wrap it, and [`TowerTransport`] turns
//! the result back into a [`Transport`] that any client takes.
//!
//! The example `examples/tower_stack.rs` (`cargo run -p modelarts-processor-tasks-transport --example tower_stack
//! --features tower`) builds such a stack with `tower::ServiceBuilder`: a
//! `ConcurrencyLimitLayer`, a `TimeoutLayer` and `tower-http`'s `TraceLayer`, and sends a burst
//! of requests through it to a local server. In short:
//!
//! ```text
//! let stack = tower::ServiceBuilder::new()
//!     .and_then(collect_body)                                    // traced body -> Bytes
//!     .map_request(|request: Request<Bytes>| request.map(Full::new))
//!     .layer(tower_http::trace::TraceLayer::new_for_http())
//!     .map_request(|request: Request<Full<Bytes>>| {
//!         request.map(|body| body.into_inner().unwrap_or_default())
//!     })
//!     .map_response(|response: Response<Bytes>| response.map(Full::new))
//!     .concurrency_limit(2)
//!     .timeout(Duration::from_secs(10))
//!     .service(SharedTransport::new(HyperTransport::builder().build()?));
//! let transport = SharedTransport::new(TowerTransport::new(stack));
//! ```
//!
//! Layers that do not look at bodies (`tower`'s own) take the SDK's `Request<Bytes>` as it
//! is; `tower-http`'s want `http_body::Body` bodies, hence the `Full<Bytes>` adapters around
//! them. An error of a layer (e.g. `tower::timeout::error::Elapsed`) becomes a
//! [`TransportError::Io`] whose [`source`](std::error::Error::source) it is, or a
//! [`TransportError::Connect`] when it comes from `poll_ready` (e.g. a load shedder); a
//! [`TransportError`] from the transport inside passes through unchanged.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use tower_service::Service;

use crate::error::{BoxError, TransportError};
use crate::transport::{BoxFuture, SharedTransport, Transport};

/// A [`Transport`] that sends through a `tower::Service<Request<Bytes>>`, for users whose HTTP
/// stack is a tower service (with its own layers: retries, tracing, rate limits...).
///
/// The service is cloned for each request, as tower services usually are; it needs to be
/// `Send` but not `Sync` (a `tower::util::BoxCloneService` works). Its errors become
/// [`TransportError`]s: a `TransportError` is passed through as is; an error from
/// `poll_ready` becomes [`TransportError::Connect`] (the request was not handed over); an
/// error from `call` becomes [`TransportError::Io`] (it may have been sent).
///
/// ```
/// use std::convert::Infallible;
/// use std::task::{Context, Poll};
/// use api_transport::tower::TowerTransport;
/// use api_transport::{SharedTransport, Transport};
/// use bytes::Bytes;
///
/// /// A tower service answering `200 {}` to everything.
/// #[derive(Clone)]
/// struct Always200;
///
/// impl tower_service::Service<http::Request<Bytes>> for Always200 {
///     type Response = http::Response<Bytes>;
///     type Error = Infallible;
///     type Future = std::future::Ready<Result<Self::Response, Infallible>>;
///     fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
///         Poll::Ready(Ok(()))
///     }
///     fn call(&mut self, _: http::Request<Bytes>) -> Self::Future {
///         std::future::ready(Ok(http::Response::new(Bytes::from_static(b"{}"))))
///     }
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let transport = SharedTransport::new(TowerTransport::new(Always200));
/// let response = transport.send(http::Request::new(Bytes::new())).await?;
/// assert_eq!(response.body(), "{}");
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// # })
/// # }
/// ```
pub struct TowerTransport<S> {
    /// Behind a mutex only so that the transport is `Sync` for any `Send` service; it is
    /// locked just long enough to clone the service.
    service: Mutex<S>,
}

impl<S> TowerTransport<S> {
    /// Wraps `service`.
    pub fn new(service: S) -> Self {
        Self {
            service: Mutex::new(service),
        }
    }

    /// Returns the wrapped service.
    pub fn into_inner(self) -> S {
        self.service
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<S: Clone> TowerTransport<S> {
    fn clone_service(&self) -> S {
        // Cloning cannot leave the service half-changed, so a poisoned lock is still usable.
        self.service
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl<S: Clone> Clone for TowerTransport<S> {
    fn clone(&self) -> Self {
        Self::new(self.clone_service())
    }
}

impl<S> fmt::Debug for TowerTransport<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TowerTransport")
            .field("service", &std::any::type_name::<S>())
            .finish()
    }
}

impl<S> Transport for TowerTransport<S>
where
    S: Service<Request<Bytes>, Response = Response<Bytes>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
    fn send(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportError>> {
        let mut service = self.clone_service();
        Box::pin(async move {
            std::future::poll_fn(|cx| service.poll_ready(cx))
                .await
                .map_err(|error| into_transport_error(error.into(), TransportError::connect))?;
            service
                .call(request)
                .await
                .map_err(|error| into_transport_error(error.into(), TransportError::io))
        })
    }
}

fn into_transport_error(
    error: BoxError,
    otherwise: fn(BoxError) -> TransportError,
) -> TransportError {
    match error.downcast::<TransportError>() {
        Ok(error) => *error,
        Err(error) => otherwise(error),
    }
}

/// A [`SharedTransport`] is a `tower::Service`, so tower layers can wrap it.
impl Service<Request<Bytes>> for SharedTransport {
    type Response = Response<Bytes>;
    type Error = TransportError;
    type Future = BoxFuture<'static, Result<Response<Bytes>, TransportError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Bytes>) -> Self::Future {
        self.send(request)
    }
}
