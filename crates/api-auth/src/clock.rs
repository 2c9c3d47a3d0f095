//! `Clock`: where the signer and the verifier read the current time, so tests can fix it.

use std::time::SystemTime;

/// A source of the current time.
///
/// The [`Signer`](crate::Signer) reads it to write `X-Sdk-Date`; the
/// [`Verifier`](crate::Verifier) reads it to check that date against the allowed skew.
/// [`SystemClock`] is the real one. With the `mock` feature (and in this crate's own tests)
/// `MockClock`, a [`mockall`](https://docs.rs/mockall) mock, answers whatever a test tells it to.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's wall clock, [`SystemTime::now`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn system_clock_is_after_2020() {
        let now = SystemClock.now();
        assert!(now > UNIX_EPOCH + Duration::from_secs(1_577_836_800));
    }

    #[test]
    fn mock_clock_answers_what_it_is_told() {
        let mut clock = MockClock::new();
        clock.expect_now().return_const(UNIX_EPOCH);
        assert_eq!(clock.now(), UNIX_EPOCH);
        assert!(!format!("{clock:?}").is_empty());
    }
}
