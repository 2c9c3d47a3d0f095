//! An API-gateway-like rate limit: `RateLimit` (a token bucket or a fixed window per project
//! and API), `RateLimitSchedule` (limits that change as time passes), and the limiter the
//! request pipeline asks.

#[cfg(feature = "cli")]
mod args;
mod limiter;
mod schedule;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

#[cfg(feature = "cli")]
pub use args::RateLimitArgs;
pub(crate) use limiter::{RateLimiter, TimeSource};
pub use schedule::RateLimitSchedule;

/// The error code of a throttled request, as Huawei Cloud's API gateway (APIG) answers it.
pub const THROTTLED_ERROR_CODE: &str = "APIG.0308";

/// The period a [`RateLimit`] counts requests over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RatePeriod {
    /// One second: `N/s`, `time:1 second` in the throttled message.
    Second,
    /// One minute: `N/min`, `time:1 minute` in the throttled message.
    Minute,
}

impl RatePeriod {
    /// The period's length.
    #[must_use]
    pub fn duration(self) -> Duration {
        match self {
            Self::Second => Duration::from_secs(1),
            Self::Minute => Duration::from_secs(60),
        }
    }

    /// The unit in the gateway's message: `second` or `minute`.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Second => "second",
            Self::Minute => "minute",
        }
    }

    /// The unit in `N/unit` text: `s` or `min`.
    fn suffix(self) -> &'static str {
        match self {
            Self::Second => "s",
            Self::Minute => "min",
        }
    }
}

/// How a [`RateLimit`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum RateLimitMode {
    /// A token bucket (the default): it holds up to `burst` tokens (default N), starts full and
    /// refills continuously at N tokens per period; a request is admitted when a whole token is
    /// there, and takes it.
    #[default]
    TokenBucket,
    /// A fixed window, the gateway's way: N requests per window of one period; the count
    /// starts afresh at each window boundary.
    FixedWindow,
}

impl RateLimitMode {
    /// `bucket` or `window`, as the `--rate-limit-mode` flag spells them.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::TokenBucket => "bucket",
            Self::FixedWindow => "window",
        }
    }
}

impl fmt::Display for RateLimitMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TokenBucket => "token bucket",
            Self::FixedWindow => "fixed window",
        })
    }
}

impl FromStr for RateLimitMode {
    type Err = InvalidRateLimit;

    /// `bucket` (or `token-bucket`) and `window` (or `fixed-window`), in any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "bucket" | "token-bucket" => Ok(Self::TokenBucket),
            "window" | "fixed-window" => Ok(Self::FixedWindow),
            _ => Err(InvalidRateLimit::Syntax(format!(
                "{text:?} is not a rate limit mode: write bucket or window"
            ))),
        }
    }
}

/// A rate limit like Huawei Cloud's API gateway applies: at most N requests per second or per
/// minute, **for each (project, API)**: each [`Route`](crate::Route) of each project has its
/// own bucket (or window), so a list and a delete are limited separately, and so are two
/// projects. Unrouted requests (`404`) and the identity routes are never limited. Set it with
/// [`EmulatorBuilder::rate_limit`](crate::EmulatorBuilder::rate_limit), change it with
/// [`Emulator::set_rate_limit`](crate::Emulator::set_rate_limit) or a
/// [`RateLimitSchedule`].
///
/// # Where and how
///
/// The limit is checked after authentication and the project check (a refused request never
/// takes a token), and after a fault's latency (which plays the network's round trip, for
/// throttled requests too), before any other fault and the handler. A throttled request is
/// answered
///
/// ```text
/// HTTP/1.1 429 Too Many Requests
/// Content-Type: application/json
/// X-Request-Id: <id>
///
/// {"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second","request_id":"<id>"}
/// ```
///
/// (`time:1 minute` for a per-minute limit; `limit:` is N as `f64`'s `Display` writes it, so
/// `10` for 10.0), with **no `Retry-After`** unless [`retry_after`](Self::retry_after) is set.
/// It never reaches the store, gets no other fault, and counts in
/// [`StatsSnapshot::throttled`](crate::StatsSnapshot::throttled) (and, as any response, in
/// [`StatsSnapshot::responses`](crate::StatsSnapshot::responses) under 429).
///
/// # Modes
///
/// - [`TokenBucket`](RateLimitMode::TokenBucket) (default): a bucket holds up to `burst`
///   tokens (default `max(N, 1)`), is full when first used, and refills continuously at N
///   tokens per period: `tokens = min(burst, tokens + elapsed × N / period)`. A request is
///   admitted when `tokens ≥ 1` (allowing 1e-9 for rounding) and takes one.
/// - [`FixedWindow`](RateLimitMode::FixedWindow): windows of one period W, aligned to the
///   instant the window limit took effect (the emulator's start for the builder's limit; a
///   change keeps the alignment unless the mode or the period changes: see
///   [`Emulator::set_rate_limit`](crate::Emulator::set_rate_limit)), i.e. `[t0 + k·W,
///   t0 + (k+1)·W)`; the first N requests of each window are admitted. N must be a whole
///   number.
///
/// Time is the emulator's [`clock`](crate::EmulatorBuilder::clock) when one is set (so a test
/// can move it by hand; a clock that goes back counts as standing still), else a monotonic
/// clock (Tokio's `Instant`, which follows paused time in tests).
///
/// ```
/// use api_emulator::{RateLimit, RateLimitMode};
///
/// let bucket = RateLimit::per_second(10.0).burst(20).retry_after(true);
/// assert_eq!(bucket.to_string(), "10/s token bucket, burst 20, Retry-After");
/// let window: RateLimit = "100/min".parse()?;
/// let window = window.mode(RateLimitMode::FixedWindow);
/// assert!(window.validate().is_ok());
/// assert_eq!(
///     window.throttled_message(),
///     "The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute"
/// );
/// assert!(RateLimit::per_second(0.0).validate().is_err());
/// # Ok::<(), api_emulator::InvalidRateLimit>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RateLimit {
    pub(crate) limit: f64,
    pub(crate) period: RatePeriod,
    pub(crate) mode: RateLimitMode,
    pub(crate) burst: Option<u32>,
    pub(crate) retry_after: bool,
    pub(crate) count_throttled: bool,
}

impl RateLimit {
    /// At most `n` requests per second per (project, API); a token bucket with a burst of
    /// `max(n, 1)`, no `Retry-After`, throttled requests not counted. `n` must be finite and
    /// above 0 ([`validate`](Self::validate) says so; the builder and the setters check).
    #[must_use]
    pub fn per_second(n: f64) -> Self {
        Self::new(n, RatePeriod::Second)
    }

    /// At most `n` requests per minute per (project, API); otherwise as
    /// [`per_second`](Self::per_second).
    #[must_use]
    pub fn per_minute(n: f64) -> Self {
        Self::new(n, RatePeriod::Minute)
    }

    /// At most `n` requests per `period`.
    #[must_use]
    pub fn new(n: f64, period: RatePeriod) -> Self {
        Self {
            limit: n,
            period,
            mode: RateLimitMode::default(),
            burst: None,
            retry_after: false,
            count_throttled: false,
        }
    }

    /// Counts with a token bucket (the default) or a fixed window.
    #[must_use]
    pub fn mode(mut self, mode: RateLimitMode) -> Self {
        self.mode = mode;
        self
    }

    /// The token bucket's capacity: how many requests may come at once after a quiet spell
    /// (default `max(N, 1)`; at least 1). A fixed window has no burst: setting one is invalid.
    #[must_use]
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = Some(burst);
        self
    }

    /// Whether throttled replies carry `Retry-After`: the whole seconds until the bucket
    /// holds a token again, or until the window ends, rounded up, at least 1. Default false,
    /// as the gateway documents none.
    #[must_use]
    pub fn retry_after(mut self, send: bool) -> Self {
        self.retry_after = send;
        self
    }

    /// Whether throttled requests count against the quota (default false: only admitted
    /// requests take a token).
    ///
    /// With a token bucket, a throttled request takes what there is of the next token (the
    /// level drops by 1, not below 0), so a client that keeps retrying faster than the rate
    /// never gets through. With a fixed window it changes nothing: the window's count is
    /// already at N.
    #[must_use]
    pub fn count_throttled(mut self, count: bool) -> Self {
        self.count_throttled = count;
        self
    }

    /// N, the requests allowed per period.
    #[must_use]
    pub fn requests(&self) -> f64 {
        self.limit
    }

    /// The period N is counted over.
    #[must_use]
    pub fn period(&self) -> RatePeriod {
        self.period
    }

    /// The mode.
    #[must_use]
    pub fn limit_mode(&self) -> RateLimitMode {
        self.mode
    }

    /// The token bucket's capacity: the [`burst`](Self::burst) set, else `max(N, 1)`.
    #[must_use]
    pub fn bucket_capacity(&self) -> f64 {
        self.burst.map_or(self.limit.max(1.0), f64::from)
    }

    /// Whether throttled replies carry `Retry-After`.
    #[must_use]
    pub fn sends_retry_after(&self) -> bool {
        self.retry_after
    }

    /// Whether throttled requests count against the quota.
    #[must_use]
    pub fn counts_throttled(&self) -> bool {
        self.count_throttled
    }

    /// The `error_msg` of a throttled reply: `The throttling threshold has been reached:
    /// policy user over ratelimit,limit:N,time:1 second` (or `1 minute`).
    #[must_use]
    pub fn throttled_message(&self) -> String {
        format!(
            "The throttling threshold has been reached: policy user over ratelimit,limit:{},time:1 {}",
            self.limit,
            self.period.word()
        )
    }

    /// Checks the limit.
    ///
    /// # Errors
    ///
    /// N not finite or not above 0; a fixed window with an N that is not a whole number; a
    /// burst of 0, or a burst with a fixed window.
    pub fn validate(&self) -> Result<(), InvalidRateLimit> {
        if !self.limit.is_finite() || self.limit <= 0.0 {
            return Err(InvalidRateLimit::Rate { value: self.limit });
        }
        match self.mode {
            RateLimitMode::TokenBucket => {
                if self.burst == Some(0) {
                    return Err(InvalidRateLimit::ZeroBurst);
                }
            }
            RateLimitMode::FixedWindow => {
                if self.limit.fract() != 0.0 {
                    return Err(InvalidRateLimit::FractionalWindow { value: self.limit });
                }
                if self.burst.is_some() {
                    return Err(InvalidRateLimit::BurstInWindow);
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for RateLimit {
    /// `10/s token bucket, burst 10`, `100/min fixed window`, then `, Retry-After` and
    /// `, throttled requests count` when set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{} {}", self.limit, self.period.suffix(), self.mode)?;
        if self.mode == RateLimitMode::TokenBucket {
            write!(f, ", burst {}", self.bucket_capacity())?;
        }
        if self.retry_after {
            f.write_str(", Retry-After")?;
        }
        if self.count_throttled {
            f.write_str(", throttled requests count")?;
        }
        Ok(())
    }
}

impl FromStr for RateLimit {
    type Err = InvalidRateLimit;

    /// `N/s` (or `N/second`) and `N/min` (or `N/minute`), N a positive finite number: a token
    /// bucket with the defaults.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let syntax = |why: &str| {
            InvalidRateLimit::Syntax(format!(
                "{text:?}: {why}; write N/s or N/min, e.g. 10/s or 600/min"
            ))
        };
        let Some((number, unit)) = text.trim().split_once('/') else {
            return Err(syntax("no /unit"));
        };
        let period = match unit.trim().to_ascii_lowercase().as_str() {
            "s" | "second" => RatePeriod::Second,
            "min" | "minute" => RatePeriod::Minute,
            _ => return Err(syntax("the unit is not s, second, min or minute")),
        };
        let number = number.trim();
        // Only plain decimal numbers: f64's parser would take "inf" and "NaN" too.
        if number.is_empty()
            || !number
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '+')
        {
            return Err(syntax("N is not a number"));
        }
        let n: f64 = number.parse().map_err(|_| syntax("N is not a number"))?;
        let limit = Self::new(n, period);
        limit.validate()?;
        Ok(limit)
    }
}

/// Why a [`RateLimit`] or a [`RateLimitSchedule`] is invalid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidRateLimit {
    /// N is not finite or not above 0.
    #[error("invalid rate limit {value}: it must be a finite number above 0")]
    Rate {
        /// The value given.
        value: f64,
    },
    /// A fixed window with an N that is not a whole number.
    #[error(
        "invalid rate limit {value}: a fixed window admits a whole number of requests per window"
    )]
    FractionalWindow {
        /// The value given.
        value: f64,
    },
    /// A token bucket with a burst of 0, which would admit nothing.
    #[error("invalid rate limit burst 0: it must be at least 1")]
    ZeroBurst,
    /// A burst was set for a fixed window, which has none.
    #[error("a rate limit burst only applies to a token bucket, not to a fixed window")]
    BurstInWindow,
    /// Text that does not parse.
    #[error("invalid rate limit {0}")]
    Syntax(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rates() {
        for (text, n, period) in [
            ("10/s", 10.0, RatePeriod::Second),
            (" 2.5 / second ", 2.5, RatePeriod::Second),
            ("600/min", 600.0, RatePeriod::Minute),
            ("1/Minute", 1.0, RatePeriod::Minute),
            ("1e3/s", 1000.0, RatePeriod::Second),
        ] {
            let limit: RateLimit = text.parse().unwrap();
            assert_eq!((limit.requests(), limit.period()), (n, period), "{text}");
            assert_eq!(limit.limit_mode(), RateLimitMode::TokenBucket);
            assert!(!limit.sends_retry_after() && !limit.counts_throttled());
        }
        for bad in [
            "", "10", "10/", "/s", "10/h", "0/s", "-1/s", "inf/s", "NaN/s", "1e999/s", "x/s",
            "10/s/s", "1..2/s",
        ] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
        let message = "10/h".parse::<RateLimit>().unwrap_err().to_string();
        assert!(message.contains("N/s or N/min"), "{message}");
    }

    #[test]
    fn validation() {
        assert!(RateLimit::per_second(0.5).validate().is_ok());
        assert_eq!(RateLimit::per_second(0.5).bucket_capacity(), 1.0);
        assert_eq!(RateLimit::per_minute(30.0).bucket_capacity(), 30.0);
        assert_eq!(RateLimit::per_minute(30.0).burst(5).bucket_capacity(), 5.0);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(
                matches!(
                    RateLimit::per_second(bad).validate(),
                    Err(InvalidRateLimit::Rate { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            RateLimit::per_second(1.0).burst(0).validate(),
            Err(InvalidRateLimit::ZeroBurst)
        );
        let window = RateLimit::per_second(2.5).mode(RateLimitMode::FixedWindow);
        assert!(matches!(
            window.validate(),
            Err(InvalidRateLimit::FractionalWindow { .. })
        ));
        let window = RateLimit::per_second(2.0)
            .mode(RateLimitMode::FixedWindow)
            .burst(3);
        assert_eq!(window.validate(), Err(InvalidRateLimit::BurstInWindow));
    }

    #[test]
    fn text_forms() {
        assert_eq!(
            RateLimit::per_second(10.0).throttled_message(),
            "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second"
        );
        assert_eq!(
            RateLimit::per_minute(2.5).throttled_message(),
            "The throttling threshold has been reached: policy user over ratelimit,limit:2.5,time:1 minute"
        );
        assert_eq!(
            RateLimit::per_minute(100.0)
                .mode(RateLimitMode::FixedWindow)
                .count_throttled(true)
                .to_string(),
            "100/min fixed window, throttled requests count"
        );
        assert_eq!("Window".parse(), Ok(RateLimitMode::FixedWindow));
        assert_eq!("token-bucket".parse(), Ok(RateLimitMode::TokenBucket));
        assert!("sliding".parse::<RateLimitMode>().is_err());
        assert_eq!(RateLimitMode::FixedWindow.name(), "window");
    }
}
