//! Retries: the policy (how many, how long), the classifier (whether), and the backoff (when).

mod backoff;
mod classifier;
mod retry_after;

use std::time::Duration;

pub(crate) use backoff::Backoff;
pub use classifier::{AttemptOutcome, RetryDecision, classify};
pub(crate) use classifier::{status_is_transient, transport_error_is_transient};
pub use retry_after::parse_retry_after;

/// How a client retries: attempts, full-jitter exponential backoff, and the `Retry-After` cap.
///
/// Which failures are retried is decided by [`classify`], separately from when.
///
/// ```
/// use std::time::Duration;
/// use api_client::RetryPolicy;
///
/// let patient = RetryPolicy::default().with_max_attempts(5).with_max_backoff(Duration::from_secs(10));
/// let none = RetryPolicy::disabled();
/// assert_eq!(none.max_attempts(), 1);
/// # drop(patient);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 200 ms capped at 5 s, `Retry-After` honoured up to 20 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// No retries: one attempt.
    pub fn disabled() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Attempts in all, the first included (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff cap of the first retry; it doubles each retry up to the max.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff cap.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest `Retry-After` honoured; longer ones are clamped to it.
    pub fn with_max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// Attempts in all.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff cap of the first retry.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The largest backoff cap.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The longest `Retry-After` honoured.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }
}
