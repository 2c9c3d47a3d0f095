//! `RefreshingCredentials`: temporary credentials fetched from a source, reused, and replaced
//! ahead of their expiry by one caller at a time.

use std::{
    fmt,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, SystemTime},
};

use api_auth::{Clock, SystemClock};
use tokio::time::Instant;

use super::{Credentials, CredentialsError, CredentialsProvider};
use crate::Origin;

/// Credentials that expire, as a source issues them.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TemporaryCredentials {
    /// The credentials (usually an AK/SK with a security token).
    pub credentials: Credentials,
    /// When they stop working.
    pub expires_at: SystemTime,
}

impl TemporaryCredentials {
    /// Credentials valid until `expires_at`.
    pub fn new(credentials: Credentials, expires_at: SystemTime) -> Self {
        Self {
            credentials,
            expires_at,
        }
    }
}

/// Where temporary credentials come from: the ECS metadata service, pod identity, OIDC STS, a
/// federated id token, or your own. Wrap one in [`RefreshingCredentials`].
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait::async_trait]
pub trait CredentialsSource: Send + Sync + fmt::Debug {
    /// Fetches new credentials.
    async fn fetch(&self) -> Result<TemporaryCredentials, CredentialsError>;

    /// Where they come from, for reports.
    fn origin(&self) -> Origin;
}

/// Holds temporary credentials from a [`CredentialsSource`] and replaces them ahead of their
/// expiry.
///
/// **When it refreshes.** Credentials are replaced when less than [`REFRESH_MARGIN`] (5
/// minutes) of their life is left, or less than half of the life they had when fetched,
/// whichever is sooner. So a 1-hour credential is used for 55 minutes, and even a 4-minute one
/// is reused for 2 minutes: never a fetch per request. (The official SDKs refresh 40 minutes
/// before expiry, which replaces a 1-hour credential after 20 minutes and a 40-minute one on
/// every request.) Both the monotonic clock and the wall clock are checked, so credentials are
/// not trusted past their expiry after a machine wakes from sleep.
///
/// **Once at a time, off the request path.** While credentials are still valid, the refresh
/// runs in a background task and every caller goes on with the current ones; a failed refresh
/// is logged and tried again after [`RETRY_AFTER_FAILURE`], until the credentials expire. Only
/// when there are no valid credentials do callers wait, and then for one fetch: callers that
/// were waiting when it failed get its error rather than fetching again each in turn.
pub struct RefreshingCredentials<S> {
    inner: Arc<Shared<S>>,
}

/// How long before expiry temporary credentials are replaced (at most half their life).
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// How long after a failed background refresh the next one may start.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

struct Shared<S> {
    source: S,
    margin: Duration,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    /// Held by whoever fetches: one fetch at a time.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    /// Bumped by every finished fetch.
    generation: u64,
    /// The last fetch's error, if it failed, and when.
    failed: Option<(Instant, CredentialsError)>,
    /// A background refresh is running.
    refreshing: bool,
}

struct Cached {
    value: TemporaryCredentials,
    /// How long before expiry they are replaced.
    margin: Duration,
    /// When to replace them (`None`: beyond the clock's range).
    refresh_at: Option<Instant>,
    /// When they stop working (`None`: beyond the clock's range).
    expires: Option<Instant>,
}

enum Status {
    Fresh(Credentials),
    Due(Credentials),
    Expired,
}

impl<S: CredentialsSource> RefreshingCredentials<S> {
    /// Wraps `source`; nothing is fetched until credentials are first asked for.
    pub fn new(source: S) -> Self {
        Self::build(source, REFRESH_MARGIN, Arc::new(SystemClock))
    }

    fn build(source: S, margin: Duration, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Shared {
                source,
                margin,
                clock,
                state: Mutex::new(State::default()),
                fetching: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Sets how long before expiry credentials are replaced (at most half their life).
    /// Call it before the credentials are first used.
    #[must_use]
    pub fn with_margin(self, margin: Duration) -> Self {
        match Arc::try_unwrap(self.inner) {
            Ok(shared) => Self::build(shared.source, margin, shared.clock),
            Err(inner) => Self { inner },
        }
    }

    /// The wall clock that expiry times are read against (for tests). Call it before the
    /// credentials are first used.
    #[must_use]
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        match Arc::try_unwrap(self.inner) {
            Ok(shared) => Self::build(shared.source, shared.margin, clock),
            Err(inner) => Self { inner },
        }
    }

    /// The source.
    pub fn source(&self) -> &S {
        &self.inner.source
    }
}

impl<S: CredentialsSource> Shared<S> {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Where the cached credentials stand, and the fetch generation.
    fn status(&self) -> (Status, u64) {
        let state = self.lock();
        let Some(cached) = state.cached.as_ref() else {
            return (Status::Expired, state.generation);
        };
        let now = Instant::now();
        // The wall clock too: the monotonic one stops while the machine sleeps.
        let left = cached
            .value
            .expires_at
            .duration_since(self.clock.now())
            .unwrap_or(Duration::ZERO);
        let status = if left.is_zero() || cached.expires.is_some_and(|at| now >= at) {
            Status::Expired
        } else if left <= cached.margin || cached.refresh_at.is_some_and(|at| now >= at) {
            Status::Due(cached.value.credentials.clone())
        } else {
            Status::Fresh(cached.value.credentials.clone())
        };
        (status, state.generation)
    }

    /// Fetches and stores; the error is kept for the callers waiting on this fetch.
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let result = self.fetch_once().await;
        let mut state = self.lock();
        state.generation = state.generation.wrapping_add(1);
        match result {
            Ok(cached) => {
                let credentials = cached.value.credentials.clone();
                state.cached = Some(cached);
                state.failed = None;
                Ok(credentials)
            }
            Err(error) => {
                state.failed = Some((Instant::now(), error.clone()));
                Err(error)
            }
        }
    }

    async fn fetch_once(&self) -> Result<Cached, CredentialsError> {
        let fetched = self.source.fetch().await?;
        let fetched_at = Instant::now();
        let life = fetched
            .expires_at
            .duration_since(self.clock.now())
            .unwrap_or(Duration::ZERO);
        if life.is_zero() {
            return Err(CredentialsError::Source {
                source_name: "temporary credentials",
                reason: format!(
                    "{} issued credentials that expired at {} (is this machine's clock right?)",
                    self.source.origin(),
                    super::expiry::format_time(fetched.expires_at)
                ),
            });
        }
        let margin = self.margin.min(life / 2);
        tracing::debug!(origin = %self.source.origin(), life_s = life.as_secs(), "fetched temporary credentials");
        Ok(Cached {
            refresh_at: fetched_at.checked_add(life.saturating_sub(margin)),
            expires: fetched_at.checked_add(life),
            margin,
            value: fetched,
        })
    }
}

impl<S: CredentialsSource + 'static> Shared<S> {
    /// Starts a background refresh unless one runs, or one failed less than
    /// [`RETRY_AFTER_FAILURE`] ago.
    fn refresh_in_background(self: &Arc<Self>) {
        {
            let mut state = self.lock();
            let failed_recently = state
                .failed
                .as_ref()
                .is_some_and(|(at, _)| at.elapsed() < RETRY_AFTER_FAILURE);
            if state.refreshing || failed_recently {
                return;
            }
            state.refreshing = true;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.lock().refreshing = false;
            return;
        };
        let shared = Arc::clone(self);
        runtime.spawn(async move {
            let _fetching = shared.fetching.lock().await;
            if matches!(shared.status().0, Status::Due(_))
                && let Err(error) = shared.fetch().await
            {
                tracing::warn!(%error, "could not refresh temporary credentials; using the current ones until they expire");
            }
            shared.lock().refreshing = false;
        });
    }
}

impl<S: fmt::Debug> fmt::Debug for RefreshingCredentials<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingCredentials")
            .field("source", &self.inner.source)
            .field("margin", &self.inner.margin)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl<S: CredentialsSource + 'static> CredentialsProvider for RefreshingCredentials<S> {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let (status, seen) = self.inner.status();
        match status {
            Status::Fresh(credentials) => Ok(credentials),
            Status::Due(current) => {
                self.inner.refresh_in_background();
                Ok(current)
            }
            Status::Expired => {
                let _fetching = self.inner.fetching.lock().await;
                let (status, now) = self.inner.status();
                match status {
                    Status::Fresh(credentials) | Status::Due(credentials) => Ok(credentials),
                    Status::Expired => {
                        // A fetch finished (and failed) while this caller waited: its answer.
                        if now != seen
                            && let Some((_, error)) = self.inner.lock().failed.clone()
                        {
                            return Err(error);
                        }
                        self.inner.fetch().await
                    }
                }
            }
        }
    }

    fn origin(&self) -> Option<Origin> {
        Some(self.inner.source.origin())
    }

    fn expires_at(&self) -> Option<SystemTime> {
        self.inner
            .lock()
            .cached
            .as_ref()
            .map(|c| c.value.expires_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A wall clock that follows tokio's paused clock.
    #[derive(Debug)]
    struct PausedClock {
        start_wall: SystemTime,
        start: Instant,
    }

    impl Clock for PausedClock {
        fn now(&self) -> SystemTime {
            self.start_wall + self.start.elapsed()
        }
    }

    fn clock() -> Arc<PausedClock> {
        Arc::new(PausedClock {
            start_wall: SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000),
            start: Instant::now(),
        })
    }

    /// A source that takes `delay` to answer (so that concurrent callers overlap), issuing
    /// credentials that live `life`, or failing while `failing` is set.
    #[derive(Debug)]
    struct SlowSource {
        clock: Arc<PausedClock>,
        life: Duration,
        delay: Duration,
        fetches: AtomicU64,
        failing: std::sync::atomic::AtomicBool,
    }

    impl SlowSource {
        fn new(clock: Arc<PausedClock>, life: Duration) -> Self {
            Self {
                clock,
                life,
                delay: Duration::from_millis(200),
                fetches: AtomicU64::new(0),
                failing: false.into(),
            }
        }

        fn fetches(&self) -> u64 {
            self.fetches.load(Ordering::SeqCst)
        }
    }

    #[async_trait::async_trait]
    impl CredentialsSource for SlowSource {
        async fn fetch(&self) -> Result<TemporaryCredentials, CredentialsError> {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(self.delay).await;
            if self.failing.load(Ordering::SeqCst) {
                return Err(CredentialsError::Unavailable {
                    source_name: "slow",
                    reason: "down".into(),
                });
            }
            Ok(TemporaryCredentials::new(
                Credentials::temporary(format!("AK{n}"), "SK", "T"),
                self.clock.now() + self.life,
            ))
        }

        fn origin(&self) -> Origin {
            Origin::Metadata("http://slow".into())
        }
    }

    fn key_of(c: &Credentials) -> String {
        match c {
            Credentials::AkSk(k) => k.id().to_owned(),
            other => panic!("{other:?}"),
        }
    }

    fn provider(life: Duration) -> (Arc<RefreshingCredentials<SlowSource>>, Arc<PausedClock>) {
        let clock = clock();
        let provider = RefreshingCredentials::new(SlowSource::new(clock.clone(), life))
            .with_clock(clock.clone());
        (Arc::new(provider), clock)
    }

    /// Lets a background refresh run to its end (paused time moves on when all are idle).
    async fn settle() {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    async fn burst(
        provider: &Arc<RefreshingCredentials<SlowSource>>,
        n: usize,
    ) -> Vec<Result<Credentials, CredentialsError>> {
        let calls: Vec<_> = (0..n)
            .map(|_| {
                let p = provider.clone();
                tokio::spawn(async move { p.credentials().await })
            })
            .collect();
        let mut results = Vec::new();
        for call in calls {
            results.push(call.await.unwrap());
        }
        results
    }

    #[tokio::test(start_paused = true)]
    async fn reused_then_replaced_five_minutes_before_expiry_off_the_request_path() {
        let (provider, _) = provider(Duration::from_secs(3600));
        assert_eq!(key_of(&provider.credentials().await.unwrap()), "AK1");
        tokio::time::advance(Duration::from_secs(54 * 60)).await;
        assert_eq!(key_of(&provider.credentials().await.unwrap()), "AK1");
        tokio::time::advance(Duration::from_secs(61)).await; // 4 min 59 s left
        // Due: the caller goes on at once with the current credentials...
        let began = Instant::now();
        assert_eq!(key_of(&provider.credentials().await.unwrap()), "AK1");
        assert_eq!(began.elapsed(), Duration::ZERO);
        // ...while one background refresh replaces them.
        settle().await;
        assert_eq!(key_of(&provider.credentials().await.unwrap()), "AK2");
        assert_eq!(provider.source().fetches(), 2);
        assert!(provider.expires_at().is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn short_lives_are_reused_for_half_their_life() {
        let (provider, _) = provider(Duration::from_secs(240));
        for _ in 0..100 {
            provider.credentials().await.unwrap();
            tokio::time::advance(Duration::from_secs(1)).await;
        }
        // 100 s of calls within the first 120 s: one fetch.
        assert_eq!(provider.source().fetches(), 1);
        tokio::time::advance(Duration::from_secs(21)).await;
        provider.credentials().await.unwrap();
        settle().await;
        assert_eq!(provider.source().fetches(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn fifty_concurrent_callers_cause_one_fetch_when_due_and_when_expired() {
        let (provider, _) = provider(Duration::from_secs(3600));
        // Nothing cached: 50 callers overlap on one slow fetch.
        assert!(burst(&provider, 50).await.iter().all(Result::is_ok));
        assert_eq!(provider.source().fetches(), 1);
        tokio::time::advance(Duration::from_secs(3400)).await; // due
        let results = burst(&provider, 50).await;
        assert!(results.iter().all(|r| key_of(r.as_ref().unwrap()) == "AK1"));
        settle().await;
        assert_eq!(provider.source().fetches(), 2);
        tokio::time::advance(Duration::from_secs(7200)).await; // expired
        let results = burst(&provider, 50).await;
        assert!(results.iter().all(|r| key_of(r.as_ref().unwrap()) == "AK3"));
        assert_eq!(provider.source().fetches(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_refresh_keeps_the_current_credentials_and_waits_before_trying_again() {
        let (provider, _) = provider(Duration::from_secs(3600));
        provider.credentials().await.unwrap();
        provider.source().failing.store(true, Ordering::SeqCst);
        tokio::time::advance(Duration::from_secs(3500)).await; // due, 100 s left
        for _ in 0..20 {
            assert_eq!(key_of(&provider.credentials().await.unwrap()), "AK1");
            tokio::time::advance(Duration::from_secs(1)).await;
        }
        // 20 s of calls: a refresh at 0 s, one after RETRY_AFTER_FAILURE, and maybe one more.
        let fetches = provider.source().fetches();
        assert!((2..=4).contains(&fetches), "{fetches}");
        // Expired, and the source still down: 50 waiting callers share one failed fetch.
        tokio::time::advance(Duration::from_secs(100)).await;
        let before = provider.source().fetches();
        let results = burst(&provider, 50).await;
        assert!(
            results
                .iter()
                .all(|r| r.as_ref().is_err_and(CredentialsError::is_transient))
        );
        assert_eq!(provider.source().fetches(), before + 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_wall_clock_counts_too() {
        // The monotonic clock stops while a machine sleeps; the wall clock does not.
        #[derive(Debug)]
        struct Jumping(Mutex<SystemTime>);
        impl Clock for Jumping {
            fn now(&self) -> SystemTime {
                *self.0.lock().unwrap()
            }
        }
        let wall = Arc::new(Jumping(Mutex::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000),
        )));
        let mut source = MockCredentialsSource::new();
        source
            .expect_origin()
            .returning(|| Origin::Metadata("http://mock".into()));
        let w = wall.clone();
        let fetches = Arc::new(AtomicU64::new(0));
        let f = fetches.clone();
        source.expect_fetch().returning(move || {
            let n = f.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(TemporaryCredentials::new(
                Credentials::temporary(format!("AK{n}"), "SK", "T"),
                w.now() + Duration::from_secs(3600),
            ))
        });
        let provider = RefreshingCredentials::new(source).with_clock(wall.clone());
        provider.credentials().await.unwrap();
        *wall.0.lock().unwrap() += Duration::from_secs(7200);
        assert_eq!(key_of(&provider.credentials().await.unwrap()), "AK2");
    }

    #[tokio::test(start_paused = true)]
    async fn credentials_issued_already_expired_are_an_error() {
        let clock = clock();
        let mut source = MockCredentialsSource::new();
        source
            .expect_origin()
            .returning(|| Origin::Metadata("http://mock".into()));
        let c = clock.clone();
        source.expect_fetch().returning(move || {
            Ok(TemporaryCredentials::new(
                Credentials::temporary("AK", "SK", "T"),
                c.now() - Duration::from_secs(1),
            ))
        });
        let err = RefreshingCredentials::new(source)
            .with_clock(clock)
            .credentials()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("clock"), "{err}");
    }
}
