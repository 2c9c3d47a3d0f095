//! CCE pod identity: `POST /v1/credentials`, authorized by the pod's token.

use http::HeaderMap;
use http::header::AUTHORIZATION;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::identity::{Identity, invalid_parameter, json_object, random, unauthorized};
use crate::reply::Reply;

/// The agency, audience and subject the replies name (the SDKs ignore them).
const ASSUMED_AGENCY: &str = "emulator-agency";
const AUDIENCE: &str = "sts.myhuaweicloud.com";
const SUBJECT: &str = "system:serviceaccount:default:emulator";

/// `200 {"credentials": {"accessKeyId", "secretAccessKey", "securityToken", "expiration"},
/// "assumedAgency", "audience", "podIdentityAssociationId", "subject"}`; `401` for a missing or
/// other `Authorization`; `400` for a body that is not a JSON object.
pub(crate) fn credentials(identity: &Identity, headers: &HeaderMap, body: &[u8]) -> Reply {
    let Some(sent) = headers.get(AUTHORIZATION) else {
        return unauthorized(
            "pod identity needs the pod's token as Authorization (the raw value, no scheme)",
        );
    };
    let expected = identity.config.pod_identity_token.as_bytes();
    if !bool::from(sent.as_bytes().ct_eq(expected)) {
        return unauthorized("the pod identity token is not valid");
    }
    if json_object(body).is_none() {
        return invalid_parameter("body (a JSON object, {})");
    }
    let credential = identity.issue(None);
    identity.counters.pod_credential();
    Reply::ok(&json!({
        "credentials": {
            "accessKeyId": credential.access,
            "secretAccessKey": credential.secret.as_str(),
            "securityToken": credential.token.expose(),
            "expiration": identity.expiry_text(credential.expires_at),
        },
        "assumedAgency": ASSUMED_AGENCY,
        "audience": AUDIENCE,
        "podIdentityAssociationId": random::hex_id(),
        "subject": SUBJECT,
    }))
}
