//! Full-jitter exponential backoff: a uniform wait between zero and a cap that doubles each retry.

use std::time::Duration;

use super::RetryPolicy;

/// The backoff of one call: its own random source, so calls do not retry in lockstep.
#[derive(Debug)]
pub(crate) struct Backoff {
    rng: fastrand::Rng,
}

impl Backoff {
    pub(crate) fn new() -> Self {
        Self {
            rng: fastrand::Rng::new(),
        }
    }

    /// The wait before retry number `retry` (1 for the first retry), at least `at_least`
    /// (clamped to the policy's `Retry-After` cap).
    pub(crate) fn delay(
        &mut self,
        policy: &RetryPolicy,
        retry: u32,
        at_least: Option<Duration>,
    ) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        let cap = policy
            .initial_backoff()
            .saturating_mul(1u32 << doublings)
            .min(policy.max_backoff());
        // A fraction of the cap, so never above it (even for a cap near `Duration::MAX`).
        let jittered = Duration::try_from_secs_f64(cap.as_secs_f64() * self.rng.f64())
            .unwrap_or(cap)
            .min(cap);
        let floor = at_least.unwrap_or_default().min(policy.max_retry_after());
        jittered.max(floor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_under_a_doubling_cap() {
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(450));
        let mut backoff = Backoff::new();
        for _ in 0..200 {
            assert!(backoff.delay(&policy, 1, None) <= Duration::from_millis(100));
            assert!(backoff.delay(&policy, 2, None) <= Duration::from_millis(200));
            assert!(backoff.delay(&policy, 3, None) <= Duration::from_millis(400));
            assert!(backoff.delay(&policy, 9, None) <= Duration::from_millis(450));
            assert!(backoff.delay(&policy, u32::MAX, None) <= Duration::from_millis(450));
        }
    }

    #[test]
    fn jitter_spreads_the_waits() {
        let policy = RetryPolicy::default();
        let mut backoff = Backoff::new();
        let waits: std::collections::BTreeSet<_> =
            (0..50).map(|_| backoff.delay(&policy, 3, None)).collect();
        assert!(waits.len() > 40);
    }

    #[test]
    fn retry_after_is_a_floor_clamped_to_the_cap() {
        let policy = RetryPolicy::default().with_max_retry_after(Duration::from_secs(10));
        let mut backoff = Backoff::new();
        assert!(backoff.delay(&policy, 1, Some(Duration::from_secs(3))) >= Duration::from_secs(3));
        assert_eq!(
            backoff.delay(&policy, 1, Some(Duration::from_secs(3600))),
            Duration::from_secs(10)
        );
    }
}
