//! `RetryQuota`: the standard-mode retry quota, a circuit breaker for fault retries.

use std::sync::{Mutex, PoisonError};

/// Tokens a full quota holds.
pub const RETRY_QUOTA_CAPACITY: u32 = 500;
/// What a retry after a fault (5xx, lost connection) costs.
pub const RETRY_COST: u32 = 5;
/// What a retry after a timeout costs.
pub const TIMEOUT_RETRY_COST: u32 = 10;
/// What a call that succeeds on its first attempt gives back.
const FIRST_TRY_REFUND: u32 = 1;

/// Fault retries spend tokens from a quota of 500 (5 a retry, 10 after a timeout); a call that
/// succeeds gives back what it spent, or 1 when it needed no retry. An empty quota means no
/// more fault retries until calls succeed again: a failing service is not hammered with
/// retries on top of the calls. Throttled retries do not spend it (the rate limiter paces them).
#[derive(Debug)]
pub(crate) struct RetryQuota {
    tokens: Mutex<u32>,
}

impl Default for RetryQuota {
    fn default() -> Self {
        Self {
            tokens: Mutex::new(RETRY_QUOTA_CAPACITY),
        }
    }
}

impl RetryQuota {
    /// Takes `cost` tokens if there are that many.
    pub(crate) fn try_take(&self, cost: u32) -> bool {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        match tokens.checked_sub(cost) {
            Some(left) => {
                *tokens = left;
                true
            }
            None => false,
        }
    }

    /// A call succeeded having spent `spent` tokens on retries.
    pub(crate) fn on_success(&self, spent: u32) {
        let refund = if spent == 0 { FIRST_TRY_REFUND } else { spent };
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        *tokens = tokens.saturating_add(refund).min(RETRY_QUOTA_CAPACITY);
    }

    /// Tokens left.
    pub(crate) fn available(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empties_and_refills() {
        let quota = RetryQuota::default();
        let mut retries = 0;
        while quota.try_take(RETRY_COST) {
            retries += 1;
        }
        assert_eq!(retries, 100);
        assert!(!quota.try_take(TIMEOUT_RETRY_COST));
        quota.on_success(0);
        assert_eq!(quota.available(), 1);
        for _ in 0..10 {
            quota.on_success(5);
        }
        assert_eq!(quota.available(), 51);
        for _ in 0..1000 {
            quota.on_success(10);
        }
        assert_eq!(quota.available(), RETRY_QUOTA_CAPACITY);
    }
}
