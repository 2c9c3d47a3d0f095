//! IAM federated id-token mode: an id token for an unscoped subject token
//! (`POST /v3.0/OS-AUTH/id-token/tokens`), then the subject token for temporary credentials
//! (`POST /v3.0/OS-CREDENTIAL/securitytokens`); both unsigned.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde_json::{Value, json};

use crate::demo::DEMO_DOMAIN_ID;
use crate::identity::{
    Identity, expiry, header, invalid_parameter, json_object, non_empty, random, seconds,
    unauthorized,
};
use crate::reply::Reply;

/// The header the identity provider's id is sent in.
const X_IDP_ID: &str = "x-idp-id";

/// The header IAM returns tokens in.
const X_SUBJECT_TOKEN: HeaderName = HeaderName::from_static("x-subject-token");

/// How long a subject token is valid, as IAM's tokens are.
const SUBJECT_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The length of a subject token.
const SUBJECT_TOKEN_LEN: usize = 256;

/// The subject tokens issued, with their expiry. `Debug` shows how many, never a token.
#[derive(Default)]
pub(crate) struct SubjectTokens(Mutex<HashMap<String, SystemTime>>);

impl fmt::Debug for SubjectTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SubjectTokens")
            .field(&self.lock().len())
            .finish()
    }
}

impl SubjectTokens {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, SystemTime>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `201` with the subject token in `X-Subject-Token` and `{"token": {"expires_at",
/// "issued_at", "methods", "user"}}`; `400 IAM.0007` without an `X-Idp-Id` or a non-empty
/// `auth.id_token.id`.
pub(crate) fn token(identity: &Identity, headers: &HeaderMap, body: &[u8]) -> Reply {
    let Some(idp) = header(headers, X_IDP_ID) else {
        return invalid_parameter("X-Idp-Id (the identity provider's id, a header)");
    };
    let Some(request) = json_object(body).map(Value::Object) else {
        return invalid_parameter("body (a JSON object)");
    };
    if non_empty(&request, "/auth/id_token/id").is_none() {
        return invalid_parameter("auth.id_token.id");
    }
    let now = identity.now();
    let expires_at = expiry::expiry(now, SUBJECT_TOKEN_LIFETIME);
    let token = random::token(SUBJECT_TOKEN_LEN);
    let Ok(header_value) = HeaderValue::from_str(&token) else {
        return Reply::error_code(
            StatusCode::INTERNAL_SERVER_ERROR,
            "IAM.0006",
            "Internal error: the token is not a header value.",
        );
    };
    {
        let mut tokens = identity.subject_tokens.lock();
        tokens.retain(|_, expires_at| *expires_at > now);
        tokens.insert(token, expires_at);
    }
    identity.counters.federated_token();
    let body = json!({
        "token": {
            "expires_at": identity.expiry_text(expires_at),
            "issued_at": identity.expiry_text(expiry::expiry(now, Duration::ZERO)),
            "methods": ["mapped"],
            "user": {
                "id": random::hex_id(),
                "name": "emulator-federated-user",
                "domain": {"id": DEMO_DOMAIN_ID, "name": "emulator"},
                "OS-FEDERATION": {
                    "identity_provider": {"id": idp},
                    "protocol": {"id": "oidc"},
                    "groups": [],
                },
            },
        }
    });
    Reply::json_value(StatusCode::CREATED, &body).with_header(X_SUBJECT_TOKEN, header_value)
}

/// `201 {"credential": {"access", "secret", "securitytoken", "expires_at"}}`, valid for
/// `duration_seconds` (or the credential TTL, when it was set and is shorter, or when none is
/// asked for); `400 IAM.0007` when `auth.identity.methods` lacks `"token"`, `token.id` is not a
/// non-empty string or `duration_seconds` not a whole number above 0; `401` for a subject token
/// this emulator did not issue, or one that has expired.
pub(crate) fn credentials(identity: &Identity, body: &[u8]) -> Reply {
    let Some(request) = json_object(body).map(Value::Object) else {
        return invalid_parameter("body (a JSON object)");
    };
    let by_token = request
        .pointer("/auth/identity/methods")
        .and_then(Value::as_array)
        .is_some_and(|methods| methods.iter().any(|method| method == "token"));
    if !by_token {
        return invalid_parameter("auth.identity.methods (must hold \"token\")");
    }
    let Some(subject) = non_empty(&request, "/auth/identity/token/id") else {
        return invalid_parameter("auth.identity.token.id");
    };
    let Ok(duration) = seconds(&request, "/auth/identity/token/duration_seconds") else {
        return invalid_parameter("auth.identity.token.duration_seconds");
    };
    let now = identity.now();
    let valid = identity
        .subject_tokens
        .lock()
        .get(subject)
        .is_some_and(|expires_at| now < *expires_at);
    if !valid {
        return unauthorized(
            "the subject token is unknown or has expired; get a new one from POST /v3.0/OS-AUTH/id-token/tokens",
        );
    }
    let credential = identity.issue(duration);
    identity.counters.federated_credential();
    Reply::json_value(
        StatusCode::CREATED,
        &identity.keystone_credential(&credential),
    )
}
