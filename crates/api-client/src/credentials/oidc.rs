//! `OidcStsSource`: temporary credentials for an OIDC id token, from STS `assume-with-oidc`.

use std::{fmt, time::Duration};

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

/// The identity provider's URN (required).
pub const ENV_OIDC_PROVIDER_URN: &str = "HUAWEICLOUD_OIDC_PROVIDER_URN";
/// The agency to assume (required).
pub const ENV_OIDC_AGENCY_URN: &str = "HUAWEICLOUD_OIDC_AGENCY_URN";
/// The id token itself; it beats the file.
pub const ENV_OIDC_ID_TOKEN: &str = "HUAWEICLOUD_OIDC_ID_TOKEN";
/// A file holding the id token.
pub const ENV_OIDC_TOKEN_FILE: &str = "HUAWEICLOUD_OIDC_TOKEN_FILE";
/// The session name (default `oidc-sts-session`).
pub const ENV_OIDC_SESSION_NAME: &str = "HUAWEICLOUD_OIDC_SESSION_NAME";
/// The lifetime asked for, in seconds (default 3600).
pub const ENV_OIDC_DURATION_SECONDS: &str = "HUAWEICLOUD_OIDC_DURATION_SECONDS";
/// A policy, sent as it is.
pub const ENV_OIDC_POLICY: &str = "HUAWEICLOUD_OIDC_POLICY";
/// Policy ids, comma-separated.
pub const ENV_OIDC_POLICY_IDS: &str = "HUAWEICLOUD_OIDC_POLICY_IDS";
/// The STS base URL.
pub const ENV_STS_ENDPOINT: &str = "HUAWEICLOUD_SDK_STS_ENDPOINT";
/// The STS base URL when none is set.
pub const DEFAULT_STS_ENDPOINT: &str = "https://sts.cn-north-4.myhuaweicloud.com";

const SOURCE: &str = "OIDC STS";
const TIMEOUT: Duration = Duration::from_secs(30);

/// Exchanges an OIDC id token for temporary credentials:
/// `POST {sts}/v5/agencies/assume-with-oidc`, unsigned. The id token is read once, when the
/// source is made, as the official SDKs do.
pub struct OidcStsSource {
    transport: SharedTransport,
    sts: String,
    provider_urn: String,
    agency_urn: String,
    session_name: String,
    id_token: Zeroizing<String>,
    duration_seconds: u32,
    policy: Option<String>,
    policy_ids: Vec<String>,
}

impl OidcStsSource {
    /// From the `HUAWEICLOUD_OIDC_*` variables and `HUAWEICLOUD_SDK_STS_ENDPOINT`.
    /// [`CredentialsError::Missing`] when the provider or agency URN is unset;
    /// [`CredentialsError::Source`] when the token cannot be had or a value is malformed.
    pub fn from_env(
        transport: SharedTransport,
        env: &Environment,
    ) -> Result<Self, CredentialsError> {
        let fail = |reason: String| CredentialsError::Source {
            source_name: SOURCE,
            reason,
        };
        let provider_urn = env.var(ENV_OIDC_PROVIDER_URN).ok_or_else(|| {
            CredentialsError::Missing(format!("{ENV_OIDC_PROVIDER_URN} is not set"))
        })?;
        let agency_urn = env.var(ENV_OIDC_AGENCY_URN).ok_or_else(|| {
            CredentialsError::Missing(format!("{ENV_OIDC_AGENCY_URN} is not set"))
        })?;
        let id_token = match (env.var(ENV_OIDC_ID_TOKEN), env.var(ENV_OIDC_TOKEN_FILE)) {
            (Some(token), _) => Zeroizing::new(token),
            (None, Some(file)) => super::token_file::read_token_file(
                std::path::Path::new(&file),
                "the id token file",
                SOURCE,
            )?,
            (None, None) => {
                return Err(fail(format!(
                    "set {ENV_OIDC_ID_TOKEN} or {ENV_OIDC_TOKEN_FILE}"
                )));
            }
        };
        let duration_seconds = match env.var(ENV_OIDC_DURATION_SECONDS) {
            None => 3600,
            Some(text) => match text.parse::<u32>() {
                Ok(0) => 3600,
                Ok(n) => n,
                Err(_) => {
                    return Err(fail(format!(
                        "{ENV_OIDC_DURATION_SECONDS}={text:?} is not a number of seconds"
                    )));
                }
            },
        };
        Ok(Self {
            transport,
            sts: env
                .var(ENV_STS_ENDPOINT)
                .unwrap_or_else(|| DEFAULT_STS_ENDPOINT.to_owned())
                .trim_end_matches('/')
                .to_owned(),
            provider_urn,
            agency_urn,
            session_name: env
                .var(ENV_OIDC_SESSION_NAME)
                .unwrap_or_else(|| "oidc-sts-session".to_owned()),
            id_token,
            duration_seconds,
            policy: env.var(ENV_OIDC_POLICY),
            policy_ids: env
                .var(ENV_OIDC_POLICY_IDS)
                .map(|ids| {
                    ids.split(',')
                        .map(str::trim)
                        .filter(|id| !id.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    fn body(&self) -> Zeroizing<String> {
        let mut body = serde_json::json!({
            "provider_urn": self.provider_urn,
            "agency_urn": self.agency_urn,
            "agency_session_name": self.session_name,
            "id_token": self.id_token.as_str(),
            "duration_seconds": self.duration_seconds,
        });
        if let Some(policy) = &self.policy {
            body["policy"] = policy.clone().into();
        }
        if !self.policy_ids.is_empty() {
            body["policy_ids"] = self.policy_ids.clone().into();
        }
        Zeroizing::new(body.to_string())
    }
}

impl fmt::Debug for OidcStsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcStsSource")
            .field("sts", &self.sts)
            .field("provider_urn", &self.provider_urn)
            .field("agency_urn", &self.agency_urn)
            .field("duration_seconds", &self.duration_seconds)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl CredentialsSource for OidcStsSource {
    async fn fetch(&self) -> Result<TemporaryCredentials, CredentialsError> {
        let url = format!("{}/v5/agencies/assume-with-oidc", self.sts);
        super::fetch::refuse_plain_http(&url, "the OIDC id token", SOURCE)?;
        let request = build(Method::POST, &url, SOURCE)?
            .header(header::CONTENT_TYPE, "application/json;charset=UTF-8")
            .body(Bytes::from(self.body().as_bytes().to_vec()))
            .map_err(|e| CredentialsError::Unusable(format!("{SOURCE}: {e}")))?;
        let response = exchange(&self.transport, request, TIMEOUT, SOURCE).await?;
        credentials_in(&response, SOURCE)
    }

    fn origin(&self) -> Origin {
        Origin::OidcSts(self.sts.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::test_support::scripted;

    const REPLY: &str = r#"{"credentials":{"access_key_id":"AK","secret_access_key":"SK","security_token":"ST","expiration":"2030-01-01T00:00:00.000Z"}}"#;

    fn env(extra: &[(&str, &str)]) -> Environment {
        let mut vars = vec![
            (ENV_OIDC_PROVIDER_URN.to_owned(), "urn:p".to_owned()),
            (ENV_OIDC_AGENCY_URN.to_owned(), "urn:a".to_owned()),
            (
                ENV_STS_ENDPOINT.to_owned(),
                "http://127.0.0.1:9/".to_owned(),
            ),
        ];
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Environment::from_vars(vars)
    }

    #[tokio::test]
    async fn posts_the_official_body_unsigned() {
        let (transport, seen) = scripted(vec![(
            "POST",
            "/v5/agencies/assume-with-oidc",
            200,
            vec![],
            REPLY,
        )]);
        let source = OidcStsSource::from_env(
            transport,
            &env(&[
                (ENV_OIDC_ID_TOKEN, "jwt"),
                (ENV_OIDC_POLICY_IDS, " a, ,b "),
                (ENV_OIDC_DURATION_SECONDS, "0"),
            ]),
        )
        .unwrap();
        source.fetch().await.unwrap();
        let seen = seen.lock().unwrap();
        assert!(seen[0].headers().get("authorization").is_none());
        assert!(seen[0].headers().get("x-sdk-date").is_none());
        assert_eq!(
            seen[0].headers()["content-type"],
            "application/json;charset=UTF-8"
        );
        let body: serde_json::Value = serde_json::from_slice(seen[0].body()).unwrap();
        assert_eq!(body["id_token"], "jwt");
        assert_eq!(body["duration_seconds"], 3600);
        assert_eq!(body["agency_session_name"], "oidc-sts-session");
        assert_eq!(body["policy_ids"], serde_json::json!(["a", "b"]));
        assert!(!format!("{source:?}").contains("jwt"));
    }

    #[tokio::test]
    async fn the_token_file_is_read_once_and_plain_http_is_refused() {
        let file = std::env::temp_dir().join(format!("oidc-test-{}", std::process::id()));
        std::fs::write(&file, "first-jwt\n").unwrap();
        let (transport, seen) = scripted(vec![
            ("POST", "/v5/agencies/assume-with-oidc", 200, vec![], REPLY),
            ("POST", "/v5/agencies/assume-with-oidc", 200, vec![], REPLY),
        ]);
        let source = OidcStsSource::from_env(
            transport,
            &env(&[(ENV_OIDC_TOKEN_FILE, file.to_str().unwrap())]),
        )
        .unwrap();
        source.fetch().await.unwrap();
        std::fs::write(&file, "second-jwt").unwrap();
        source.fetch().await.unwrap();
        std::fs::remove_file(&file).unwrap();
        for request in seen.lock().unwrap().iter() {
            let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
            assert_eq!(body["id_token"], "first-jwt");
        }
        let (transport, _) = scripted(vec![]);
        let remote = Environment::from_vars([
            (ENV_OIDC_PROVIDER_URN, "urn:p"),
            (ENV_OIDC_AGENCY_URN, "urn:a"),
            (ENV_OIDC_ID_TOKEN, "jwt"),
            (ENV_STS_ENDPOINT, "http://sts.example.com"),
        ]);
        let err = OidcStsSource::from_env(transport, &remote)
            .unwrap()
            .fetch()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("plain http"), "{err}");
    }

    #[test]
    fn settings_errors() {
        let (t, _) = scripted(vec![]);
        assert!(matches!(
            OidcStsSource::from_env(
                t.clone(),
                &Environment::from_vars(Vec::<(String, String)>::new())
            ),
            Err(CredentialsError::Missing(_))
        ));
        let err = OidcStsSource::from_env(t.clone(), &env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains(ENV_OIDC_TOKEN_FILE), "{err}");
        let err =
            OidcStsSource::from_env(t.clone(), &env(&[(ENV_OIDC_TOKEN_FILE, "/nonexistent/x")]))
                .unwrap_err()
                .to_string();
        assert!(err.contains("cannot read"), "{err}");
        let err = OidcStsSource::from_env(
            t,
            &env(&[(ENV_OIDC_ID_TOKEN, "x"), (ENV_OIDC_DURATION_SECONDS, "1h")]),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("not a number"), "{err}");
    }
}
