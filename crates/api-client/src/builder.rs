//! `ClientBuilder`: endpoint, project, credentials, transport, retries and timeouts.

use std::sync::Arc;

use api_auth::{Clock, Signer};
use api_model::{Endpoint, InvalidEndpoint, InvalidId, ProjectId};
use api_transport::{HyperTransport, SharedTransport, Transport};
use http::HeaderValue;

use crate::{
    Client, CredentialsProvider, Error, InvalidInput, RetryPolicy, Timeouts,
    client::Inner,
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

/// Builds a [`Client`]. Endpoint (or region), project id and credentials are required.
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
    endpoint: Option<Result<Endpoint, InvalidEndpoint>>,
    project_id: Option<Result<ProjectId, InvalidId>>,
    credentials: Option<Arc<dyn CredentialsProvider>>,
    transport: Option<SharedTransport>,
    retry: RetryPolicy,
    timeouts: Timeouts,
    allow_insecure_http: bool,
    clock: Option<Arc<dyn Clock>>,
}

impl ClientBuilder {
    /// The endpoint URL, e.g. `https://modelarts.eu-de.otc.t-systems.com` or a local emulator.
    pub fn endpoint(mut self, url: &str) -> Self {
        self.endpoint = Some(url.parse());
        self
    }

    /// The public Huawei Cloud endpoint of a region: `https://modelarts.{region}.myhuaweicloud.com`.
    pub fn region(mut self, region: &str) -> Self {
        self.endpoint = Some(Endpoint::for_region(region));
        self
    }

    /// An endpoint already parsed.
    pub fn endpoint_parsed(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(Ok(endpoint));
        self
    }

    /// The project id (32 lowercase letters and digits).
    pub fn project_id(mut self, project_id: &str) -> Self {
        self.project_id = Some(project_id.parse());
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

    /// Checks the settings and builds the client. Nothing is sent.
    pub fn build(self) -> Result<Client, Error> {
        let config = |msg: &str| Error::InvalidInput(InvalidInput::Config(msg.to_owned()));
        let endpoint = self
            .endpoint
            .ok_or_else(|| config("no endpoint: call .endpoint(url) or .region(region)"))??;
        if !endpoint.is_https() && !endpoint.is_loopback() && !self.allow_insecure_http {
            return Err(config(&format!(
                "refusing plain http to {endpoint}: credentials would cross the network in the clear. \
                 Use https, or call .allow_insecure_http(true) for a trusted network"
            )));
        }
        let project_id = self
            .project_id
            .ok_or_else(|| config("no project id: call .project_id(id)"))??;
        let credentials = self
            .credentials
            .ok_or_else(|| config("no credentials: call .credentials(...)"))?;
        let transport =
            match self.transport {
                Some(t) => t,
                None => SharedTransport::new(HyperTransport::builder().build().map_err(|e| {
                    config(&format!("cannot build the default HTTP transport: {e}"))
                })?),
            };
        let signer = match self.clock {
            Some(clock) => Signer::with_clock(clock),
            None => Signer::new(),
        };
        let host = HeaderValue::from_str(endpoint.host_header())
            .map_err(|_| config("the endpoint's host cannot be sent as a Host header"))?;
        let project_header = HeaderValue::from_str(project_id.as_str())
            .map_err(|_| config("the project id cannot be sent as a header"))?;
        Ok(Client::from_inner(Inner {
            endpoint,
            project_id,
            credentials,
            transport,
            signer,
            retry: self.retry,
            timeouts: self.timeouts,
            host,
            project_header,
        }))
    }

    /// Fills in what the environment gives: `HUAWEICLOUD_SDK_ENDPOINT` (or
    /// `HUAWEICLOUD_SDK_REGION`), `HUAWEICLOUD_SDK_PROJECT_ID` and the credentials of
    /// [`EnvironmentCredentials`]. Settings made before are kept.
    pub fn from_env(mut self) -> Result<Self, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if self.endpoint.is_none() {
            if let Some(url) = var(ENV_ENDPOINT) {
                self = self.endpoint(url.trim());
            } else if let Some(region) = var(ENV_REGION) {
                self = self.region(region.trim());
            }
        }
        if self.project_id.is_none()
            && let Some(project) = var(ENV_PROJECT_ID)
        {
            self = self.project_id(project.trim());
        }
        if self.credentials.is_none() {
            self = self.credentials(EnvironmentCredentials::new()?);
        }
        Ok(self)
    }
}
