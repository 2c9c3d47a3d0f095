//! `ClientBuilder`: endpoint, project, credentials, transport, retries and timeouts.

use std::sync::Arc;

use api_auth::{Clock, Signer};
use api_model::{Endpoint, InvalidEndpoint, InvalidId, ProjectId};
use api_transport::{HyperTransport, SharedTransport, Transport};
use http::HeaderValue;

use crate::{
    Client, CredentialsProvider, Environment, Error, InvalidInput, Origin, RetryPartition,
    RetryPolicy, Settings, Throttling, Timeouts,
    client::Inner,
    config::modelarts_endpoints,
    credentials::{ENV_PROJECT_ID, EnvironmentCredentials},
};

/// The endpoint URL, read by [`Client::from_env`].
pub const ENV_ENDPOINT: &str = "HUAWEICLOUD_SDK_ENDPOINT";
/// The region, read by [`Client::from_env`] when no endpoint is set.
pub const ENV_REGION: &str = "HUAWEICLOUD_SDK_REGION";

/// The `User-Agent` of every request: this crate and its version.
pub const USER_AGENT: &str = concat!(
    "modelarts-processor-tasks-rust/",
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("CARGO_PKG_NAME"),
    ")"
);

/// Builds a [`Client`].
///
/// - [`build`](Self::build) uses what was set, and sends nothing: an endpoint or a region (its
///   endpoint still honours `HUAWEICLOUD_SDK_REGION_MODELARTS_<REGION>` and the regions file),
///   a project id and credentials are required.
/// - [`load`](Self::load) fills in the rest as the official SDKs do (credential chain, region
///   catalog, project-id discovery through IAM); see its documentation for the order.
///
/// ```no_run
/// use api_client::{Client, Credentials, RetryPolicy, Timeouts};
///
/// let client = Client::builder()
///     .region("ap-southeast-1")
///     .project_id("a4a5d4098fb4474fa22cd05f897d6b99")
///     .credentials(Credentials::ak_sk("AK", "SK"))
///     .retry_policy(RetryPolicy::default().with_max_attempts(5))
///     .timeouts(Timeouts::default().with_deadline(std::time::Duration::from_secs(60)))
///     .build()?;
/// # Ok::<(), api_client::Error>(())
/// ```
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    pub(crate) endpoint: Option<(Result<Endpoint, InvalidEndpoint>, Origin)>,
    pub(crate) region: Option<(String, Origin)>,
    pub(crate) project_id: Option<(Result<ProjectId, InvalidId>, Origin)>,
    pub(crate) credentials: Option<Arc<dyn CredentialsProvider>>,
    pub(crate) transport: Option<SharedTransport>,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeouts: Timeouts,
    pub(crate) allow_insecure_http: bool,
    pub(crate) clock: Option<Arc<dyn Clock>>,
    pub(crate) environment: Option<Environment>,
    pub(crate) local_transport: Option<SharedTransport>,
    pub(crate) throttling: Throttling,
    pub(crate) partition: Option<RetryPartition>,
    pub(crate) app_name: Option<(String, String)>,
    pub(crate) default_headers: DefaultHeaders,
}

/// The default headers as given, checked by `build`. `Debug` shows the names only: a value
/// may be a key.
#[derive(Default, Clone)]
pub(crate) struct DefaultHeaders(pub(crate) Vec<(String, String)>);

impl std::fmt::Debug for DefaultHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

impl ClientBuilder {
    /// The endpoint URL, e.g. `https://modelarts.eu-de.otc.t-systems.com` or a local emulator.
    /// It beats the region's endpoint (the region then only names the project to discover).
    pub fn endpoint(mut self, url: &str) -> Self {
        self.endpoint = Some((url.parse(), Origin::Given));
        self
    }

    /// The region, e.g. `cn-north-4`. Its endpoint comes from
    /// `HUAWEICLOUD_SDK_REGION_MODELARTS_<REGION>`, then the regions file, then the catalog of
    /// ModelArts regions ([`MODELARTS_REGIONS`](crate::config::MODELARTS_REGIONS)); an unknown
    /// region is refused when the client is built, before any I/O.
    pub fn region(mut self, region: &str) -> Self {
        self.region = Some((region.trim().to_owned(), Origin::Given));
        self
    }

    /// An endpoint already parsed.
    pub fn endpoint_parsed(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some((Ok(endpoint), Origin::Given));
        self
    }

    /// The project id (32 lowercase letters and digits).
    pub fn project_id(mut self, project_id: &str) -> Self {
        self.project_id = Some((project_id.parse(), Origin::Given));
        self
    }

    /// The credentials, or any [`CredentialsProvider`].
    pub fn credentials(mut self, provider: impl CredentialsProvider + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// A shared credentials provider.
    pub fn credentials_provider(mut self, provider: Arc<dyn CredentialsProvider>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// The transport; [`HyperTransport`] with its defaults when not set.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(SharedTransport::new(transport));
        self
    }

    /// A transport shared with other clients (one connection pool for all).
    pub fn shared_transport(mut self, transport: SharedTransport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// How to retry; [`RetryPolicy::default`] when not set, [`RetryPolicy::disabled`] for none.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How to react to throttled replies. [`Throttling::Adaptive`] (the default) paces each
    /// (endpoint host, project, operation) with an [`AdaptiveLimiter`](crate::throttle::AdaptiveLimiter)
    /// that stays off until the first throttle, after AWS's adaptive retry mode; throttled
    /// retries wait on it and do not count against the attempts, and the call's deadline still
    /// bounds everything. [`Throttling::Off`] retries a throttle like a 5xx.
    pub fn throttling(mut self, throttling: Throttling) -> Self {
        self.throttling = throttling;
        self
    }

    /// Your application's name and version, appended to the `User-Agent` as `name/version`
    /// (after this SDK's own) on requests to the service, so that its logs and support can
    /// tell your traffic apart. Both must be HTTP tokens (letters, digits, `-`, `.`, `_`, …;
    /// no spaces or slashes): anything else is refused by [`build`](Self::build). An AK/SK
    /// signature covers it.
    ///
    /// ```
    /// let client = api_client::Client::builder()
    ///     .endpoint("https://modelarts.cn-north-4.myhuaweicloud.com")
    ///     .project_id("a4a5d4098fb4474fa22cd05f897d6b99")
    ///     .credentials(api_client::Credentials::ak_sk("AK", "SK"))
    ///     .app_name("nightly-cleaner", "1.4.2")
    ///     .build()?;
    /// # Ok::<(), api_client::Error>(())
    /// ```
    pub fn app_name(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.app_name = Some((name.into(), version.into()));
        self
    }

    /// A header every request to the service carries, e.g. a tracing id; call it again for
    /// more (a name given twice is sent twice). It is added before signing, so an AK/SK
    /// signature covers it (an IAM token signs nothing). [`build`](Self::build) refuses the
    /// headers the client sets itself (`Host`, `Authorization`, `Content-Type`, `User-Agent`,
    /// `X-Sdk-Date`, `X-Auth-Token`, `X-Security-Token`, `X-Project-Id`), hop-by-hop headers
    /// (`Connection`, `Transfer-Encoding`, …, which a proxy may strip after signing), names
    /// with `_` (which the signer leaves out) and values that are not printable ASCII. Values
    /// are kept out of `Debug` and traces. Requests to IAM, STS and the metadata service do
    /// not carry it.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.0.push((name.into(), value.into()));
        self
    }

    /// The retry state to share: rate limiters and the retry quota. Every clone of the client
    /// shares its own; give one [`RetryPartition`] to several clients to make them pace
    /// together (one gateway limit sees them all). A new one per client by default.
    pub fn retry_partition(mut self, partition: RetryPartition) -> Self {
        self.partition = Some(partition);
        self
    }

    /// Time limits; [`Timeouts::default`] when not set.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Allows a plain `http://` endpoint that is not on this machine. Credentials and
    /// signatures then cross the network in the clear: use it only on a trusted network.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The clock that dates signatures (for tests; the system clock by default).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Where environment variables and the home directory are read ([`Environment::process`]
    /// by default); tests pass [`Environment::from_vars`].
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// The transport [`load`](Self::load)'s default chain uses for the ECS metadata service and
    /// pod identity; by default a direct [`HyperTransport`] that never uses a proxy (they are
    /// on this machine's link-local network). Tests and unusual networks may set their own.
    pub fn local_transport(mut self, transport: SharedTransport) -> Self {
        self.local_transport = Some(transport);
        self
    }

    pub(crate) fn local_transport_or_default(&self) -> Result<SharedTransport, Error> {
        if let Some(transport) = &self.local_transport {
            return Ok(transport.clone());
        }
        HyperTransport::builder()
            .no_proxy()
            .build()
            .map(SharedTransport::new)
            .map_err(|e| config(&format!("cannot build the metadata transport: {e}")))
    }

    pub(crate) fn env(&self) -> Environment {
        self.environment.clone().unwrap_or_default()
    }

    pub(crate) fn transport_or_default(&mut self) -> Result<SharedTransport, Error> {
        if let Some(transport) = &self.transport {
            return Ok(transport.clone());
        }
        let transport = SharedTransport::new(
            HyperTransport::builder()
                .build()
                .map_err(|e| config(&format!("cannot build the default HTTP transport: {e}")))?,
        );
        self.transport = Some(transport.clone());
        Ok(transport)
    }

    /// The endpoint and its origin: the one given, else the region's. No network.
    pub(crate) fn resolve_endpoint(&self) -> Result<(Endpoint, Origin), Error> {
        match (&self.endpoint, &self.region) {
            (Some((endpoint, origin)), _) => Ok((endpoint.clone()?, origin.clone())),
            (None, Some((region, _))) => {
                let (urls, origin) = modelarts_endpoints(region, &self.env())?;
                let first = urls
                    .first()
                    .ok_or_else(|| config("the region has no endpoint"))?;
                Ok((first.parse()?, origin))
            }
            (None, None) => Err(config(
                "no endpoint: call .endpoint(url) or .region(region), or set HUAWEICLOUD_SDK_REGION",
            )),
        }
    }

    /// The endpoint, refused if plain http to another host, and the project id if one was
    /// given: what can be checked before any I/O.
    pub(crate) fn check(&self) -> Result<(Endpoint, Origin), Error> {
        let (endpoint, origin) = self.resolve_endpoint()?;
        self.refuse_plain_http(&endpoint)?;
        if let Some((Err(invalid), _)) = &self.project_id {
            return Err(invalid.clone().into());
        }
        Ok((endpoint, origin))
    }

    /// Refuses plain http to `endpoint` (the service or IAM) unless its host is this machine or
    /// insecure http was allowed: signatures would cross the network in the clear.
    pub(crate) fn refuse_plain_http(&self, endpoint: &Endpoint) -> Result<(), Error> {
        if endpoint.is_https() || endpoint.is_loopback() || self.allow_insecure_http {
            return Ok(());
        }
        Err(config(&format!(
            "refusing plain http to {endpoint}: credentials would cross the network in the clear. \
             Use https, or call .allow_insecure_http(true) for a trusted network"
        )))
    }

    /// The signer, dated by the clock set (the system clock by default).
    pub(crate) fn signer(&self) -> Signer {
        match &self.clock {
            Some(clock) => Signer::with_clock(clock.clone()),
            None => Signer::new(),
        }
    }

    /// Checks the settings and builds the client. Nothing is sent.
    pub fn build(mut self) -> Result<Client, Error> {
        let (endpoint, endpoint_origin) = self.check()?;
        let (project_id, project_origin) = self.project_id.take().ok_or_else(|| {
            config("no project id: call .project_id(id), or use .load() to discover it through IAM")
        })?;
        let project_id = project_id?;
        let credentials = self.credentials.take().ok_or_else(|| {
            config("no credentials: call .credentials(...), or use .load() for the default chain")
        })?;
        let headers =
            crate::headers::RequestHeaders::new(self.app_name.as_ref(), &self.default_headers.0)?;
        let transport = self.transport_or_default()?;
        let signer = self.signer();
        let host = HeaderValue::from_str(endpoint.host_header())
            .map_err(|_| config("the endpoint's host cannot be sent as a Host header"))?;
        let project_header = HeaderValue::from_str(project_id.as_str())
            .map_err(|_| config("the project id cannot be sent as a header"))?;
        let (region, region_origin) = match self.region {
            Some((region, origin)) => (Some(region), Some(origin)),
            None => (None, None),
        };
        Ok(Client::from_inner(Inner {
            settings: Settings {
                endpoint: endpoint.clone(),
                endpoint_origin,
                region,
                region_origin,
                project_id: project_id.clone(),
                project_origin,
            },
            endpoint,
            project_id,
            credentials,
            transport,
            signer,
            retry: self.retry,
            timeouts: self.timeouts,
            throttling: self.throttling,
            partition: self.partition.unwrap_or_default(),
            limiters: Default::default(),
            host,
            project_header,
            headers,
        }))
    }

    /// Fills in what the environment gives: `HUAWEICLOUD_SDK_ENDPOINT` (or
    /// `HUAWEICLOUD_SDK_REGION`), `HUAWEICLOUD_SDK_PROJECT_ID` and the credentials of
    /// [`EnvironmentCredentials`]. Settings made before are kept. For the whole official chain
    /// (profile file, metadata, pod identity, OIDC) and project discovery, use
    /// [`load`](Self::load).
    pub fn from_env(mut self) -> Result<Self, Error> {
        let env = self.env();
        self.fill_from_env(&env);
        if self.credentials.is_none() {
            self = self.credentials(EnvironmentCredentials::from_lookup(|name| env.var(name))?);
        }
        Ok(self)
    }

    /// Endpoint, region and project id from the environment, where not set.
    pub(crate) fn fill_from_env(&mut self, env: &Environment) {
        self.fill_endpoint_from_env(env);
        if self.project_id.is_none()
            && let Some(project) = env.var(ENV_PROJECT_ID)
        {
            self.project_id = Some((project.parse(), Origin::Env(ENV_PROJECT_ID.into())));
        }
    }

    /// Endpoint and region from the environment, where not set.
    /// An endpoint in the environment counts only when neither an endpoint nor a region was
    /// set: a region given in code (or a `--region` flag) beats an exported endpoint.
    pub(crate) fn fill_endpoint_from_env(&mut self, env: &Environment) {
        if self.endpoint.is_none()
            && self.region.is_none()
            && let Some(url) = env.var(ENV_ENDPOINT)
        {
            self.endpoint = Some((url.parse(), Origin::Env(ENV_ENDPOINT.into())));
        }
        if self.region.is_none()
            && let Some(region) = env.var(ENV_REGION)
        {
            self.region = Some((region, Origin::Env(ENV_REGION.into())));
        }
    }
}

pub(crate) fn config(msg: &str) -> Error {
    Error::InvalidInput(InvalidInput::Config(msg.to_owned()))
}
