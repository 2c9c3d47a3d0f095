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
