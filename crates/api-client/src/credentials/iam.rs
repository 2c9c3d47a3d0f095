//! `IamPasswordSource`: fetches project-scoped IAM tokens with a user name and password.

use std::{fmt, time::Duration};

use api_model::{Endpoint, ProjectId};
use api_transport::{SharedTransport, Transport};
use bytes::Bytes;
use http::{Method, Request, header};

use super::{CredentialsError, IamToken, TokenGrant, TokenSource};

/// How long IAM tokens are valid: 24 hours from issue.
const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
const SOURCE: &str = "IAM (POST /v3/auth/tokens)";

/// Gets IAM tokens with the password method, scoped to one project:
/// `POST https://iam.{region}.myhuaweicloud.com/v3/auth/tokens`, token from `X-Subject-Token`.
///
/// Wrap it in [`RefreshingToken`](super::RefreshingToken) so that a token is fetched once and
/// renewed before its 24 hours are up. The password never appears in `Debug` or errors, and
/// it is wiped from memory when the source is dropped.
///
/// A plain `http://` IAM endpoint is refused unless its host is this machine (the password
/// would cross the network in the clear), as the client refuses such a service endpoint;
/// [`allow_insecure_http`](Self::allow_insecure_http) opts in for a trusted network.
/// Timeouts, connection failures, 429 and 5xx replies are
/// [`Unavailable`](CredentialsError::Unavailable): the client tries again on its next attempt.
pub struct IamPasswordSource {
    transport: SharedTransport,
    iam: Endpoint,
    domain: String,
    user: String,
    password: zeroize::Zeroizing<String>,
    project_id: ProjectId,
    allow_insecure_http: bool,
}

impl IamPasswordSource {
    /// A source for `user` of account `domain`, scoped to `project_id`, asking the IAM endpoint
    /// `iam` (e.g. `https://iam.cn-north-4.myhuaweicloud.com`) through `transport`.
    pub fn new(
        transport: SharedTransport,
        iam: Endpoint,
        domain: impl Into<String>,
        user: impl Into<String>,
        password: impl Into<String>,
        project_id: ProjectId,
    ) -> Self {
        Self {
            transport,
            iam,
            domain: domain.into(),
            user: user.into(),
            password: zeroize::Zeroizing::new(password.into()),
            project_id,
            allow_insecure_http: false,
        }
    }

    /// Allows a plain `http://` IAM endpoint on another host (the password crosses the
    /// network in the clear): only for a trusted network.
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    fn request(&self) -> Result<Request<Bytes>, CredentialsError> {
        let body = serde_json::json!({
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": { "user": {
                        "name": self.user,
                        "password": self.password.as_str(),
                        "domain": { "name": self.domain }
                    } }
                },
                "scope": { "project": { "id": self.project_id } }
            }
        });
        let uri = self.iam.uri_for("/v3/auth/tokens").map_err(|e| {
            CredentialsError::Unusable(format!("bad IAM endpoint {}: {e}", self.iam))
        })?;
        Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json;charset=utf8")
            .body(Bytes::from(body.to_string()))
            .map_err(|e| CredentialsError::Unusable(format!("cannot build the IAM request: {e}")))
    }
}

impl fmt::Debug for IamPasswordSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IamPasswordSource")
            .field("iam", &self.iam.to_string())
            .field("domain", &self.domain)
            .field("user", &self.user)
            .field("password", &"***")
            .field("project_id", &self.project_id)
            .finish()
    }
}

#[async_trait::async_trait]
impl TokenSource for IamPasswordSource {
    async fn fetch(&self) -> Result<TokenGrant, CredentialsError> {
        let fail = |reason: String| CredentialsError::Source {
            source_name: SOURCE,
            reason,
        };
        let unavailable = |reason: String| CredentialsError::Unavailable {
            source_name: SOURCE,
            reason,
        };
        if !self.iam.is_https() && !self.iam.is_loopback() && !self.allow_insecure_http {
            return Err(CredentialsError::Unusable(format!(
                "refusing to send a password over plain http to {}: use https (or allow \
                 insecure http for a trusted network)",
                self.iam
            )));
        }
        let request = self.request()?;
        let response = self.transport.send(request).await.map_err(|e| {
            if crate::retry::transport_error_is_transient(&e) {
                unavailable(e.to_string())
            } else {
                fail(e.to_string())
            }
        })?;
        if !response.status().is_success() {
            let status = response.status();
            let err =
                api_model::ServiceError::from_reply(status, response.headers(), response.body());
            if crate::retry::status_is_transient(status.as_u16()) {
                return Err(unavailable(err.to_string()));
            }
            return Err(fail(format!(
                "{err}. Check the user name, password and account (domain) name, and the project id"
            )));
        }
        let token = response
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                fail(format!(
                    "the reply ({}) has no X-Subject-Token header",
                    response.status()
                ))
            })?;
        Ok(TokenGrant {
            token: IamToken::new(token),
            valid_for: TOKEN_LIFETIME,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_transport::test_util::ReplayTransport;
    use http::Response;

    fn source(replay: &ReplayTransport) -> IamPasswordSource {
        IamPasswordSource::new(
            SharedTransport::new(replay.clone()),
            "https://iam.cn-north-4.myhuaweicloud.com".parse().unwrap(),
            "my-account",
            "alice",
            "p4ssw0rd-secret",
            "a4a5d4098fb4474fa22cd05f897d6b99".parse().unwrap(),
        )
    }

    #[tokio::test]
    async fn sends_the_password_method_and_reads_the_subject_token() {
        let replay = ReplayTransport::new([Ok(Response::builder()
            .status(201)
            .header("x-subject-token", "MIIT-token")
            .body(Bytes::from_static(
                br#"{"token":{"expires_at":"2026-11-29T00:00:00.000000Z"}}"#,
            ))
            .unwrap())]);
        let grant = source(&replay).fetch().await.unwrap();
        assert_eq!(grant.token.expose(), "MIIT-token");
        assert_eq!(grant.valid_for, TOKEN_LIFETIME);
        let sent = replay.requests();
        assert_eq!(sent[0].method(), Method::POST);
        assert_eq!(
            sent[0].uri(),
            "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens"
        );
        let body: serde_json::Value = serde_json::from_slice(sent[0].body()).unwrap();
        assert_eq!(
            body["auth"]["identity"]["password"]["user"]["name"],
            "alice"
        );
        assert_eq!(
            body["auth"]["scope"]["project"]["id"],
            "a4a5d4098fb4474fa22cd05f897d6b99"
        );
    }

    #[tokio::test]
    async fn refusals_name_the_cause_but_not_the_password() {
        let replay = ReplayTransport::new([Ok(Response::builder()
            .status(401)
            .body(Bytes::from_static(
                br#"{"error":{"code":"IAM.0004","message":"bad password"}}"#,
            ))
            .unwrap())]);
        let src = source(&replay);
        let err = src.fetch().await.unwrap_err().to_string();
        assert!(
            err.contains("IAM.0004") && err.contains("password"),
            "{err}"
        );
        assert!(!err.contains("p4ssw0rd-secret"));
        assert!(!format!("{src:?}").contains("p4ssw0rd-secret"));
    }
}
