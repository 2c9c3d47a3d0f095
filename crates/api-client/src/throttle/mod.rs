//! Throttling: reading throttled replies, the adaptive rate limiter, what clients share, and
//! the retry quota.

mod limiter;
mod partition;
mod quota;
mod signal;

pub use limiter::{AdaptiveLimiter, CAP_TTL, MIN_RATE};
pub use partition::{RetryPartition, Throttling};
pub use quota::{RETRY_COST, RETRY_QUOTA_CAPACITY, TIMEOUT_RETRY_COST};
pub use signal::{ServerLimit, Throttle, throttle_of};
