//! Credentials: the access key id (AK), its secret key (SK) and an optional security token.
//!
//! Secrets never reach `Debug` or `Display`: they print as `SecretKey(***)` and `SecurityToken(***)`.

use std::{fmt, sync::Arc};

use crate::digest::{HmacKey, HmacState};

/// A secret access key (SK), the HMAC key of `SDK-HMAC-SHA256`.
///
/// It keeps only the HMAC state derived from the key (computed once, so each signature costs
/// less), never prints it, offers no way to read the key back, and wipes that state (and each
/// signature's copy of it) from memory when dropped.
///
/// ```
/// use api_auth::SecretKey;
///
/// let sk = SecretKey::new("MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc");
/// assert_eq!(format!("{sk:?}"), "SecretKey(***)");
/// ```
#[derive(Clone)]
pub struct SecretKey {
    /// HMAC-SHA256 with the key already absorbed (its inner and outer pad blocks).
    keyed_mac: Arc<HmacKey>,
}

impl SecretKey {
    /// A secret key from its bytes (usually the 40 ASCII characters of an SK).
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Self {
            keyed_mac: Arc::new(HmacKey::new(secret.as_ref())),
        }
    }

    /// A fresh HMAC-SHA256 keyed with this secret.
    pub(crate) fn mac(&self) -> HmacState {
        self.keyed_mac.start()
    }
}

impl From<&str> for SecretKey {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

impl From<String> for SecretKey {
    fn from(secret: String) -> Self {
        Self::new(secret)
    }
}

impl From<&[u8]> for SecretKey {
    fn from(secret: &[u8]) -> Self {
        Self::new(secret)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// A security token of temporary credentials, sent (and signed) as `X-Security-Token`.
///
/// `Debug` prints `SecurityToken(***)`; [`SecurityToken::expose`] gives the value to whoever
/// really needs it. It is wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct SecurityToken(zeroize::Zeroizing<String>);

impl SecurityToken {
    /// A token from its text.
    pub fn new(token: impl Into<String>) -> Self {
        Self(zeroize::Zeroizing::new(token.into()))
    }

    /// The token itself. Keep it out of logs.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecurityToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecurityToken(***)")
    }
}

/// An access key: the public id (AK), its secret (SK) and, for temporary credentials, a
/// security token.
///
/// `Debug` and `Display` show the id only.
///
/// ```
/// use api_auth::AccessKey;
///
/// let key = AccessKey::new("QTWAOYTTINDUT2QVKYUC", "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc")
///     .with_security_token("temporary-token");
/// assert_eq!(key.id(), "QTWAOYTTINDUT2QVKYUC");
/// assert_eq!(key.to_string(), "QTWAOYTTINDUT2QVKYUC");
/// let debug = format!("{key:?}");
/// assert!(!debug.contains("MFyf") && !debug.contains("temporary-token"));
/// ```
#[derive(Clone)]
pub struct AccessKey {
    id: String,
    secret: SecretKey,
    security_token: Option<SecurityToken>,
}

impl AccessKey {
    /// An access key from its id (AK) and secret (SK).
    pub fn new(id: impl Into<String>, secret: impl Into<SecretKey>) -> Self {
        Self {
            id: id.into(),
            secret: secret.into(),
            security_token: None,
        }
    }

    /// The same key with the security token of temporary credentials; the signer then sends
    /// and signs `X-Security-Token`.
    #[must_use]
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(SecurityToken::new(token));
        self
    }

    /// The access key id (AK).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The secret key (SK).
    #[must_use]
    pub fn secret(&self) -> &SecretKey {
        &self.secret
    }

    /// The security token, for temporary credentials.
    #[must_use]
    pub fn security_token(&self) -> Option<&SecurityToken> {
        self.security_token.as_ref()
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("id", &self.id)
            .field("secret", &self.secret)
            .field("security_token", &self.security_token)
            .finish()
    }
}

impl fmt::Display for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{KeyInit, Mac};

    fn mac_of(key: &SecretKey, message: &[u8]) -> [u8; 32] {
        let mut mac = key.mac();
        mac.update(message);
        mac.finish()
    }

    const SK: &str = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
    const TOKEN: &str = "gQpjbi1ub3J0aC00jIsecret-token-value";

    #[test]
    fn debug_and_display_show_no_secret() {
        let key = AccessKey::new("QTWAOYTTINDUT2QVKYUC", SK).with_security_token(TOKEN);
        let debug = format!("{key:?}");
        let pretty = format!("{key:#?}");
        let display = key.to_string();
        for shown in [&debug, &pretty, &display] {
            assert!(!shown.contains(SK), "{shown}");
            assert!(!shown.contains(TOKEN), "{shown}");
            assert!(!shown.contains("MFyf"), "{shown}");
        }
        assert_eq!(
            debug,
            "AccessKey { id: \"QTWAOYTTINDUT2QVKYUC\", secret: SecretKey(***), security_token: Some(SecurityToken(***)) }"
        );
        assert_eq!(display, "QTWAOYTTINDUT2QVKYUC");
        assert_eq!(format!("{:?}", key.secret()), "SecretKey(***)");
        assert_eq!(
            format!("{:?}", key.security_token()),
            "Some(SecurityToken(***))"
        );
        assert_eq!(key.security_token().map(SecurityToken::expose), Some(TOKEN));
    }

    #[test]
    fn keyed_mac_matches_plain_hmac_for_any_key_length() {
        for length in [0, 1, 40, 63, 64, 65, 200] {
            let secret = vec![b'k'; length];
            let ours = mac_of(&SecretKey::new(&secret), b"message");
            let plain = hmac::Hmac::<sha2::Sha256>::new_from_slice(&secret)
                .unwrap()
                .chain_update(b"message")
                .finalize();
            assert_eq!(
                ours,
                <[u8; 32]>::from(plain.into_bytes()),
                "key length {length}"
            );
        }
    }

    #[test]
    fn conversions() {
        let a = mac_of(&SecretKey::from("k"), b"m");
        let b = mac_of(&SecretKey::from(String::from("k")), b"m");
        let c = mac_of(&SecretKey::from(&b"k"[..]), b"m");
        assert_eq!(a, b);
        assert_eq!(a, c);
        let key = AccessKey::new("ak", "sk");
        assert!(key.security_token().is_none());
        assert_eq!(key.id(), "ak");
    }
}
