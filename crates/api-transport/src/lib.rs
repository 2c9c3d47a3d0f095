//! The HTTP transport layer of the ModelArts processor-tasks SDK: a small Transport trait and a hyper 1.x implementation with rustls.
//!
//! The SDK turns each operation into an `http::Request<Bytes>`, signs it, and hands it to a
//! [`Transport`], which sends it unchanged and returns the whole `http::Response<Bytes>`, or a
//! [`TransportError`] saying what went wrong and whether the request may have reached the
//! server ([`TransportError::request_may_have_been_sent`]).
//!
//! - [`HyperTransport`] is the default transport: hyper 1.x, a connection pool, HTTP/1.1 and
//!   HTTP/2 over ALPN, rustls with an explicit crypto provider, proxies from the environment,
//!   and finite defaults for the connect timeout (10 s), the response timeout (30 s) and the
//!   response body size (10 MiB).
//! - [`SharedTransport`] shares one transport (and its pool) between many clients.
//! - `test_util` (feature `test-util`) has a replaying, request-capturing transport and one
//!   that never answers; `MockTransport` (feature `mock`) is the `mockall` mock of the trait.
//! - `tower` (feature `tower`) adapts a `tower::Service` into a transport.
//!
//! # Cargo features
//!
//! | feature | default | what it does |
//! |---|---|---|
//! | `ring` | yes | TLS crypto with `ring` |
//! | `aws-lc-rs` | no | TLS crypto with `aws-lc-rs` (needs a C toolchain); wins over `ring` if both are on |
//! | `webpki-roots` | yes | trust the Mozilla roots compiled into the binary |
//! | `native-roots` | no | trust the operating system's roots, loaded when the transport is built |
//! | `mock` | no | `MockTransport` |
//! | `test-util` | no | `test_util::{ReplayTransport, NeverTransport}` |
//! | `tower` | no | `tower::TowerTransport`, and `tower::Service` for `SharedTransport` |
//!
//! One of `ring` and `aws-lc-rs` must be on: a build with neither stops at compile time with
//! a message saying so (rather than failing when the first transport is built). Depending on
//! this crate (or `api-client`) with `default-features = false` therefore means naming one of
//! them. A provider passed to
//! [`crypto_provider`](HyperTransportBuilder::crypto_provider) is used instead of the compiled-in
//! one, but does not remove the need for it.
//!
//! # Public dependencies
//!
//! Types of these crates appear in this crate's API, so their semver-incompatible versions are
//! part of it; each is re-exported, so that you can name the very version this crate uses
//! without depending on it yourself (e.g. `api_transport::rustls::crypto::ring::default_provider()`).
//! No other crate's types are exposed: the PEM parser and the TLS library's errors in
//! [`BuildError`] are boxed, reachable through [`std::error::Error::source`].
//!
//! | crate | version | where |
//! |---|---|---|
//! | `http` | 1 | requests and responses: [`Transport::send`] |
//! | `bytes` | 1 | request and response bodies |
//! | `rustls` | 0.23 | [`HyperTransportBuilder::crypto_provider`] takes a `rustls::crypto::CryptoProvider`; the sources of TLS errors ([`BuildError`], [`TransportError::Tls`]) downcast to `rustls::Error` |
//! | `tower_service` | 0.3 | feature `tower`: `tower::TowerTransport` takes a `tower_service::Service`, and `SharedTransport` is one |
//! | `mockall` | 0.15 | feature `mock`: `MockTransport` |
//!
//! A release of this crate that moves one of them to a semver-incompatible version (e.g.
//! rustls 0.24) is itself semver-incompatible.
//!
//! # Bring your own HTTP stack
//!
//! Implement [`Transport`] and wrap it in a [`SharedTransport`]. Read the body fully, keep a
//! timeout, and say in the error whether the request may have been sent:
//!
//! ```
//! use api_transport::{BoxFuture, SharedTransport, Transport, TransportError};
//! use bytes::Bytes;
//! use http::{Request, Response, StatusCode};
//!
//! /// A transport for an in-process fake of the service.
//! #[derive(Debug)]
//! struct InProcess;
//!
//! impl Transport for InProcess {
//!     fn send(&self, request: Request<Bytes>) -> BoxFuture<'static, Result<Response<Bytes>, TransportError>> {
//!         Box::pin(async move {
//!             if request.uri().host().is_none() {
//!                 // Never sent: the caller may retry it safely.
//!                 return Err(TransportError::invalid_request("the URI has no host"));
//!             }
//!             let response = Response::builder()
//!                 .status(StatusCode::NO_CONTENT)
//!                 .body(Bytes::new())
//!                 .map_err(TransportError::io)?;
//!             Ok(response)
//!         })
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let transport = SharedTransport::new(InProcess);
//! let request = Request::delete("https://modelarts.example.com/v2/p/processor-tasks/t")
//!     .body(Bytes::new())?;
//! assert_eq!(transport.send(request).await?.status(), StatusCode::NO_CONTENT);
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! # })
//! # }
//! ```
//!
//! ## Writing your own transport
//!
//! The client's retries and timeouts rest on what a transport promises. A transport must:
//!
//! - **Send the request as given** (method, URI, headers, body: they are signed), follow no
//!   redirect and retry nothing itself: retries are the client's, and it must see every
//!   attempt.
//! - **Read the response body fully, with a limit**: refuse a `Content-Length` over the limit
//!   at once (not for HEAD, 1xx, 204 or 304 replies, which have no body), then count while
//!   streaming and stop as soon as the count passes the limit, with
//!   [`TransportError::body_too_large`]. Never collect a body of unknown length whole.
//! - **Keep every exchange finite**: a connect timeout, and a response timeout covering the
//!   whole exchange, body included, that a [`ResponseTimeout`] request extension replaces
//!   (the client sets it to what is left of the attempt). Defaults like
//!   [`DEFAULT_CONNECT_TIMEOUT`], [`DEFAULT_RESPONSE_TIMEOUT`] and
//!   [`DEFAULT_MAX_RESPONSE_BODY_SIZE`] are a good start.
//! - **Say whether the request may have been sent**, by building the error with the matching
//!   constructor (the variants are `#[non_exhaustive]`), then
//!   [`with_target`](TransportError::with_target)`("host:port")`:
//!
//!   | what happened | constructor | [`request_may_have_been_sent`](TransportError::request_may_have_been_sent) |
//!   |---|---|---|
//!   | refused before any I/O (bad URI, unsupported scheme) | [`invalid_request`](TransportError::invalid_request) | false |
//!   | no connection (refused, DNS, proxy tunnel refused) | [`connect`](TransportError::connect) | false |
//!   | the TLS handshake failed | [`tls`](TransportError::tls) | false |
//!   | a timeout *known* to have fired while connecting | [`timeout`](TransportError::timeout)`(TimeoutPhase::Connect)` | false |
//!   | a timeout once connected, or one you cannot place | [`timeout`](TransportError::timeout)`(TimeoutPhase::Response)` | true |
//!   | reset, closed early, malformed reply, anything else | [`io`](TransportError::io) | true |
//!   | the body passed the limit | [`body_too_large`](TransportError::body_too_large) | true |
//!
//!   When unsure, say "may have been sent": a POST is retried only when it certainly never
//!   left, so a wrong "not sent" can create a task twice, while a wrong "may have been sent"
//!   only gives up one retry.
//! - **Keep secrets out**: a `Debug` that shows settings only, and errors and logs without
//!   headers or the URI's query (pre-signed URLs carry signatures there).
//!
//! [`support`] has these pieces ready: [`support::check_uri`], [`support::host_port`] (the
//! target), [`support::response_timeout`], [`support::read_body_limited`] with
//! [`support::response_has_body`], and [`support::bounded_exchange`] (the timeout, the target
//! and a log line without secrets). `HyperTransport` and `api-transport-reqwest` both use them.
//!
//! Then wrap it in a [`SharedTransport`] to share its pool between clients, and hand it to the
//! client: `api_client::Client::builder().transport(mine)` or
//! `.shared_transport(SharedTransport::new(mine))`.
//!
//! The crate `api-transport-reqwest` is the worked example: `ReqwestTransport` on reqwest
//! with rustls (`ring`), with the body limit, the timeouts and the mapping of reqwest's
//! errors above, each tested against a real socket, and the SDK's client run over it
//! against the emulator.
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
compile_error!(
    "modelarts-processor-tasks-transport needs a TLS crypto provider: enable its `ring` feature \
     (the default) or its `aws-lc-rs` feature (`modelarts-processor-tasks` has features of the \
     same names that enable them), e.g. `modelarts-processor-tasks-transport = { version = \"0.1\", \
     default-features = false, features = [\"ring\", \"webpki-roots\"] }`"
);

mod build_error;
mod error;
mod hyper;
mod proxy;
pub mod support;
mod tls;
mod transport;

#[cfg(feature = "test-util")]
pub mod test_util;
#[cfg(feature = "tower")]
pub mod tower;

pub use crate::build_error::BuildError;
pub use crate::error::{BoxError, TimeoutPhase, TransportError};
pub use crate::hyper::HyperTransport;
pub use crate::hyper::builder::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BODY_SIZE, DEFAULT_POOL_IDLE_TIMEOUT,
    DEFAULT_POOL_MAX_IDLE_PER_HOST, DEFAULT_RESPONSE_TIMEOUT, HyperTransportBuilder,
};
pub use crate::tls::COMPILED_TLS_FEATURES;
#[cfg(feature = "mock")]
pub use crate::transport::MockTransport;
pub use crate::transport::{BoxFuture, ResponseTimeout, SharedTransport, Transport};

// The crates whose types are part of this crate's API (see "Public dependencies" above).
pub use bytes;
pub use http;
#[cfg(feature = "mock")]
pub use mockall;
pub use rustls;
#[cfg(feature = "tower")]
pub use tower_service;
