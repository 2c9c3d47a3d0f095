//! Temporary credentials: issued with random AK/SK/security tokens, and remembered so that
//! requests signed with them are accepted, with their token, until they expire.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use api_auth::{SecretKey, SecurityToken};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::auth::AuthFailure;
use crate::identity::{expiry, random};

/// How long an expired credential is remembered, so that it is refused as expired rather
/// than as unknown.
const REMEMBER_EXPIRED: Duration = Duration::from_secs(24 * 3600);

/// A credential the emulator issued.
struct Entry {
    secret: SecretKey,
    token: SecurityToken,
    expires_at: SystemTime,
}

/// A credential just issued, for the reply. `Debug` shows the access key id only.
pub(crate) struct NewCredential {
    pub(crate) access: String,
    pub(crate) secret: Zeroizing<String>,
    pub(crate) token: SecurityToken,
    pub(crate) expires_at: SystemTime,
}

impl fmt::Debug for NewCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewCredential")
            .field("access", &self.access)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Every temporary credential issued, by access key id; shared by the identity routes (which
/// add to it) and the authenticator (which reads it).
#[derive(Default)]
pub(crate) struct IssuedCredentials {
    entries: Mutex<HashMap<String, Entry>>,
    accepted: AtomicU64,
    expired: AtomicU64,
}

impl fmt::Debug for IssuedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCredentials")
            .field("count", &self.lock().len())
            .finish_non_exhaustive()
    }
}

impl IssuedCredentials {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // The map stays consistent whatever panicked while holding it.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Issues a credential valid from `now` for `lifetime`.
    pub(crate) fn issue(&self, now: SystemTime, lifetime: Duration) -> NewCredential {
        let credential = NewCredential {
            access: random::access_key_id(),
            secret: Zeroizing::new(random::secret_key()),
            token: SecurityToken::new(random::security_token()),
            expires_at: expiry::expiry(now, lifetime),
        };
        let mut entries = self.lock();
        entries.retain(|_, entry| {
            entry
                .expires_at
                .checked_add(REMEMBER_EXPIRED)
                .is_none_or(|forget_at| forget_at > now)
        });
        entries.insert(
            credential.access.clone(),
            Entry {
                secret: SecretKey::new(credential.secret.as_bytes()),
                token: credential.token.clone(),
                expires_at: credential.expires_at,
            },
        );
        credential
    }

    /// The secret key of an issued access key id.
    pub(crate) fn secret_key(&self, access_key_id: &str) -> Option<SecretKey> {
        self.lock()
            .get(access_key_id)
            .map(|entry| entry.secret.clone())
    }

    /// `None` when `access_key_id` was not issued here; else whether a request signed with it
    /// and carrying `token` is accepted at `now`.
    pub(crate) fn check(
        &self,
        access_key_id: &str,
        token: Option<&SecurityToken>,
        now: SystemTime,
    ) -> Option<Result<(), AuthFailure>> {
        let entries = self.lock();
        let entry = entries.get(access_key_id)?;
        let Some(token) = token else {
            return Some(Err(AuthFailure::SecurityTokenMissing));
        };
        let same = token
            .expose()
            .as_bytes()
            .ct_eq(entry.token.expose().as_bytes());
        if !bool::from(same) {
            return Some(Err(AuthFailure::SecurityTokenMismatch));
        }
        if now >= entry.expires_at {
            self.expired.fetch_add(1, Ordering::Relaxed);
            return Some(Err(AuthFailure::SecurityTokenExpired));
        }
        self.accepted.fetch_add(1, Ordering::Relaxed);
        Some(Ok(()))
    }

    /// Requests accepted with an issued credential so far.
    pub(crate) fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Requests refused because their issued credential had expired.
    pub(crate) fn expired(&self) -> u64 {
        self.expired.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    #[test]
    fn issued_credentials_need_their_token_and_expire() {
        let issued = IssuedCredentials::default();
        let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let credential = issued.issue(start, Duration::from_secs(60));
        assert_eq!(credential.expires_at, start + Duration::from_secs(60));
        let debug = format!("{credential:?} {issued:?}");
        assert!(
            !debug.contains(credential.secret.as_str())
                && !debug.contains(credential.token.expose()),
            "{debug}"
        );
        assert!(issued.secret_key(&credential.access).is_some());
        assert!(issued.secret_key("OTHER").is_none());
        let token = credential.token.clone();
        assert_eq!(issued.check("OTHER", Some(&token), start), None);
        assert_eq!(
            issued.check(&credential.access, Some(&token), start),
            Some(Ok(()))
        );
        assert_eq!(
            issued.check(&credential.access, None, start),
            Some(Err(AuthFailure::SecurityTokenMissing))
        );
        assert_eq!(
            issued.check(&credential.access, Some(&SecurityToken::new("x")), start),
            Some(Err(AuthFailure::SecurityTokenMismatch))
        );
        let later = start + Duration::from_secs(60);
        assert_eq!(
            issued.check(&credential.access, Some(&token), later),
            Some(Err(AuthFailure::SecurityTokenExpired))
        );
        assert_eq!((issued.accepted(), issued.expired()), (1, 1));
    }

    #[test]
    fn long_expired_credentials_are_forgotten() {
        let issued = IssuedCredentials::default();
        let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let old = issued.issue(start, Duration::from_secs(1));
        let _recent = issued.issue(start + Duration::from_secs(3600), Duration::from_secs(1));
        assert!(issued.secret_key(&old.access).is_some());
        let _new = issued.issue(start + REMEMBER_EXPIRED * 2, Duration::from_secs(1));
        assert!(issued.secret_key(&old.access).is_none());
    }
}
