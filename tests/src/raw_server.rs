//! Raw HTTP/1.1 servers on loopback, written by hand with tokio, that misbehave on purpose:
//! never answer, stall a body, send exact bytes, or stream a body without end.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What a [`RawServer`] does with each request, after reading its head.
#[derive(Debug, Clone)]
pub enum Script {
    /// Reads the request, then never answers (holds the connection until the client leaves).
    Silent,
    /// Writes these bytes, then stalls: sends nothing more and keeps the connection open.
    WriteThenStall(Vec<u8>),
    /// Writes these bytes, then closes the connection.
    WriteThenClose(Vec<u8>),
    /// Request number `n` (counting from 0, over all connections) gets reply `n` (the last
    /// one once they run out), then the connection is closed.
    Replies(Vec<Vec<u8>>),
    /// Writes `head`, then body bytes in 64 KiB pieces until `body_len` bytes are written
    /// (`None`: forever), chunk-framed when `chunked`, then closes. Stops when the client hangs up.
    Stream {
        /// The status line and headers, ending with the blank line.
        head: Vec<u8>,
        /// Whether to frame the body with `Transfer-Encoding: chunked`.
        chunked: bool,
        /// How many body bytes to send; `None` for an endless body.
        body_len: Option<u64>,
    },
}

/// A raw TCP server on `127.0.0.1` that runs a [`Script`] for every request it reads.
/// Dropping it stops accepting (open connections are dropped with the runtime).
pub struct RawServer {
    addr: SocketAddr,
    counters: Arc<Counters>,
    accept: JoinHandle<()>,
}

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    requests: AtomicU64,
    body_bytes_written: AtomicU64,
}

impl RawServer {
    /// Binds an ephemeral loopback port and starts serving `script`.
    pub async fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let counters = Arc::new(Counters::default());
        let accept = tokio::spawn({
            let counters = counters.clone();
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    counters.connections.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(serve(stream, script.clone(), counters.clone()));
                }
            }
        });
        Self {
            addr,
            counters,
            accept,
        }
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.counters.connections.load(Ordering::Relaxed)
    }

    /// Request heads read so far.
    pub fn requests(&self) -> u64 {
        self.counters.requests.load(Ordering::Relaxed)
    }

    /// Body bytes that [`Script::Stream`] managed to write before stopping.
    pub fn body_bytes_written(&self) -> u64 {
        self.counters.body_bytes_written.load(Ordering::Relaxed)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Serves one connection: one request, then the script.
async fn serve(mut stream: TcpStream, script: Script, counters: Arc<Counters>) {
    let _ = stream.set_nodelay(true);
    if !read_head(&mut stream).await {
        return;
    }
    let number = counters.requests.fetch_add(1, Ordering::Relaxed);
    match script {
        Script::Silent => drain_until_closed(&mut stream).await,
        Script::WriteThenStall(bytes) => {
            if stream.write_all(&bytes).await.is_ok() {
                let _ = stream.flush().await;
                drain_until_closed(&mut stream).await;
            }
        }
        Script::WriteThenClose(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Script::Replies(replies) => {
            let index = usize::try_from(number).unwrap_or(usize::MAX);
            if let Some(bytes) = replies.get(index).or(replies.last()) {
                let _ = stream.write_all(bytes).await;
            }
            let _ = stream.shutdown().await;
        }
        Script::Stream {
            head,
            chunked,
            body_len,
        } => {
            if stream.write_all(&head).await.is_err() {
                return;
            }
            let piece = vec![b'x'; 64 * 1024];
            let mut written: u64 = 0;
            loop {
                let left = body_len.map_or(piece.len() as u64, |len| len - written);
                if left == 0 {
                    if chunked {
                        let _ = stream.write_all(b"0\r\n\r\n").await;
                    }
                    let _ = stream.shutdown().await;
                    return;
                }
                let n = usize::try_from(left.min(piece.len() as u64)).unwrap();
                let sent = if chunked {
                    let mut frame = format!("{n:x}\r\n").into_bytes();
                    frame.extend_from_slice(&piece[..n]);
                    frame.extend_from_slice(b"\r\n");
                    stream.write_all(&frame).await
                } else {
                    stream.write_all(&piece[..n]).await
                };
                if sent.is_err() {
                    return; // the client hung up
                }
                written += n as u64;
                counters
                    .body_bytes_written
                    .fetch_add(n as u64, Ordering::Relaxed);
            }
        }
    }
}

/// Reads up to the blank line that ends a request head; false if the client left first.
async fn read_head(stream: &mut TcpStream) -> bool {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 64 * 1024 {
            return false;
        }
    }
    true
}

/// Reads and discards until the client closes the connection.
async fn drain_until_closed(stream: &mut TcpStream) {
    let mut buf = [0u8; 1024];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
}

/// A complete HTTP/1.1 response with `Content-Length` and `Connection: close`.
pub fn http_response(status_line: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status_line}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         X-Request-Id: raw-server-0001\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}
