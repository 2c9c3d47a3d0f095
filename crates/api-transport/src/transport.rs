//! The `Transport` trait: send one HTTP request, get one fully read HTTP response.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};

use crate::error::TransportError;

/// A boxed, `Send` future, the return type of [`Transport::send`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A request extension: how long the caller gives this request for its response, replacing
/// the transport's own response timeout for it.
///
/// The client sets it to what is left of the attempt's time limit, so that
/// `--attempt-timeout 60s` means 60 s even with a transport built with a 30 s response timeout.
/// A transport should honour it when it has a response timeout of its own; the caller keeps a
/// timer of the same length in any case.
///
/// ```
/// use std::time::Duration;
///
/// let mut request = http::Request::new(bytes::Bytes::new());
/// request.extensions_mut().insert(api_transport::ResponseTimeout(Duration::from_secs(60)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseTimeout(pub std::time::Duration);

/// Sends one HTTP request and returns the whole response.
///
/// This is the seam between the SDK and the HTTP stack. The SDK builds (and signs) an
/// `http::Request<Bytes>`; a transport sends it **unchanged** and returns the response with its
/// body fully read into memory. Retries, backoff and service errors are the client's job, not
/// the transport's: a transport reports what happened in a [`TransportError`], above all
/// whether the request may have reached the server
/// ([`TransportError::request_may_have_been_sent`]).
///
/// The trait is object safe: share one transport between many clients with a
/// [`SharedTransport`]. [`HyperTransport`](crate::HyperTransport) is the implementation the SDK
/// uses by default; implement the trait yourself to plug in another HTTP stack (see the
/// [crate documentation](crate) for an example).
///
/// With the `mock` feature, `mockall` generates a `MockTransport` for it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Transport: Send + Sync + fmt::Debug + 'static {
    /// Sends `request` and returns its response, with the body fully read.
    ///
    /// The returned future owns everything it needs (`'static`), so it can be spawned or
    /// wrapped in a timeout by the caller.
    fn send(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportError>>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportError>> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportError>> {
        (**self).send(request)
    }
}

/// A cheap-to-clone handle to any [`Transport`], so that one transport (and its connection
/// pool) serves many clients.
///
/// ```
/// use api_transport::{HyperTransport, SharedTransport};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let shared = SharedTransport::new(HyperTransport::builder().build()?);
/// let for_another_client = shared.clone(); // same pool, one more reference count
/// # drop(for_another_client);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SharedTransport(Arc<dyn Transport>);

impl SharedTransport {
    /// Wraps `transport` in a shared handle.
    pub fn new(transport: impl Transport) -> Self {
        Self(Arc::new(transport))
    }

    /// Returns the shared transport as an `Arc`.
    pub fn as_arc(&self) -> &Arc<dyn Transport> {
        &self.0
    }
}

impl From<Arc<dyn Transport>> for SharedTransport {
    fn from(transport: Arc<dyn Transport>) -> Self {
        Self(transport)
    }
}

impl fmt::Debug for SharedTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedTransport").field(&self.0).finish()
    }
}

impl Transport for SharedTransport {
    fn send(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'static, Result<Response<Bytes>, TransportError>> {
        self.0.send(request)
    }
}
