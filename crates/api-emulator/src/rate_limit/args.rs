//! `RateLimitArgs`: the standalone emulator's rate-limit flags.

use clap::builder::{PossibleValuesParser, TypedValueParser as _};

use super::{RateLimit, RateLimitMode, RateLimitSchedule};
use crate::args::ArgsError;

/// The rate-limit flags (see [`RateLimit`] and [`RateLimitSchedule`]): a limit like Huawei
/// Cloud's API gateway applies, per project and API, answering `429 APIG.0308`. Off unless
/// `--rate-limit` or `--rate-limit-schedule` is given; the other flags say how it counts and
/// apply to every step of a schedule.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RateLimitArgs {
    /// Throttle like the API gateway: at most N requests per second (N/s, N/second) or per
    /// minute (N/min, N/minute) for each project and API; the rest get 429 APIG.0308, with no
    /// Retry-After unless --rate-limit-retry-after. Off by default.
    #[arg(long = "rate-limit", value_name = "N/s|N/min",
          value_parser = |text: &str| text.parse::<RateLimit>())]
    pub rate_limit: Option<RateLimit>,

    /// How the rate limit counts: bucket (a token bucket: up to --rate-limit-burst at once,
    /// refilled at the rate) or window (N per fixed window of 1 second or 1 minute, counted
    /// afresh at each boundary, as the gateway does). Default: bucket.
    #[arg(long = "rate-limit-mode", value_name = "MODE",
          value_parser = PossibleValuesParser::new(["bucket", "window"])
              .map(|mode| mode.parse::<RateLimitMode>().unwrap_or_default()))]
    pub rate_limit_mode: Option<RateLimitMode>,

    /// The token bucket's size: how many requests may come at once after a quiet spell
    /// (default N, at least 1). Not for --rate-limit-mode window.
    #[arg(long = "rate-limit-burst", value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_burst: Option<u32>,

    /// Send Retry-After with throttled replies: the seconds until a token (or the next
    /// window) frees, rounded up, at least 1. The gateway documents none.
    #[arg(long = "rate-limit-retry-after")]
    pub rate_limit_retry_after: bool,

    /// Count throttled requests against the quota, as a gateway may: with a token bucket,
    /// each 429 takes what there is of the next token. By default only admitted requests do.
    #[arg(long = "rate-limit-count-throttled")]
    pub rate_limit_count_throttled: bool,

    /// Change the rate limit as time passes, from the start: OFFSET=RATE steps, e.g.
    /// "0s=100/s,10s=20/s,20s=100/s" (offsets in ms, s, m or h; RATE as --rate-limit, or off
    /// to lift it). --rate-limit, if given, holds until the first step.
    #[arg(long = "rate-limit-schedule", value_name = "OFFSET=RATE[,...]",
          value_parser = |text: &str| text.parse::<RateLimitSchedule>())]
    pub rate_limit_schedule: Option<RateLimitSchedule>,
}

impl RateLimitArgs {
    /// Whether a limit or a schedule is given.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.rate_limit.is_some() || self.rate_limit_schedule.is_some()
    }

    /// `limit` with the mode, burst, Retry-After and counting flags.
    fn apply(&self, mut limit: RateLimit) -> RateLimit {
        if let Some(mode) = self.rate_limit_mode {
            limit = limit.mode(mode);
        }
        if let Some(burst) = self.rate_limit_burst {
            limit = limit.burst(burst);
        }
        limit
            .retry_after(self.rate_limit_retry_after)
            .count_throttled(self.rate_limit_count_throttled)
    }

    /// The limit and the schedule the flags describe, validated.
    ///
    /// # Errors
    ///
    /// A mode, burst, Retry-After or counting flag without `--rate-limit` or
    /// `--rate-limit-schedule`; an invalid limit (e.g. a burst with a fixed window, or a
    /// fixed window of a fractional N).
    pub fn to_config(&self) -> Result<(Option<RateLimit>, Option<RateLimitSchedule>), ArgsError> {
        if !self.is_active() {
            let alone = [
                (self.rate_limit_mode.is_some(), "--rate-limit-mode"),
                (self.rate_limit_burst.is_some(), "--rate-limit-burst"),
                (self.rate_limit_retry_after, "--rate-limit-retry-after"),
                (
                    self.rate_limit_count_throttled,
                    "--rate-limit-count-throttled",
                ),
            ];
            if let Some((_, flag)) = alone.iter().find(|(given, _)| *given) {
                return Err(ArgsError::RateLimitFlagWithoutRate(flag));
            }
            return Ok((None, None));
        }
        let limit = self.rate_limit.clone().map(|limit| self.apply(limit));
        if let Some(limit) = &limit {
            limit.validate()?;
        }
        let schedule = self
            .rate_limit_schedule
            .clone()
            .map(|schedule| schedule.map_limits(|limit| self.apply(limit)));
        if let Some(schedule) = &schedule {
            schedule.validate()?;
        }
        Ok((limit, schedule))
    }

    /// The banner's lines about the limit (none when off).
    pub(crate) fn banner(&self) -> Vec<String> {
        let Ok((limit, schedule)) = self.to_config() else {
            return Vec::new();
        };
        let mut lines = Vec::new();
        if let Some(limit) = limit {
            lines.push(format!(
                "  rate limit: {limit}; per project and API, 429 APIG.0308"
            ));
        }
        if let Some(schedule) = schedule {
            let how = schedule
                .steps()
                .iter()
                .find_map(|(_, limit)| limit.as_ref())
                .map(|limit| {
                    let mut how = limit.limit_mode().to_string();
                    if let Some(burst) = self.rate_limit_burst {
                        how.push_str(&format!(", burst {burst}"));
                    }
                    if limit.sends_retry_after() {
                        how.push_str(", Retry-After");
                    }
                    if limit.counts_throttled() {
                        how.push_str(", throttled requests count");
                    }
                    how
                })
                .unwrap_or_default();
            lines.push(format!(
                "  rate steps: {schedule} from the start ({how}); per project and API, 429 APIG.0308"
            ));
        }
        lines
    }
}
