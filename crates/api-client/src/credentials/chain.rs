//! `CredentialsChain`: providers tried in order, the first to deliver kept; and the default
//! chain of the official SDKs (OIDC STS, environment, profile, ECS metadata, pod identity).

use std::{
    fmt,
    sync::{Arc, OnceLock},
    time::SystemTime,
};

use api_transport::SharedTransport;

use super::{
    Credentials, CredentialsError, CredentialsProvider, EnvironmentCredentials, FederatedSource,
    MetadataSource, OidcStsSource, PodIdentitySource, Profile, RefreshingCredentials,
    federated::{ENV_ID_TOKEN_FILE, ENV_IDP_ID},
    metadata::ENV_METADATA_DISABLED,
};
use crate::{Environment, Origin, config::iam_endpoint};

/// Why one provider of a chain gave nothing.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ProviderFailure {
    /// The provider's name in the chain, e.g. `profile`.
    pub provider: &'static str,
    /// What it said.
    pub error: CredentialsError,
}

/// Credentials that do not change, and where they came from.
#[derive(Debug, Clone)]
pub struct StaticCredentials {
    credentials: Credentials,
    origin: Origin,
}

impl StaticCredentials {
    /// `credentials`, reported as coming from `origin`.
    pub fn new(credentials: Credentials, origin: Origin) -> Self {
        Self {
            credentials,
            origin,
        }
    }
}

#[async_trait::async_trait]
impl CredentialsProvider for StaticCredentials {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.credentials.clone())
    }

    fn origin(&self) -> Option<Origin> {
        Some(self.origin.clone())
    }
}

/// What [`CredentialsChain::default_chain`] is given.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ChainSettings {
    /// Where variables and the home directory are read.
    pub environment: Environment,
    /// Carries the calls to STS and IAM.
    pub transport: SharedTransport,
    /// Carries the calls to the metadata service and pod identity, which are on this
    /// machine's link-local network and must not go through a proxy (the client uses a direct
    /// [`HyperTransport`](api_transport::HyperTransport)). The same as `transport` by default.
    pub local_transport: SharedTransport,
    /// The region, which picks the regional IAM endpoint for federated id tokens.
    pub region: Option<String>,
}

impl ChainSettings {
    /// `environment`, with `transport` for every call and no region.
    pub fn new(environment: Environment, transport: SharedTransport) -> Self {
        Self {
            environment,
            local_transport: transport.clone(),
            transport,
            region: None,
        }
    }

    /// The transport of the link-local services (metadata, pod identity).
    #[must_use]
    pub fn local_transport(mut self, transport: SharedTransport) -> Self {
        self.local_transport = transport;
        self
    }

    /// The region.
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
}

struct Link {
    name: &'static str,
    provider: Result<Arc<dyn CredentialsProvider>, CredentialsError>,
    /// Being unreachable means being absent (the metadata service off an ECS).
    probe: bool,
}

/// Providers tried in order on first use. The first that delivers is kept for the life of the
/// chain (its own refreshes included); one that is not configured or fails is skipped, and
/// when none delivers the error lists every provider's reason.
///
/// A configured provider that is only *unavailable for now* (a timeout, a 5xx from STS) is not
/// skipped: the chain answers [`CredentialsError::Unavailable`] and chooses nothing, so that the
/// call is retried rather than run, for good, as whatever identity comes next. Only a provider
/// added with [`then_probe`](Self::then_probe) (the metadata service, absent off an ECS) is
/// skipped when unreachable. Callers that waited while the chain failed get that failure
/// rather than running the chain again each in turn.
///
/// [`CredentialsChain::default_chain`] is the official SDKs' chain.
#[derive(Default)]
pub struct CredentialsChain {
    links: Vec<Link>,
    chosen: OnceLock<usize>,
    choosing: tokio::sync::Mutex<()>,
    /// How many times the chain has been run, and the last run's error.
    runs: std::sync::Mutex<(u64, Option<CredentialsError>)>,
}

impl CredentialsChain {
    /// An empty chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a provider, tried after those before it.
    #[must_use]
    pub fn then(self, name: &'static str, provider: impl CredentialsProvider + 'static) -> Self {
        self.then_shared(name, Arc::new(provider))
    }

    /// Adds a shared provider.
    #[must_use]
    pub fn then_shared(
        mut self,
        name: &'static str,
        provider: Arc<dyn CredentialsProvider>,
    ) -> Self {
        self.links.push(Link {
            name,
            provider: Ok(provider),
            probe: false,
        });
        self
    }

    /// Adds a provider that is absent when it cannot be reached (it is skipped then, like one
    /// not configured): the ECS metadata service, which exists only on an ECS.
    #[must_use]
    pub fn then_probe(
        mut self,
        name: &'static str,
        provider: impl CredentialsProvider + 'static,
    ) -> Self {
        self.links.push(Link {
            name,
            provider: Ok(Arc::new(provider)),
            probe: true,
        });
        self
    }

    /// Adds a provider that could not be set up, so that the final error says why.
    #[must_use]
    pub fn then_unavailable(mut self, name: &'static str, why: CredentialsError) -> Self {
        self.links.push(Link {
            name,
            probe: false,
            provider: Err(why),
        });
        self
    }

    /// The official order: OIDC STS, then the environment (AK/SK, or a federated id token),
    /// then the profile file, then the ECS metadata service, then pod identity. Reads the
    /// environment and the profile file now; asks no service until credentials are first
    /// needed. See [`ChainSettings`] for what it is given.
    pub fn default_chain(settings: &ChainSettings) -> Self {
        let env = &settings.environment;
        let transport = &settings.transport;
        let local = &settings.local_transport;
        let region = settings.region.as_deref();
        let mut chain = Self::new();
        chain.push(
            "OIDC STS",
            OidcStsSource::from_env(transport.clone(), env).map(refreshing),
        );
        chain.push("environment", environment(env, transport, region));
        chain.push("profile", profile(env, transport, region));
        let metadata = if env
            .var(ENV_METADATA_DISABLED)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            Err(CredentialsError::Missing(format!(
                "{ENV_METADATA_DISABLED} is true"
            )))
        } else {
            Ok(refreshing(MetadataSource::from_env(local.clone(), env)))
        };
        chain.push("ECS metadata", metadata);
        if let Some(link) = chain.links.last_mut() {
            link.probe = true;
        }
        chain.push(
            "pod identity",
            PodIdentitySource::from_env(local.clone(), env).map(refreshing),
        );
        chain
    }

    fn push(
        &mut self,
        name: &'static str,
        provider: Result<Arc<dyn CredentialsProvider>, CredentialsError>,
    ) {
        self.links.push(Link {
            name,
            provider,
            probe: false,
        });
    }

    /// The name of the provider in use, once one has delivered.
    pub fn chosen(&self) -> Option<&'static str> {
        self.chosen
            .get()
            .and_then(|&i| self.links.get(i))
            .map(|l| l.name)
    }

    fn run_count(&self) -> u64 {
        self.runs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0
    }

    /// Tries the providers in order; the first that delivers is chosen.
    async fn run(&self) -> Result<Credentials, CredentialsError> {
        let mut failures = Vec::new();
        for (i, link) in self.links.iter().enumerate() {
            let provider = match &link.provider {
                Ok(provider) => provider,
                Err(error) => {
                    failures.push(ProviderFailure {
                        provider: link.name,
                        error: error.clone(),
                    });
                    continue;
                }
            };
            match provider.credentials().await {
                Ok(credentials) => {
                    let _ = self.chosen.set(i);
                    tracing::debug!(provider = link.name, "credentials found");
                    return Ok(credentials);
                }
                Err(error) if error.is_transient() && !link.probe => {
                    // Configured, and down for now: retry the call, do not fall through to
                    // another identity.
                    return Err(CredentialsError::Unavailable {
                        source_name: link.name,
                        reason: error.to_string(),
                    });
                }
                Err(error) => {
                    if !matches!(error, CredentialsError::Missing(_)) {
                        tracing::warn!(provider = link.name, %error, "skipping a credential provider that failed");
                    }
                    failures.push(ProviderFailure {
                        provider: link.name,
                        error,
                    });
                }
            }
        }
        Err(CredentialsError::NoneFound(failures))
    }

    fn chosen_provider(&self) -> Option<&Arc<dyn CredentialsProvider>> {
        let link = self.links.get(*self.chosen.get()?)?;
        link.provider.as_ref().ok()
    }
}

/// The environment's link: a federated id token when `HUAWEICLOUD_SDK_IDP_ID` and
/// `HUAWEICLOUD_SDK_ID_TOKEN_FILE` are set (it wins over AK/SK), else AK/SK or an IAM token. Half
/// a federated pair is ignored when AK/SK are set, as in the official SDKs, and named when not.
fn environment(
    env: &Environment,
    transport: &SharedTransport,
    region: Option<&str>,
) -> Result<Arc<dyn CredentialsProvider>, CredentialsError> {
    let half = match (env.var(ENV_IDP_ID), env.var(ENV_ID_TOKEN_FILE)) {
        (Some(idp), Some(file)) => {
            let (iam, _) = iam_endpoint(None, region, env);
            let source = FederatedSource::new(
                transport.clone(),
                iam,
                idp,
                file,
                Origin::Env(ENV_IDP_ID.into()),
            );
            return Ok(Arc::new(RefreshingCredentials::new(source)));
        }
        (Some(_), None) => Some(half_set(ENV_IDP_ID, ENV_ID_TOKEN_FILE)),
        (None, Some(_)) => Some(half_set(ENV_ID_TOKEN_FILE, ENV_IDP_ID)),
        (None, None) => None,
    };
    match EnvironmentCredentials::from_lookup(|name| env.var(name)) {
        Ok(credentials) => Ok(Arc::new(credentials)),
        Err(error) => Err(half.unwrap_or(error)),
    }
}

fn refreshing<S: super::CredentialsSource + 'static>(source: S) -> Arc<dyn CredentialsProvider> {
    Arc::new(RefreshingCredentials::new(source))
}

fn half_set(set: &str, unset: &str) -> CredentialsError {
    CredentialsError::Source {
        source_name: "the environment",
        reason: format!("{set} is set but {unset} is not; a federated id token needs both"),
    }
}

/// The profile's link: a federated id token when it has `idp_id` and `id_token_file`, else its
/// `ak` and `sk` (with `security_token` when present).
fn profile(
    env: &Environment,
    transport: &SharedTransport,
    region: Option<&str>,
) -> Result<Arc<dyn CredentialsProvider>, CredentialsError> {
    let profile = Profile::load(env)?;
    let origin = profile.origin();
    if let (Some(idp), Some(file)) = (profile.get("idp_id"), profile.get("id_token_file")) {
        let (iam, _) = iam_endpoint(
            profile.get("iam_endpoint").map(|url| (url, &origin)),
            region,
            env,
        );
        let source = FederatedSource::new(transport.clone(), iam, idp, file, origin);
        return Ok(Arc::new(RefreshingCredentials::new(source)));
    }
    match (profile.get("ak"), profile.get("sk")) {
        (Some(ak), Some(sk)) => {
            let credentials = match profile.get("security_token") {
                Some(token) => Credentials::temporary(ak, sk, token),
                None => Credentials::ak_sk(ak, sk),
            };
            Ok(Arc::new(StaticCredentials::new(credentials, origin)))
        }
        _ => Err(CredentialsError::Missing(format!(
            "{} [{}] has neither ak and sk nor idp_id and id_token_file",
            profile.path().display(),
            match &origin {
                Origin::Profile { section, .. } => section.as_str(),
                _ => "",
            }
        ))),
    }
}

impl fmt::Debug for CredentialsChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.links.iter().map(|l| l.name).collect();
        f.debug_struct("CredentialsChain")
            .field("providers", &names)
            .field("chosen", &self.chosen())
            .finish()
    }
}

#[async_trait::async_trait]
impl CredentialsProvider for CredentialsChain {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        if let Some(provider) = self.chosen_provider() {
            return provider.credentials().await;
        }
        let seen = self.run_count();
        let _choosing = self.choosing.lock().await;
        if let Some(provider) = self.chosen_provider() {
            return provider.credentials().await;
        }
        // A run failed while this caller waited: its answer, not another run.
        {
            let runs = self
                .runs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if runs.0 != seen
                && let Some(error) = &runs.1
            {
                return Err(error.clone());
            }
        }
        let result = self.run().await;
        let mut runs = self
            .runs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        runs.0 = runs.0.wrapping_add(1);
        runs.1 = result.as_ref().err().cloned();
        result
    }

    fn origin(&self) -> Option<Origin> {
        self.chosen_provider().and_then(|p| p.origin())
    }

    fn expires_at(&self) -> Option<SystemTime> {
        self.chosen_provider().and_then(|p| p.expires_at())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::MockCredentialsProvider;

    fn failing(error: CredentialsError) -> MockCredentialsProvider {
        let mut p = MockCredentialsProvider::new();
        p.expect_credentials()
            .times(1)
            .returning(move || Err(error.clone()));
        p
    }

    #[tokio::test]
    async fn failures_are_skipped_and_the_winner_is_kept() {
        let mut winner = MockCredentialsProvider::new();
        winner
            .expect_credentials()
            .times(3)
            .returning(|| Ok(Credentials::ak_sk("AK", "SK")));
        winner.expect_origin().returning(|| Some(Origin::Given));
        let chain = CredentialsChain::new()
            .then_unavailable("absent", CredentialsError::Missing("not set".into()))
            .then(
                "broken",
                failing(CredentialsError::Source {
                    source_name: "x",
                    reason: "refused".into(),
                }),
            )
            .then_probe(
                "unreachable probe",
                failing(CredentialsError::Unavailable {
                    source_name: "x",
                    reason: "timed out".into(),
                }),
            )
            .then("winner", winner)
            .then("never asked", MockCredentialsProvider::new());
        for _ in 0..3 {
            chain.credentials().await.unwrap();
        }
        assert_eq!(chain.chosen(), Some("winner"));
        assert_eq!(chain.origin(), Some(Origin::Given));
    }

    #[tokio::test]
    async fn a_configured_provider_down_for_now_is_retried_not_passed_over() {
        let mut sts = MockCredentialsProvider::new();
        let mut seq = mockall::Sequence::new();
        sts.expect_credentials()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|| {
                Err(CredentialsError::Unavailable {
                    source_name: "OIDC STS",
                    reason: "503".into(),
                })
            });
        sts.expect_credentials()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|| Ok(Credentials::temporary("STSAK", "SK", "T")));
        let mut env = MockCredentialsProvider::new();
        env.expect_credentials().never();
        let chain = CredentialsChain::new()
            .then("OIDC STS", sts)
            .then("environment", env);
        let err = chain.credentials().await.unwrap_err();
        assert!(err.is_transient(), "{err}");
        assert_eq!(chain.chosen(), None);
        chain.credentials().await.unwrap();
        assert_eq!(chain.chosen(), Some("OIDC STS"));
    }

    #[tokio::test(start_paused = true)]
    async fn callers_waiting_on_a_failed_run_share_its_error() {
        #[derive(Debug)]
        struct Slow(std::sync::atomic::AtomicU64);
        #[async_trait::async_trait]
        impl CredentialsProvider for Slow {
            async fn credentials(&self) -> Result<Credentials, CredentialsError> {
                self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                Err(CredentialsError::Missing("nothing here".into()))
            }
        }
        let slow = Arc::new(Slow(0.into()));
        let chain = Arc::new(CredentialsChain::new().then_shared("slow", slow.clone()));
        let calls: Vec<_> = (0..20)
            .map(|_| {
                let chain = chain.clone();
                tokio::spawn(async move { chain.credentials().await })
            })
            .collect();
        for call in calls {
            assert!(call.await.unwrap().is_err());
        }
        assert_eq!(slow.0.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn when_none_delivers_every_reason_is_listed_in_order() {
        let chain = CredentialsChain::new()
            .then_unavailable(
                "OIDC STS",
                CredentialsError::Missing("HUAWEICLOUD_OIDC_PROVIDER_URN is not set".into()),
            )
            .then_probe(
                "ECS metadata",
                failing(CredentialsError::Unavailable {
                    source_name: "ECS metadata",
                    reason: "no reply within 1s".into(),
                }),
            )
            .then(
                "pod identity",
                failing(CredentialsError::Missing(
                    "HC_CONTAINER_CREDENTIALS_FULL_URI is not set".into(),
                )),
            );
        let err = chain.credentials().await.unwrap_err();
        let text = err.to_string();
        let (a, b, c) = (
            text.find("OIDC STS").unwrap(),
            text.find("ECS metadata").unwrap(),
            text.find("pod identity").unwrap(),
        );
        assert!(a < b && b < c, "{text}");
        assert!(text.contains("no reply within 1s"), "{text}");
        assert!(!err.is_transient());
        assert_eq!(chain.chosen(), None);
    }

    #[tokio::test]
    async fn the_default_chain_with_nothing_configured() {
        let env = Environment::from_vars([
            (ENV_METADATA_DISABLED, "true"),
            ("HOME", "/nonexistent-home"),
        ]);
        let (transport, _) = crate::credentials::test_support::scripted(vec![]);
        let chain = CredentialsChain::default_chain(
            &ChainSettings::new(env, transport).region("cn-north-4"),
        );
        let text = chain.credentials().await.unwrap_err().to_string();
        for name in [
            "OIDC STS",
            "environment",
            "profile",
            "ECS metadata",
            "pod identity",
        ] {
            assert!(text.contains(name), "{text}");
        }
    }

    #[tokio::test]
    async fn federated_env_wins_over_ak_sk_and_half_pairs_are_reported() {
        let (transport, _) = crate::credentials::test_support::scripted(vec![]);
        let env = Environment::from_vars([
            (ENV_IDP_ID, "idp"),
            (ENV_ID_TOKEN_FILE, "/f"),
            ("HUAWEICLOUD_SDK_AK", "A"),
            ("HUAWEICLOUD_SDK_SK", "S"),
        ]);
        let link = environment(&env, &transport, None).unwrap();
        assert!(matches!(link.origin(), Some(Origin::Federated { .. })));
        let env = Environment::from_vars([(ENV_IDP_ID, "idp")]);
        assert!(
            environment(&env, &transport, None)
                .err()
                .unwrap()
                .to_string()
                .contains(ENV_ID_TOKEN_FILE)
        );
        // Half a pair next to AK/SK: the AK/SK, as the official SDKs do.
        let env = Environment::from_vars([
            (ENV_IDP_ID, "idp"),
            ("HUAWEICLOUD_SDK_AK", "A"),
            ("HUAWEICLOUD_SDK_SK", "S"),
        ]);
        assert_eq!(
            environment(&env, &transport, None).unwrap().origin(),
            Some(Origin::Env("HUAWEICLOUD_SDK_AK".into()))
        );
    }
}
