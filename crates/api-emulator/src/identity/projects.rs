//! IAM project discovery: `GET /v3/projects?name=<region>`, signed with AK/SK.

use api_model::ErrorCode;
use http::request::Parts;
use http::{HeaderName, HeaderValue};
use serde_json::json;

use crate::auth::Authenticator;
use crate::demo::DEMO_DOMAIN_ID;
use crate::handlers::query_value;
use crate::identity::{Identity, invalid_parameter, random};
use crate::reply::Reply;
use crate::stats::Stats;

/// The header IAM puts its trace id in (the SDKs quote it in their errors).
const X_IAM_TRACE_ID: HeaderName = HeaderName::from_static("x-iam-trace-id");

/// `200 {"projects": [{"id", "name", "domain_id", "enabled"}…], "links": {}}` with the
/// region's projects (by default one, the identity project); `401 APIG.0301` unless signed by
/// an AK/SK the emulator accepts (static, or issued with its security token and not expired;
/// no project check); `400 IAM.0007` without `name`. Every answer has `X-IAM-Trace-Id`.
pub(crate) fn list(
    identity: &Identity,
    parts: &Parts,
    body: &[u8],
    auth: &Authenticator,
    stats: &Stats,
) -> Reply {
    identity.counters.project_lookup();
    let reply = match auth.authenticate_signed(&parts.method, &parts.uri, &parts.headers, body) {
        Err(failure) => {
            stats.auth_failed();
            Reply::error(&ErrorCode::IncorrectIamAuthentication, failure.to_string())
        }
        Ok(_) => match query_value(parts.uri.query(), "name").filter(|name| !name.is_empty()) {
            None => invalid_parameter("name (the region id, a query parameter)"),
            Some(region) => {
                let projects: Vec<_> = identity
                    .config
                    .projects_of(&region, &identity.project)
                    .iter()
                    .map(|project| {
                        json!({
                            "id": project.as_str(),
                            "name": region,
                            "domain_id": DEMO_DOMAIN_ID,
                            "enabled": true,
                        })
                    })
                    .collect();
                Reply::ok(&json!({"projects": projects, "links": {}}))
            }
        },
    };
    // 32 hex digits are always a valid header value.
    let trace = HeaderValue::from_str(&random::hex_id()).unwrap_or(HeaderValue::from_static("0"));
    reply.with_header(X_IAM_TRACE_ID, trace)
}
