//! Credentials: an AK/SK pair (optionally temporary) or an IAM token, and where they come from:
//! the official SDKs' chain of providers, each also usable alone.

mod chain;
mod env;
mod expiry;
mod federated;
pub(crate) mod fetch;
mod iam;
mod metadata;
mod oidc;
mod pod_identity;
mod profile;
mod refreshing;
mod reply;
mod temporary;
#[cfg(test)]
pub(crate) mod test_support;
mod token_file;

use std::{fmt, sync::Arc, time::SystemTime};

pub use api_auth::AccessKey;
pub use chain::{ChainSettings, CredentialsChain, ProviderFailure, StaticCredentials};
pub use env::{
    ENV_AK, ENV_PROJECT_ID, ENV_SECURITY_TOKEN, ENV_SK, ENV_TOKEN, EnvironmentCredentials,
};
pub use federated::{ENV_ID_TOKEN_FILE, ENV_IDP_ID, FederatedSource};
pub use iam::IamPasswordSource;
pub use metadata::{
    DEFAULT_METADATA_ENDPOINT, ENV_METADATA_DISABLED, ENV_METADATA_ENDPOINT, METADATA_TIMEOUT,
    MetadataSource,
};
pub use oidc::{
    DEFAULT_STS_ENDPOINT, ENV_OIDC_AGENCY_URN, ENV_OIDC_DURATION_SECONDS, ENV_OIDC_ID_TOKEN,
    ENV_OIDC_POLICY, ENV_OIDC_POLICY_IDS, ENV_OIDC_PROVIDER_URN, ENV_OIDC_SESSION_NAME,
    ENV_OIDC_TOKEN_FILE, ENV_STS_ENDPOINT, OidcStsSource,
};
pub use pod_identity::{ENV_POD_TOKEN_FILE, ENV_POD_URI, POD_IDENTITY_TIMEOUT, PodIdentitySource};
pub use profile::{ENV_CREDENTIALS_FILE, PROFILE_SECTIONS, Profile};
pub use refreshing::{RefreshingToken, TokenGrant, TokenSource};
#[cfg(any(test, feature = "mock"))]
pub use temporary::MockCredentialsSource;
pub use temporary::{
    CredentialsSource, REFRESH_MARGIN, RETRY_AFTER_FAILURE, RefreshingCredentials,
    TemporaryCredentials,
};

use crate::Origin;

/// What a request is authenticated with.
///
/// `Debug` never shows a secret: the SK, the security token and the IAM token print as `***`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// An access key: signed with `SDK-HMAC-SHA256`. A security token, when present, is sent
    /// as `X-Security-Token` and signed too (temporary credentials).
    AkSk(AccessKey),
    /// An IAM token, sent as `X-Auth-Token`.
    Token(IamToken),
}

impl Credentials {
    /// AK/SK credentials.
    pub fn ak_sk(ak: impl Into<String>, sk: impl AsRef<[u8]>) -> Self {
        Credentials::AkSk(AccessKey::new(ak, api_auth::SecretKey::new(sk)))
    }

    /// Temporary AK/SK credentials with their security token.
    pub fn temporary(
        ak: impl Into<String>,
        sk: impl AsRef<[u8]>,
        security_token: impl Into<String>,
    ) -> Self {
        Credentials::AkSk(
            AccessKey::new(ak, api_auth::SecretKey::new(sk)).with_security_token(security_token),
        )
    }

    /// An IAM token.
    pub fn token(token: impl Into<String>) -> Self {
        Credentials::Token(IamToken::new(token))
    }
}

/// Which kind of credentials are in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsKind {
    /// A permanent access key (AK/SK).
    AccessKey,
    /// A temporary access key with its security token.
    TemporaryAccessKey,
    /// An IAM token.
    IamToken,
}

/// The credentials in use, without their secrets: for reports such as `processor-tasks config`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CredentialsInfo {
    /// Their kind.
    pub kind: CredentialsKind,
    /// The access key id (not a secret), for access keys.
    pub access_key_id: Option<String>,
    /// Where they came from, when the provider says.
    pub origin: Option<Origin>,
    /// When they expire, for temporary ones.
    pub expires_at: Option<SystemTime>,
}

impl CredentialsInfo {
    /// What `credentials`, from `provider`, are.
    pub(crate) fn of(credentials: &Credentials, provider: &dyn CredentialsProvider) -> Self {
        let (kind, access_key_id) = match credentials {
            Credentials::AkSk(key) if key.security_token().is_some() => (
                CredentialsKind::TemporaryAccessKey,
                Some(key.id().to_owned()),
            ),
            Credentials::AkSk(key) => (CredentialsKind::AccessKey, Some(key.id().to_owned())),
            Credentials::Token(_) => (CredentialsKind::IamToken, None),
        };
        Self {
            kind,
            access_key_id,
            origin: provider.origin(),
            expires_at: provider.expires_at(),
        }
    }
}

/// An IAM token. Its `Debug` shows `IamToken(***)`; it is wiped from memory when the last
/// clone is dropped.
#[derive(Clone)]
pub struct IamToken(Arc<zeroize::Zeroizing<String>>);

impl IamToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(Arc::new(zeroize::Zeroizing::new(token.into())))
    }

    /// The token itself, for the `X-Auth-Token` header. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IamToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IamToken(***)")
    }
}

/// Why no usable credentials could be had. Messages never contain a secret.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// None were configured.
    #[error("no credentials found: {0}")]
    Missing(String),
    /// A source of credentials failed (e.g. IAM refused to issue a token).
    #[error("could not get credentials from {source_name}: {reason}")]
    Source {
        /// Which source.
        source_name: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The credentials cannot sign or be sent (e.g. an AK with characters a header cannot hold).
    #[error("the credentials cannot be used: {0}")]
    Unusable(String),
    /// A source of credentials that may recover did not deliver: it timed out, could not be
    /// reached, or answered 5xx or 429. The call retries it like a request.
    #[error("could not get credentials from {source_name} for now: {reason}")]
    Unavailable {
        /// Which source.
        source_name: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// No provider of a [`CredentialsChain`] delivered: each one's reason, in chain order.
    #[error("{}", none_found(.0))]
    NoneFound(Vec<ProviderFailure>),
}

fn none_found(failures: &[ProviderFailure]) -> String {
    let mut text = String::from("no credentials found; tried, in order:");
    for failure in failures {
        let reason = match &failure.error {
            CredentialsError::Missing(reason) => reason.clone(),
            other => other.to_string(),
        };
        text.push_str(&format!("\n  - {}: {reason}", failure.provider));
    }
    text
}

impl CredentialsError {
    /// Whether asking the source again later may succeed ([`CredentialsError::Unavailable`]).
    pub fn is_transient(&self) -> bool {
        matches!(self, CredentialsError::Unavailable { .. })
    }
}

/// Where a client gets its credentials, asked before every attempt.
///
/// Implement it to plug in your own secret store. With the `mock` feature, mockall generates
/// `MockCredentialsProvider`.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait::async_trait]
pub trait CredentialsProvider: Send + Sync + fmt::Debug {
    /// The credentials to use for the next attempt.
    async fn credentials(&self) -> Result<Credentials, CredentialsError>;

    /// Where the credentials come from, for reports; `None` when unknown.
    fn origin(&self) -> Option<Origin> {
        None
    }

    /// When the credentials last handed out expire; `None` for credentials that do not.
    fn expires_at(&self) -> Option<SystemTime> {
        None
    }
}

#[async_trait::async_trait]
impl CredentialsProvider for Credentials {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secret() {
        for creds in [
            Credentials::ak_sk("AKID", "super-secret-sk"),
            Credentials::temporary("AKID", "super-secret-sk", "secret-session-token"),
            Credentials::token("secret-iam-token"),
        ] {
            let text = format!("{creds:?} {:#?}", creds);
            for secret in [
                "super-secret-sk",
                "secret-session-token",
                "secret-iam-token",
            ] {
                assert!(!text.contains(secret), "{text}");
            }
        }
    }
}
