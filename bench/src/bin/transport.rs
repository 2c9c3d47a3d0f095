//! `bench-transport [--requests N] [--rounds R] [--warm-up N]`: the overhead of `HyperTransport`
//! over a bare hyper http1 connection, and where it comes from: hyper-util's pooled legacy
//! `Client` alone (what `HyperTransport` wraps) is measured too, and so is the second transport,
//! `api_transport_reqwest::ReqwestTransport` (reqwest 0.13 over the same hyper). Sequential DELETEs on one keep-alive connection each, to the same
//! loopback server (its own thread and current-thread runtime); the clients share one
//! current-thread runtime on the main thread. Rounds alternate the clients so all see the
//! same machine load (the order rotates from round to round).
//!
//! The same measurement as `crates/api-transport/benches/transport_overhead.rs`, but with the
//! figures of every round printed as one JSON line for the harness:
//! `{"requests", "rounds": [{"transport_rps", "transport_cpu_us", "bare_rps", "bare_cpu_us",
//! "legacy_rps", "legacy_cpu_us", "reqwest_rps", "reqwest_cpu_us"}]}`,
//! where `*_cpu_us` is the client thread's CPU time per request.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Instant;

use api_transport::{HyperTransport, Transport};
use api_transport_reqwest::ReqwestTransport;
use bench::{Failure, Flags, main_with, print_json, thread_cpu_ns};
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client as LegacyClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};

const PATH: &str = "/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks/SNEJua7qdZZN8GvkcEr";

fn main() -> std::process::ExitCode {
    main_with("bench-transport", run)
}

/// Starts the server on its own thread and runtime, so that it does not share the clients'.
fn start_server() -> Result<SocketAddr, Failure> {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("bench-server".to_owned())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = addr_tx.send(Err(error.to_string()));
                    return;
                }
            };
            runtime.block_on(async move {
                let listener = match TcpListener::bind("127.0.0.1:0").await {
                    Ok(listener) => listener,
                    Err(error) => {
                        let _ = addr_tx.send(Err(error.to_string()));
                        return;
                    }
                };
                let _ = addr_tx.send(listener.local_addr().map_err(|e| e.to_string()));
                while let Ok((stream, _)) = listener.accept().await {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(async move {
                        let service =
                            service_fn(|request: Request<hyper::body::Incoming>| async move {
                                let mut response =
                                    Response::new(Full::new(Bytes::from_static(b"{}")));
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
        })?;
    addr_rx
        .recv()
        .map_err(|_| Failure("the server thread ended".to_owned()))?
        .map_err(Failure)
}

/// All clients send the same request: DELETE with a `Host` header and an empty body.
fn delete<B>(uri: &Uri, host: &HeaderValue, body: B) -> Result<Request<B>, Failure> {
    Ok(Request::builder()
        .method(Method::DELETE)
        .uri(uri.clone())
        .header(http::header::HOST, host.clone())
        .body(body)?)
}

struct Clients {
    transport: HyperTransport,
    reqwest: ReqwestTransport,
    legacy: LegacyClient<HttpConnector, Full<Bytes>>,
    bare: SendRequest<Full<Bytes>>,
    uri: Uri,
    path: Uri,
    host: HeaderValue,
}

impl Clients {
    async fn via_transport(&self) -> Result<(), Failure> {
        let response = self
            .transport
            .send(delete(&self.uri, &self.host, Bytes::new())?)
            .await?;
        check(response.status(), response.body().len())
    }

    async fn via_reqwest(&self) -> Result<(), Failure> {
        let response = self
            .reqwest
            .send(delete(&self.uri, &self.host, Bytes::new())?)
            .await?;
        check(response.status(), response.body().len())
    }

    async fn via_legacy(&self) -> Result<(), Failure> {
        let response = self
            .legacy
            .request(delete(&self.uri, &self.host, Full::new(Bytes::new()))?)
            .await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        check(status, body.len())
    }

    async fn via_bare(&mut self) -> Result<(), Failure> {
        self.bare.ready().await?;
        let response = self
            .bare
            .send_request(delete(&self.path, &self.host, Full::new(Bytes::new()))?)
            .await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        check(status, body.len())
    }
}

fn check(status: StatusCode, body_len: usize) -> Result<(), Failure> {
    if status == StatusCode::OK && body_len == 2 {
        Ok(())
    } else {
        Err(Failure(format!(
            "unexpected reply: {status}, {body_len} bytes"
        )))
    }
}

/// (requests per second, client CPU µs per request) of `n` requests since `started`/`cpu`.
fn rates(n: usize, started: Instant, cpu: Option<u64>) -> (f64, Option<f64>) {
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_us = match (cpu, thread_cpu_ns()) {
        (Some(before), Some(after)) => {
            Some(after.saturating_sub(before) as f64 / 1000.0 / n as f64)
        }
        _ => None,
    };
    (n as f64 / elapsed, cpu_us)
}

fn run() -> Result<(), Failure> {
    let flags = Flags::from_env()?;
    let n: usize = flags.parsed("requests", 20_000)?;
    let rounds: usize = flags.parsed("rounds", 5)?;
    let warm_up: usize = flags.parsed("warm-up", 1_000)?;
    let addr = start_server()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (bare, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        let legacy = LegacyClient::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .build(http);
        let mut clients = Clients {
            transport: HyperTransport::builder().no_proxy().build()?,
            reqwest: ReqwestTransport::builder().no_proxy().build()?,
            legacy,
            bare,
            uri: format!("http://{addr}{PATH}").parse()?,
            path: Uri::from_static(PATH),
            host: HeaderValue::from_str(&addr.to_string())?,
        };
        for _ in 0..warm_up {
            clients.via_transport().await?;
            clients.via_legacy().await?;
            clients.via_bare().await?;
            clients.via_reqwest().await?;
        }
        let mut results = Vec::new();
        for round in 0..rounds {
            // Rotate which client goes first, so none always follows another.
            let mut row = serde_json::Map::new();
            const CLIENTS: [&str; 4] = ["transport", "bare", "legacy", "reqwest"];
            for turn in 0..CLIENTS.len() {
                let which = CLIENTS[(turn + round) % CLIENTS.len()];
                let (cpu, started) = (thread_cpu_ns(), Instant::now());
                for _ in 0..n {
                    match which {
                        "transport" => clients.via_transport().await?,
                        "legacy" => clients.via_legacy().await?,
                        "reqwest" => clients.via_reqwest().await?,
                        _ => clients.via_bare().await?,
                    }
                }
                let (rps, cpu_us) = rates(n, started, cpu);
                row.insert(format!("{which}_rps"), json!(rps));
                row.insert(format!("{which}_cpu_us"), json!(cpu_us));
            }
            results.push(serde_json::Value::Object(row));
        }
        print_json(&json!({ "requests": n, "rounds": results }))
    })
}
