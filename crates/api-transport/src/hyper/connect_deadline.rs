//! One deadline for the whole connection set-up: TCP connect, proxy tunnel and TLS handshake.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use tower_service::Service;

use crate::error::BoxError;
use crate::transport::BoxFuture;

/// The connect deadline passed: the marker the error mapping looks for.
#[derive(Debug, thiserror::Error)]
#[error("the connection was not set up within {0:?}")]
pub(crate) struct ConnectDeadlineElapsed(pub(crate) Duration);

/// Wraps a connector so that connecting, tunnelling and the TLS handshake together take at
/// most `timeout`.
///
/// The connector sits behind an `Arc` and is cloned only to connect: hyper-util's client
/// clones its connector for every request, even one served from the pool, and the TLS +
/// proxy stack holds several `Arc`s.
#[derive(Debug)]
pub(crate) struct ConnectDeadline<C> {
    inner: Arc<C>,
    timeout: Duration,
}

impl<C> Clone for ConnectDeadline<C> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            timeout: self.timeout,
        }
    }
}

impl<C> ConnectDeadline<C> {
    pub(crate) fn new(inner: C, timeout: Duration) -> Self {
        Self {
            inner: Arc::new(inner),
            timeout,
        }
    }
}

impl<C> Service<Uri> for ConnectDeadline<C>
where
    C: Service<Uri> + Clone + Send + Sync + 'static,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<C::Response, BoxError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Readiness is checked on the clone that connects, in `call`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let mut connector = C::clone(&self.inner);
        let timeout = self.timeout;
        Box::pin(async move {
            let connecting = async {
                std::future::poll_fn(|cx| connector.poll_ready(cx))
                    .await
                    .map_err(Into::into)?;
                connector.call(dst).await.map_err(Into::into)
            };
            match tokio::time::timeout(timeout, connecting).await {
                Ok(connected) => connected,
                Err(_) => Err(Box::new(ConnectDeadlineElapsed(timeout)) as BoxError),
            }
        })
    }
}
