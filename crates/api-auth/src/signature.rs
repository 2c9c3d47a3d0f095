//! The signature itself: string to sign and HMAC-SHA256, shared by the signer and the verifier.

use http::header::AsHeaderName;

use crate::canonical::{
    EMPTY_BODY_SHA256, MissingSignedHeader, RequestParts, write_canonical_request,
};
use crate::credentials::SecretKey;
use crate::digest::sha256;
use crate::encoding::{BufferedSha256, hex_lower};

/// The name of the algorithm, first word of the `Authorization` header and of the string to sign.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// hex(SHA-256(body)), lowercase, without hashing when the body is empty.
/// `X-Sdk-Content-Sha256`: when a request with a body carries it, its value stands in the
/// canonical request where the body's hash goes. The official SDKs send `UNSIGNED-PAYLOAD` for bodies that are
/// not JSON (the body is then not signed).
pub const X_SDK_CONTENT_SHA256: http::HeaderName =
    http::HeaderName::from_static("x-sdk-content-sha256");

/// The value the official SDKs declare for a body they do not hash.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// What stands for the body in the canonical request: its hash, or what the request declares.
pub(crate) enum PayloadHash<'a> {
    /// hex(SHA-256(body)).
    Hashed([u8; 64]),
    /// The value of `X-Sdk-Content-Sha256`.
    Declared(&'a [u8]),
}

impl PayloadHash<'_> {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            PayloadHash::Hashed(hex) => hex,
            PayloadHash::Declared(value) => value,
        }
    }
}

/// The body's stand-in for a request with these headers, as the official SDKs compute it.
/// An empty body is always the hash of nothing, whatever is declared (as the SDKs do).
pub(crate) fn payload_hash<'a>(headers: &'a http::HeaderMap, body: &[u8]) -> PayloadHash<'a> {
    match headers.get(X_SDK_CONTENT_SHA256) {
        Some(declared) if !body.is_empty() => PayloadHash::Declared(declared.as_bytes()),
        _ => PayloadHash::Hashed(body_sha256_hex(body)),
    }
}

pub(crate) fn body_sha256_hex(body: &[u8]) -> [u8; 64] {
    if body.is_empty() {
        *EMPTY_BODY_SHA256
    } else {
        hex_lower(&sha256(body))
    }
}

/// HMAC-SHA256(SK, `SDK-HMAC-SHA256\n{date}\n{hex(SHA-256(canonical request))}`).
///
/// The canonical request is streamed into the hash (through a stack buffer), never built as a
/// string.
pub(crate) fn compute_signature<'n, N, I>(
    secret: &SecretKey,
    date: &[u8; 16],
    parts: &RequestParts<'_>,
    signed: I,
) -> Result<[u8; 32], MissingSignedHeader>
where
    N: ?Sized + AsRef<str> + 'n,
    &'n N: AsHeaderName,
    I: Iterator<Item = &'n N> + Clone,
{
    let mut canonical = BufferedSha256::new();
    write_canonical_request(&mut canonical, parts, signed)?;
    let canonical_hex = hex_lower(&canonical.finalize());

    let mut mac = secret.mac();
    mac.update(ALGORITHM.as_bytes());
    mac.update(b"\n");
    mac.update(date);
    mac.update(b"\n");
    mac.update(&canonical_hex);
    Ok(mac.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderValue, Method, Uri};

    #[test]
    fn body_hash() {
        assert_eq!(&body_sha256_hex(b""), EMPTY_BODY_SHA256);
        assert_eq!(
            &body_sha256_hex(b"abc"),
            b"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn first_official_vector() {
        let uri: Uri = "/path?limit=1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-sdk-date", HeaderValue::from_static("20060102T150405Z"));
        let parts = RequestParts {
            method: &Method::GET,
            uri: &uri,
            headers: &headers,
            body_sha256: EMPTY_BODY_SHA256,
        };
        let signature = compute_signature(
            &SecretKey::new("SecretKey"),
            b"20060102T150405Z",
            &parts,
            ["x-sdk-date"].into_iter(),
        )
        .unwrap();
        assert_eq!(
            &hex_lower(&signature),
            b"5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
        );
    }
}
