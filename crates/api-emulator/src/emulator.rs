//! `Emulator`: the handle of a running emulator: its address, counters, path log, store and
//! shutdown.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::runtime::Runtime;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::builder::EmulatorBuilder;
use crate::demo::{DEMO_AK, DEMO_SK, DEMO_TASK_COUNT, DEMO_TOKEN, demo_project_id};
use crate::identity::{Identity, IdentityStats};
use crate::path_log::{PathLog, ReceivedRequest};
use crate::rate_limit::{InvalidRateLimit, RateLimit, RateLimitSchedule, RateLimiter};
use crate::stats::{Stats, StatsSnapshot};
use crate::store::TaskStore;

/// The shared state a running emulator exposes.
pub(crate) struct Running {
    pub(crate) addr: SocketAddr,
    pub(crate) https: bool,
    pub(crate) store: Arc<dyn TaskStore>,
    pub(crate) stats: Arc<Stats>,
    pub(crate) paths: Arc<PathLog>,
    pub(crate) identity: Arc<Identity>,
    pub(crate) rate_limiter: Arc<RateLimiter>,
    pub(crate) shutdown: watch::Sender<bool>,
}

/// A running emulator of the ModelArts processor-tasks API.
///
/// Dropping it stops the server (without waiting); [`shutdown`](Self::shutdown) stops it and
/// waits until open requests are answered.
///
/// ```
/// use api_emulator::Emulator;
///
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// let project = "a4a5d4098fb4474fa22cd05f897d6b99".parse()?;
/// let emu = Emulator::builder().ak_sk("AK", "SK", &project).seed(&project, 100).start().await?;
/// assert!(emu.endpoint().starts_with("http://127.0.0.1:"));
/// assert_eq!(emu.store().count(&project), 100);
/// emu.shutdown().await;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Emulator {
    running: Running,
    task: Option<JoinHandle<()>>,
    runtime: Option<Runtime>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("endpoint", &self.endpoint())
            .field("own_runtime", &self.runtime.is_some())
            .finish_non_exhaustive()
    }
}

impl Emulator {
    pub(crate) fn new(running: Running, task: JoinHandle<()>, runtime: Option<Runtime>) -> Self {
        Self {
            running,
            task: Some(task),
            runtime,
        }
    }

    /// A builder with the defaults: no credentials, no tasks, no faults.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::new()
    }

    /// A builder with the demo setup: [`DEMO_AK`]/[`DEMO_SK`] and [`DEMO_TOKEN`] accepted for
    /// [`DEMO_PROJECT_ID`](crate::DEMO_PROJECT_ID), which holds [`DEMO_TASK_COUNT`] seeded tasks.
    pub fn demo() -> EmulatorBuilder {
        let project = demo_project_id();
        EmulatorBuilder::new()
            .ak_sk(DEMO_AK, DEMO_SK, &project)
            .token(DEMO_TOKEN, &project)
            .seed(&project, DEMO_TASK_COUNT)
    }

    /// The address the emulator listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.running.addr
    }

    /// The base URL to point a client at, e.g. `http://127.0.0.1:40123` (`https://` with TLS).
    #[must_use]
    pub fn endpoint(&self) -> String {
        let scheme = if self.running.https { "https" } else { "http" };
        format!("{scheme}://{}", self.running.addr)
    }

    /// The counters so far.
    #[must_use]
    pub fn stats(&self) -> StatsSnapshot {
        self.running.stats.snapshot()
    }

    /// The identity routes' counters so far: credentials issued by each route, metadata token
    /// requests, project lookups, and requests signed with issued credentials.
    #[must_use]
    pub fn identity_stats(&self) -> IdentityStats {
        self.running.identity.stats()
    }

    /// Changes the rate limit (see [`RateLimit`]) from the next request on; `None` lifts it.
    /// Any schedule step still to come is dropped.
    ///
    /// What the buckets keep: with the same mode, each token bucket is first refilled up to
    /// now at the old rate, then keeps its tokens (at most the new burst) and refills at the
    /// new rate, so a lower limit gives no fresh burst and a higher one only a faster refill;
    /// each fixed window keeps its count when the period is the same (the new N applies to it
    /// at once), and windows start afresh, aligned to now, when the period changed. From no
    /// limit, or to another mode, buckets start full and windows empty (aligned to now).
    /// Lifting the limit forgets every bucket.
    ///
    /// # Errors
    ///
    /// An invalid limit (see [`RateLimit::validate`]); the limit in force is then unchanged.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) -> Result<(), InvalidRateLimit> {
        if let Some(limit) = &limit {
            limit.validate()?;
        }
        self.running.rate_limiter.set(limit);
        Ok(())
    }

    /// Replaces the steps still to come with `schedule`'s, their offsets counted from now
    /// (steps at offset 0 apply at once); the limit in force holds until the first step. Each
    /// step changes the limit as [`set_rate_limit`](Self::set_rate_limit) does, at its own
    /// instant.
    ///
    /// # Errors
    ///
    /// An invalid step (see [`RateLimitSchedule::validate`]); nothing is then changed.
    pub fn set_rate_limit_schedule(
        &self,
        schedule: RateLimitSchedule,
    ) -> Result<(), InvalidRateLimit> {
        schedule.validate()?;
        self.running.rate_limiter.schedule(schedule);
        Ok(())
    }

    /// The rate limit in force now (schedule steps that are due applied), if any.
    #[must_use]
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.running.rate_limiter.current()
    }

    /// Resolves once the emulator has received at least `n` requests (they may still be in
    /// progress): for tests that act while a request is in flight, without sleeping.
    pub async fn received(&self, n: u64) {
        self.running.stats.received_at_least(n).await;
    }

    /// The paths of the requests received so far (the first
    /// [`path_log_capacity`](EmulatorBuilder::path_log_capacity)), exactly as they came on the
    /// wire: still percent-encoded, without the query.
    #[must_use]
    pub fn received_paths(&self) -> Vec<String> {
        self.running
            .paths
            .entries()
            .into_iter()
            .map(|request| request.path)
            .collect()
    }

    /// The requests received so far (method, raw path, raw query), as
    /// [`received_paths`](Self::received_paths) keeps them.
    #[must_use]
    pub fn received_requests(&self) -> Vec<ReceivedRequest> {
        self.running.paths.entries()
    }

    /// How many requests arrived after the path log was full, and so were not kept.
    #[must_use]
    pub fn received_paths_not_kept(&self) -> u64 {
        self.running.paths.overflow()
    }

    /// The task store, to read (or change) what the emulator holds.
    #[must_use]
    pub fn store(&self) -> &dyn TaskStore {
        self.running.store.as_ref()
    }

    /// The task store, shared.
    #[must_use]
    pub fn shared_store(&self) -> Arc<dyn TaskStore> {
        self.running.store.clone()
    }

    /// Stops accepting connections, lets open requests finish (up to the
    /// [`shutdown_grace`](EmulatorBuilder::shutdown_grace)), and returns when the server has
    /// stopped.
    pub async fn shutdown(mut self) {
        self.running.shutdown.send_replace(true);
        if let Some(task) = self.task.take()
            && let Err(error) = task.await
        {
            tracing::warn!(%error, "the emulator's server task failed");
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.running.shutdown.send_replace(true);
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
