//! A second HTTP transport for the ModelArts processor-tasks SDK, on reqwest with rustls (ring): a drop-in `Transport` and the worked example of writing one.
//!
//! [`ReqwestTransport`] implements [`api_transport::Transport`] on a [`reqwest::Client`], so
//! the SDK's `Client` can run on reqwest instead of the default `HyperTransport`. It keeps the
//! same promises as `HyperTransport`:
//!
//! - the request is sent as given and the whole response comes back, its body read into
//!   memory **while** checking a size limit (10 MiB by default, checked against
//!   `Content-Length` first, then chunk by chunk), never an unbounded buffer;
//! - every exchange is bounded in time: a response timeout (30 s by default, or the
//!   [`ResponseTimeout`](api_transport::ResponseTimeout) the client puts on each request) and
//!   a connect timeout (10 s);
//! - errors are [`TransportError`](api_transport::TransportError)s that keep the one
//!   distinction the client's retries rest on: could the request have reached the server?
//!   Only failures that certainly happened before sending (no connection, a connect-phase
//!   timeout, a TLS handshake failure, a request reqwest refused) say "not sent", so a POST is
//!   retried only then.
//!
//! | reqwest error | `TransportError` | may have been sent |
//! |---|---|---|
//! | refused before sending (`is_builder`: bad URL or scheme) | `InvalidRequest` | no |
//! | `is_connect` and `is_timeout` | `Timeout { phase: Connect }` | no |
//! | `is_connect` with a `rustls::Error` in its chain | `Tls` | no |
//! | other `is_connect` (refused, DNS, proxy tunnel) | `Connect` | no |
//! | `is_timeout` otherwise (e.g. a `timeout` set on your own `reqwest::Client`) | `Timeout { phase: Response }` | yes |
//! | the transport's response timeout (whatever the phase: it cannot tell) | `Timeout { phase: Response }` | yes |
//! | anything else (`is_request`, `is_body`, `is_decode`, `is_redirect`) | `Io` | yes |
//! | a body over the limit | `BodyTooLarge` | yes |
//!
//! TLS is rustls with the `ring` provider (the one the rest of the workspace uses) and the
//! Mozilla roots of `webpki-roots`, handed to reqwest as a ready `rustls::ClientConfig`: reqwest
//! is built with `rustls-no-provider`, so neither aws-lc-rs nor OpenSSL is linked, and no
//! process-wide provider has to be installed.
//!
//! ```no_run
//! use api_transport::SharedTransport;
//! use api_transport_reqwest::ReqwestTransport;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let transport = SharedTransport::new(ReqwestTransport::builder().build()?);
//! let client = api_client::Client::builder()
//!     .region("ap-southeast-1")
//!     .project_id("a4a5d4098fb4474fa22cd05f897d6b99")
//!     .credentials(api_client::Credentials::ak_sk("AK", "SK"))
//!     .shared_transport(transport)
//!     .build()?;
//! # drop(client);
//! # Ok(())
//! # }
//! ```
//!
//! Or bring a `reqwest::Client` with your own settings (its redirect, retry, proxy and TLS
//! settings then apply; the response timeout and body limit are still the transport's).
//! [`ReqwestTransport::client_builder`] starts one with this crate's TLS (reqwest built with
//! `rustls-no-provider` cannot pick a crypto provider by itself), no redirects and no retries:
//!
//! ```
//! use std::time::Duration;
//! use api_transport_reqwest::ReqwestTransport;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // (The SDK sets and signs its own User-Agent: use the client's `app_name` for yours.)
//! let mine = ReqwestTransport::client_builder()?
//!     .pool_idle_timeout(Duration::from_secs(20))
//!     .build()?;
//! let transport = ReqwestTransport::builder()
//!     .client(mine)
//!     .max_response_body_size(1024 * 1024)
//!     .build()?;
//! # drop(transport);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod build_error;
mod builder;
mod error_map;
mod tls;
mod transport;

pub use crate::build_error::BuildError;
pub use crate::builder::ReqwestTransportBuilder;
pub use crate::transport::ReqwestTransport;
/// The reqwest this crate is built on, so that a `reqwest::Client` you build is of the same
/// version as the one [`ReqwestTransportBuilder::client`] takes.
pub use reqwest;

#[cfg(test)]
mod tests;
