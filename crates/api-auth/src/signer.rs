//! `Signer`: adds `X-Sdk-Date`, `X-Security-Token` and the `SDK-HMAC-SHA256` `Authorization` to a request.

use std::sync::Arc;

use bytes::Bytes;
use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};

use crate::canonical::RequestParts;
use crate::clock::{Clock, SystemClock};
use crate::credentials::AccessKey;
use crate::date::{DateOutOfRangeError, SdkDate};
use crate::encoding::hex_lower;
use crate::signature::{
    ALGORITHM, UNSIGNED_PAYLOAD, X_SDK_CONTENT_SHA256, compute_signature, payload_hash,
};
use crate::{X_SDK_DATE, X_SECURITY_TOKEN};

/// Signs requests with an access key, as the `SDK-HMAC-SHA256` signer of the official Huawei Cloud
/// and Open Telekom Cloud SDKs does.
///
/// Signing sets `X-Sdk-Date` (from the signer's [`Clock`]), `X-Security-Token` when the key has
/// one, and then `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.
/// Every header present at that point is signed, except those whose name contains `_` (and any
/// earlier `Authorization`, which is replaced). The official SDKs also sign `Host`: set it
/// before signing (an HTTP client that adds it later sends it unsigned, which servers accept).
/// The URI is never changed; its canonical form exists only inside the signature.
///
/// ```
/// use api_auth::{AccessKey, Signer};
/// use http::{Request, header};
///
/// let key = AccessKey::new("QTWAOYTTINDUT2QVKYUC", "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc");
/// let mut request = Request::delete(
///     "https://modelarts.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks/SNEJua7qdZZN8GvkcEr",
/// )
/// .header(header::HOST, "modelarts.cn-north-4.myhuaweicloud.com")
/// .header(header::CONTENT_TYPE, "application/json")
/// .body(bytes::Bytes::new())?;
///
/// Signer::new().sign(&mut request, &key)?;
///
/// let authorization = request.headers()[header::AUTHORIZATION].to_str()?;
/// assert!(authorization.starts_with(
///     "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature="
/// ));
/// assert_eq!(request.headers()["x-sdk-date"].len(), "20060102T150405Z".len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Signer {
    clock: Arc<dyn Clock>,
}

impl Default for Signer {
    fn default() -> Self {
        Self::new()
    }
}

impl Signer {
    /// A signer that dates requests with the [`SystemClock`].
    #[must_use]
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// A signer that dates requests with `clock` (a fixed or mock clock in tests).
    #[must_use]
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self { clock }
    }

    /// Signs `request` with `key`, dated now by the signer's clock.
    ///
    /// # Errors
    ///
    /// See [`SignError`]: an access key id or token that cannot be sent in a header, a header
    /// value that is not visible ASCII, or a clock outside the years 0000 to 9999.
    pub fn sign<B: AsRef<[u8]>>(
        &self,
        request: &mut Request<B>,
        key: &AccessKey,
    ) -> Result<(), SignError> {
        let date = SdkDate::try_from(self.clock.now())?;
        // Take the headers out so they can change while the method, URI and body are borrowed.
        let mut headers = std::mem::take(request.headers_mut());
        let result = self.sign_parts(
            request.method(),
            request.uri(),
            &mut headers,
            request.body().as_ref(),
            key,
            date,
        );
        *request.headers_mut() = headers;
        result
    }

    /// Signs a request given as parts, dated `date`: the step under [`Signer::sign`], for
    /// callers that hold the parts separately or need a fixed date.
    ///
    /// On success `headers` has gained `X-Sdk-Date`, `X-Security-Token` (when `key` has one) and
    /// `Authorization`. On error `headers` may hold the new `X-Sdk-Date` and `X-Security-Token`
    /// but no `Authorization`.
    ///
    /// # Errors
    ///
    /// See [`SignError`].
    pub fn sign_parts(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &mut HeaderMap,
        body: &[u8],
        key: &AccessKey,
        date: SdkDate,
    ) -> Result<(), SignError> {
        let access_key_id = key.id();
        if !is_valid_access_key_id(access_key_id) {
            return Err(SignError::InvalidAccessKeyId);
        }
        let date = date.to_bytes();
        let date_value = HeaderValue::from_bytes(&date)
            .map_err(|_| SignError::InvalidHeaderValue { name: X_SDK_DATE })?;
        let token_value = key
            .security_token()
            .map(|token| HeaderValue::from_str(token.expose()))
            .transpose()
            .map_err(|_| SignError::InvalidSecurityToken)?;

        headers.remove(AUTHORIZATION);
        headers.insert(X_SDK_DATE, date_value);
        declare_unsigned_payload(headers);
        if let Some(mut token_value) = token_value {
            token_value.set_sensitive(true);
            headers.insert(X_SECURITY_TOKEN, token_value);
        }

        // Signed: every header but those whose name contains `_`; their values must be text.
        for (name, value) in headers.iter() {
            if !name.as_str().contains('_') && value.to_str().is_err() {
                return Err(SignError::InvalidHeaderValue { name: name.clone() });
            }
        }
        let mut signed: Vec<&HeaderName> = Vec::with_capacity(headers.keys_len());
        signed.extend(headers.keys().filter(|name| !name.as_str().contains('_')));
        signed.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));

        let payload = payload_hash(headers, body);
        let parts = RequestParts {
            method,
            uri,
            headers,
            body_sha256: payload.as_bytes(),
        };
        let signature = compute_signature(key.secret(), &date, &parts, signed.iter().copied())
            // Every signed name was taken from `headers`, so none can be missing.
            .map_err(|missing| SignError::InvalidHeaderValue {
                name: HeaderName::from_bytes(missing.0.as_bytes()).unwrap_or(AUTHORIZATION),
            })?;

        // `SDK-HMAC-SHA256 Access={ak}, SignedHeaders={h1;h2}, Signature={64 hex}`, allocated
        // once at its exact length (so that turning it into `Bytes` does not copy it).
        let names_len =
            signed.iter().map(|n| n.as_str().len()).sum::<usize>() + signed.len().saturating_sub(1);
        let mut value = Vec::with_capacity(
            ALGORITHM.len()
                + " Access=".len()
                + access_key_id.len()
                + ", SignedHeaders=".len()
                + names_len
                + ", Signature=".len()
                + 64,
        );
        value.extend_from_slice(ALGORITHM.as_bytes());
        value.extend_from_slice(b" Access=");
        value.extend_from_slice(access_key_id.as_bytes());
        value.extend_from_slice(b", SignedHeaders=");
        for (index, name) in signed.iter().enumerate() {
            if index > 0 {
                value.push(b';');
            }
            value.extend_from_slice(name.as_str().as_bytes());
        }
        value.extend_from_slice(b", Signature=");
        value.extend_from_slice(&hex_lower(&signature));
        debug_assert_eq!(value.len(), value.capacity());

        let mut value = HeaderValue::from_maybe_shared(Bytes::from(value))
            .map_err(|_| SignError::InvalidAccessKeyId)?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
        Ok(())
    }
}

/// Whether `id` can stand in `Access=…`: non-empty visible ASCII without `,` (which separates
/// the parts of the header).
fn is_valid_access_key_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_graphic() && b != b',')
}

/// Why a request could not be signed. No variant carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The access key id is empty or has characters an `Authorization` header cannot carry.
    #[error(
        "the access key id (AK) is empty or holds characters other than visible ASCII (or a ','); check the AK"
    )]
    InvalidAccessKeyId,
    /// The security token cannot be sent as an `X-Security-Token` header value.
    #[error(
        "the security token holds characters other than visible ASCII, so it cannot be sent as X-Security-Token; check that the whole token was copied"
    )]
    InvalidSecurityToken,
    /// A header to be signed has a value that is not visible ASCII.
    #[error(
        "the value of header `{name}` is not visible ASCII, which SDK-HMAC-SHA256 cannot sign; percent-encode it or leave the header out"
    )]
    InvalidHeaderValue {
        /// The name of the header.
        name: HeaderName,
    },
    /// The clock is outside the years 0000 to 9999.
    #[error(transparent)]
    ClockOutOfRange(#[from] DateOutOfRangeError),
}

/// As the official SDKs do: a body whose `Content-Type` is neither JSON nor BSON is declared
/// `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` and not hashed, unless the caller declared a value.
fn declare_unsigned_payload(headers: &mut HeaderMap) {
    let not_json = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            !ct.starts_with("application/json") && !ct.starts_with("application/bson")
        });
    if not_json && !headers.contains_key(X_SDK_CONTENT_SHA256) {
        headers.insert(
            X_SDK_CONTENT_SHA256,
            HeaderValue::from_static(UNSIGNED_PAYLOAD),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::MockClock;
    use std::time::{Duration, UNIX_EPOCH};

    fn date() -> SdkDate {
        "20060102T150405Z".parse().unwrap()
    }

    fn authorization(headers: &HeaderMap) -> &str {
        headers[AUTHORIZATION].to_str().unwrap()
    }

    #[test]
    fn sign_uses_the_clock() {
        let mut clock = MockClock::new();
        clock
            .expect_now()
            .times(1)
            .return_const(UNIX_EPOCH + Duration::from_secs(1_136_214_245));
        let signer = Signer::with_clock(Arc::new(clock));
        let mut request = Request::get("/path?limit=1")
            .body(Vec::<u8>::new())
            .unwrap();
        signer
            .sign(&mut request, &AccessKey::new("AccessKey", "SecretKey"))
            .unwrap();
        assert_eq!(request.headers()[X_SDK_DATE], "20060102T150405Z");
        assert_eq!(
            authorization(request.headers()),
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, \
             Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
        );
        assert!(request.headers()[AUTHORIZATION].is_sensitive());
    }

    #[test]
    fn bodies_that_are_not_json_are_declared_unsigned_as_the_sdks_do() {
        let uri: Uri = "https://example.com/v1/upload".parse().unwrap();
        let key = AccessKey::new("AccessKey", "SecretKey");
        let sign = |content_type: &str, body: &[u8]| {
            let mut headers = HeaderMap::new();
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_str(content_type).unwrap(),
            );
            Signer::new()
                .sign_parts(&Method::POST, &uri, &mut headers, body, &key, date())
                .unwrap();
            headers
        };
        let text = sign("text/plain", b"plain text body");
        assert_eq!(text[X_SDK_CONTENT_SHA256], UNSIGNED_PAYLOAD);
        assert!(authorization(&text).contains("x-sdk-content-sha256"));
        // The body is not part of the signature: another body signs the same.
        assert_eq!(
            authorization(&text),
            authorization(&sign("text/plain", b"another body"))
        );
        // JSON bodies are hashed and declare nothing.
        let json = sign("application/json;charset=UTF-8", b"{}");
        assert!(json.get(X_SDK_CONTENT_SHA256).is_none());
        assert_ne!(
            authorization(&json),
            authorization(&sign("application/json", b"{\"a\":1}"))
        );
    }

    #[test]
    fn clock_out_of_range_is_an_error() {
        let mut clock = MockClock::new();
        clock
            .expect_now()
            .return_const(UNIX_EPOCH + Duration::from_secs(300_000_000_000));
        let signer = Signer::with_clock(Arc::new(clock));
        let mut request = Request::get("/").body(Bytes::new()).unwrap();
        let error = signer
            .sign(&mut request, &AccessKey::new("ak", "sk"))
            .unwrap_err();
        assert!(matches!(error, SignError::ClockOutOfRange(_)));
        assert!(error.to_string().contains("check the clock"), "{error}");
        assert!(request.headers().is_empty());
    }

    #[test]
    fn names_with_underscores_are_not_signed() {
        let mut headers = HeaderMap::new();
        headers.insert("x_custom_header", HeaderValue::from_static("ignored"));
        headers.insert("x-custom", HeaderValue::from_static("  padded  "));
        Signer::new()
            .sign_parts(
                &Method::GET,
                &"/".parse().unwrap(),
                &mut headers,
                b"",
                &AccessKey::new("ak", "sk"),
                date(),
            )
            .unwrap();
        let value = authorization(&headers);
        assert!(
            value.contains("SignedHeaders=x-custom;x-sdk-date,"),
            "{value}"
        );
        assert_eq!(headers["x_custom_header"], "ignored");
    }

    #[test]
    fn security_token_is_set_before_signing() {
        let mut headers = HeaderMap::new();
        let key = AccessKey::new("ak", "sk").with_security_token("token-value");
        Signer::new()
            .sign_parts(
                &Method::GET,
                &"/".parse().unwrap(),
                &mut headers,
                b"",
                &key,
                date(),
            )
            .unwrap();
        assert_eq!(headers[X_SECURITY_TOKEN], "token-value");
        assert!(headers[X_SECURITY_TOKEN].is_sensitive());
        assert!(authorization(&headers).contains("SignedHeaders=x-sdk-date;x-security-token,"));
    }

    #[test]
    fn signing_again_replaces_the_authorization() {
        let key = AccessKey::new("ak", "sk");
        let uri: Uri = "/x".parse().unwrap();
        let mut once = HeaderMap::new();
        Signer::new()
            .sign_parts(&Method::PUT, &uri, &mut once, b"{}", &key, date())
            .unwrap();
        let mut twice = once.clone();
        Signer::new()
            .sign_parts(&Method::PUT, &uri, &mut twice, b"{}", &key, date())
            .unwrap();
        assert_eq!(once, twice);
        assert_eq!(twice.get_all(AUTHORIZATION).iter().count(), 1);
    }

    #[test]
    fn rejects_what_cannot_be_signed() {
        let uri: Uri = "/".parse().unwrap();
        let sign = |headers: &mut HeaderMap, key: &AccessKey| {
            Signer::new().sign_parts(&Method::GET, &uri, headers, b"", key, date())
        };
        let key = AccessKey::new("ak", "sk");
        let mut headers = HeaderMap::new();
        headers.insert("x-binary", HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap());
        let error = sign(&mut headers, &key).unwrap_err();
        assert_eq!(
            error,
            SignError::InvalidHeaderValue {
                name: HeaderName::from_static("x-binary")
            }
        );
        assert!(error.to_string().contains("x-binary"));
        assert!(!headers.contains_key(AUTHORIZATION));

        for bad in ["", "a b", "a,b", "é", "a\nb"] {
            let error = sign(&mut HeaderMap::new(), &AccessKey::new(bad, "sk")).unwrap_err();
            assert_eq!(error, SignError::InvalidAccessKeyId, "{bad:?}");
        }
        let error = sign(
            &mut HeaderMap::new(),
            &AccessKey::new("ak", "sk").with_security_token("secret\ntoken"),
        )
        .unwrap_err();
        assert_eq!(error, SignError::InvalidSecurityToken);
        assert!(!format!("{error} {error:?}").contains("secret"));
    }
}
