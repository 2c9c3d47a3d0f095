//! The ECS metadata service: session tokens (`PUT /meta-data/latest/api/token`) and the
//! instance agency's temporary credentials (`GET /openstack/latest/securitykey`).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};

use crate::identity::{Identity, random};
use crate::reply::Reply;

/// The header a session token is sent in.
const X_METADATA_TOKEN: &str = "x-metadata-token";

/// The header the PUT asks for a session token's lifetime in.
const X_METADATA_TOKEN_TTL_SECONDS: &str = "x-metadata-token-ttl-seconds";

/// The longest session token lifetime, in seconds (6 hours, what the SDKs ask for).
const MAX_TOKEN_TTL_SECONDS: u64 = 21_600;

/// The text of the 401 that clients must not retry.
pub(crate) const AGENCY_MISSING: &str = "Please configure Cloud Service Agency first";

/// The length of a session token.
const SESSION_TOKEN_LEN: usize = 56;

/// The session tokens issued, with their expiry, and whether one is still to be expired.
/// `Debug` shows how many, never a token.
pub(crate) struct Sessions {
    tokens: Mutex<HashMap<String, SystemTime>>,
    expire_once: AtomicBool,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("tokens", &self.lock().len())
            .field("expire_once", &self.expire_once)
            .finish()
    }
}

impl Sessions {
    pub(crate) fn new(expire_once: bool) -> Self {
        Self {
            tokens: Mutex::new(HashMap::new()),
            expire_once: AtomicBool::new(expire_once),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, SystemTime>> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `PUT /meta-data/latest/api/token`: `200` with a new session token as text; `404` when
/// tokens are not supported; `400` without a valid `X-Metadata-Token-Ttl-Seconds`.
pub(crate) fn put_token(identity: &Identity, headers: &HeaderMap) -> Reply {
    identity.counters.metadata_token_put();
    if !identity.config.metadata_token_supported {
        return Reply::text(StatusCode::NOT_FOUND, "404 Not Found");
    }
    let ttl = headers
        .get(X_METADATA_TOKEN_TTL_SECONDS)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse::<u64>().ok())
        .filter(|seconds| (1..=MAX_TOKEN_TTL_SECONDS).contains(seconds));
    let Some(ttl) = ttl else {
        return Reply::text(
            StatusCode::BAD_REQUEST,
            format!(
                "400 Bad Request: X-Metadata-Token-Ttl-Seconds must be a number of seconds from 1 to {MAX_TOKEN_TTL_SECONDS}"
            ),
        );
    };
    let now = identity.now();
    let token = random::token(SESSION_TOKEN_LEN);
    let expires_at = now.checked_add(Duration::from_secs(ttl)).unwrap_or(now);
    let mut tokens = identity.sessions.lock();
    tokens.retain(|_, expires_at| *expires_at > now);
    tokens.insert(token.clone(), expires_at);
    Reply::text(StatusCode::OK, token)
}

/// `GET /openstack/latest/securitykey`: `200 {"credential": …}`; `401` (text) for a missing
/// (when required), unknown or expired session token, or an instance without an agency.
pub(crate) fn security_key(identity: &Identity, headers: &HeaderMap) -> Reply {
    let config = &identity.config;
    match headers.get(X_METADATA_TOKEN) {
        Some(value) => {
            let token = value.to_str().ok();
            let sessions = &identity.sessions;
            if sessions.expire_once.swap(false, Ordering::Relaxed) {
                if let Some(token) = token {
                    sessions.lock().remove(token);
                }
                return Reply::text(
                    StatusCode::UNAUTHORIZED,
                    "401 Unauthorized: the metadata session token has expired; get a new one with PUT /meta-data/latest/api/token",
                );
            }
            let now = identity.now();
            let valid = token
                .and_then(|token| sessions.lock().get(token).copied())
                .is_some_and(|expires_at| now < expires_at);
            if !valid {
                return Reply::text(
                    StatusCode::UNAUTHORIZED,
                    "401 Unauthorized: the X-Metadata-Token is unknown or has expired; get a new one with PUT /meta-data/latest/api/token",
                );
            }
        }
        None if config.metadata_token_required => {
            return Reply::text(
                StatusCode::UNAUTHORIZED,
                "401 Unauthorized: this metadata service needs an X-Metadata-Token; get one with PUT /meta-data/latest/api/token",
            );
        }
        None => {}
    }
    if config.metadata_agency_missing {
        return Reply::text(
            StatusCode::UNAUTHORIZED,
            format!("401 Unauthorized: {AGENCY_MISSING}"),
        );
    }
    let credential = identity.issue(None);
    identity.counters.metadata_credential();
    Reply::ok(&identity.keystone_credential(&credential))
}
