//! The error mapping and the limits against real loopback sockets: refused, full, silent, closing, oversized and TLS servers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use api_transport::{ResponseTimeout, TimeoutPhase, Transport, TransportError};
use bytes::Bytes;
use http::{Request, StatusCode, Version};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

use crate::ReqwestTransport;

/// No test may take longer than this: a hang fails instead of blocking.
const GUARD: Duration = Duration::from_secs(10);

/// A loopback transport: no proxy, short timeouts.
fn transport() -> ReqwestTransport {
    ReqwestTransport::builder()
        .no_proxy()
        .connect_timeout(Duration::from_millis(300))
        .response_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn get(url: &str) -> Request<Bytes> {
    Request::get(url).body(Bytes::new()).unwrap()
}

async fn send(
    transport: &ReqwestTransport,
    request: Request<Bytes>,
) -> Result<http::Response<Bytes>, TransportError> {
    tokio::time::timeout(GUARD, transport.send(request))
        .await
        .expect("the transport hung")
}

/// What a [`Raw`] server does on each connection.
#[derive(Clone)]
enum Script {
    /// Reads the request head, then never answers (keeps the connection open).
    Silent,
    /// Reads the request head, writes these bytes, closes.
    WriteThenClose(&'static [u8]),
    /// Reads the request head, writes `head`, then `chunk` until `total` bytes or the client
    /// hangs up, then closes.
    Stream {
        head: &'static [u8],
        chunk: usize,
        total: usize,
    },
    /// Reads whatever arrives first (a TLS ClientHello), answers with plain HTTP, closes.
    PlainHttpToTls,
}

/// A raw TCP server on `127.0.0.1`, counting connections and request heads.
struct Raw {
    addr: SocketAddr,
    heads: Arc<AtomicU64>,
    body_bytes: Arc<AtomicU64>,
}

impl Raw {
    async fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let heads = Arc::new(AtomicU64::new(0));
        let body_bytes = Arc::new(AtomicU64::new(0));
        let (h, b) = (heads.clone(), body_bytes.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, script.clone(), h.clone(), b.clone()));
            }
        });
        Self {
            addr,
            heads,
            body_bytes,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn heads(&self) -> u64 {
        self.heads.load(Ordering::Relaxed)
    }
}

/// Reads until the end of a request head (or EOF); whether one was read.
async fn read_head(stream: &mut TcpStream) -> bool {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
        }
        if seen.len() > 64 * 1024 {
            return false;
        }
    }
    true
}

async fn serve(mut stream: TcpStream, script: Script, heads: Arc<AtomicU64>, body: Arc<AtomicU64>) {
    if let Script::PlainHttpToTls = script {
        let mut buffer = [0u8; 1024];
        let _ = stream.read(&mut buffer).await;
        let _ = stream
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    }
    if !read_head(&mut stream).await {
        return;
    }
    heads.fetch_add(1, Ordering::Relaxed);
    match script {
        Script::Silent => {
            let mut sink = [0u8; 1024];
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
        }
        Script::WriteThenClose(bytes) => {
            let _ = stream.write_all(bytes).await;
        }
        Script::Stream { head, chunk, total } => {
            if stream.write_all(head).await.is_err() {
                return;
            }
            let piece = vec![b'x'; chunk];
            let mut written = 0;
            while written < total {
                if stream.write_all(&piece).await.is_err() {
                    break;
                }
                written += chunk;
                body.fetch_add(chunk as u64, Ordering::Relaxed);
            }
        }
        Script::PlainHttpToTls => {}
    }
}

/// An ephemeral loopback port with nothing listening on it.
fn refused_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

#[tokio::test]
async fn a_refused_port_is_a_connect_error_never_sent() {
    let addr = refused_addr();
    let error = send(&transport(), get(&format!("http://{addr}/v1/x")))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Connect { .. }), "{error:?}");
    assert!(!error.request_may_have_been_sent());
    let message = error.to_string();
    assert!(
        message.contains(&format!("could not connect to {addr}")),
        "{message}"
    );
}

#[tokio::test]
async fn a_full_accept_queue_is_a_connect_timeout_never_sent() {
    // A listener with a backlog of 0 that never accepts: once its queue holds a connection,
    // the kernel drops further SYNs, so a connect hangs until the connect timeout.
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    let mut full = false;
    for _ in 0..16 {
        match tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => held.push(stream),
            Ok(Err(error)) => panic!("filling the queue: {error}"),
            Err(_) => {
                full = true;
                break;
            }
        }
    }
    assert!(
        full,
        "the accept queue never filled ({} connections)",
        held.len()
    );

    let started = Instant::now();
    let error = send(&transport(), get(&format!("http://{addr}/v1/x")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            TransportError::Timeout {
                phase: TimeoutPhase::Connect,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.request_may_have_been_sent());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    drop((held, listener));
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_response_timeout_maybe_sent() {
    let server = Raw::start(Script::Silent).await;
    let transport = ReqwestTransport::builder()
        .no_proxy()
        .response_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = send(&transport, get(&server.url("/v1/x")))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(
            error,
            TransportError::Timeout {
                phase: TimeoutPhase::Response,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.request_may_have_been_sent());
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert_eq!(server.heads(), 1, "the request did reach the server");
}

#[tokio::test]
async fn the_response_timeout_extension_replaces_the_transports() {
    let server = Raw::start(Script::Silent).await;
    let mut request = get(&server.url("/v1/x"));
    request
        .extensions_mut()
        .insert(ResponseTimeout(Duration::from_millis(200)));
    let started = Instant::now();
    // The transport's own timeout is 5 s: the extension's 200 ms decides.
    let error = send(&transport(), request).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_timeout_of_the_users_own_client_after_connecting_is_a_response_timeout() {
    let server = Raw::start(Script::Silent).await;
    let client = ReqwestTransport::client_builder()
        .unwrap()
        .no_proxy()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = send(
        &ReqwestTransport::from_client(client),
        get(&server.url("/v1/x")),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            error,
            TransportError::Timeout {
                phase: TimeoutPhase::Response,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.request_may_have_been_sent());
}

#[tokio::test]
async fn a_connection_closed_before_any_response_is_io_maybe_sent() {
    let server = Raw::start(Script::WriteThenClose(b"")).await;
    let request = Request::post(server.url("/v1/tasks"))
        .body(Bytes::from_static(b"{}"))
        .unwrap();
    let error = send(&transport(), request).await.unwrap_err();
    assert!(matches!(error, TransportError::Io { .. }), "{error:?}");
    assert!(
        error.request_may_have_been_sent(),
        "a POST must not be resent"
    );
    assert_eq!(server.heads(), 1);
}

#[tokio::test]
async fn a_connection_closed_mid_body_is_io_maybe_sent() {
    let server = Raw::start(Script::WriteThenClose(
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"only\": 10",
    ))
    .await;
    let error = send(&transport(), get(&server.url("/v1/x")))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Io { .. }), "{error:?}");
    assert!(error.request_may_have_been_sent());
}

#[tokio::test]
async fn a_declared_body_over_the_limit_fails_before_reading() {
    let server = Raw::start(Script::Stream {
        head: b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n",
        chunk: 16 * 1024,
        total: 1024 * 1024,
    })
    .await;
    let transport = ReqwestTransport::builder()
        .no_proxy()
        .max_response_body_size(1024)
        .build()
        .unwrap();
    let error = send(&transport, get(&server.url("/v1/x")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, TransportError::BodyTooLarge { limit: 1024, .. }),
        "{error:?}"
    );
    assert!(error.request_may_have_been_sent());
}

#[tokio::test]
async fn an_endless_chunked_body_is_cut_at_the_limit_while_streaming() {
    // No length announced, and 64 MiB on offer: reading must stop just past 64 KiB, not
    // buffer the lot.
    let server = Raw::start(Script::Stream {
        head: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
        chunk: 16 * 1024,
        total: 64 * 1024 * 1024,
    })
    .await;
    let transport = ReqwestTransport::builder()
        .no_proxy()
        .max_response_body_size(64 * 1024)
        .build()
        .unwrap();
    let error = send(&transport, get(&server.url("/v1/x")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, TransportError::BodyTooLarge { .. }),
        "{error:?}"
    );
    // The client hung up long before the 64 MiB: what the server managed to write is what
    // the socket buffers held, a few MiB at most.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let written = server.body_bytes.load(Ordering::Relaxed);
    assert!(written < 16 * 1024 * 1024, "{written} bytes written");
}

#[tokio::test]
async fn a_body_at_the_limit_is_read_whole_from_many_chunks() {
    let server = Raw::start(Script::Stream {
        head: b"HTTP/1.1 200 OK\r\nContent-Length: 65536\r\nX-Request-Id: r-1\r\n\r\n",
        chunk: 4096,
        total: 65536,
    })
    .await;
    let transport = ReqwestTransport::builder()
        .no_proxy()
        .max_response_body_size(65536)
        .build()
        .unwrap();
    let response = send(&transport, get(&server.url("/v1/x"))).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(response.headers()["x-request-id"], "r-1");
    assert_eq!(response.body().len(), 65536);
    assert!(response.body().iter().all(|b| *b == b'x'));
}

#[tokio::test]
async fn a_head_response_with_a_large_content_length_has_no_body_to_limit() {
    let server = Raw::start(Script::WriteThenClose(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n",
    ))
    .await;
    let transport = ReqwestTransport::builder()
        .no_proxy()
        .max_response_body_size(10)
        .build()
        .unwrap();
    let request = Request::head(server.url("/v1/x"))
        .body(Bytes::new())
        .unwrap();
    let response = send(&transport, request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.body().is_empty());
}

#[tokio::test]
async fn a_redirect_is_returned_not_followed() {
    let server = Raw::start(Script::WriteThenClose(
        b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n",
    ))
    .await;
    let request = Request::delete(server.url("/v1/x"))
        .body(Bytes::new())
        .unwrap();
    let response = send(&transport(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(server.heads(), 1, "the redirect was not followed");
}

#[tokio::test]
async fn invalid_uris_are_invalid_requests_never_sent() {
    for uri in ["/relative/path", "ftp://127.0.0.1/file"] {
        let error = send(&transport(), get(uri)).await.unwrap_err();
        assert!(
            matches!(error, TransportError::InvalidRequest { .. }),
            "{uri}: {error:?}"
        );
        assert!(!error.request_may_have_been_sent());
    }
}

#[tokio::test]
async fn errors_never_carry_the_url_and_debug_never_the_clients_headers() {
    let addr = refused_addr();
    let error = send(
        &transport(),
        get(&format!(
            "http://{addr}/v1/x?X-Sdk-Signature=SIGNATURE-SECRET"
        )),
    )
    .await
    .unwrap_err();
    let mut chain = format!("{error} {error:?}");
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        chain.push_str(&format!(" {inner} {inner:?}"));
        source = inner.source();
    }
    assert!(!chain.contains("SIGNATURE-SECRET"), "{chain}");

    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        http::HeaderValue::from_static("Bearer TOKEN-SECRET"),
    );
    let client = ReqwestTransport::client_builder()
        .unwrap()
        .default_headers(headers)
        .build()
        .unwrap();
    let transport = ReqwestTransport::from_client(client);
    let debug = format!(
        "{transport:?} {:?}",
        ReqwestTransport::builder().client(transport.client().clone())
    );
    assert!(debug.contains("own_client: true"), "{debug}");
    assert!(!debug.contains("TOKEN-SECRET"), "{debug}");
}

/// A private CA and a leaf for `localhost` / `127.0.0.1`: (CA PEM, server config).
fn private_pki(alpn: &[&[u8]]) -> (String, Arc<rustls::ServerConfig>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![CertificateDer::from(leaf.der().to_vec())], key)
    .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    (ca.pem(), Arc::new(config))
}

#[tokio::test]
async fn plain_http_behind_an_https_url_is_a_tls_error_never_sent() {
    let server = Raw::start(Script::PlainHttpToTls).await;
    let error = send(&transport(), get(&format!("https://{}/v1/x", server.addr)))
        .await
        .unwrap_err();
    assert!(matches!(error, TransportError::Tls { .. }), "{error:?}");
    assert!(!error.request_may_have_been_sent());
}

/// A TLS server on `127.0.0.1` with `config`: it records the ALPN protocol of each completed
/// handshake; over `http/1.1` it reads the request head and answers 204, over `h2` it hangs up.
struct TlsServer {
    addr: SocketAddr,
    negotiated: Arc<std::sync::Mutex<Vec<Option<Vec<u8>>>>>,
}

impl TlsServer {
    async fn start(config: Arc<rustls::ServerConfig>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let negotiated = Arc::new(std::sync::Mutex::new(Vec::new()));
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let record = negotiated.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, record) = (acceptor.clone(), record.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
                    record.lock().unwrap().push(alpn.clone());
                    if alpn.as_deref() == Some(b"h2".as_slice()) {
                        return;
                    }
                    let mut seen = Vec::new();
                    let mut buffer = [0u8; 4096];
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let _ = tls
                        .write_all(b"HTTP/1.1 204 No Content\r\nX-Over: tls\r\n\r\n")
                        .await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        Self { addr, negotiated }
    }

    fn url(&self) -> String {
        format!("https://localhost:{}/v1/x", self.addr.port())
    }

    fn negotiated(&self) -> Vec<Option<Vec<u8>>> {
        self.negotiated.lock().unwrap().clone()
    }
}

fn trusting(ca_pem: &str, http2: bool) -> ReqwestTransport {
    ReqwestTransport::builder()
        .no_proxy()
        .http2(http2)
        .add_root_certificate(ca_pem.as_bytes())
        .unwrap()
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_error_never_sent() {
    let (_, config) = private_pki(&[b"http/1.1"]);
    let server = TlsServer::start(config).await;
    // Only the Mozilla roots: the handshake fails, nothing was sent.
    let error = send(&transport(), get(&server.url())).await.unwrap_err();
    assert!(matches!(error, TransportError::Tls { .. }), "{error:?}");
    assert!(!error.request_may_have_been_sent());
    assert!(
        error.to_string().contains("add_root_certificate"),
        "{error}"
    );
    assert!(server.negotiated().is_empty(), "no handshake completed");
}

#[tokio::test]
async fn a_trusted_private_ca_works_and_alpn_offers_h2_unless_turned_off() {
    let (ca_pem, config) = private_pki(&[b"h2", b"http/1.1"]);
    let server = TlsServer::start(config).await;

    // HTTP/1.1 only: the server picks http/1.1 and answers.
    let response = send(&trusting(&ca_pem, false), get(&server.url()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(response.headers()["x-over"], "tls");
    assert_eq!(server.negotiated(), vec![Some(b"http/1.1".to_vec())]);

    // With HTTP/2 on (the default), h2 is offered, and this server prefers it (then hangs up:
    // it speaks no HTTP/2, and the request, maybe sent, fails as such).
    let error = send(&trusting(&ca_pem, true), get(&server.url()))
        .await
        .unwrap_err();
    assert!(error.request_may_have_been_sent(), "{error:?}");
    assert_eq!(
        server.negotiated(),
        vec![Some(b"http/1.1".to_vec()), Some(b"h2".to_vec())]
    );
}

#[test]
fn build_errors_say_what_is_wrong() {
    let error = ReqwestTransport::builder()
        .add_root_certificate(b"not a pem")
        .unwrap_err();
    assert!(error.to_string().contains("no certificate"), "{error}");
    let error = ReqwestTransport::builder()
        .built_in_roots(false)
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("no trusted root"), "{error}");
    let (ca_pem, _) = private_pki(&[]);
    assert!(
        ReqwestTransport::builder()
            .built_in_roots(false)
            .add_root_certificate(ca_pem.as_bytes())
            .unwrap()
            .build()
            .is_ok()
    );
}

#[test]
fn defaults_match_hyper_transports() {
    let transport = ReqwestTransport::builder().build().unwrap();
    assert_eq!(
        transport.response_timeout(),
        api_transport::DEFAULT_RESPONSE_TIMEOUT
    );
    assert_eq!(
        transport.max_response_body_size(),
        api_transport::DEFAULT_MAX_RESPONSE_BODY_SIZE
    );
}
