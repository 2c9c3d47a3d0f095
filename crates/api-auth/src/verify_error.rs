//! `VerifyError`: why a request's `SDK-HMAC-SHA256` signature was not accepted, and what to check.

use std::fmt;
use std::time::Duration;

use http::HeaderName;

use crate::authorization::MalformedAuthorization;
use crate::date::{ParseSdkDateError, SdkDate};

/// Why the [`Verifier`](crate::Verifier) (or [`parse_authorization`](crate::parse_authorization))
/// rejected a request.
///
/// Messages say what to check; none carries a secret key, a security token or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The request has no `Authorization` header.
    #[error(
        "the request has no Authorization header; sign it with SDK-HMAC-SHA256 (AK/SK) before sending"
    )]
    MissingAuthorization,
    /// The `Authorization` header is not `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.
    #[error(
        "the Authorization header is malformed: {0}; expected `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<64 hex digits>`"
    )]
    MalformedAuthorization(MalformedAuthorization),
    /// The `Authorization` header names another scheme than `SDK-HMAC-SHA256`.
    #[error(
        "the Authorization header uses {}, but only SDK-HMAC-SHA256 (AK/SK signing) is supported",
        found.as_deref().unwrap_or("an unrecognized scheme")
    )]
    UnsupportedAlgorithm {
        /// The scheme's name, when it is a short word (a long token is not repeated).
        found: Option<String>,
    },
    /// A header that must be signed is sent but not listed in `SignedHeaders`.
    #[error(
        "the header `{name}` is not among the SignedHeaders, so it could be changed in transit; the signer must sign it"
    )]
    HeaderNotSigned {
        /// The unsigned header (`x-sdk-date` or `x-security-token`).
        name: HeaderName,
    },
    /// A header listed in `SignedHeaders` is not in the request.
    #[error(
        "the header `{name}` is listed in SignedHeaders but missing from the request; a proxy may have removed it, or the signer listed a header it did not send"
    )]
    SignedHeaderMissing {
        /// The missing header's name, as listed.
        name: String,
    },
    /// The request has no `X-Sdk-Date` header.
    #[error(
        "the request has no X-Sdk-Date header; the signer sets it to the UTC signing time, YYYYMMDDTHHMMSSZ"
    )]
    MissingDate,
    /// `X-Sdk-Date` is not `YYYYMMDDTHHMMSSZ`.
    #[error("the X-Sdk-Date header is malformed: {0}")]
    MalformedDate(ParseSdkDateError),
    /// `X-Sdk-Date` is further from the verifier's clock than the allowed skew.
    #[error(
        "X-Sdk-Date {date} is {} {direction} the server's clock, more than the allowed {}; check the client's clock (NTP) and sign requests just before sending them",
        Human(*offset),
        Human(*max_skew)
    )]
    DateOutsideSkew {
        /// The date the request carries.
        date: SdkDate,
        /// How far it is from the verifier's clock.
        offset: Duration,
        /// Whether it is ahead of or behind the verifier's clock.
        direction: SkewDirection,
        /// The largest offset allowed either way.
        max_skew: Duration,
    },
    /// No secret key is known for the access key id.
    #[error(
        "the access key id (AK) `{access_key_id}` is unknown; check the AK, and that it has not been deleted"
    )]
    UnknownAccessKey {
        /// The access key id from `Access=`.
        access_key_id: String,
    },
    /// The signature does not match the one computed from the request.
    #[error(
        "the signature does not match the request for access key id `{access_key_id}`; check the secret key (SK), and that nothing (proxy, client) changed the method, path, query, signed headers or body after signing"
    )]
    SignatureMismatch {
        /// The access key id from `Access=`.
        access_key_id: String,
    },
}

/// Which way an `X-Sdk-Date` is off, in [`VerifyError::DateOutsideSkew`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkewDirection {
    /// The date is in the verifier's future: the client's clock runs fast.
    Ahead,
    /// The date is in the verifier's past: the client's clock runs slow, or the request is old
    /// (delayed or replayed).
    Behind,
}

impl fmt::Display for SkewDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ahead => "ahead of",
            Self::Behind => "behind",
        })
    }
}

/// A duration written for people: `1h 2m 3s`, `15m`, `0s` (whole seconds).
struct Human(Duration);

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.0.as_secs();
        let (days, hours, minutes, seconds) = (
            total / 86_400,
            total / 3600 % 24,
            total / 60 % 60,
            total % 60,
        );
        let mut written = false;
        for (value, unit) in [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")] {
            if value > 0 {
                if written {
                    f.write_str(" ")?;
                }
                write!(f, "{value}{unit}")?;
                written = true;
            }
        }
        if !written {
            f.write_str("0s")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations() {
        let human = |secs| Human(Duration::from_secs(secs)).to_string();
        assert_eq!(human(0), "0s");
        assert_eq!(human(900), "15m");
        assert_eq!(human(1000), "16m 40s");
        assert_eq!(human(3723), "1h 2m 3s");
        assert_eq!(human(90_061), "1d 1h 1m 1s");
        assert_eq!(Human(Duration::from_millis(999)).to_string(), "0s");
    }

    #[test]
    fn skew_message_says_how_much_and_the_window() {
        let error = VerifyError::DateOutsideSkew {
            date: "20060102T150405Z".parse().unwrap(),
            offset: Duration::from_secs(1000),
            direction: SkewDirection::Behind,
            max_skew: Duration::from_secs(900),
        };
        assert_eq!(
            error.to_string(),
            "X-Sdk-Date 20060102T150405Z is 16m 40s behind the server's clock, more than the allowed 15m; \
             check the client's clock (NTP) and sign requests just before sending them"
        );
    }

    #[test]
    fn unsupported_algorithm_message() {
        let named = VerifyError::UnsupportedAlgorithm {
            found: Some("Bearer".into()),
        };
        assert!(
            named
                .to_string()
                .starts_with("the Authorization header uses Bearer,")
        );
        let unnamed = VerifyError::UnsupportedAlgorithm { found: None };
        assert!(unnamed.to_string().contains("an unrecognized scheme"));
    }
}
