//! The hyper server: accepts TCP (optionally TLS) connections, serves HTTP/1.1 and HTTP/2 with
//! `hyper_util`'s auto builder, and shuts down gracefully.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::app::{App, Outcome};

/// How long a TLS handshake may take.
#[cfg(feature = "tls")]
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The error a request's service returns to make hyper close the connection without a response.
#[derive(Debug)]
struct DroppedOnPurpose;

impl fmt::Display for DroppedOnPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped on purpose by fault injection")
    }
}

impl StdError for DroppedOnPurpose {}

/// What the accept loop needs besides the listener.
pub(crate) struct Server {
    pub(crate) app: Arc<App>,
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) grace: Duration,
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<tokio_rustls::TlsAcceptor>,
}

impl Server {
    /// Accepts connections until told to stop (or the sender is dropped), then lets open
    /// connections finish their requests for up to `grace` and closes the rest.
    pub(crate) async fn run(mut self, listener: TcpListener) {
        let graceful = GracefulShutdown::new();
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                biased;
                _ = self.shutdown.changed() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _peer)) => {
                        self.app.stats.connection_accepted();
                        connections.spawn(self.connection(stream, graceful.watcher()));
                    }
                    Err(error) => {
                        // Out of file descriptors, or a connection reset while queued: go on.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(listener);
        if tokio::time::timeout(self.grace, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::debug!("connections still open after the grace period: closing them");
        }
        connections.shutdown().await;
    }

    fn connection(
        &self,
        stream: TcpStream,
        watcher: Watcher,
    ) -> impl Future<Output = ()> + Send + 'static {
        let app = self.app.clone();
        #[cfg(feature = "tls")]
        let tls = self.tls.clone();
        async move {
            let _ = stream.set_nodelay(true);
            #[cfg(feature = "tls")]
            if let Some(acceptor) = tls {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => serve(TokioIo::new(stream), app, watcher).await,
                    Ok(Err(error)) => tracing::debug!(%error, "TLS handshake failed"),
                    Err(_) => tracing::debug!("TLS handshake timed out"),
                }
                return;
            }
            serve(TokioIo::new(stream), app, watcher).await;
        }
    }
}

/// Serves one connection, HTTP/1.1 or HTTP/2 (by ALPN or the HTTP/2 preface).
async fn serve<I>(io: I, app: Arc<App>, watcher: Watcher)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).keep_alive(true);
    builder.http2().timer(TokioTimer::new());
    let service = service_fn(move |request: Request<Incoming>| {
        let app = app.clone();
        async move {
            match app.handle(request).await {
                Outcome::Respond(response) => {
                    Ok::<Response<Full<Bytes>>, DroppedOnPurpose>(response)
                }
                Outcome::Drop => Err(DroppedOnPurpose),
            }
        }
    });
    let connection = builder.serve_connection(io, service);
    if let Err(error) = watcher.watch(connection).await {
        tracing::debug!(error = %error, "connection ended with an error");
    }
}
