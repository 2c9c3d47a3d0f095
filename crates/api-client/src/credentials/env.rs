//! Credentials from the environment, with the official SDKs' variable names.

use super::{Credentials, CredentialsError, CredentialsProvider};

/// The access key id.
pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
/// The secret access key.
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
/// The security token of temporary credentials.
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// The project id.
pub const ENV_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// An IAM token (used when no AK/SK is set). The official SDKs have no such variable.
pub const ENV_TOKEN: &str = "HUAWEICLOUD_SDK_IAM_TOKEN";

/// Credentials read once from the environment.
///
/// `HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK` (plus `HUAWEICLOUD_SDK_SECURITY_TOKEN` for
/// temporary credentials) give AK/SK credentials; otherwise `HUAWEICLOUD_SDK_IAM_TOKEN` gives an
/// IAM token.
#[derive(Debug, Clone)]
pub struct EnvironmentCredentials(Credentials);

impl EnvironmentCredentials {
    /// Reads the process environment.
    pub fn new() -> Result<Self, CredentialsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `lookup` (for tests, or another source of variables).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, CredentialsError> {
        let get = |name| lookup(name).filter(|v| !v.trim().is_empty());
        match (get(ENV_AK), get(ENV_SK)) {
            (Some(ak), Some(sk)) => {
                let creds = match get(ENV_SECURITY_TOKEN) {
                    Some(token) => Credentials::temporary(ak.trim(), sk.trim(), token.trim()),
                    None => Credentials::ak_sk(ak.trim(), sk.trim()),
                };
                Ok(Self(creds))
            }
            (Some(_), None) => Err(CredentialsError::Missing(format!(
                "{ENV_AK} is set but {ENV_SK} is not"
            ))),
            (None, Some(_)) => Err(CredentialsError::Missing(format!(
                "{ENV_SK} is set but {ENV_AK} is not"
            ))),
            (None, None) => match get(ENV_TOKEN) {
                Some(token) => Ok(Self(Credentials::token(token.trim()))),
                None => Err(CredentialsError::Missing(format!(
                    "set {ENV_AK} and {ENV_SK} (and {ENV_SECURITY_TOKEN} for temporary credentials), or {ENV_TOKEN}"
                ))),
            },
        }
    }

    /// The environment's AK/SK with either overridden: `ak` instead of `HUAWEICLOUD_SDK_AK`,
    /// `sk` instead of `HUAWEICLOUD_SDK_SK`. `HUAWEICLOUD_SDK_SECURITY_TOKEN` is added only to a
    /// secret key from the environment (a token belongs to the key it was issued with). For a
    /// CLI whose user names the AK, or a file holding the SK, on the command line.
    pub fn with_overrides(
        ak: Option<&str>,
        sk: Option<&str>,
        env: &crate::Environment,
    ) -> Result<Self, CredentialsError> {
        let ak = match ak.map(str::trim).filter(|a| !a.is_empty()) {
            Some(ak) => ak.to_owned(),
            None => env.var(ENV_AK).ok_or_else(|| {
                CredentialsError::Missing(format!("no access key id: set {ENV_AK}"))
            })?,
        };
        if let Some(sk) = sk.map(str::trim).filter(|s| !s.is_empty()) {
            return Ok(Self(Credentials::ak_sk(ak, sk)));
        }
        let sk = env
            .var(ENV_SK)
            .map(zeroize::Zeroizing::new)
            .ok_or_else(|| {
                CredentialsError::Missing(format!(
                    "no secret key for the access key {ak}: set {ENV_SK}"
                ))
            })?;
        Ok(Self(match env.var(ENV_SECURITY_TOKEN) {
            Some(token) => Credentials::temporary(ak, sk.as_str(), token),
            None => Credentials::ak_sk(ak, sk.as_str()),
        }))
    }

    /// The credentials read.
    pub fn credentials(&self) -> &Credentials {
        &self.0
    }
}

#[async_trait::async_trait]
impl CredentialsProvider for EnvironmentCredentials {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.0.clone())
    }

    fn origin(&self) -> Option<crate::Origin> {
        let variable = match self.0 {
            Credentials::Token(_) => ENV_TOKEN,
            _ => ENV_AK,
        };
        Some(crate::Origin::Env(variable.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<EnvironmentCredentials, CredentialsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EnvironmentCredentials::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn ak_sk_temporary_and_token() {
        let Credentials::AkSk(key) = read(&[(ENV_AK, "AK"), (ENV_SK, "SK")]).unwrap().0 else {
            panic!()
        };
        assert_eq!(key.id(), "AK");
        assert!(key.security_token().is_none());
        let Credentials::AkSk(key) =
            read(&[(ENV_AK, "AK"), (ENV_SK, "SK"), (ENV_SECURITY_TOKEN, "T")])
                .unwrap()
                .0
        else {
            panic!()
        };
        assert_eq!(key.security_token().unwrap().expose(), "T");
        let Credentials::Token(token) = read(&[(ENV_TOKEN, "tok")]).unwrap().0 else {
            panic!()
        };
        assert_eq!(token.expose(), "tok");
    }

    #[test]
    fn missing_names_the_variables() {
        let err = read(&[]).unwrap_err().to_string();
        assert!(
            err.contains(ENV_AK) && err.contains(ENV_SK) && err.contains(ENV_TOKEN),
            "{err}"
        );
        let err = read(&[(ENV_AK, "AK")]).unwrap_err().to_string();
        assert!(err.contains("HUAWEICLOUD_SDK_SK is not"), "{err}");
        assert!(read(&[(ENV_AK, " "), (ENV_SK, "x")]).is_err());
    }
}
