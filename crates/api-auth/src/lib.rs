//! The SDK-HMAC-SHA256 (AK/SK) request signer and verifier of Huawei Cloud and Open Telekom Cloud, sans-IO.
//!
//! - [`Signer`] signs an [`http::Request`] the way the official SDKs do: it sets `X-Sdk-Date`,
//!   `X-Security-Token` (temporary credentials) and `Authorization: SDK-HMAC-SHA256 Access=…,
//!   SignedHeaders=…, Signature=…`.
//! - [`Verifier`] checks such a request on the server side: it parses the `Authorization`
//!   header ([`parse_authorization`]), finds the secret key of the access key id, recomputes the
//!   signature, compares it in constant time and checks `X-Sdk-Date` against the allowed clock
//!   skew.
//!
//! The crate does no I/O and pulls in no async runtime: it works on `http` types and bytes.
//! Time comes from a [`Clock`], so tests can fix it (`MockClock` with the `mock` feature).
//!
//! ```
//! use std::sync::Arc;
//! use std::time::{Duration, UNIX_EPOCH};
//! use api_auth::{AccessKey, Clock, SecretKey, Signer, Verifier};
//!
//! #[derive(Debug)]
//! struct Fixed;
//! impl Clock for Fixed {
//!     fn now(&self) -> std::time::SystemTime {
//!         UNIX_EPOCH + Duration::from_secs(1_573_789_015) // 20191115T033655Z
//!     }
//! }
//!
//! let key = AccessKey::new("QTWAOYTTINDUT2QVKYUC", "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc");
//! let mut request = http::Request::get("https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0")
//!     .header("content-type", "application/json")
//!     .header("host", "service.region.example.com")
//!     .body(bytes::Bytes::new())?;
//! Signer::with_clock(Arc::new(Fixed)).sign(&mut request, &key)?;
//! assert_eq!(
//!     request.headers()["authorization"],
//!     "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, \
//!      Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
//! );
//!
//! let verifier = Verifier::new(|ak: &str| {
//!     (ak == "QTWAOYTTINDUT2QVKYUC").then(|| SecretKey::new("MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"))
//! })
//! .with_clock(Arc::new(Fixed));
//! let verified = verifier.verify(&request)?;
//! assert_eq!(verified.access_key_id(), "QTWAOYTTINDUT2QVKYUC");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod authorization;
mod canonical;
mod civil;
mod clock;
mod credentials;
mod date;
mod digest;
mod encoding;
mod signature;
mod signer;
mod verifier;
mod verify_error;

use http::HeaderName;

pub use authorization::{
    AuthorizationField, AuthorizationHeader, MalformedAuthorization, parse_authorization,
};
#[cfg(any(test, feature = "mock"))]
pub use clock::MockClock;
pub use clock::{Clock, SystemClock};
pub use credentials::{AccessKey, SecretKey, SecurityToken};
pub use date::{DateField, DateOutOfRangeError, ParseSdkDateError, SdkDate};
pub use signature::{ALGORITHM, UNSIGNED_PAYLOAD, X_SDK_CONTENT_SHA256};
pub use signer::{SignError, Signer};
pub use verifier::{DEFAULT_MAX_SKEW, SecretKeyLookup, Verified, Verifier};
pub use verify_error::{SkewDirection, VerifyError};

/// `X-Sdk-Date`: the signing time, `YYYYMMDDTHHMMSSZ` in UTC (see [`SdkDate`]).
pub const X_SDK_DATE: HeaderName = HeaderName::from_static("x-sdk-date");

/// `X-Security-Token`: the security token of temporary credentials, signed with the request.
pub const X_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-security-token");
