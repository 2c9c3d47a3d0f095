//! `PodIdentitySource`: temporary credentials of a CCE pod's identity.

use std::{fmt, path::PathBuf, time::Duration};

use api_transport::SharedTransport;
use bytes::Bytes;
use http::{Method, header};
use zeroize::Zeroizing;

use super::{
    CredentialsError, CredentialsSource, TemporaryCredentials,
    fetch::{build, exchange},
    reply::credentials_in,
};
use crate::{Environment, Origin};

/// The URL to ask, `HC_CONTAINER_CREDENTIALS_FULL_URI`.
pub const ENV_POD_URI: &str = "HC_CONTAINER_CREDENTIALS_FULL_URI";
/// The file holding the authorization token, `HC_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
pub const ENV_POD_TOKEN_FILE: &str = "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE";
/// How long a pod identity request may take.
pub const POD_IDENTITY_TIMEOUT: Duration = Duration::from_secs(5);

const SOURCE: &str = "pod identity";

/// `POST <HC_CONTAINER_CREDENTIALS_FULL_URI>` with body `{}` and the token file's content as
/// `Authorization`. The file is read again on every fetch, since the platform rotates it.
pub struct PodIdentitySource {
    transport: SharedTransport,
    uri: String,
    token_file: PathBuf,
}

impl PodIdentitySource {
    /// Asks `uri`, authorized by the token in `token_file`.
    pub fn new(
        transport: SharedTransport,
        uri: impl Into<String>,
        token_file: impl Into<PathBuf>,
    ) -> Self {
        Self {
            transport,
            uri: uri.into(),
            token_file: token_file.into(),
        }
    }

    /// From `HC_CONTAINER_CREDENTIALS_FULL_URI` and `HC_CONTAINER_AUTHORIZATION_TOKEN_FILE`;
    /// [`CredentialsError::Missing`] when either is unset.
    pub fn from_env(
        transport: SharedTransport,
        env: &Environment,
    ) -> Result<Self, CredentialsError> {
        match (env.var(ENV_POD_URI), env.var(ENV_POD_TOKEN_FILE)) {
            (Some(uri), Some(file)) => Ok(Self::new(transport, uri, file)),
            _ => Err(CredentialsError::Missing(format!(
                "{ENV_POD_URI} and {ENV_POD_TOKEN_FILE} are not both set"
            ))),
        }
    }

    fn token(&self) -> Result<Zeroizing<String>, CredentialsError> {
        super::token_file::read_token_file(&self.token_file, "the token file", SOURCE)
    }
}

impl fmt::Debug for PodIdentitySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PodIdentitySource")
            .field("uri", &self.uri)
            .field("token_file", &self.token_file)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl CredentialsSource for PodIdentitySource {
    async fn fetch(&self) -> Result<TemporaryCredentials, CredentialsError> {
        super::fetch::refuse_plain_http(&self.uri, "the pod identity token", SOURCE)?;
        let token = self.token()?;
        let mut authorization =
            http::HeaderValue::from_str(&token).map_err(|_| CredentialsError::Source {
                source_name: SOURCE,
                reason: format!(
                    "the token in {} cannot be sent as a header",
                    self.token_file.display()
                ),
            })?;
        authorization.set_sensitive(true);
        let request = build(Method::POST, &self.uri, SOURCE)?
            .header(header::AUTHORIZATION, authorization)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Bytes::from_static(b"{}"))
            .map_err(|e| CredentialsError::Unusable(format!("{SOURCE}: {e}")))?;
        let response = exchange(&self.transport, request, POD_IDENTITY_TIMEOUT, SOURCE).await?;
        credentials_in(&response, SOURCE)
    }

    fn origin(&self) -> Origin {
        Origin::PodIdentity(self.uri.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::test_support::scripted;

    const REPLY: &str = r#"{"credentials":{"accessKeyId":"AK","secretAccessKey":"SK","securityToken":"ST","expiration":"2030-01-01T00:00:00Z"},"subject":"s"}"#;

    #[tokio::test]
    async fn posts_with_the_token_file_read_each_time() {
        let dir = std::env::temp_dir().join(format!("pod-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, " first \n").unwrap();
        let (transport, seen) = scripted(vec![
            ("POST", "/v1/credentials", 200, vec![], REPLY),
            ("POST", "/v1/credentials", 200, vec![], REPLY),
        ]);
        let source = PodIdentitySource::new(transport, "http://127.0.0.1:9/v1/credentials", &file);
        source.fetch().await.unwrap();
        std::fs::write(&file, "second").unwrap();
        source.fetch().await.unwrap();
        {
            let seen = seen.lock().unwrap();
            assert_eq!(seen[0].headers()["authorization"], "first");
            assert_eq!(seen[1].headers()["authorization"], "second");
            assert_eq!(seen[0].body().as_ref(), b"{}");
        }
        std::fs::write(&file, "  ").unwrap();
        assert!(
            source
                .fetch()
                .await
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            source
                .fetch()
                .await
                .unwrap_err()
                .to_string()
                .contains("cannot read")
        );
    }

    #[tokio::test]
    async fn refusals_and_missing_settings() {
        let (transport, _) = scripted(vec![("POST", "/v1/credentials", 403, vec![], "{}")]);
        let file = std::env::temp_dir().join(format!("pod-test-token-{}", std::process::id()));
        std::fs::write(&file, "t").unwrap();
        let source = PodIdentitySource::new(transport, "http://127.0.0.1:9/v1/credentials", &file);
        assert!(!source.fetch().await.unwrap_err().is_transient());
        std::fs::remove_file(&file).unwrap();
        let env = Environment::from_vars([(ENV_POD_URI, "http://x")]);
        let (transport, _) = scripted(vec![]);
        let err = PodIdentitySource::from_env(transport, &env).unwrap_err();
        assert!(matches!(err, CredentialsError::Missing(_)));
    }
}
