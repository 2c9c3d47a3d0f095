//! `EmulatorBuilder`: credentials, seed data, faults, limits, identity routes and TLS, then
//! `start()`.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use api_auth::{Clock, DEFAULT_MAX_SKEW, SecretKey, SystemClock};
use api_model::ProjectId;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::App;
use crate::auth::{Authenticator, Credentials};
use crate::body::DEFAULT_MAX_BODY_SIZE;
use crate::demo::demo_project_id;
use crate::emulator::{Emulator, Running};
use crate::error::StartError;
use crate::faults::{FaultConfig, FaultInjector};
use crate::identity::{Identity, IdentityConfig, IssuedCredentials};
use crate::path_log::{DEFAULT_PATH_LOG_CAPACITY, PathLog};
use crate::rate_limit::{RateLimit, RateLimitSchedule, RateLimiter, TimeSource};
use crate::request_id::RequestIds;
use crate::seed::{IdGenerator, seeded_tasks};
use crate::seed_mixed::seeded_records_mixed;
use crate::server::Server;
use crate::stats::Stats;
use crate::store::{InMemoryTaskStore, TaskStore};
use crate::task::{Task, TaskStatus};

/// The default [`shutdown_grace`](EmulatorBuilder::shutdown_grace): 5 s.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Configures an [`Emulator`]; start with [`Emulator::builder`] or [`Emulator::demo`].
///
/// By default it listens on `127.0.0.1` on an ephemeral port, accepts no credentials, has no
/// tasks, injects no faults, allows 15 minutes of clock skew and 1 MiB request bodies.
#[derive(Debug)]
#[must_use = "a builder does nothing until start() is called"]
pub struct EmulatorBuilder {
    addr: SocketAddr,
    credentials: Credentials,
    max_skew: Duration,
    clock: Option<Arc<dyn Clock>>,
    store: Option<Arc<dyn TaskStore>>,
    tasks: Vec<(ProjectId, Task)>,
    seeds: Vec<(ProjectId, usize)>,
    mixed_seeds: Vec<(ProjectId, usize)>,
    rng_seed: u64,
    faults: FaultConfig,
    rate_limit: Option<RateLimit>,
    rate_limit_schedule: RateLimitSchedule,
    identity: IdentityConfig,
    max_body_size: usize,
    path_log_capacity: usize,
    created_status: TaskStatus,
    shutdown_grace: Duration,
    #[cfg(feature = "tls")]
    tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            credentials: Credentials::default(),
            max_skew: DEFAULT_MAX_SKEW,
            clock: None,
            store: None,
            tasks: Vec::new(),
            seeds: Vec::new(),
            mixed_seeds: Vec::new(),
            rng_seed: 0,
            faults: FaultConfig::default(),
            rate_limit: None,
            rate_limit_schedule: RateLimitSchedule::new(),
            identity: IdentityConfig::default(),
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            path_log_capacity: DEFAULT_PATH_LOG_CAPACITY,
            created_status: TaskStatus::Running,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}

impl EmulatorBuilder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Listens on `addr` (port 0: an ephemeral port; [`Emulator::addr`] tells which).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Listens on `port` of the current bind address (`127.0.0.1` by default).
    pub fn port(mut self, port: u16) -> Self {
        self.addr.set_port(port);
        self
    }

    /// Accepts requests signed (`SDK-HMAC-SHA256`) with access key id `ak` and secret key `sk`,
    /// for `project`. Call it again to bind the same AK to more projects.
    pub fn ak_sk(
        mut self,
        ak: impl Into<String>,
        sk: impl AsRef<[u8]>,
        project: &ProjectId,
    ) -> Self {
        self.credentials
            .add_access_key(ak.into(), SecretKey::new(sk), project.clone());
        self
    }

    /// Accepts `X-Auth-Token: token` for `project`.
    pub fn token(mut self, token: impl Into<String>, project: &ProjectId) -> Self {
        self.credentials.add_token(token.into(), project.clone());
        self
    }

    /// The largest difference allowed between `X-Sdk-Date` and the emulator's clock, either
    /// way. Default: 15 minutes.
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_skew = skew;
        self
    }

    /// Reads time from `clock` instead of the system clock: to check `X-Sdk-Date`, and to issue
    /// and expire temporary credentials (the identity routes).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Keeps tasks in `store` instead of a new [`InMemoryTaskStore`]. Seeded tasks are
    /// inserted into it at start.
    pub fn store(mut self, store: Arc<dyn TaskStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Adds `tasks` to `project` at start.
    pub fn with_tasks(
        mut self,
        project: &ProjectId,
        tasks: impl IntoIterator<Item = Task>,
    ) -> Self {
        self.tasks
            .extend(tasks.into_iter().map(|task| (project.clone(), task)));
        self
    }

    /// Adds `n` tasks to `project` at start, as [`seeded_tasks`]`(project, n, rng_seed)` makes
    /// them: deterministic ids of 19 letters and digits, status completed.
    pub fn seed(mut self, project: &ProjectId, n: usize) -> Self {
        self.seeds.push((project.clone(), n));
        self
    }

    /// Adds `n` varied tasks to `project` at start, with their versions, as
    /// [`seeded_records_mixed`]`(project, n, rng_seed)` makes them: deterministic ids, statuses
    /// cycling completed, failed, running, completed, stopped, failed (never initializing),
    /// names after their task type (`cleaning-00001`, …), one hour apart, 0 to 3 versions.
    pub fn seed_mixed(mut self, project: &ProjectId, n: usize) -> Self {
        self.mixed_seeds.push((project.clone(), n));
        self
    }

    /// The seed of the RNG behind seeded and created task ids. Default 0.
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = seed;
        self
    }

    /// Injects faults as `faults` says (checked at start).
    pub fn faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }

    /// Throttles like Huawei Cloud's API gateway: at most `limit`'s N requests per second or
    /// per minute for each (project, API), the rest answered `429 APIG.0308` (see
    /// [`RateLimit`]; checked at start). Default: no limit. Change it while running with
    /// [`Emulator::set_rate_limit`].
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Changes the rate limit as time passes: each step of `schedule` takes over at its offset
    /// from the start (checked at start). The [`rate_limit`](Self::rate_limit), if any, holds
    /// until the first step.
    pub fn rate_limit_schedule(mut self, schedule: RateLimitSchedule) -> Self {
        self.rate_limit_schedule = schedule;
        self
    }

    /// How the identity routes behave (the ECS metadata service, pod identity, STS and IAM,
    /// which issue temporary credentials and list projects); they are served whether this is
    /// called or not, with [`IdentityConfig::default`] when not.
    pub fn identity(mut self, identity: IdentityConfig) -> Self {
        self.identity = identity;
        self
    }

    /// The largest request body accepted; larger ones get `413 APIG.0201`. Default 1 MiB.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// How many requests [`Emulator::received_requests`] keeps (the first ones). Default
    /// 100,000; 0 keeps none.
    pub fn path_log_capacity(mut self, capacity: usize) -> Self {
        self.path_log_capacity = capacity;
        self
    }

    /// The status of tasks made by `POST …/processor-tasks`. Default [`TaskStatus::Running`].
    pub fn created_task_status(mut self, status: TaskStatus) -> Self {
        self.created_status = status;
        self
    }

    /// How long [`Emulator::shutdown`] lets open requests finish. Default 5 s.
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Serves HTTPS with `config`. Set its `alpn_protocols` to `[b"h2", b"http/1.1"]` to offer
    /// HTTP/2; the certificate must name the host clients use (`127.0.0.1` for
    /// [`Emulator::endpoint`]).
    #[cfg(feature = "tls")]
    pub fn tls(mut self, config: Arc<rustls::ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Binds and starts serving on the current Tokio runtime (which must have IO and time
    /// enabled).
    ///
    /// # Errors
    ///
    /// An invalid fault configuration or rate limit, or an address that cannot be bound.
    pub async fn start(self) -> Result<Emulator, StartError> {
        self.validate()?;
        let listener = TcpListener::bind(self.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: self.addr,
                source,
            })?;
        let (running, server) = self.prepare(&listener)?;
        let task = tokio::spawn(server.run(listener));
        Ok(Emulator::new(running, task, None))
    }

    /// Binds and starts serving on a runtime of its own with `worker_threads` threads (at least
    /// 1), so the emulator never competes with the caller's runtime; usable from sync code.
    ///
    /// # Errors
    ///
    /// An invalid fault configuration or rate limit, an address that cannot be bound, or a
    /// runtime that cannot be built.
    pub fn start_background(self, worker_threads: usize) -> Result<Emulator, StartError> {
        self.validate()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(worker_threads.max(1))
            .thread_name("api-emulator")
            .enable_all()
            .build()
            .map_err(StartError::Runtime)?;
        let listener =
            std::net::TcpListener::bind(self.addr).map_err(|source| StartError::Bind {
                addr: self.addr,
                source,
            })?;
        listener
            .set_nonblocking(true)
            .map_err(StartError::Runtime)?;
        let listener = {
            let _entered = runtime.enter();
            TcpListener::from_std(listener).map_err(StartError::Runtime)?
        };
        let (running, server) = self.prepare(&listener)?;
        let task = runtime.spawn(server.run(listener));
        Ok(Emulator::new(running, task, Some(runtime)))
    }

    /// Checks the faults and the rate limits.
    fn validate(&self) -> Result<(), StartError> {
        self.faults.validate()?;
        if let Some(limit) = &self.rate_limit {
            limit.validate()?;
        }
        self.rate_limit_schedule.validate()?;
        Ok(())
    }

    /// Builds the shared state and the server for `listener`.
    fn prepare(self, listener: &TcpListener) -> Result<(Running, Server), StartError> {
        let addr = listener.local_addr().map_err(StartError::Runtime)?;
        let store = self
            .store
            .unwrap_or_else(|| Arc::new(InMemoryTaskStore::new()));
        for (project, n) in &self.seeds {
            for task in seeded_tasks(project, *n, self.rng_seed) {
                store.insert(project, task);
            }
        }
        for (project, n) in &self.mixed_seeds {
            for record in seeded_records_mixed(project, *n, self.rng_seed) {
                store.insert_record(project, record);
            }
        }
        for (project, task) in self.tasks {
            store.insert(&project, task);
        }
        let stats = Arc::new(Stats::default());
        let paths = Arc::new(PathLog::new(self.path_log_capacity));
        #[cfg(feature = "tls")]
        let https = self.tls.is_some();
        #[cfg(not(feature = "tls"))]
        let https = false;
        if self.credentials.is_empty() {
            tracing::warn!("the emulator accepts no credentials: every API request gets 401");
        }
        let identity_project = self
            .identity
            .project
            .clone()
            .or_else(|| self.credentials.first_project().cloned())
            .unwrap_or_else(demo_project_id);
        let rate_limiter = Arc::new(RateLimiter::new(
            TimeSource::new(self.clock.clone()),
            self.rate_limit,
            self.rate_limit_schedule,
        ));
        let clock: Arc<dyn Clock> = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let issued = Arc::new(IssuedCredentials::default());
        let identity = Arc::new(Identity::new(
            self.identity,
            identity_project.clone(),
            clock.clone(),
            issued.clone(),
        ));
        let app = Arc::new(App {
            store: store.clone(),
            auth: Authenticator::with_issued(
                self.credentials,
                self.max_skew,
                Some(clock),
                issued,
                identity_project,
            ),
            identity: identity.clone(),
            faults: FaultInjector::new(self.faults),
            rate_limiter: rate_limiter.clone(),
            stats: stats.clone(),
            paths: paths.clone(),
            request_ids: RequestIds::new(),
            ids: IdGenerator::new(self.rng_seed.wrapping_add(1)),
            max_body_size: self.max_body_size,
            created_status: self.created_status,
        });
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let server = Server {
            app,
            shutdown: shutdown_rx,
            grace: self.shutdown_grace,
            #[cfg(feature = "tls")]
            tls: self.tls.map(tokio_rustls::TlsAcceptor::from),
        };
        let running = Running {
            addr,
            https,
            store,
            stats,
            paths,
            identity,
            rate_limiter,
            shutdown: shutdown_tx,
        };
        tracing::info!(%addr, https, "the ModelArts processor-tasks emulator is listening");
        Ok((running, server))
    }
}
