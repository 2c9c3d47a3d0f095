//! Overhead of `HyperTransport` over a bare hyper HTTP/1 connection: sequential DELETEs on one keep-alive connection to a loopback server.
//!
//! Run with `cargo bench -p modelarts-processor-tasks-transport --bench transport_overhead` (release). For each
//! client it prints requests per second and the client thread's CPU time per request (read
//! from `/proc/thread-self/schedstat`, so it is less disturbed by other load on the machine
//! than the rate), and the ratios HyperTransport / bare. The goal is a rate ratio >= 0.9.
//!
//! Environment: `BENCH_REQUESTS` (requests per round, default 20000), `BENCH_ROUNDS` (default
//! 5; the best round of each client counts), `BENCH_ONLY` (a comma-separated subset of
//! `transport`, `bare`, `legacy`; `legacy` is hyper-util's pooled client alone, without this
//! crate's layers, and runs only when named).
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Instant;

use api_transport::{HyperTransport, Transport};
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};

const WARM_UP: usize = 1000;
const PATH: &str = "/v2/project/processor-tasks/task-1";

/// Starts the server on its own thread and runtime, so that it does not share the client's.
fn start_server() -> SocketAddr {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let server = std::thread::Builder::new().name("bench-server".to_owned());
    let _ = server.spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(listener.local_addr().unwrap()).unwrap();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                stream.set_nodelay(true).unwrap();
                tokio::spawn(async move {
                    let service =
                        service_fn(|request: Request<hyper::body::Incoming>| async move {
                            let mut response = Response::new(Full::new(Bytes::from_static(b"{}")));
                            if request.method() != Method::DELETE {
                                *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
                            }
                            Ok::<_, Infallible>(response)
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    addr_rx.recv().unwrap()
}

/// CPU time of the calling thread so far (Linux), in nanoseconds.
fn thread_cpu_ns() -> Option<u64> {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    schedstat.split_whitespace().next()?.parse().ok()
}

#[derive(Clone, Copy, Default)]
struct Best {
    rate: f64,
    cpu_us: f64,
}

impl Best {
    fn update(&mut self, rate: f64, cpu_us: f64) {
        self.rate = self.rate.max(rate);
        self.cpu_us = if self.cpu_us == 0.0 {
            cpu_us
        } else {
            self.cpu_us.min(cpu_us)
        };
    }
}

/// Runs `one` `n` times; returns (requests per second, client CPU microseconds per request).
async fn measure<F, Fut>(n: usize, mut one: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let cpu = thread_cpu_ns();
    let started = Instant::now();
    for _ in 0..n {
        one().await;
    }
    rates(n, started, cpu)
}

/// (requests per second, client CPU microseconds per request) since `started` and `cpu`.
fn rates(n: usize, started: Instant, cpu: Option<u64>) -> (f64, f64) {
    let elapsed = started.elapsed();
    let cpu_us = match (cpu, thread_cpu_ns()) {
        (Some(before), Some(after)) => after.saturating_sub(before) as f64 / 1000.0 / n as f64,
        _ => f64::NAN,
    };
    (n as f64 / elapsed.as_secs_f64(), cpu_us)
}

/// Both clients send the same request: `DELETE` with a `Host` header (as the SDK's signed
/// requests carry) and an empty body, and read the whole body.
fn delete<B>(uri: &Uri, host: &HeaderValue, body: B) -> Request<B> {
    Request::builder()
        .method(Method::DELETE)
        .uri(uri.clone())
        .header(http::header::HOST, host.clone())
        .body(body)
        .unwrap()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run a short round.
    let full = std::env::args().any(|arg| arg == "--bench");
    let setting = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    };
    let n = setting("BENCH_REQUESTS", if full { 20_000 } else { 200 });
    let rounds = setting("BENCH_ROUNDS", if full { 5 } else { 1 });
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let runs = |name: &str| {
        (only.is_empty() && name != "legacy") || only.split(',').any(|part| part == name)
    };

    let addr = start_server();
    let uri: Uri = format!("http://{addr}{PATH}").parse().unwrap();
    let path = Uri::from_static(PATH);
    let host = HeaderValue::from_str(&addr.to_string()).unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let transport = HyperTransport::builder().no_proxy().build().unwrap();

        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(connection);

        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        let legacy: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .build(http);

        let via_transport = || async {
            let response = transport.send(delete(&uri, &host, Bytes::new())).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.body().len(), 2);
        };
        let via_legacy = || async {
            let response = legacy.request(delete(&uri, &host, Full::new(Bytes::new()))).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.into_body().collect().await.unwrap().to_bytes().len(), 2);
        };
        let via_bare = async |sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>| {
            sender.ready().await.unwrap();
            let response = sender.send_request(delete(&path, &host, Full::new(Bytes::new()))).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.into_body().collect().await.unwrap().to_bytes().len(), 2);
        };

        measure(WARM_UP.min(n), via_transport).await;
        measure(WARM_UP.min(n), via_legacy).await;
        for _ in 0..WARM_UP.min(n) {
            via_bare(&mut sender).await;
        }

        let (mut best_transport, mut best_bare, mut best_legacy) = (Best::default(), Best::default(), Best::default());
        for round in 1..=rounds {
            let mut line = format!("round {round}:");
            if runs("transport") {
                let (rate, cpu) = measure(n, via_transport).await;
                line += &format!(" HyperTransport {rate:>6.0} req/s {cpu:>5.1} µs CPU;");
                best_transport.update(rate, cpu);
            }
            if runs("bare") {
                // The bare sender is borrowed mutably by each request, so no `measure` here.
                let (cpu, started) = (thread_cpu_ns(), Instant::now());
                for _ in 0..n {
                    via_bare(&mut sender).await;
                }
                let (rate, cpu) = rates(n, started, cpu);
                line += &format!(" bare hyper http1 {rate:>6.0} req/s {cpu:>5.1} µs CPU;");
                best_bare.update(rate, cpu);
            }
            if runs("legacy") {
                let (rate, cpu) = measure(n, via_legacy).await;
                line += &format!(" legacy Client alone {rate:>6.0} req/s {cpu:>5.1} µs CPU;");
                best_legacy.update(rate, cpu);
            }
            println!("{line}");
        }

        println!("best of {rounds} rounds of {n} sequential DELETEs on one keep-alive connection:");
        for (name, best) in [
            ("HyperTransport", best_transport),
            ("bare hyper http1", best_bare),
            ("legacy Client alone", best_legacy),
        ] {
            if best.rate > 0.0 {
                println!("  {name:<20} {:>7.0} req/s, client CPU {:>5.1} µs/request", best.rate, best.cpu_us);
            }
        }
        if best_transport.rate > 0.0 && best_bare.rate > 0.0 {
            println!(
                "  ratio HyperTransport / bare: {:.3} by rate (goal >= 0.9), {:.3} by client CPU (bare / HyperTransport)",
                best_transport.rate / best_bare.rate,
                best_bare.cpu_us / best_transport.cpu_us
            );
        }
    });
}
