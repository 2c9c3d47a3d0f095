//! The identity endpoints the official SDKs' credential chain calls (ECS metadata, pod
//! identity, STS OIDC, IAM federated id-token and project discovery), on the emulator's own
//! address, issuing temporary credentials the processor-tasks routes accept.

#[cfg(feature = "cli")]
mod args;
mod config;
mod expiry;
mod federated;
mod issue;
mod metadata;
mod oidc;
mod pod;
mod projects;
mod random;
mod stats;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use api_auth::Clock;
use api_model::{ErrorCode, ProjectId};
use http::request::Parts;
use http::{HeaderMap, Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::auth::Authenticator;
use crate::reply::Reply;
use crate::stats::Stats;

#[cfg(feature = "cli")]
pub use args::{IdentityArgs, RegionProjects};
pub use config::{DEFAULT_CREDENTIAL_TTL, IdentityConfig};
pub(crate) use issue::IssuedCredentials;
use issue::NewCredential;
pub use stats::IdentityStats;

/// An identity endpoint; matched on the method and the exact path, before the processor-tasks
/// routes (a path of another shape falls through to them, and so to `404 APIG.0101`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdentityRoute {
    /// `PUT /meta-data/latest/api/token`
    MetadataToken,
    /// `GET /openstack/latest/securitykey`
    MetadataSecurityKey,
    /// `POST /v1/credentials`
    PodCredentials,
    /// `POST /v5/agencies/assume-with-oidc`
    AssumeWithOidc,
    /// `POST /v3.0/OS-AUTH/id-token/tokens`
    FederatedToken,
    /// `POST /v3.0/OS-CREDENTIAL/securitytokens`
    FederatedCredentials,
    /// `GET /v3/projects`
    ListProjects,
}

impl IdentityRoute {
    /// The identity route of `method` and the raw `path` (no query), if any.
    pub(crate) fn matching(method: &Method, path: &str) -> Option<Self> {
        let route = match (method, path) {
            (&Method::PUT, "/meta-data/latest/api/token") => Self::MetadataToken,
            (&Method::GET, "/openstack/latest/securitykey") => Self::MetadataSecurityKey,
            (&Method::POST, "/v1/credentials") => Self::PodCredentials,
            (&Method::POST, "/v5/agencies/assume-with-oidc") => Self::AssumeWithOidc,
            (&Method::POST, "/v3.0/OS-AUTH/id-token/tokens") => Self::FederatedToken,
            (&Method::POST, "/v3.0/OS-CREDENTIAL/securitytokens") => Self::FederatedCredentials,
            (&Method::GET, "/v3/projects") => Self::ListProjects,
            _ => return None,
        };
        Some(route)
    }

    /// A name for logs.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::MetadataToken => "MetadataToken",
            Self::MetadataSecurityKey => "MetadataSecurityKey",
            Self::PodCredentials => "PodIdentityCredentials",
            Self::AssumeWithOidc => "AssumeAgencyWithOidc",
            Self::FederatedToken => "CreateTokenByIdToken",
            Self::FederatedCredentials => "CreateTemporaryAccessKeyByToken",
            Self::ListProjects => "KeystoneListProjects",
        }
    }
}

/// The identity endpoints' state: the configuration, the clock, what was issued, counters.
#[derive(Debug)]
pub(crate) struct Identity {
    config: IdentityConfig,
    /// The project issued credentials are bound to.
    project: ProjectId,
    clock: Arc<dyn Clock>,
    issued: Arc<IssuedCredentials>,
    sessions: metadata::Sessions,
    subject_tokens: federated::SubjectTokens,
    counters: stats::Counters,
}

impl Identity {
    /// Serves `config`, binding credentials issued into `issued` to `project`, reading time from
    /// `clock`.
    pub(crate) fn new(
        config: IdentityConfig,
        project: ProjectId,
        clock: Arc<dyn Clock>,
        issued: Arc<IssuedCredentials>,
    ) -> Self {
        let sessions = metadata::Sessions::new(config.metadata_expire_tokens_once);
        Self {
            config,
            project,
            clock,
            issued,
            sessions,
            subject_tokens: federated::SubjectTokens::default(),
            counters: stats::Counters::default(),
        }
    }

    /// Answers a request to `route` (its body already read).
    pub(crate) fn handle(
        &self,
        route: IdentityRoute,
        parts: &Parts,
        body: &[u8],
        auth: &Authenticator,
        stats: &Stats,
    ) -> Reply {
        let reply = match route {
            IdentityRoute::MetadataToken => metadata::put_token(self, &parts.headers),
            IdentityRoute::MetadataSecurityKey => metadata::security_key(self, &parts.headers),
            IdentityRoute::PodCredentials => pod::credentials(self, &parts.headers, body),
            IdentityRoute::AssumeWithOidc => oidc::assume(self, body),
            IdentityRoute::FederatedToken => federated::token(self, &parts.headers, body),
            IdentityRoute::FederatedCredentials => federated::credentials(self, body),
            IdentityRoute::ListProjects => projects::list(self, parts, body, auth, stats),
        };
        if reply.status.is_client_error() {
            self.counters.refused();
        }
        reply
    }

    /// The counters so far.
    pub(crate) fn stats(&self) -> IdentityStats {
        self.counters
            .snapshot(self.issued.accepted(), self.issued.expired())
    }

    fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// Issues a credential for a client that asked for `requested` (or nothing).
    fn issue(&self, requested: Option<Duration>) -> NewCredential {
        self.issued
            .issue(self.now(), self.config.lifetime(requested))
    }

    /// `at` as the replies write expiries.
    fn expiry_text(&self, at: SystemTime) -> String {
        expiry::format(at, !self.config.expiry_without_fraction)
    }

    /// `{"credential": {"access", "secret", "securitytoken", "expires_at"}}`: the shape of the
    /// metadata service and of IAM.
    fn keystone_credential(&self, credential: &NewCredential) -> Value {
        json!({
            "credential": {
                "access": credential.access,
                "secret": credential.secret.as_str(),
                "securitytoken": credential.token.expose(),
                "expires_at": self.expiry_text(credential.expires_at),
            }
        })
    }
}

/// `400 IAM.0007`: a parameter is missing or invalid.
fn invalid_parameter(detail: &str) -> Reply {
    Reply::error_code(
        StatusCode::BAD_REQUEST,
        "IAM.0007",
        &format!("Request parameter {detail} is invalid."),
    )
}

/// `401 APIG.0301`, the gateway's answer to credentials it refuses.
fn unauthorized(detail: &str) -> Reply {
    Reply::error(
        &ErrorCode::IncorrectIamAuthentication,
        format!("Incorrect IAM authentication information: {detail}"),
    )
}

/// The body as a JSON object; an empty body is `{}`.
fn json_object(body: &[u8]) -> Option<Map<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Some(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Some(object),
        _ => None,
    }
}

/// The non-empty string at `pointer` (`/a/b`) in `value`.
fn non_empty<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|text| !text.trim().is_empty())
}

/// A whole number of seconds, at least 1, at `pointer`: `Ok(None)` when absent.
fn seconds(value: &Value, pointer: &str) -> Result<Option<Duration>, ()> {
    match value.pointer(pointer) {
        None => Ok(None),
        Some(found) => match found.as_u64() {
            Some(seconds) if seconds > 0 => Ok(Some(Duration::from_secs(seconds))),
            _ => Err(()),
        },
    }
}

/// The header's value, when it is text and not blank.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .filter(|text| !text.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_exact_paths_and_methods() {
        for (method, path, route) in [
            (
                Method::PUT,
                "/meta-data/latest/api/token",
                IdentityRoute::MetadataToken,
            ),
            (
                Method::GET,
                "/openstack/latest/securitykey",
                IdentityRoute::MetadataSecurityKey,
            ),
            (
                Method::POST,
                "/v1/credentials",
                IdentityRoute::PodCredentials,
            ),
            (
                Method::POST,
                "/v5/agencies/assume-with-oidc",
                IdentityRoute::AssumeWithOidc,
            ),
            (
                Method::POST,
                "/v3.0/OS-AUTH/id-token/tokens",
                IdentityRoute::FederatedToken,
            ),
            (
                Method::POST,
                "/v3.0/OS-CREDENTIAL/securitytokens",
                IdentityRoute::FederatedCredentials,
            ),
            (Method::GET, "/v3/projects", IdentityRoute::ListProjects),
        ] {
            assert_eq!(
                IdentityRoute::matching(&method, path),
                Some(route),
                "{method} {path}"
            );
            assert!(!route.name().is_empty());
        }
        for (method, path) in [
            (Method::GET, "/meta-data/latest/api/token"),
            (Method::POST, "/openstack/latest/securitykey"),
            (Method::GET, "/v1/credentials"),
            (Method::POST, "/v1/credentials/"),
            (Method::GET, "/v3/projects/"),
            (Method::POST, "/v3/projects"),
            (Method::GET, "/v3/projects/x"),
            (
                Method::GET,
                "/v2/a4a5d4098fb4474fa22cd05f897d6b99/processor-tasks",
            ),
        ] {
            assert_eq!(
                IdentityRoute::matching(&method, path),
                None,
                "{method} {path}"
            );
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let identity = Identity::new(
            IdentityConfig::new().pod_identity_token("pod-secret-token"),
            crate::demo::demo_project_id(),
            Arc::new(api_auth::SystemClock),
            Arc::default(),
        );
        let credential = identity.issue(None);
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-metadata-token-ttl-seconds",
            http::HeaderValue::from_static("60"),
        );
        headers.insert("x-idp-id", http::HeaderValue::from_static("idp"));
        let session = metadata::put_token(&identity, &headers);
        let subject = federated::token(&identity, &headers, br#"{"auth":{"id_token":{"id":"t"}}}"#);
        let subject = subject
            .headers
            .iter()
            .find(|(name, _)| name == "x-subject-token")
            .map(|(_, value)| value.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        assert!(!subject.is_empty() && !session.body.is_empty());
        let debug = format!("{identity:?}");
        for secret in [
            "pod-secret-token",
            std::str::from_utf8(&session.body).unwrap_or_default(),
            &subject,
            credential.secret.as_str(),
            credential.token.expose(),
        ] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }

    #[test]
    fn request_helpers() {
        assert_eq!(json_object(b""), Some(Map::new()));
        assert_eq!(json_object(b" \n"), Some(Map::new()));
        assert!(json_object(b"[]").is_none());
        assert!(json_object(b"{").is_none());
        let value = json!({"a": {"b": " ", "c": "x", "n": 5, "z": 0, "f": 1.5, "s": "7"}});
        assert_eq!(non_empty(&value, "/a/b"), None);
        assert_eq!(non_empty(&value, "/a/c"), Some("x"));
        assert_eq!(non_empty(&value, "/a/n"), None);
        assert_eq!(seconds(&value, "/a/n"), Ok(Some(Duration::from_secs(5))));
        assert_eq!(seconds(&value, "/a/missing"), Ok(None));
        for bad in ["/a/z", "/a/f", "/a/s"] {
            assert_eq!(seconds(&value, bad), Err(()), "{bad}");
        }
        let mut headers = HeaderMap::new();
        headers.insert("x-a", http::HeaderValue::from_static("  "));
        headers.insert("x-b", http::HeaderValue::from_static("v"));
        assert_eq!(header(&headers, "x-a"), None);
        assert_eq!(header(&headers, "x-b"), Some("v"));
        assert_eq!(header(&headers, "x-c"), None);
    }
}
