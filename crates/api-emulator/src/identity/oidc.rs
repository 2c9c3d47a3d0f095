//! STS: `POST /v5/agencies/assume-with-oidc`, unsigned, trading an OIDC id token for an
//! agency's temporary credentials.

use http::StatusCode;
use serde_json::{Value, json};

use crate::identity::{Identity, json_object, non_empty, seconds};
use crate::reply::Reply;

/// The fields that must be non-empty strings, in the order the SDKs send them.
const REQUIRED: [&str; 4] = [
    "provider_urn",
    "agency_urn",
    "agency_session_name",
    "id_token",
];

/// `400 STS.0001`.
fn invalid(detail: &str) -> Reply {
    Reply::error_code(
        StatusCode::BAD_REQUEST,
        "STS.0001",
        &format!("Invalid request: {detail}."),
    )
}

/// `200 {"credentials": {"access_key_id", "secret_access_key", "security_token",
/// "expiration"}}`, valid for `duration_seconds` (or the credential TTL, when it was set and is
/// shorter); `400 STS.0001` for a body that is not a JSON object, a required field missing or
/// empty, a `duration_seconds` that is not a whole number above 0, or a `policy` (string) or
/// `policy_ids` (array of strings) of another type.
pub(crate) fn assume(identity: &Identity, body: &[u8]) -> Reply {
    let Some(object) = json_object(body) else {
        return invalid("the body must be a JSON object");
    };
    let request = Value::Object(object);
    for field in REQUIRED {
        if non_empty(&request, &format!("/{field}")).is_none() {
            return invalid(&format!("{field} must be a non-empty string"));
        }
    }
    let duration = match seconds(&request, "/duration_seconds") {
        Ok(Some(duration)) => duration,
        _ => return invalid("duration_seconds must be a whole number of seconds above 0"),
    };
    if request
        .get("policy")
        .is_some_and(|policy| !policy.is_string())
    {
        return invalid("policy must be a string");
    }
    let policy_ids_ok = request.get("policy_ids").is_none_or(|ids| {
        ids.as_array()
            .is_some_and(|ids| ids.iter().all(Value::is_string))
    });
    if !policy_ids_ok {
        return invalid("policy_ids must be an array of strings");
    }
    let credential = identity.issue(Some(duration));
    identity.counters.oidc_credential();
    Reply::ok(&json!({
        "credentials": {
            "access_key_id": credential.access,
            "secret_access_key": credential.secret.as_str(),
            "security_token": credential.token.expose(),
            "expiration": identity.expiry_text(credential.expires_at),
        }
    }))
}
