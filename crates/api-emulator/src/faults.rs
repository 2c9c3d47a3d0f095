//! Fault injection: seeded, repeatable 429/500/503 replies, latency and dropped connections.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::router::Route;

/// A kind of fault the emulator can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// `429 ModelArts.4206` with `Retry-After`.
    TooManyRequests,
    /// `500 ModelArts.0010`.
    InternalError,
    /// `503 ModelArts.4700` (unavailable gateway).
    Unavailable,
    /// The connection is closed with no response; nothing changed.
    DropConnection,
    /// `DELETE` only: the task is deleted, then the connection is closed with no response.
    DeleteThenDrop,
    /// Added latency (counted once per delayed request).
    Latency,
}

impl FaultKind {
    /// Every kind.
    pub const ALL: [FaultKind; 6] = [
        Self::TooManyRequests,
        Self::InternalError,
        Self::Unavailable,
        Self::DropConnection,
        Self::DeleteThenDrop,
        Self::Latency,
    ];

    pub(crate) fn index(self) -> usize {
        match self {
            Self::TooManyRequests => 0,
            Self::InternalError => 1,
            Self::Unavailable => 2,
            Self::DropConnection => 3,
            Self::DeleteThenDrop => 4,
            Self::Latency => 5,
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooManyRequests => "429 too many requests",
            Self::InternalError => "500 internal error",
            Self::Unavailable => "503 unavailable",
            Self::DropConnection => "dropped connection",
            Self::DeleteThenDrop => "delete then dropped connection",
            Self::Latency => "latency",
        })
    }
}

/// What faults to inject, and how often. The default injects nothing.
///
/// Each rate is the probability (0.0 to 1.0) that one request gets that fault; the rates of the
/// five kinds that replace the response add up to at most 1. Faults apply to API routes after
/// authentication, so a refused request never gets one, and none changes the store except
/// [`delete_then_drop`](Self::delete_then_drop), which only applies to `DELETE`.
///
/// Decisions come from a counter-based RNG keyed by [`seed`](Self::seed): the n-th request
/// that reaches fault injection gets the same decision for the same seed, however the requests
/// were spread over connections, so a test sending requests one after another sees the same
/// faults on every run.
///
/// ```
/// use std::time::Duration;
/// use api_emulator::FaultConfig;
///
/// let faults = FaultConfig {
///     seed: 7,
///     too_many_requests: 0.2,
///     unavailable: 0.1,
///     latency: Duration::from_millis(5),
///     ..FaultConfig::default()
/// };
/// faults.validate()?;
/// assert!(faults.is_active());
/// assert!(!FaultConfig::default().is_active());
/// # Ok::<(), api_emulator::InvalidFaultConfig>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FaultConfig {
    /// The RNG seed.
    pub seed: u64,
    /// Rate of `429 ModelArts.4206` replies.
    pub too_many_requests: f64,
    /// Rate of `500 ModelArts.0010` replies.
    pub internal_error: f64,
    /// Rate of `503 ModelArts.4700` replies.
    pub unavailable: f64,
    /// Rate of connections closed before any response (nothing changed).
    pub drop_connection: f64,
    /// Rate, among `DELETE` requests, of deleting the task and then closing the connection
    /// before the response, so the client never learns it succeeded.
    pub delete_then_drop: f64,
    /// Latency added to every request that reaches fault injection.
    pub latency: Duration,
    /// A random extra latency, uniform in `0..latency_jitter`, added on top of `latency`.
    pub latency_jitter: Duration,
    /// The `Retry-After` of 429 replies, in seconds. Default 1.
    pub retry_after_secs: u32,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            too_many_requests: 0.0,
            internal_error: 0.0,
            unavailable: 0.0,
            drop_connection: 0.0,
            delete_then_drop: 0.0,
            latency: Duration::ZERO,
            latency_jitter: Duration::ZERO,
            retry_after_secs: 1,
        }
    }
}

/// Why a [`FaultConfig`] is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidFaultConfig {
    /// A rate is not a number from 0 to 1.
    #[error(
        "the fault rate {name} = {value} is not between 0 and 1; give a probability such as 0.05"
    )]
    RateOutOfRange {
        /// The field's name.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// The rates add up to more than 1.
    #[error(
        "the fault rates add up to {sum}, more than 1: each request gets at most one fault, so lower some rates"
    )]
    RatesAboveOne {
        /// Their sum.
        sum: f64,
    },
    /// A latency is longer than [`MAX_LATENCY`].
    #[error("the {name} of {value:?} is more than the most allowed, an hour")]
    LatencyTooLong {
        /// The field's name.
        name: &'static str,
        /// The value given.
        value: Duration,
    },
}

/// The longest `latency` and `latency_jitter` accepted.
pub const MAX_LATENCY: Duration = Duration::from_secs(3_600);

impl FaultConfig {
    /// The rates in decision order, with the kind each one injects.
    fn rates(&self) -> [(FaultKind, &'static str, f64); 5] {
        [
            (
                FaultKind::TooManyRequests,
                "too_many_requests",
                self.too_many_requests,
            ),
            (
                FaultKind::InternalError,
                "internal_error",
                self.internal_error,
            ),
            (FaultKind::Unavailable, "unavailable", self.unavailable),
            (
                FaultKind::DropConnection,
                "drop_connection",
                self.drop_connection,
            ),
            (
                FaultKind::DeleteThenDrop,
                "delete_then_drop",
                self.delete_then_drop,
            ),
        ]
    }

    /// Checks that every rate is within 0..=1 and that they add up to at most 1.
    ///
    /// # Errors
    ///
    /// The first rate out of range, or the sum when it is above 1.
    pub fn validate(&self) -> Result<(), InvalidFaultConfig> {
        let mut sum = 0.0;
        for (_, name, value) in self.rates() {
            if !(0.0..=1.0).contains(&value) {
                return Err(InvalidFaultConfig::RateOutOfRange { name, value });
            }
            sum += value;
        }
        // Allow for rounding, e.g. 0.1 + 0.2 + 0.7.
        if sum > 1.0 + 1e-9 {
            return Err(InvalidFaultConfig::RatesAboveOne { sum });
        }
        for (name, value) in [
            ("latency", self.latency),
            ("latency_jitter", self.latency_jitter),
        ] {
            if value > MAX_LATENCY {
                return Err(InvalidFaultConfig::LatencyTooLong { name, value });
            }
        }
        Ok(())
    }

    /// Whether any fault or latency is configured.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.rates().iter().any(|(_, _, rate)| *rate > 0.0)
            || !self.latency.is_zero()
            || !self.latency_jitter.is_zero()
    }
}

/// What to do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Decision {
    /// Sleep this long first.
    pub(crate) latency: Option<Duration>,
    /// Then inject this fault instead of (or, for delete-then-drop, after) the handler.
    pub(crate) fault: Option<FaultKind>,
}

/// Decides, per request, which fault to inject. Lock-free: one atomic counter.
#[derive(Debug)]
pub(crate) struct FaultInjector {
    config: FaultConfig,
    active: bool,
    sequence: AtomicU64,
}

impl FaultInjector {
    pub(crate) fn new(config: FaultConfig) -> Self {
        Self {
            active: config.is_active(),
            config,
            sequence: AtomicU64::new(0),
        }
    }

    pub(crate) fn retry_after_secs(&self) -> u32 {
        self.config.retry_after_secs
    }

    pub(crate) fn decide(&self, route: Route) -> Decision {
        if !self.active {
            return Decision::default();
        }
        let n = self.sequence.fetch_add(1, Ordering::Relaxed);
        let draw = unit(mix(self.config.seed, n, 0));
        let mut fault = None;
        let mut threshold = 0.0;
        for (kind, _, rate) in self.config.rates() {
            threshold += rate;
            if draw < threshold {
                fault = Some(kind);
                break;
            }
        }
        if fault == Some(FaultKind::DeleteThenDrop) && route != Route::DeleteTask {
            fault = None;
        }
        // Checked arithmetic: a configuration that was never validated must not panic here.
        let jitter = Duration::try_from_secs_f64(
            self.config.latency_jitter.as_secs_f64() * unit(mix(self.config.seed, n, 1)),
        )
        .unwrap_or(self.config.latency_jitter);
        let latency = self.config.latency.saturating_add(jitter);
        Decision {
            latency: (!latency.is_zero()).then_some(latency),
            fault,
        }
    }
}

/// SplitMix64 of (seed, request number, stream): a counter-based RNG, so a decision depends
/// only on the seed and the request's place in the sequence.
fn mix(seed: u64, n: u64, stream: u64) -> u64 {
    let mut z = seed
        .wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform float in `[0, 1)` from the top 53 bits.
fn unit(bits: u64) -> f64 {
    // 53 bits fit exactly in an f64 mantissa.
    #[allow(clippy::cast_precision_loss)]
    let value = (bits >> 11) as f64;
    value / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decisions(config: &FaultConfig, route: Route, n: usize) -> Vec<Decision> {
        let injector = FaultInjector::new(config.clone());
        (0..n).map(|_| injector.decide(route)).collect()
    }

    #[test]
    fn inactive_by_default() {
        assert!(FaultConfig::default().validate().is_ok());
        assert!(
            decisions(&FaultConfig::default(), Route::DeleteTask, 100)
                .iter()
                .all(|d| *d == Decision::default())
        );
    }

    #[test]
    fn same_seed_same_decisions_and_rates_roughly_hold() {
        let config = FaultConfig {
            seed: 42,
            too_many_requests: 0.3,
            internal_error: 0.1,
            ..FaultConfig::default()
        };
        let a = decisions(&config, Route::DescribeTask, 2000);
        assert_eq!(a, decisions(&config, Route::DescribeTask, 2000));
        let other = FaultConfig {
            seed: 43,
            ..config.clone()
        };
        assert_ne!(a, decisions(&other, Route::DescribeTask, 2000));
        let count = |kind| a.iter().filter(|d| d.fault == Some(kind)).count();
        assert!((500..700).contains(&count(FaultKind::TooManyRequests)));
        assert!((140..260).contains(&count(FaultKind::InternalError)));
        assert_eq!(count(FaultKind::Unavailable), 0);
    }

    #[test]
    fn delete_then_drop_only_for_deletes() {
        let config = FaultConfig {
            delete_then_drop: 1.0,
            ..FaultConfig::default()
        };
        assert!(
            decisions(&config, Route::DeleteTask, 10)
                .iter()
                .all(|d| d.fault == Some(FaultKind::DeleteThenDrop))
        );
        assert!(
            decisions(&config, Route::ListTasks, 10)
                .iter()
                .all(|d| d.fault.is_none())
        );
    }

    #[test]
    fn latency_and_jitter() {
        let config = FaultConfig {
            latency: Duration::from_millis(10),
            latency_jitter: Duration::from_millis(5),
            ..FaultConfig::default()
        };
        for decision in decisions(&config, Route::ListTasks, 50) {
            let latency = decision.latency.unwrap_or_default();
            assert!(latency >= Duration::from_millis(10) && latency < Duration::from_millis(15));
            assert_eq!(decision.fault, None);
        }
    }

    #[test]
    fn validation() {
        let bad = FaultConfig {
            unavailable: 1.5,
            ..FaultConfig::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(InvalidFaultConfig::RateOutOfRange {
                name: "unavailable",
                ..
            })
        ));
        let nan = FaultConfig {
            drop_connection: f64::NAN,
            ..FaultConfig::default()
        };
        assert!(nan.validate().is_err());
        let sum = FaultConfig {
            too_many_requests: 0.6,
            internal_error: 0.6,
            ..FaultConfig::default()
        };
        assert!(matches!(
            sum.validate(),
            Err(InvalidFaultConfig::RatesAboveOne { .. })
        ));
        let edge = FaultConfig {
            too_many_requests: 0.1,
            internal_error: 0.2,
            unavailable: 0.7,
            ..FaultConfig::default()
        };
        assert!(edge.validate().is_ok());
        assert!(
            sum.to_owned()
                .validate()
                .unwrap_err()
                .to_string()
                .contains("more than 1")
        );
    }
}
