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
/// every request.)
///
/// **Once at a time.** While credentials are still valid, one caller refreshes them and every
/// other caller goes on with the current ones; if that refresh fails, the current ones are used
/// until they expire (the failure is logged). Only when they have expired do callers wait, and
/// then for one shared fetch.
pub struct RefreshingCredentials<S> {
    source: S,
    margin: Duration,
    clock: Arc<dyn Clock>,
    cached: Mutex<Option<Cached>>,
    refreshing: tokio::sync::Mutex<()>,
}

/// How long before expiry temporary credentials are replaced (at most half their life).
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

#[derive(Clone)]
struct Cached {
    value: TemporaryCredentials,
    /// When to replace them (`None`: beyond the clock's range).
    refresh_at: Option<Instant>,
    /// When they stop working (`None`: beyond the clock's range).
    expires: Option<Instant>,
}

enum State {
    Fresh(Credentials),
    Due(Credentials),
    Expired,
}

impl<S: CredentialsSource> RefreshingCredentials<S> {
    /// Wraps `source`; nothing is fetched until credentials are first asked for.
    pub fn new(source: S) -> Self {
        Self {
            source,
            margin: REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
            cached: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// Sets how long before expiry credentials are replaced (at most half their life).
    #[must_use]
    pub fn with_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The wall clock that expiry times are read against (for tests).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The source.
    pub fn source(&self) -> &S {
        &self.source
    }

    fn state(&self) -> State {
        let cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(cached) = cached.as_ref() else {
            return State::Expired;
        };
        let now = Instant::now();
        if cached.refresh_at.is_none_or(|at| now < at) {
            State::Fresh(cached.value.credentials.clone())
        } else if cached.expires.is_none_or(|at| now < at) {
            State::Due(cached.value.credentials.clone())
        } else {
            State::Expired
        }
    }

    async fn refresh(&self) -> Result<Credentials, CredentialsError> {
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
        let credentials = fetched.credentials.clone();
        let cached = Cached {
            refresh_at: fetched_at.checked_add(life.saturating_sub(margin)),
            expires: fetched_at.checked_add(life),
            value: fetched,
        };
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = Some(cached);
        tracing::debug!(origin = %self.source.origin(), life_s = life.as_secs(), "fetched temporary credentials");
        Ok(credentials)
    }
}

impl<S: fmt::Debug> fmt::Debug for RefreshingCredentials<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshingCredentials")
            .field("source", &self.source)
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl<S: CredentialsSource> CredentialsProvider for RefreshingCredentials<S> {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        match self.state() {
            State::Fresh(credentials) => Ok(credentials),
            State::Due(current) => {
                // One caller refreshes; the others go on with the current credentials.
                let Ok(_refreshing) = self.refreshing.try_lock() else {
                    return Ok(current);
                };
                if let State::Fresh(credentials) = self.state() {
                    return Ok(credentials);
                }
                match self.refresh().await {
                    Ok(credentials) => Ok(credentials),
                    Err(error) => {
                        tracing::warn!(%error, "could not refresh temporary credentials; using the current ones until they expire");
                        Ok(current)
                    }
                }
            }
            State::Expired => {
                let _refreshing = self.refreshing.lock().await;
                match self.state() {
                    State::Fresh(credentials) | State::Due(credentials) => Ok(credentials),
                    State::Expired => self.refresh().await,
                }
            }
        }
    }

    fn origin(&self) -> Option<Origin> {
        Some(self.source.origin())
    }

    fn expires_at(&self) -> Option<SystemTime> {
        self.cached
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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

    fn key_of(c: &Credentials) -> String {
        match c {
            Credentials::AkSk(k) => k.id().to_owned(),
            other => panic!("{other:?}"),
        }
    }

    fn source_with_life(
        clock: Arc<PausedClock>,
        life: Duration,
        counter: Arc<AtomicU64>,
    ) -> MockCredentialsSource {
        let mut source = MockCredentialsSource::new();
        source
            .expect_origin()
            .returning(|| Origin::Metadata("http://mock".into()));
        source.expect_fetch().returning(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(TemporaryCredentials::new(
                Credentials::temporary(format!("AK{n}"), "SK", "T"),
                clock.now() + life,
            ))
        });
        source
    }

    #[tokio::test(start_paused = true)]
    async fn reused_then_replaced_five_minutes_before_expiry() {
        let clock = clock();
        let fetches = Arc::new(AtomicU64::new(0));
        let provider = RefreshingCredentials::new(source_with_life(
            clock.clone(),
            Duration::from_secs(3600),
            fetches.clone(),
        ))
        .with_clock(clock);
        assert_eq!(key_of(&provider.credentials().await.unwrap()), "AK1");
        tokio::time::advance(Duration::from_secs(54 * 60)).await;
        assert_eq!(key_of(&provider.credentials().await.unwrap()), "AK1");
        tokio::time::advance(Duration::from_secs(61)).await; // 4 min 59 s left
        assert_eq!(key_of(&provider.credentials().await.unwrap()), "AK2");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        assert!(provider.expires_at().is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn short_lives_are_reused_for_half_their_life() {
        let clock = clock();
        let fetches = Arc::new(AtomicU64::new(0));
        let provider = RefreshingCredentials::new(source_with_life(
            clock.clone(),
            Duration::from_secs(240),
            fetches.clone(),
        ))
        .with_clock(clock);
        for _ in 0..100 {
            provider.credentials().await.unwrap();
            tokio::time::advance(Duration::from_secs(1)).await;
        }
        // 100 s of calls within the first 120 s: one fetch.
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        tokio::time::advance(Duration::from_secs(21)).await;
        provider.credentials().await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn fifty_concurrent_callers_cause_one_fetch_when_due_and_when_expired() {
        let clock = clock();
        let fetches = Arc::new(AtomicU64::new(0));
        let mut source = MockCredentialsSource::new();
        source
            .expect_origin()
            .returning(|| Origin::Metadata("http://mock".into()));
        let (c, f) = (clock.clone(), fetches.clone());
        source.expect_fetch().returning(move || {
            let n = f.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(TemporaryCredentials::new(
                Credentials::temporary(format!("AK{n}"), "SK", "T"),
                c.now() + Duration::from_secs(3600),
            ))
        });
        let provider = Arc::new(RefreshingCredentials::new(source).with_clock(clock));
        let burst = |p: Arc<RefreshingCredentials<MockCredentialsSource>>| async move {
            let calls: Vec<_> = (0..50)
                .map(|_| {
                    let p = p.clone();
                    tokio::spawn(async move { p.credentials().await })
                })
                .collect();
            for call in calls {
                call.await.unwrap().unwrap();
            }
        };
        burst(provider.clone()).await;
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        tokio::time::advance(Duration::from_secs(3400)).await; // due
        burst(provider.clone()).await;
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        tokio::time::advance(Duration::from_secs(7200)).await; // expired
        burst(provider.clone()).await;
        assert_eq!(fetches.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_refresh_keeps_the_current_credentials_until_they_expire() {
        let clock = clock();
        let mut source = MockCredentialsSource::new();
        source
            .expect_origin()
            .returning(|| Origin::Metadata("http://mock".into()));
        let c = clock.clone();
        let mut seq = mockall::Sequence::new();
        source
            .expect_fetch()
            .times(1)
            .in_sequence(&mut seq)
            .returning(move || {
                Ok(TemporaryCredentials::new(
                    Credentials::temporary("AK1", "SK", "T"),
                    c.now() + Duration::from_secs(3600),
                ))
            });
        source
            .expect_fetch()
            .times(2)
            .in_sequence(&mut seq)
            .returning(|| {
                Err(CredentialsError::Unavailable {
                    source_name: "mock",
                    reason: "down".into(),
                })
            });
        let provider = RefreshingCredentials::new(source).with_clock(clock);
        provider.credentials().await.unwrap();
        tokio::time::advance(Duration::from_secs(3500)).await;
        assert_eq!(key_of(&provider.credentials().await.unwrap()), "AK1");
        tokio::time::advance(Duration::from_secs(200)).await;
        assert!(provider.credentials().await.unwrap_err().is_transient());
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
