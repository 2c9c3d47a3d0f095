//! Parsing of `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.

use std::fmt;

use crate::encoding::decode_hex_32;
use crate::signature::ALGORITHM;
use crate::verify_error::VerifyError;

/// The parts of an `SDK-HMAC-SHA256` `Authorization` header, borrowed from the header text.
///
/// Made by [`parse_authorization`], which has checked every part's shape (not the signature).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AuthorizationHeader<'a> {
    access_key_id: &'a str,
    signed_headers: &'a str,
    signature: [u8; 32],
}

impl<'a> AuthorizationHeader<'a> {
    /// The access key id (AK), from `Access=`.
    #[must_use]
    pub fn access_key_id(&self) -> &'a str {
        self.access_key_id
    }

    /// The signed header names as written in `SignedHeaders=` (lowercase, joined by `;`).
    #[must_use]
    pub fn signed_headers(&self) -> &'a str {
        self.signed_headers
    }

    /// The signed header names, in the order listed.
    pub fn signed_header_names(&self) -> impl Iterator<Item = &'a str> + Clone + use<'a> {
        self.signed_headers.split(';')
    }

    /// Whether `name` (lowercase) is among the signed headers.
    #[must_use]
    pub fn is_signed(&self, name: &str) -> bool {
        self.signed_header_names().any(|listed| listed == name)
    }

    /// The 32 bytes of `Signature=` (written as 64 hex digits).
    #[must_use]
    pub fn signature(&self) -> &[u8; 32] {
        &self.signature
    }
}

impl fmt::Debug for AuthorizationHeader<'_> {
    /// Shows the access key id and the signed headers; the signature is left out, as
    /// `Authorization` headers are kept out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationHeader")
            .field("access_key_id", &self.access_key_id)
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
}

/// A part of the `Authorization` header, named in [`MalformedAuthorization`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizationField {
    /// `Access=`, the access key id.
    Access,
    /// `SignedHeaders=`, the signed header names.
    SignedHeaders,
    /// `Signature=`, the hex signature.
    Signature,
}

impl AuthorizationField {
    fn from_key(key: &str) -> Option<Self> {
        match key {
            "Access" => Some(Self::Access),
            "SignedHeaders" => Some(Self::SignedHeaders),
            "Signature" => Some(Self::Signature),
            _ => None,
        }
    }
}

impl fmt::Display for AuthorizationField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Access => "Access",
            Self::SignedHeaders => "SignedHeaders",
            Self::Signature => "Signature",
        })
    }
}

/// What is wrong with an `Authorization` header, in [`VerifyError::MalformedAuthorization`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedAuthorization {
    /// The header is empty or only whitespace.
    #[error("it is empty")]
    Empty,
    /// The header holds bytes that are not visible ASCII.
    #[error("it holds bytes that are not visible ASCII")]
    NotAscii,
    /// Nothing follows the algorithm name.
    #[error("nothing follows the algorithm name")]
    NoCredentials,
    /// A comma-separated part is not `Name=value`.
    #[error("a part is not `Name=value`")]
    PartWithoutEquals,
    /// A part's name is not `Access`, `SignedHeaders` or `Signature`.
    #[error("a part is named other than Access, SignedHeaders or Signature")]
    UnknownField,
    /// A part appears twice.
    #[error("{0} appears more than once")]
    DuplicateField(AuthorizationField),
    /// A required part is absent.
    #[error("{0}= is missing")]
    MissingField(AuthorizationField),
    /// A part has an empty value.
    #[error("{0}= is empty")]
    EmptyField(AuthorizationField),
    /// `Access` holds whitespace.
    #[error("Access= holds whitespace")]
    InvalidAccessKeyId,
    /// `SignedHeaders` lists an empty name or one that is not a lowercase header name.
    #[error(
        "SignedHeaders lists an empty or invalid name (expected lowercase header names joined by ';')"
    )]
    InvalidSignedHeaderName,
    /// `Signature` is not 64 hex digits.
    #[error("Signature= is not 64 hex digits")]
    InvalidSignature,
}

/// Whether `name` is a lowercase HTTP header name (an RFC 9110 token without uppercase).
fn is_lowercase_header_name(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_lowercase()
                || b.is_ascii_digit()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// How much of an unsupported algorithm name an error repeats: a short word made of letters,
/// digits and `-`, so that a bare token sent by mistake is not echoed into logs.
fn printable_algorithm(algorithm: &str) -> Option<String> {
    (algorithm.len() <= 24
        && algorithm
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    .then(|| algorithm.to_owned())
}

/// Parses an `Authorization` header value of the form
/// `SDK-HMAC-SHA256 Access={AK}, SignedHeaders={h1;h2}, Signature={64 hex digits}`.
///
/// The three parts may come in any order, separated by `,` with optional spaces around them.
/// Nothing is looked up or verified here; every input, however malformed, gives an error rather
/// than a panic.
///
/// ```
/// use api_auth::parse_authorization;
///
/// let header = parse_authorization(
///     "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, \
///      Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
/// )?;
/// assert_eq!(header.access_key_id(), "AccessKey");
/// assert_eq!(header.signed_header_names().collect::<Vec<_>>(), ["x-sdk-date"]);
/// assert!(parse_authorization("Bearer abc").is_err());
/// # Ok::<(), api_auth::VerifyError>(())
/// ```
///
/// # Errors
///
/// [`VerifyError::UnsupportedAlgorithm`] when the first word is not `SDK-HMAC-SHA256`, and
/// [`VerifyError::MalformedAuthorization`] (saying which part is wrong) for everything else.
pub fn parse_authorization(value: &str) -> Result<AuthorizationHeader<'_>, VerifyError> {
    use MalformedAuthorization as M;
    let malformed = VerifyError::MalformedAuthorization;

    if !value
        .bytes()
        .all(|b| b.is_ascii_graphic() || b == b' ' || b == b'\t')
    {
        return Err(malformed(M::NotAscii));
    }
    let value = value.trim_matches([' ', '\t']);
    if value.is_empty() {
        return Err(malformed(M::Empty));
    }
    let (algorithm, credentials) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    if algorithm != ALGORITHM {
        return Err(VerifyError::UnsupportedAlgorithm {
            found: printable_algorithm(algorithm),
        });
    }
    let credentials = credentials.trim_matches([' ', '\t']);
    if credentials.is_empty() {
        return Err(malformed(M::NoCredentials));
    }

    let mut access = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in credentials.split(',') {
        let part = part.trim_matches([' ', '\t']);
        let (key, field_value) = part
            .split_once('=')
            .ok_or(malformed(M::PartWithoutEquals))?;
        let field = AuthorizationField::from_key(key).ok_or(malformed(M::UnknownField))?;
        let slot = match field {
            AuthorizationField::Access => &mut access,
            AuthorizationField::SignedHeaders => &mut signed_headers,
            AuthorizationField::Signature => &mut signature,
        };
        if slot.replace(field_value).is_some() {
            return Err(malformed(M::DuplicateField(field)));
        }
        if field_value.is_empty() {
            return Err(malformed(M::EmptyField(field)));
        }
    }

    let access_key_id = access.ok_or(malformed(M::MissingField(AuthorizationField::Access)))?;
    if access_key_id.contains([' ', '\t']) {
        return Err(malformed(M::InvalidAccessKeyId));
    }
    let signed_headers = signed_headers.ok_or(malformed(M::MissingField(
        AuthorizationField::SignedHeaders,
    )))?;
    if !signed_headers.split(';').all(is_lowercase_header_name) {
        return Err(malformed(M::InvalidSignedHeaderName));
    }
    let signature = signature.ok_or(malformed(M::MissingField(AuthorizationField::Signature)))?;
    let signature = decode_hex_32(signature).ok_or(malformed(M::InvalidSignature))?;
    Ok(AuthorizationHeader {
        access_key_id,
        signed_headers,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::hex_lower;

    const SIGNATURE: &str = "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624";

    fn malformed(value: &str) -> MalformedAuthorization {
        match parse_authorization(value) {
            Err(VerifyError::MalformedAuthorization(why)) => why,
            other => panic!("{value:?}: {other:?}"),
        }
    }

    #[test]
    fn parses_what_the_signer_writes() {
        let value = format!(
            "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature={SIGNATURE}"
        );
        let header = parse_authorization(&value).unwrap();
        assert_eq!(header.access_key_id(), "QTWAOYTTINDUT2QVKYUC");
        assert_eq!(header.signed_headers(), "content-type;host;x-sdk-date");
        assert_eq!(
            header.signed_header_names().collect::<Vec<_>>(),
            ["content-type", "host", "x-sdk-date"]
        );
        assert!(header.is_signed("host"));
        assert!(!header.is_signed("x-security-token"));
        assert_eq!(&hex_lower(header.signature()), SIGNATURE.as_bytes());
        let debug = format!("{header:?}");
        assert!(!debug.contains(SIGNATURE), "{debug}");
    }

    #[test]
    fn accepts_any_order_and_spacing() {
        let value = format!(
            "  SDK-HMAC-SHA256   Signature={}\t,SignedHeaders=x-sdk-date ,  Access=ak  ",
            SIGNATURE.to_uppercase()
        );
        let header = parse_authorization(&value).unwrap();
        assert_eq!(header.access_key_id(), "ak");
        assert_eq!(&hex_lower(header.signature()), SIGNATURE.as_bytes());
    }

    #[test]
    fn names_the_broken_part() {
        use AuthorizationField::*;
        use MalformedAuthorization as M;
        let sig = SIGNATURE;
        assert_eq!(malformed(""), M::Empty);
        assert_eq!(malformed("   "), M::Empty);
        assert_eq!(malformed("SDK-HMAC-SHA256"), M::NoCredentials);
        assert_eq!(malformed("SDK-HMAC-SHA256 \u{e9}"), M::NotAscii);
        assert_eq!(malformed("SDK-HMAC-SHA256 Access=a\nb"), M::NotAscii);
        assert_eq!(malformed("SDK-HMAC-SHA256 Access"), M::PartWithoutEquals);
        assert_eq!(
            malformed("SDK-HMAC-SHA256 Access=a b, SignedHeaders=x, Signature=s"),
            M::InvalidAccessKeyId
        );
        assert_eq!(malformed("SDK-HMAC-SHA256 Credential=a"), M::UnknownField);
        assert_eq!(
            malformed("SDK-HMAC-SHA256 Access=a, Access=b"),
            M::DuplicateField(Access)
        );
        assert_eq!(
            malformed("SDK-HMAC-SHA256 Access=, SignedHeaders=x"),
            M::EmptyField(Access)
        );
        assert_eq!(
            malformed(&format!("SDK-HMAC-SHA256 SignedHeaders=x, Signature={sig}")),
            M::MissingField(Access)
        );
        assert_eq!(
            malformed(&format!("SDK-HMAC-SHA256 Access=a, Signature={sig}")),
            M::MissingField(SignedHeaders)
        );
        assert_eq!(
            malformed("SDK-HMAC-SHA256 Access=a, SignedHeaders=x"),
            M::MissingField(Signature)
        );
        for names in ["x;;y", "X-Sdk-Date", "x;", "a:b", "a\"b"] {
            assert_eq!(
                malformed(&format!(
                    "SDK-HMAC-SHA256 Access=a, SignedHeaders={names}, Signature={sig}"
                )),
                M::InvalidSignedHeaderName,
                "{names}"
            );
        }
        for bad in [
            "abc",
            &sig[1..],
            &sig.replace('a', "x"),
            &format!("{sig}00"),
        ] {
            assert_eq!(
                malformed(&format!(
                    "SDK-HMAC-SHA256 Access=a, SignedHeaders=x, Signature={bad}"
                )),
                M::InvalidSignature
            );
        }
        assert_eq!(
            malformed("SDK-HMAC-SHA256 Access=a,, SignedHeaders=x"),
            M::PartWithoutEquals
        );
    }

    #[test]
    fn other_algorithms_are_unsupported() {
        let found = |value: &str| match parse_authorization(value) {
            Err(VerifyError::UnsupportedAlgorithm { found }) => found,
            other => panic!("{value:?}: {other:?}"),
        };
        assert_eq!(found("Bearer abc"), Some("Bearer".to_owned()));
        assert_eq!(
            found("AWS4-HMAC-SHA256 Credential=x"),
            Some("AWS4-HMAC-SHA256".to_owned())
        );
        assert_eq!(
            found("sdk-hmac-sha256 Access=a"),
            Some("sdk-hmac-sha256".to_owned())
        );
        // A long bare token is not repeated in the error.
        let token = "MIIEhwYJKoZIhvcNAQcCoIIEeDCCBHQCAQExDTALBglghkgBZQMEAgEw";
        assert_eq!(found(token), None);
        assert!(
            !parse_authorization(token)
                .unwrap_err()
                .to_string()
                .contains("MIIE")
        );
    }
}
