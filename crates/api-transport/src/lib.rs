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
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod build_error;
mod error;
mod hyper;
mod proxy;
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
