//! `RetryPartition`: the retry state clients share (rate limiters and the retry quota), and
//! `Throttling`, whether to pace at all.

use std::{
    collections::HashMap,
    fmt,
    sync::{Arc, Mutex, PoisonError},
};

use super::{AdaptiveLimiter, quota::RetryQuota};

/// How a client reacts to throttled replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Throttling {
    /// An [`AdaptiveLimiter`] per (endpoint host, project, operation), off until the first
    /// throttle; throttled retries wait on it and do not count against the attempts (the
    /// default).
    #[default]
    Adaptive,
    /// No rate limiter: a throttled reply is retried like a 5xx, with backoff, within the
    /// attempts.
    Off,
}

/// What a client's retries share: a rate limiter per (endpoint host, project, operation), and
/// the retry quota. Every clone of a `Client` shares its partition; give one partition to
/// several clients (`ClientBuilder::retry_partition`) and they pace together, as one gateway
/// limit sees them.
#[derive(Clone, Default)]
pub struct RetryPartition {
    limiters: Arc<Mutex<HashMap<LimiterKey, Arc<AdaptiveLimiter>>>>,
    pub(crate) quota: Arc<RetryQuota>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct LimiterKey {
    host: String,
    project: String,
    operation: &'static str,
}

impl RetryPartition {
    /// A new, empty partition.
    pub fn new() -> Self {
        Self::default()
    }

    /// The limiter of (host, project, operation), made on first use.
    pub(crate) fn limiter(
        &self,
        host: &str,
        project: &str,
        operation: &'static str,
    ) -> Arc<AdaptiveLimiter> {
        let key = LimiterKey {
            host: host.to_owned(),
            project: project.to_owned(),
            operation,
        };
        let mut limiters = self.limiters.lock().unwrap_or_else(PoisonError::into_inner);
        limiters.entry(key).or_default().clone()
    }

    /// The rate the limiter of (host, project, operation) paces at, in requests per second;
    /// `None` when it has not been throttled (or does not exist).
    pub fn rate(&self, host: &str, project: &str, operation: &str) -> Option<f64> {
        let limiters = self.limiters.lock().unwrap_or_else(PoisonError::into_inner);
        limiters
            .iter()
            .find(|(k, _)| k.host == host && k.project == project && k.operation == operation)
            .and_then(|(_, limiter)| limiter.rate())
    }
}

impl fmt::Debug for RetryPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let limiters = self
            .limiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("RetryPartition")
            .field("limiters", &limiters)
            .field("retry_quota", &self.quota.available())
            .finish()
    }
}
