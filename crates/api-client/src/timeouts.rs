//! `Timeouts`: how long one attempt, and a whole call with its retries, may take. Never infinite.

use std::time::Duration;

/// Time limits of a call. Both always apply; neither can be switched off.
///
/// The transport has its own connect timeout (see `HyperTransport::builder`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    attempt: Duration,
    deadline: Duration,
}

impl Default for Timeouts {
    /// 30 s an attempt, 2 minutes a call.
    fn default() -> Self {
        Self {
            attempt: Duration::from_secs(30),
            deadline: Duration::from_secs(120),
        }
    }
}

impl Timeouts {
    /// Sets the limit of one attempt, from sending to the last byte of the reply.
    pub fn with_attempt(mut self, limit: Duration) -> Self {
        self.attempt = limit;
        self
    }

    /// Sets the limit of a whole call, retries and backoff included.
    pub fn with_deadline(mut self, limit: Duration) -> Self {
        self.deadline = limit;
        self
    }

    /// The limit of one attempt.
    pub fn attempt(&self) -> Duration {
        self.attempt
    }

    /// The limit of a whole call.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }
}
