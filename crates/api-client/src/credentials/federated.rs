//! `FederatedSource`: temporary credentials for a federated id token, through two IAM calls.

use std::{fmt, path::PathBuf, time::Duration};

use api_transport::SharedTransport;
use bytes::Bytes;
use http::{Method, header};
use zeroize::Zeroizing;

use super::{
    CredentialsError, CredentialsSource, TemporaryCredentials,
    fetch::{build, exchange, refused},
    reply::credentials_in,
};
use crate::Origin;

/// The identity provider's id, `HUAWEICLOUD_SDK_IDP_ID`.
pub const ENV_IDP_ID: &str = "HUAWEICLOUD_SDK_IDP_ID";
/// The file holding the id token, `HUAWEICLOUD_SDK_ID_TOKEN_FILE`.
pub const ENV_ID_TOKEN_FILE: &str = "HUAWEICLOUD_SDK_ID_TOKEN_FILE";

const SOURCE: &str = "IAM (federated id token)";
const TIMEOUT: Duration = Duration::from_secs(30);
/// The lifetime asked for, as the official SDKs ask: 6 hours.
const DURATION_SECONDS: u32 = 21_600;

/// Exchanges the id token in a file for an unscoped IAM token
/// (`POST {iam}/v3.0/OS-AUTH/id-token/tokens`, `X-Idp-Id`), then that token for temporary
/// credentials (`POST {iam}/v3.0/OS-CREDENTIAL/securitytokens`). Both calls are unsigned; the
/// file is read again on every fetch.
pub struct FederatedSource {
    transport: SharedTransport,
    iam: String,
    idp_id: String,
    token_file: PathBuf,
    via: Origin,
}

impl FederatedSource {
    /// The identity provider `idp_id`, its token in `token_file`, exchanged at the IAM base URL
    /// `iam`; `via` says where they were configured (for reports).
    pub fn new(
        transport: SharedTransport,
        iam: impl Into<String>,
        idp_id: impl Into<String>,
        token_file: impl Into<PathBuf>,
        via: Origin,
    ) -> Self {
        Self {
            transport,
            iam: iam.into().trim_end_matches('/').to_owned(),
            idp_id: idp_id.into(),
            token_file: token_file.into(),
            via,
        }
    }

    fn id_token(&self) -> Result<Zeroizing<String>, CredentialsError> {
        super::token_file::read_token_file(&self.token_file, "the id token file", SOURCE)
    }

    async fn post(
        &self,
        path: &str,
        body: Zeroizing<String>,
        idp: bool,
    ) -> Result<http::Response<Bytes>, CredentialsError> {
        let mut request = build(Method::POST, &format!("{}{path}", self.iam), SOURCE)?
            .header(header::CONTENT_TYPE, "application/json;charset=UTF-8");
        if idp {
            request = request.header("x-idp-id", self.idp_id.as_str());
        }
        let request = request
            .body(Bytes::from(body.as_bytes().to_vec()))
            .map_err(|e| CredentialsError::Unusable(format!("{SOURCE}: {e}")))?;
        let response = exchange(&self.transport, request, TIMEOUT, SOURCE).await?;
        if !response.status().is_success() {
            return Err(refused(SOURCE, &response));
        }
        Ok(response)
    }
}

impl fmt::Debug for FederatedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FederatedSource")
            .field("iam", &self.iam)
            .field("idp_id", &self.idp_id)
            .field("token_file", &self.token_file)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl CredentialsSource for FederatedSource {
    async fn fetch(&self) -> Result<TemporaryCredentials, CredentialsError> {
        let fail = |reason: &str| CredentialsError::Source {
            source_name: SOURCE,
            reason: reason.to_owned(),
        };
        super::fetch::refuse_plain_http(&self.iam, "the federated id token", SOURCE)?;
        let id_token = self.id_token()?;
        let body = serde_json::json!({"auth": {"id_token": {"id": id_token.as_str()}}});
        let response = self
            .post(
                "/v3.0/OS-AUTH/id-token/tokens",
                Zeroizing::new(body.to_string()),
                true,
            )
            .await?;
        let subject = response
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && !response.body().is_empty())
            .map(|v| Zeroizing::new(v.to_owned()))
            .ok_or_else(|| fail("IAM gave no token for the id token (no X-Subject-Token)"))?;
        let body = serde_json::json!({"auth": {"identity": {
            "methods": ["token"],
            "token": {"id": subject.as_str(), "duration_seconds": DURATION_SECONDS}
        }}});
        let response = self
            .post(
                "/v3.0/OS-CREDENTIAL/securitytokens",
                Zeroizing::new(body.to_string()),
                false,
            )
            .await?;
        if response.body().is_empty() {
            return Err(fail("IAM gave no temporary credentials (empty reply)"));
        }
        credentials_in(&response, SOURCE)
    }

    fn origin(&self) -> Origin {
        Origin::Federated {
            iam: self.iam.clone(),
            via: Box::new(self.via.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::test_support::scripted;

    const REPLY: &str = r#"{"credential":{"access":"AK","secret":"SK","securitytoken":"ST","expires_at":"2030-01-01T00:00:00.000000Z"}}"#;

    #[tokio::test]
    async fn two_unsigned_calls_the_subject_token_in_the_body() {
        let file = std::env::temp_dir().join(format!("fed-test-{}", std::process::id()));
        std::fs::write(&file, "id-token-jwt\n").unwrap();
        let (transport, seen) = scripted(vec![
            (
                "POST",
                "/v3.0/OS-AUTH/id-token/tokens",
                201,
                vec![("x-subject-token", "unscoped")],
                r#"{"token":{}}"#,
            ),
            (
                "POST",
                "/v3.0/OS-CREDENTIAL/securitytokens",
                201,
                vec![],
                REPLY,
            ),
        ]);
        let source = FederatedSource::new(
            transport,
            "http://127.0.0.1:9/",
            "idp-1",
            &file,
            Origin::Env(ENV_IDP_ID.into()),
        );
        source.fetch().await.unwrap();
        std::fs::remove_file(&file).unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0].headers()["x-idp-id"], "idp-1");
        let first: serde_json::Value = serde_json::from_slice(seen[0].body()).unwrap();
        assert_eq!(first["auth"]["id_token"]["id"], "id-token-jwt");
        let second: serde_json::Value = serde_json::from_slice(seen[1].body()).unwrap();
        assert_eq!(second["auth"]["identity"]["token"]["id"], "unscoped");
        assert_eq!(
            second["auth"]["identity"]["token"]["duration_seconds"],
            21600
        );
        assert!(
            seen[1].headers().get("x-auth-token").is_none()
                && seen[1].headers().get("authorization").is_none()
        );
    }

    #[tokio::test]
    async fn the_token_file_is_read_again_on_every_fetch() {
        let file = std::env::temp_dir().join(format!("fed-test3-{}", std::process::id()));
        let step = |path| {
            (
                "POST",
                path,
                201,
                vec![("x-subject-token", "s")],
                r#"{"token":{}}"#,
            )
        };
        let (transport, seen) = scripted(vec![
            step("/v3.0/OS-AUTH/id-token/tokens"),
            (
                "POST",
                "/v3.0/OS-CREDENTIAL/securitytokens",
                201,
                vec![],
                REPLY,
            ),
            step("/v3.0/OS-AUTH/id-token/tokens"),
            (
                "POST",
                "/v3.0/OS-CREDENTIAL/securitytokens",
                201,
                vec![],
                REPLY,
            ),
        ]);
        let source =
            FederatedSource::new(transport, "http://127.0.0.1:9", "idp", &file, Origin::Given);
        std::fs::write(&file, "first").unwrap();
        source.fetch().await.unwrap();
        std::fs::write(&file, "rotated").unwrap();
        source.fetch().await.unwrap();
        std::fs::remove_file(&file).unwrap();
        let seen = seen.lock().unwrap();
        let token = |i: usize| {
            serde_json::from_slice::<serde_json::Value>(seen[i].body()).unwrap()["auth"]["id_token"]
                ["id"]
                .clone()
        };
        assert_eq!((token(0), token(2)), ("first".into(), "rotated".into()));
    }

    #[tokio::test]
    async fn no_subject_token_is_an_error() {
        let file = std::env::temp_dir().join(format!("fed-test2-{}", std::process::id()));
        std::fs::write(&file, "jwt").unwrap();
        let (transport, _) = scripted(vec![(
            "POST",
            "/v3.0/OS-AUTH/id-token/tokens",
            201,
            vec![],
            "{}",
        )]);
        let source =
            FederatedSource::new(transport, "http://127.0.0.1:9", "idp", &file, Origin::Given);
        assert!(
            source
                .fetch()
                .await
                .unwrap_err()
                .to_string()
                .contains("X-Subject-Token")
        );
        std::fs::remove_file(&file).unwrap();
    }
}
