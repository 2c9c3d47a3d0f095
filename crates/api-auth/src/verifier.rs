//! `Verifier`: the server side, which checks a request's `SDK-HMAC-SHA256` signature and date.

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::AUTHORIZATION;
use http::{HeaderMap, Method, Request, Uri};
use subtle::ConstantTimeEq;

use crate::authorization::{MalformedAuthorization, parse_authorization};
use crate::canonical::RequestParts;
use crate::clock::{Clock, SystemClock};
use crate::credentials::{SecretKey, SecurityToken};
use crate::date::SdkDate;
use crate::signature::{compute_signature, payload_hash};
use crate::verify_error::{SkewDirection, VerifyError};
use crate::{X_SDK_DATE, X_SECURITY_TOKEN};

/// The clock skew a [`Verifier`] allows by default: 15 minutes either way.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// Finds the secret key (SK) of an access key id (AK), for the [`Verifier`].
///
/// Any `Fn(&str) -> Option<SecretKey> + Send + Sync` closure is one, and so is a
/// `HashMap<String, SecretKey>` from access key ids to their secrets.
pub trait SecretKeyLookup: Send + Sync {
    /// The secret key of `access_key_id`, or `None` when the id is unknown.
    fn secret_key(&self, access_key_id: &str) -> Option<SecretKey>;
}

impl<F> SecretKeyLookup for F
where
    F: Fn(&str) -> Option<SecretKey> + Send + Sync,
{
    fn secret_key(&self, access_key_id: &str) -> Option<SecretKey> {
        self(access_key_id)
    }
}

impl<S> SecretKeyLookup for HashMap<String, SecretKey, S>
where
    S: BuildHasher + Send + Sync,
{
    fn secret_key(&self, access_key_id: &str) -> Option<SecretKey> {
        self.get(access_key_id).cloned()
    }
}

/// Checks `SDK-HMAC-SHA256` signatures on the server side.
///
/// For a request it:
/// 1. parses `Authorization` ([`parse_authorization`]);
/// 2. requires `x-sdk-date` (and `x-security-token`, when sent) among the signed headers, so that
///    neither can be changed without breaking the signature;
/// 3. parses `X-Sdk-Date` and checks it is within the allowed skew of the verifier's [`Clock`]
///    (default [`DEFAULT_MAX_SKEW`]);
/// 4. looks up the secret key of the access key id;
/// 5. recomputes the signature from the method, URI, body and the listed signed headers (each of
///    which must be present) and compares it with the one sent, in constant time.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use api_auth::{AccessKey, SecretKey, Signer, Verifier, VerifyError};
///
/// let verifier = Verifier::new(|ak: &str| (ak == "my-ak").then(|| SecretKey::new("my-sk")))
///     .with_max_skew(Duration::from_secs(300));
///
/// let mut request = http::Request::post("http://localhost:8080/v2/p/processor-tasks")
///     .header("host", "localhost:8080")
///     .body(bytes::Bytes::from_static(b"{}"))?;
/// Signer::new().sign(&mut request, &AccessKey::new("my-ak", "my-sk"))?;
/// assert_eq!(verifier.verify(&request)?.access_key_id(), "my-ak");
///
/// Signer::new().sign(&mut request, &AccessKey::new("my-ak", "wrong-sk"))?;
/// assert!(matches!(verifier.verify(&request), Err(VerifyError::SignatureMismatch { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    lookup: Arc<dyn SecretKeyLookup>,
    clock: Arc<dyn Clock>,
    max_skew: Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("clock", &self.clock)
            .field("max_skew", &self.max_skew)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier that finds secret keys with `lookup`, reads the [`SystemClock`] and allows
    /// [`DEFAULT_MAX_SKEW`].
    pub fn new(lookup: impl SecretKeyLookup + 'static) -> Self {
        Self {
            lookup: Arc::new(lookup),
            clock: Arc::new(SystemClock),
            max_skew: DEFAULT_MAX_SKEW,
        }
    }

    /// The same verifier reading `clock` (a fixed or mock clock in tests).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The same verifier allowing `X-Sdk-Date` to be at most `max_skew` ahead of or behind its
    /// clock.
    #[must_use]
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// The largest clock skew allowed either way.
    #[must_use]
    pub fn max_skew(&self) -> Duration {
        self.max_skew
    }

    /// Verifies a whole request.
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] saying what is wrong and what to check.
    pub fn verify<B: AsRef<[u8]>>(&self, request: &Request<B>) -> Result<Verified, VerifyError> {
        self.verify_parts(
            request.method(),
            request.uri(),
            request.headers(),
            request.body().as_ref(),
        )
    }

    /// Verifies a request given as parts, as received.
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] saying what is wrong and what to check.
    pub fn verify_parts(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Verified, VerifyError> {
        let authorization = headers
            .get(AUTHORIZATION)
            .ok_or(VerifyError::MissingAuthorization)?
            .to_str()
            .map_err(|_| VerifyError::MalformedAuthorization(MalformedAuthorization::NotAscii))?;
        let authorization = parse_authorization(authorization)?;

        if !authorization.is_signed(X_SDK_DATE.as_str()) {
            return Err(VerifyError::HeaderNotSigned { name: X_SDK_DATE });
        }
        let token = headers.get(X_SECURITY_TOKEN);
        if token.is_some() && !authorization.is_signed(X_SECURITY_TOKEN.as_str()) {
            return Err(VerifyError::HeaderNotSigned {
                name: X_SECURITY_TOKEN,
            });
        }

        let date_text = headers
            .get(X_SDK_DATE)
            .ok_or(VerifyError::MissingDate)?
            .as_bytes();
        let date: SdkDate = std::str::from_utf8(date_text)
            .map_err(|_| {
                VerifyError::MalformedDate(crate::ParseSdkDateError::UnexpectedCharacter {
                    position: date_text.iter().position(|b| !b.is_ascii()).unwrap_or(0),
                })
            })?
            .parse()
            .map_err(VerifyError::MalformedDate)?;
        self.check_skew(date, self.clock.now())?;

        let access_key_id = authorization.access_key_id();
        let secret =
            self.lookup
                .secret_key(access_key_id)
                .ok_or_else(|| VerifyError::UnknownAccessKey {
                    access_key_id: access_key_id.to_owned(),
                })?;

        let payload = payload_hash(headers, body);
        let parts = RequestParts {
            method,
            uri,
            headers,
            body_sha256: payload.as_bytes(),
        };
        // Parsing is strict, so these are the 16 bytes of the header as sent.
        let date_bytes = date.to_bytes();
        let expected = compute_signature(
            &secret,
            &date_bytes,
            &parts,
            authorization.signed_header_names(),
        )
        .map_err(|missing| VerifyError::SignedHeaderMissing { name: missing.0 })?;
        if !bool::from(expected.ct_eq(authorization.signature())) {
            return Err(VerifyError::SignatureMismatch {
                access_key_id: access_key_id.to_owned(),
            });
        }

        Ok(Verified {
            access_key_id: access_key_id.to_owned(),
            security_token: token
                .and_then(|value| value.to_str().ok())
                .map(SecurityToken::new),
            date,
        })
    }

    fn check_skew(&self, date: SdkDate, now: SystemTime) -> Result<(), VerifyError> {
        // In integer nanoseconds, so that no date (year 0 included) can overflow a `SystemTime`.
        let now_nanos = match now.duration_since(UNIX_EPOCH) {
            Ok(after) => i128::try_from(after.as_nanos()).unwrap_or(i128::MAX),
            Err(before) => -i128::try_from(before.duration().as_nanos()).unwrap_or(i128::MAX),
        };
        let difference = i128::from(date.unix_seconds()) * 1_000_000_000 - now_nanos;
        let direction = if difference > 0 {
            SkewDirection::Ahead
        } else {
            SkewDirection::Behind
        };
        // The date has whole seconds: the clock's fraction of a second does not count.
        let seconds = difference.unsigned_abs() / 1_000_000_000;
        let offset = Duration::from_secs(u64::try_from(seconds).unwrap_or(u64::MAX));
        if offset > self.max_skew {
            return Err(VerifyError::DateOutsideSkew {
                date,
                offset,
                direction,
                max_skew: self.max_skew,
            });
        }
        Ok(())
    }
}

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    access_key_id: String,
    security_token: Option<SecurityToken>,
    date: SdkDate,
}

impl Verified {
    /// The access key id (AK) that signed the request; map it to a user or project.
    #[must_use]
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The signed `X-Security-Token` of temporary credentials, when the request carried one.
    /// The verifier does not judge the token: check it against the credentials it belongs to.
    #[must_use]
    pub fn security_token(&self) -> Option<&SecurityToken> {
        self.security_token.as_ref()
    }

    /// The request's `X-Sdk-Date`.
    #[must_use]
    pub fn date(&self) -> SdkDate {
        self.date
    }
}

#[cfg(test)]
mod tests;
