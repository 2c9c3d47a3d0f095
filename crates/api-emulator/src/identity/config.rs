//! `IdentityConfig`: how the identity routes (metadata, pod identity, STS, IAM) behave.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use api_model::ProjectId;

use crate::demo::DEMO_POD_IDENTITY_TOKEN;

/// The default [`credential_ttl`](IdentityConfig::credential_ttl): 1 hour.
pub const DEFAULT_CREDENTIAL_TTL: Duration = Duration::from_secs(3600);

/// How the emulator plays the Huawei Cloud identity endpoints that the official SDKs'
/// credential chain calls: the ECS metadata service, CCE pod identity, STS (OIDC) and IAM
/// (federated id-token, project discovery). Set it with
/// [`EmulatorBuilder::identity`](crate::EmulatorBuilder::identity); the routes are always
/// served, with [`IdentityConfig::default`] when none is set.
///
/// `Debug` never shows the pod identity token.
///
/// ```
/// use std::time::Duration;
/// use api_emulator::IdentityConfig;
///
/// let project = "a4a5d4098fb4474fa22cd05f897d6b99".parse()?;
/// let config = IdentityConfig::new()
///     .credential_ttl(Duration::from_secs(30 * 60))
///     .region_projects("cn-north-4", vec![project])
///     .region_projects("af-north-1", vec![])
///     .metadata_token_required(true)
///     .pod_identity_token("my-pod-token");
/// assert!(!format!("{config:?}").contains("my-pod-token"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct IdentityConfig {
    pub(crate) credential_ttl: Duration,
    /// Whether [`credential_ttl`](Self::credential_ttl) was set (it then caps requested
    /// lifetimes too).
    pub(crate) ttl_explicit: bool,
    pub(crate) project: Option<ProjectId>,
    pub(crate) region_projects: BTreeMap<String, Vec<ProjectId>>,
    pub(crate) metadata_token_required: bool,
    pub(crate) metadata_token_supported: bool,
    pub(crate) metadata_agency_missing: bool,
    pub(crate) metadata_expire_tokens_once: bool,
    pub(crate) pod_identity_token: String,
    pub(crate) expiry_without_fraction: bool,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            credential_ttl: DEFAULT_CREDENTIAL_TTL,
            ttl_explicit: false,
            project: None,
            region_projects: BTreeMap::new(),
            metadata_token_required: false,
            metadata_token_supported: true,
            metadata_agency_missing: false,
            metadata_expire_tokens_once: false,
            pod_identity_token: DEMO_POD_IDENTITY_TOKEN.to_owned(),
            expiry_without_fraction: false,
        }
    }
}

impl fmt::Debug for IdentityConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityConfig")
            .field("credential_ttl", &self.credential_ttl)
            .field("ttl_explicit", &self.ttl_explicit)
            .field("project", &self.project)
            .field("region_projects", &self.region_projects)
            .field("metadata_token_required", &self.metadata_token_required)
            .field("metadata_token_supported", &self.metadata_token_supported)
            .field("metadata_agency_missing", &self.metadata_agency_missing)
            .field(
                "metadata_expire_tokens_once",
                &self.metadata_expire_tokens_once,
            )
            .field("pod_identity_token", &"***")
            .field("expiry_without_fraction", &self.expiry_without_fraction)
            .finish()
    }
}

impl IdentityConfig {
    /// The defaults: credentials last 1 hour, bound to the first project the builder's
    /// credentials are bound to; one project per region; a lenient metadata service;
    /// [`DEMO_POD_IDENTITY_TOKEN`](crate::DEMO_POD_IDENTITY_TOKEN) for pod identity.
    pub fn new() -> Self {
        Self::default()
    }

    /// The lifetime of every temporary credential issued (default 1 hour), judged with the
    /// emulator's [`clock`](crate::EmulatorBuilder::clock).
    ///
    /// Routes where the client asks for a lifetime (`duration_seconds` of OIDC and federated
    /// requests) give what was asked for, unless this is set and shorter: then this.
    pub fn credential_ttl(mut self, ttl: Duration) -> Self {
        self.credential_ttl = ttl;
        self.ttl_explicit = true;
        self
    }

    /// The project issued temporary credentials are bound to (the only one they may use on
    /// `/v2/{project_id}/…`), and the one project a region has unless
    /// [`region_projects`](Self::region_projects) says otherwise. Default: the first project
    /// the builder's credentials are bound to, else
    /// [`demo_project_id`](crate::demo_project_id).
    pub fn project(mut self, project: ProjectId) -> Self {
        self.project = Some(project);
        self
    }

    /// What `GET /v3/projects?name=<region>` lists for `region`: any number of projects (the
    /// SDKs refuse 0 and more than 1). The last call for a region wins. Regions not set list
    /// one project, the [`project`](Self::project).
    pub fn region_projects(mut self, region: &str, projects: Vec<ProjectId>) -> Self {
        self.region_projects.insert(region.to_owned(), projects);
        self
    }

    /// Whether `GET /openstack/latest/securitykey` needs an `X-Metadata-Token` (default false:
    /// a request without one is served, as a "v1" metadata service does; with true it is 401).
    pub fn metadata_token_required(mut self, required: bool) -> Self {
        self.metadata_token_required = required;
        self
    }

    /// Whether `PUT /meta-data/latest/api/token` issues session tokens (default true; false
    /// answers it 404, as an old metadata service does).
    pub fn metadata_token_supported(mut self, supported: bool) -> Self {
        self.metadata_token_supported = supported;
        self
    }

    /// Whether the instance has no agency (default false; true answers the security key 401
    /// with "Please configure Cloud Service Agency first", which clients must not retry).
    pub fn metadata_agency_missing(mut self, missing: bool) -> Self {
        self.metadata_agency_missing = missing;
        self
    }

    /// Whether the first security-key request that presents a session token is answered 401
    /// (without the agency text) as if the token had expired, and the token forgotten, so the
    /// client must get a new one and retry (default false).
    pub fn metadata_expire_tokens_once(mut self, expire: bool) -> Self {
        self.metadata_expire_tokens_once = expire;
        self
    }

    /// The `Authorization` value `POST /v1/credentials` (pod identity) accepts, compared
    /// exactly; any other is 401. Default
    /// [`DEMO_POD_IDENTITY_TOKEN`](crate::DEMO_POD_IDENTITY_TOKEN).
    pub fn pod_identity_token(mut self, token: impl Into<String>) -> Self {
        self.pod_identity_token = token.into();
        self
    }

    /// Whether expiries are written without a fraction, `2030-01-01T00:00:00Z` (default false:
    /// `2030-01-01T00:00:00.000000Z`, the only form the official SDKs parse), to test clients'
    /// handling of it.
    pub fn expiry_without_fraction(mut self, without: bool) -> Self {
        self.expiry_without_fraction = without;
        self
    }

    /// The lifetime of a credential whose client asked for `requested` (`None`: it asked for
    /// nothing).
    pub(crate) fn lifetime(&self, requested: Option<Duration>) -> Duration {
        match requested {
            None => self.credential_ttl,
            Some(requested) if self.ttl_explicit => requested.min(self.credential_ttl),
            Some(requested) => requested,
        }
    }

    /// The projects `GET /v3/projects?name=region` lists, given the identity project.
    pub(crate) fn projects_of(&self, region: &str, identity_project: &ProjectId) -> Vec<ProjectId> {
        self.region_projects
            .get(region)
            .cloned()
            .unwrap_or_else(|| vec![identity_project.clone()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_honour_requests_unless_capped() {
        let default = IdentityConfig::new();
        assert_eq!(default.lifetime(None), DEFAULT_CREDENTIAL_TTL);
        let six_hours = Duration::from_secs(21_600);
        assert_eq!(default.lifetime(Some(six_hours)), six_hours);
        let short = IdentityConfig::new().credential_ttl(Duration::from_secs(60));
        assert_eq!(short.lifetime(None), Duration::from_secs(60));
        assert_eq!(short.lifetime(Some(six_hours)), Duration::from_secs(60));
        assert_eq!(
            short.lifetime(Some(Duration::from_secs(10))),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn regions_default_to_the_identity_project() {
        let p1: ProjectId = "11111111111111111111111111111111".parse().unwrap();
        let p2: ProjectId = "22222222222222222222222222222222".parse().unwrap();
        let config = IdentityConfig::new()
            .region_projects("two", vec![p1.clone(), p2.clone()])
            .region_projects("none", vec![]);
        assert_eq!(config.projects_of("two", &p1), [p1.clone(), p2]);
        assert!(config.projects_of("none", &p1).is_empty());
        assert_eq!(config.projects_of("other", &p1), [p1]);
    }

    #[test]
    fn debug_hides_the_pod_token() {
        let config = IdentityConfig::new().pod_identity_token("s3cr3t-pod");
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cr3t-pod"), "{debug}");
        assert!(!format!("{:?}", IdentityConfig::default()).contains(DEMO_POD_IDENTITY_TOKEN));
    }
}
