//! `MetadataSource`: temporary credentials of an ECS's agency, from the metadata service.

use std::{
    fmt,
    sync::{Mutex, PoisonError},
    time::Duration,
};

use api_transport::SharedTransport;
use bytes::Bytes;
use http::{Method, StatusCode};
use zeroize::Zeroizing;

use super::{
    CredentialsError, CredentialsSource, TemporaryCredentials,
    fetch::{build, exchange, refused},
    reply::credentials_in,
};
use crate::{Environment, Origin};

/// The metadata service's base URL, `HUAWEICLOUD_SDK_METADATA_ENDPOINT` (for tests and unusual
/// networks; the official SDKs have no such variable).
pub const ENV_METADATA_ENDPOINT: &str = "HUAWEICLOUD_SDK_METADATA_ENDPOINT";
/// Set to `true` to skip the metadata service in the default chain (like
/// `AWS_EC2_METADATA_DISABLED`).
pub const ENV_METADATA_DISABLED: &str = "HUAWEICLOUD_SDK_METADATA_DISABLED";
/// The metadata service of every ECS.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://169.254.169.254";
/// How long each metadata request may take, connection included. Off an ECS, the address does
/// not answer, and this is what the default chain spends finding out.
pub const METADATA_TIMEOUT: Duration = Duration::from_secs(1);

const SOURCE: &str = "ECS metadata";
const AGENCY_MISSING: &str = "Please configure Cloud Service Agency first";

/// Fetches the temporary credentials of the ECS's agency, as the official SDKs do:
/// `PUT /meta-data/latest/api/token` for a session token (kept until the service refuses it),
/// then `GET /openstack/latest/securitykey` with it. A 401 gets one new session token and one
/// more try, unless it says no agency is configured. A service without session tokens (404, 405
/// or 503 to the PUT) is asked without one.
///
/// Wrap it in [`RefreshingCredentials`](super::RefreshingCredentials).
pub struct MetadataSource {
    transport: SharedTransport,
    base: String,
    token: Mutex<Option<Zeroizing<String>>>,
    /// When the service last said it has no session tokens (404, 405, 503 to the PUT).
    tokenless_since: Mutex<Option<std::time::Instant>>,
}

/// How long a service without session tokens is asked without one before the PUT is tried
/// again, as in the official SDKs.
const TOKENLESS_RECHECK: Duration = Duration::from_secs(24 * 3600);

impl MetadataSource {
    /// Asks the service at `base` (e.g. [`DEFAULT_METADATA_ENDPOINT`]) through `transport`.
    pub fn new(transport: SharedTransport, base: impl Into<String>) -> Self {
        Self {
            transport,
            base: base.into().trim_end_matches('/').to_owned(),
            token: Mutex::new(None),
            tokenless_since: Mutex::new(None),
        }
    }

    /// Asks the service `HUAWEICLOUD_SDK_METADATA_ENDPOINT` names, else the default one.
    pub fn from_env(transport: SharedTransport, env: &Environment) -> Self {
        let base = env
            .var(ENV_METADATA_ENDPOINT)
            .unwrap_or_else(|| DEFAULT_METADATA_ENDPOINT.to_owned());
        Self::new(transport, base)
    }

    /// A new session token. `lenient`: a service without tokens (404, 405, 503) gives `None`.
    async fn session_token(
        &self,
        lenient: bool,
    ) -> Result<Option<Zeroizing<String>>, CredentialsError> {
        let request = build(
            Method::PUT,
            &format!("{}/meta-data/latest/api/token", self.base),
            SOURCE,
        )?
        .header("x-metadata-token-ttl-seconds", "21600")
        .body(Bytes::new())
        .map_err(|e| CredentialsError::Unusable(format!("{SOURCE}: {e}")))?;
        let response = exchange(&self.transport, request, METADATA_TIMEOUT, SOURCE).await?;
        match response.status() {
            StatusCode::OK => {
                let token = String::from_utf8(response.body().to_vec())
                    .ok()
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty() && http::HeaderValue::from_str(t).is_ok())
                    .ok_or_else(|| CredentialsError::Source {
                        source_name: SOURCE,
                        reason: "the session token in the reply is empty or not a header value"
                            .into(),
                    })?;
                Ok(Some(Zeroizing::new(token)))
            }
            StatusCode::NOT_FOUND
            | StatusCode::METHOD_NOT_ALLOWED
            | StatusCode::SERVICE_UNAVAILABLE
                if lenient =>
            {
                Ok(None)
            }
            _ => Err(refused(SOURCE, &response)),
        }
    }

    async fn security_key(
        &self,
        token: Option<&str>,
    ) -> Result<http::Response<Bytes>, CredentialsError> {
        let mut request = build(
            Method::GET,
            &format!("{}/openstack/latest/securitykey", self.base),
            SOURCE,
        )?;
        if let Some(token) = token {
            let mut value = http::HeaderValue::from_str(token).map_err(|_| {
                CredentialsError::Unusable(format!(
                    "{SOURCE}: the session token is not a header value"
                ))
            })?;
            value.set_sensitive(true);
            request = request.header("x-metadata-token", value);
        }
        let request = request
            .body(Bytes::new())
            .map_err(|e| CredentialsError::Unusable(format!("{SOURCE}: {e}")))?;
        exchange(&self.transport, request, METADATA_TIMEOUT, SOURCE).await
    }

    fn held_token(&self) -> Option<Zeroizing<String>> {
        self.token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn hold(&self, token: Option<Zeroizing<String>>) {
        *self.token.lock().unwrap_or_else(PoisonError::into_inner) = token;
    }
}

impl fmt::Debug for MetadataSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetadataSource")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl CredentialsSource for MetadataSource {
    async fn fetch(&self) -> Result<TemporaryCredentials, CredentialsError> {
        let mut token = self.held_token();
        let tokenless_recently = self
            .tokenless_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|since| since.elapsed() < TOKENLESS_RECHECK);
        if token.is_none() && !tokenless_recently {
            token = self.session_token(true).await?;
            *self
                .tokenless_since
                .lock()
                .unwrap_or_else(PoisonError::into_inner) =
                token.is_none().then(std::time::Instant::now);
            self.hold(token.clone());
        }
        let mut response = self
            .security_key(token.as_deref().map(String::as_str))
            .await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            if String::from_utf8_lossy(response.body()).contains(AGENCY_MISSING) {
                return Err(CredentialsError::Source {
                    source_name: SOURCE,
                    reason: "this ECS has no agency: configure a Cloud Service Agency for it \
                             (ECS console, Management Information, Agency) to get credentials"
                        .into(),
                });
            }
            // The session token expired or was never accepted: one new token, one more try.
            let token = self.session_token(false).await?;
            self.hold(token.clone());
            response = self
                .security_key(token.as_deref().map(String::as_str))
                .await?;
        }
        credentials_in(&response, SOURCE)
    }

    fn origin(&self) -> Origin {
        Origin::Metadata(self.base.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::test_support::{Seen, scripted};

    const CREDENTIAL: &str = r#"{"credential":{"access":"AK","secret":"SK","securitytoken":"ST","expires_at":"2030-01-01T00:00:00.000000Z"}}"#;

    fn service(
        script: Vec<(&'static str, &'static str, u16, &'static str)>,
    ) -> (MetadataSource, Seen) {
        let (transport, seen) = scripted(
            script
                .into_iter()
                .map(|(m, p, s, b)| (m, p, s, vec![], b))
                .collect(),
        );
        (
            MetadataSource::new(transport, "http://169.254.169.254/"),
            seen,
        )
    }

    #[tokio::test]
    async fn token_then_security_key_and_the_token_is_kept() {
        let (source, seen) = service(vec![
            ("PUT", "/meta-data/latest/api/token", 200, "session-1"),
            ("GET", "/openstack/latest/securitykey", 200, CREDENTIAL),
            ("GET", "/openstack/latest/securitykey", 200, CREDENTIAL),
        ]);
        for _ in 0..2 {
            let t = source.fetch().await.unwrap();
            assert_eq!(
                super::super::expiry::format_time(t.expires_at),
                "2030-01-01T00:00:00Z"
            );
        }
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0].headers()["x-metadata-token-ttl-seconds"], "21600");
        assert_eq!(seen[1].headers()["x-metadata-token"], "session-1");
        assert_eq!(seen[2].headers()["x-metadata-token"], "session-1");
    }

    #[tokio::test]
    async fn a_401_gets_a_new_token_and_one_retry() {
        let (source, seen) = service(vec![
            ("PUT", "/meta-data/latest/api/token", 200, "old"),
            ("GET", "/openstack/latest/securitykey", 401, "token expired"),
            ("PUT", "/meta-data/latest/api/token", 200, "new"),
            ("GET", "/openstack/latest/securitykey", 200, CREDENTIAL),
        ]);
        source.fetch().await.unwrap();
        assert_eq!(seen.lock().unwrap()[3].headers()["x-metadata-token"], "new");
    }

    #[tokio::test]
    async fn no_agency_is_said_plainly_and_not_retried() {
        let (source, _) = service(vec![
            ("PUT", "/meta-data/latest/api/token", 200, "t"),
            (
                "GET",
                "/openstack/latest/securitykey",
                401,
                "Please configure Cloud Service Agency first",
            ),
        ]);
        let err = source.fetch().await.unwrap_err();
        assert!(err.to_string().contains("agency"), "{err}");
        assert!(!err.is_transient());
    }

    #[tokio::test]
    async fn without_session_tokens_it_asks_without_one() {
        let (source, seen) = service(vec![
            ("PUT", "/meta-data/latest/api/token", 404, ""),
            ("GET", "/openstack/latest/securitykey", 200, CREDENTIAL),
        ]);
        source.fetch().await.unwrap();
        assert!(
            seen.lock().unwrap()[1]
                .headers()
                .get("x-metadata-token")
                .is_none()
        );
    }

    #[tokio::test]
    async fn a_second_401_and_a_bad_reply_are_errors() {
        let (source, _) = service(vec![
            ("PUT", "/meta-data/latest/api/token", 200, "t"),
            ("GET", "/openstack/latest/securitykey", 401, ""),
            ("PUT", "/meta-data/latest/api/token", 200, "t2"),
            ("GET", "/openstack/latest/securitykey", 401, ""),
        ]);
        assert!(source.fetch().await.is_err());
        let (source, _) = service(vec![
            ("PUT", "/meta-data/latest/api/token", 200, "t"),
            (
                "GET",
                "/openstack/latest/securitykey",
                200,
                r#"{"credential":{"access":"AK"}}"#,
            ),
        ]);
        assert!(
            source
                .fetch()
                .await
                .unwrap_err()
                .to_string()
                .contains("secret key")
        );
    }
}
