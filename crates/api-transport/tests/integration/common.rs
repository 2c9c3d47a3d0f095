//! Loopback servers for the tests: hyper HTTP/1 and HTTPS (h2 + http/1.1) servers, raw misbehaving servers, a CONNECT/forwarding proxy, and a private PKI.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_transport::{HyperTransport, HyperTransportBuilder};
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// Short bounds for timeout tests: they check "does not hang", not speed.
pub const SHORT: Duration = Duration::from_millis(300);

/// A builder with no proxy (whatever the environment says) and short timeouts.
pub fn builder() -> HyperTransportBuilder {
    HyperTransport::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(2))
        .response_timeout(Duration::from_secs(5))
}

/// A request with an empty body.
pub fn request(method: Method, uri: &str) -> Request<Bytes> {
    Request::builder()
        .method(method)
        .uri(uri)
        .body(Bytes::new())
        .unwrap()
}

/// What a test server saw of one request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    /// The request target as received (origin-form for HTTP/1).
    pub target: String,
    pub version: Version,
    pub headers: HeaderMap,
    pub body: Bytes,
}

type Handler = Arc<dyn Fn(&Seen) -> Response<Full<Bytes>> + Send + Sync>;

/// A running loopback server; stops accepting when dropped.
pub struct Server {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    accept: JoinHandle<()>,
}

impl Server {
    pub fn url(&self, scheme: &str, path: &str) -> String {
        format!("{scheme}://{}{path}", self.addr)
    }

    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Answers `200 {}` to everything.
pub fn ok_json() -> impl Fn(&Seen) -> Response<Full<Bytes>> + Send + Sync + 'static {
    |_| Response::new(Full::new(Bytes::from_static(b"{}")))
}

async fn serve(
    stream: Request<Incoming>,
    handler: Handler,
    seen: Arc<Mutex<Vec<Seen>>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = stream.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let request = Seen {
        method: parts.method,
        target: parts.uri.to_string(),
        version: parts.version,
        headers: parts.headers,
        body,
    };
    let response = handler(&request);
    seen.lock().unwrap().push(request);
    Ok(response)
}

/// A plain HTTP/1.1 server.
pub async fn start_http(
    handler: impl Fn(&Seen) -> Response<Full<Bytes>> + Send + Sync + 'static,
) -> Server {
    start(handler, None).await
}

/// An HTTPS server offering h2 and http/1.1 over ALPN.
pub async fn start_https(
    pki: &TestPki,
    handler: impl Fn(&Seen) -> Response<Full<Bytes>> + Send + Sync + 'static,
) -> Server {
    start(handler, Some(TlsAcceptor::from(pki.server_config.clone()))).await
}

async fn start(
    handler: impl Fn(&Seen) -> Response<Full<Bytes>> + Send + Sync + 'static,
    tls: Option<TlsAcceptor>,
) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let handler: Handler = Arc::new(handler);
    let accept = tokio::spawn({
        let connections = connections.clone();
        let seen = seen.clone();
        async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                connections.fetch_add(1, Ordering::SeqCst);
                let handler = handler.clone();
                let seen = seen.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let service =
                        service_fn(move |request| serve(request, handler.clone(), seen.clone()));
                    match tls {
                        None => {
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                        Some(tls) => {
                            let Ok(stream) = tls.accept(stream).await else {
                                return;
                            };
                            let _ =
                                hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                                    .serve_connection(TokioIo::new(stream), service)
                                    .await;
                        }
                    }
                });
            }
        }
    });
    Server {
        addr,
        connections,
        seen,
        accept,
    }
}

/// A raw TCP server: `on_connection` gets each accepted socket.
pub async fn start_raw<F, Fut>(on_connection: F) -> Server
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let on_connection = Arc::new(on_connection);
    let accept = tokio::spawn({
        let connections = connections.clone();
        async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(on_connection(stream));
            }
        }
    });
    Server {
        addr,
        connections,
        seen: Arc::default(),
        accept,
    }
}

/// Reads an HTTP/1 request head (up to the blank line) from `stream`.
pub async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// Accepts connections and reads the request, but never answers.
pub async fn start_silent() -> Server {
    start_raw(|mut stream| async move {
        let mut sink = [0u8; 1024];
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
        // Keep the socket open until the peer goes away.
    })
    .await
}

/// Answers with headers and the first byte of a 100-byte body, then stalls.
pub async fn start_stalling_body() -> Server {
    start_raw(|mut stream| async move {
        read_head(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{")
            .await;
        let mut sink = [0u8; 1024];
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await
}

/// An address nothing listens on: a port bound, then released.
pub async fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

/// What the test proxy saw on one connection.
#[derive(Clone, Debug)]
pub struct ProxySeen {
    /// The request line, e.g. `CONNECT 127.0.0.1:1234 HTTP/1.1`.
    pub request_line: String,
    pub proxy_authorization: Option<String>,
}

/// A small proxy: tunnels `CONNECT host:port` to the target; answers absolute-form requests
/// itself with `200 from the proxy` (it does not forward them, the tests only check the form).
pub struct Proxy {
    pub server: Server,
    pub seen: Arc<Mutex<Vec<ProxySeen>>>,
}

impl Proxy {
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    pub fn seen(&self) -> Vec<ProxySeen> {
        self.seen.lock().unwrap().clone()
    }
}

pub async fn start_proxy() -> Proxy {
    let seen: Arc<Mutex<Vec<ProxySeen>>> = Arc::default();
    let server = start_raw({
        let seen = seen.clone();
        move |mut client| {
            let seen = seen.clone();
            async move {
                let head = read_head(&mut client).await;
                let request_line = head.lines().next().unwrap_or_default().to_owned();
                let proxy_authorization = head
                    .lines()
                    .find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("proxy-authorization").then(|| value.trim().to_owned())
                    });
                seen.lock().unwrap().push(ProxySeen {
                    request_line: request_line.clone(),
                    proxy_authorization,
                });
                let mut parts = request_line.split(' ');
                if parts.next() == Some("CONNECT") {
                    let target = parts.next().unwrap_or_default().to_owned();
                    let Ok(mut upstream) = TcpStream::connect(&target).await else {
                        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                        return;
                    };
                    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await;
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                } else {
                    let _ = client
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 14\r\nconnection: close\r\n\r\nfrom the proxy")
                        .await;
                }
            }
        }
    })
    .await;
    Proxy { server, seen }
}

/// A private CA and a server certificate signed by it.
pub struct TestPki {
    pub ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
}

impl TestPki {
    /// A CA and a leaf valid for `localhost` and `127.0.0.1`.
    pub fn new() -> Self {
        Self::for_names(&["localhost", "127.0.0.1"])
    }

    /// A CA and a leaf valid for `names` only.
    pub fn for_names(names: &[&str]) -> Self {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};

        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "api-transport test CA");
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);

        let leaf_key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        let leaf = CertificateParams::new(names)
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut server_config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                rustls_pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
            )
            .unwrap();
        server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Self {
            ca_pem: ca_cert.pem(),
            server_config: Arc::new(server_config),
        }
    }
}
