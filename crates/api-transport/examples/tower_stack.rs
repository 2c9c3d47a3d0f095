//! Tower middleware around the SDK's HTTP stack: a concurrency limit, a timeout and `tower-http` tracing, then back to a `Transport`.
//!
//! Run it with `cargo run -p modelarts-processor-tasks-transport --example tower_stack --features tower`: it starts
//! a local HTTP server that holds each request for a while, sends a burst of requests through
//! the stack and prints how many the server saw at once. `RUST_LOG` sets what is traced
//! (default: `tower_http=debug`).
//!
//! The stack, outermost first:
//!
//! 1. `TowerTransport`: the stack as a `Transport`, so any client takes it (e.g. `api-client`'s
//!    `ClientBuilder::transport`);
//! 2. a body adapter: `tower-http` works with `http_body::Body` bodies, the SDK with `Bytes`;
//! 3. `tower_http::trace::TraceLayer`: a `request` span per request, and events when it starts
//!    and when its response arrives;
//! 4. `tower::limit::ConcurrencyLimitLayer`: at most `max_in_flight` requests at once, the
//!    others wait for a slot;
//! 5. `tower::timeout::TimeoutLayer`: a time limit per request (its `Elapsed` error becomes a
//!    `TransportError::Io`, whose source it is);
//! 6. the `SharedTransport` (here a `HyperTransport`), which is a `tower::Service`.
#![allow(clippy::print_stdout)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use api_transport::tower::TowerTransport;
use api_transport::{BoxError, HyperTransport, SharedTransport, Transport};
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tower::ServiceBuilder;
use tower_http::trace::TraceLayer;

/// How many requests the stack lets through at once.
pub const MAX_IN_FLIGHT: usize = 2;

/// Wraps `transport` in tower middleware and returns the result as a transport again.
pub fn with_middleware(
    transport: SharedTransport,
    max_in_flight: usize,
    timeout: Duration,
) -> SharedTransport {
    let stack = ServiceBuilder::new()
        // tower-http's layers take and return `http_body::Body`s; the SDK sends and receives
        // `Bytes`. `Full<Bytes>` is the body made of one `Bytes`, both ways.
        .and_then(collect_body)
        .map_request(|request: Request<Bytes>| request.map(Full::new))
        .layer(TraceLayer::new_for_http())
        .map_request(|request: Request<Full<Bytes>>| {
            // The trace layer does not read the request body: it is still whole.
            request.map(|body| body.into_inner().unwrap_or_default())
        })
        .map_response(|response: Response<Bytes>| response.map(Full::new))
        .concurrency_limit(max_in_flight)
        .timeout(timeout)
        .service(transport);
    SharedTransport::new(TowerTransport::new(stack))
}

/// Reads a response body (already in memory, but behind the trace layer's wrapper, which
/// reports the end of the body) back into `Bytes`.
async fn collect_body<B>(response: Response<B>) -> Result<Response<Bytes>, BoxError>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map_err(Into::into)?.to_bytes();
    Ok(Response::from_parts(parts, body))
}

/// What the local server saw.
#[derive(Debug, Default)]
pub struct ServerStats {
    in_flight: AtomicUsize,
    /// The most requests it was handling at once.
    pub peak: AtomicUsize,
    /// How many requests it answered.
    pub served: AtomicUsize,
}

/// Starts a local HTTP/1.1 server that holds each request for `hold` (`/slow`: for 30 s)
/// before answering `200 {}`, and counts how many it handles at once.
pub async fn start_server(hold: Duration) -> std::io::Result<(SocketAddr, Arc<ServerStats>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let stats = Arc::new(ServerStats::default());
    let server_stats = stats.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let stats = server_stats.clone();
            let service = service_fn(move |request: Request<Incoming>| {
                let stats = stats.clone();
                async move {
                    let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    stats.peak.fetch_max(now, Ordering::SeqCst);
                    let hold = if request.uri().path() == "/slow" {
                        Duration::from_secs(30)
                    } else {
                        hold
                    };
                    tokio::time::sleep(hold).await;
                    stats.in_flight.fetch_sub(1, Ordering::SeqCst);
                    stats.served.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"{}"))))
                }
            });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((addr, stats))
}

/// Sends `count` requests at once to `url` through `transport`; returns how many succeeded.
pub async fn burst(
    transport: &SharedTransport,
    url: &str,
    count: usize,
) -> Result<usize, BoxError> {
    let mut requests = JoinSet::new();
    for _ in 0..count {
        let request = Request::get(url).body(Bytes::new())?;
        let transport = transport.clone();
        requests.spawn(async move { transport.send(request).await });
    }
    let mut succeeded = 0;
    while let Some(sent) = requests.join_next().await {
        if sent?.is_ok() {
            succeeded += 1;
        }
    }
    Ok(succeeded)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "tower_http=debug".into()),
        )
        .init();

    let (addr, stats) = start_server(Duration::from_millis(200)).await?;
    // A local server: whatever HTTPS_PROXY says, do not go through a proxy.
    let hyper = SharedTransport::new(HyperTransport::builder().no_proxy().build()?);
    let transport = with_middleware(hyper.clone(), MAX_IN_FLIGHT, Duration::from_secs(5));

    let count = 8;
    let succeeded = burst(
        &transport,
        &format!("http://{addr}/v2/p/processor-tasks"),
        count,
    )
    .await?;
    println!(
        "{succeeded} of {count} requests succeeded; the server saw at most {} at once (limit {MAX_IN_FLIGHT})",
        stats.peak.load(Ordering::SeqCst)
    );

    let quick = with_middleware(hyper, MAX_IN_FLIGHT, Duration::from_millis(300));
    let slow = Request::get(format!("http://{addr}/slow")).body(Bytes::new())?;
    match quick.send(slow).await {
        Ok(response) => println!("/slow answered {}", response.status()),
        Err(error) => {
            let cause = std::error::Error::source(&error).map(ToString::to_string);
            println!(
                "/slow failed, as the 300 ms timeout wants: {error} ({})",
                cause.unwrap_or_default()
            );
        }
    }
    Ok(())
}
