//! `RateLimitSchedule`: rate limits that change by themselves as time passes.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::{InvalidRateLimit, RateLimit};

/// Offset units and their length in seconds.
const UNITS: [(&str, f64); 4] = [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3_600.0)];

/// Rate limits that take over one after another as time passes: steps of (offset, limit),
/// `None` lifting the limit. Set it with
/// [`EmulatorBuilder::rate_limit_schedule`](crate::EmulatorBuilder::rate_limit_schedule)
/// (offsets from the emulator's start) or
/// [`Emulator::set_rate_limit_schedule`](crate::Emulator::set_rate_limit_schedule) (offsets
/// from that call); until the first step, the limit in force stays.
///
/// A step takes effect exactly at its offset by the limiter's time source (see [`RateLimit`]):
/// it is applied when the next request after that instant is checked, buckets settled up to
/// the step's instant at the old rate, then changed as
/// [`Emulator::set_rate_limit`](crate::Emulator::set_rate_limit) says. No task or timer runs
/// for it. Steps are kept in offset order; two at the same offset apply in the order given
/// (the last wins).
///
/// Text form (the `--rate-limit-schedule` flag): `OFFSET=RATE[,OFFSET=RATE…]`, an offset a
/// number with `ms`, `s`, `m` or `h` (a bare number is seconds), a rate `N/s`, `N/min` or
/// `off`.
///
/// ```
/// use std::time::Duration;
/// use api_emulator::{RateLimit, RateLimitSchedule};
///
/// let steps: RateLimitSchedule = "0s=100/s, 10s=20/s, 20s=100/s, 1m=off".parse()?;
/// let same = RateLimitSchedule::new()
///     .at(Duration::ZERO, Some(RateLimit::per_second(100.0)))
///     .at(Duration::from_secs(10), Some(RateLimit::per_second(20.0)))
///     .at(Duration::from_secs(20), Some(RateLimit::per_second(100.0)))
///     .at(Duration::from_secs(60), None);
/// assert_eq!(steps, same);
/// assert_eq!(steps.to_string(), "0s=100/s,10s=20/s,20s=100/s,60s=off");
/// # Ok::<(), api_emulator::InvalidRateLimit>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct RateLimitSchedule {
    steps: Vec<(Duration, Option<RateLimit>)>,
}

impl RateLimitSchedule {
    /// A schedule with no step.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a step: from `offset` on, `limit` (`None`: no limit).
    #[must_use]
    pub fn at(mut self, offset: Duration, limit: Option<RateLimit>) -> Self {
        let place = self.steps.partition_point(|(at, _)| *at <= offset);
        self.steps.insert(place, (offset, limit));
        self
    }

    /// The steps, in offset order.
    #[must_use]
    pub fn steps(&self) -> &[(Duration, Option<RateLimit>)] {
        &self.steps
    }

    /// Whether there is no step.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Checks every step's limit.
    ///
    /// # Errors
    ///
    /// The first invalid limit (see [`RateLimit::validate`]).
    pub fn validate(&self) -> Result<(), InvalidRateLimit> {
        self.steps
            .iter()
            .filter_map(|(_, limit)| limit.as_ref())
            .try_for_each(RateLimit::validate)
    }

    /// The same steps, each limit changed by `change`.
    #[cfg(feature = "cli")]
    #[must_use]
    pub(crate) fn map_limits(mut self, change: impl Fn(RateLimit) -> RateLimit) -> Self {
        for (_, limit) in &mut self.steps {
            *limit = limit.take().map(&change);
        }
        self
    }

    pub(crate) fn into_steps(self) -> Vec<(Duration, Option<RateLimit>)> {
        self.steps
    }
}

impl FromStr for RateLimitSchedule {
    type Err = InvalidRateLimit;

    /// `OFFSET=RATE[,OFFSET=RATE…]`: see the type's documentation.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut schedule = Self::new();
        for step in text.split(',') {
            let invalid = |why: String| {
                InvalidRateLimit::Syntax(format!(
                    "schedule step {:?}: {why}; write OFFSET=RATE, e.g. 10s=20/s or 1m=off",
                    step.trim()
                ))
            };
            let Some((offset, rate)) = step.split_once('=') else {
                return Err(invalid("no =".into()));
            };
            let offset = parse_offset(offset).map_err(invalid)?;
            let limit = if rate.trim().eq_ignore_ascii_case("off") {
                None
            } else {
                Some(rate.parse::<RateLimit>()?)
            };
            schedule = schedule.at(offset, limit);
        }
        Ok(schedule)
    }
}

impl fmt::Display for RateLimitSchedule {
    /// The text form, offsets in seconds: `0s=100/s,10s=20/s,20s=off`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (offset, limit)) in self.steps.iter().enumerate() {
            if index > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}s=", offset.as_secs_f64())?;
            match limit {
                Some(limit) => write!(f, "{}/{}", limit.limit, limit.period.suffix())?,
                None => f.write_str("off")?,
            }
        }
        Ok(())
    }
}

/// `500ms`, `10s`, `1.5m`, `1h`; a bare number is seconds. Not negative, at most ~584 years
/// (what a `Duration` built from an `f64` holds).
fn parse_offset(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim();
    let seconds = if unit.is_empty() {
        1.0
    } else {
        UNITS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(unit))
            .map(|(_, seconds)| *seconds)
            .ok_or_else(|| format!("the offset unit {unit:?} is not ms, s, m or h"))?
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("the offset {trimmed:?} is not a number"))?;
    Duration::try_from_secs_f64(value * seconds)
        .map_err(|_| format!("the offset {trimmed:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets() {
        for (text, expected) in [
            ("0", Duration::ZERO),
            ("0s", Duration::ZERO),
            ("250ms", Duration::from_millis(250)),
            ("1.5s", Duration::from_millis(1500)),
            ("2m", Duration::from_secs(120)),
            (" 1H ", Duration::from_secs(3600)),
            ("7", Duration::from_secs(7)),
        ] {
            assert_eq!(parse_offset(text), Ok(expected), "{text}");
        }
        for bad in ["", "s", "-1s", "1d", "1e999s", "1..s", "ten"] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_schedules_in_order() {
        let schedule: RateLimitSchedule = "10s=20/s,0s=100/s,20s=OFF,10s=30/min".parse().unwrap();
        let steps = schedule.steps();
        assert_eq!(steps.len(), 4);
        assert_eq!(steps[0].0, Duration::ZERO);
        assert_eq!(steps[1].1, Some(RateLimit::per_second(20.0)));
        assert_eq!(
            steps[2].1,
            Some(RateLimit::per_minute(30.0)),
            "same offset: given order"
        );
        assert_eq!(steps[3], (Duration::from_secs(20), None));
        assert!(schedule.validate().is_ok());
        assert_eq!(schedule.to_string(), "0s=100/s,10s=20/s,10s=30/min,20s=off");
        for bad in ["", "10s", "10s=", "10s=0/s", "x=1/s", "1s=1/s,", "1s=1/h"] {
            assert!(bad.parse::<RateLimitSchedule>().is_err(), "{bad}");
        }
        let invalid =
            RateLimitSchedule::new().at(Duration::ZERO, Some(RateLimit::per_second(-1.0)));
        assert!(invalid.validate().is_err());
    }
}
