//! Pacing a batch: a slow start, adaptive concurrency (halve on 429, recover slowly) and a
//! request-rate cap.

use std::time::Duration;

use tokio::time::Instant;

/// How long after one halving another may happen: the replies of requests already in flight
/// should not halve the limit again.
const COOLDOWN: Duration = Duration::from_millis(500);

/// An additive-increase, multiplicative-decrease limit on requests in flight.
#[derive(Debug)]
pub struct AdaptiveLimit {
    max: usize,
    limit: usize,
    successes: usize,
    last_decrease: Option<Instant>,
    lowest: usize,
}

impl AdaptiveLimit {
    /// Starts at `max` in flight.
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        Self {
            max,
            limit: max,
            successes: 0,
            last_decrease: None,
            lowest: max,
        }
    }

    /// Requests allowed in flight now.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The lowest limit reached.
    pub fn lowest(&self) -> usize {
        self.lowest
    }

    /// The service asked us to slow down: halve the limit, at most once per cooldown.
    pub fn on_throttled(&mut self, now: Instant) {
        if self
            .last_decrease
            .is_some_and(|t| now.duration_since(t) < COOLDOWN)
        {
            return;
        }
        self.limit = (self.limit / 2).max(1);
        self.lowest = self.lowest.min(self.limit);
        self.successes = 0;
        self.last_decrease = Some(now);
    }

    /// A request went through unthrottled: after `limit` of them, allow one more in flight.
    pub fn on_success(&mut self) {
        if self.limit >= self.max {
            return;
        }
        self.successes += 1;
        if self.successes >= self.limit {
            self.limit += 1;
            self.successes = 0;
        }
    }
}

/// How much one unthrottled reply widens a [`Ramp`]: an eighth of a request, so the requests
/// in flight grow by an eighth each round trip.
const RAMP_GROWTH: f64 = 0.125;

/// A slow start: requests in flight begin at one and grow by an eighth each round trip, up to
/// the cap (64 after about 40 round trips). A gateway's bucket is then met by a wave an eighth
/// the size of what went before, not by the whole cap at once, so few requests (at short round
/// trips, about a ninth of the bucket's burst) are throttled before the first throttle turns
/// the client's rate limiter on (and [`Ramp::finish`] hands the pacing to it).
#[derive(Debug)]
pub struct Ramp {
    window: f64,
    max: usize,
}

impl Ramp {
    /// Starts at one in flight, growing to `max`.
    pub fn new(max: usize) -> Self {
        Self {
            window: 1.0,
            max: max.max(1),
        }
    }

    /// Requests allowed in flight now.
    pub fn limit(&self) -> usize {
        // The window is at least 1 and at most `max`: the cast cannot overflow.
        (self.window.floor() as usize).clamp(1, self.max)
    }

    /// Whether the ramp reached its cap, or was finished.
    pub fn is_done(&self) -> bool {
        self.limit() >= self.max
    }

    /// A reply came back: widen. (A throttle turns the client's rate limiter on, which ends
    /// the ramp through [`Ramp::finish`].)
    pub fn on_reply(&mut self) {
        self.window = (self.window + RAMP_GROWTH).min(self.max as f64);
    }

    /// Something else paces from now on: allow the cap.
    pub fn finish(&mut self) {
        self.window = self.max as f64;
    }
}

/// Spaces requests at least `1 / rate` seconds apart.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Option<Instant>,
}

impl Pacer {
    /// At most `rate` requests a second.
    /// A rate that is not a positive finite number, or so small that the interval would not
    /// fit a `Duration`, gives the longest interval a `Duration` holds (the CLI refuses such
    /// rates before they get here).
    pub fn new(rate: f64) -> Self {
        Self {
            interval: Duration::try_from_secs_f64(1.0 / rate).unwrap_or(Duration::MAX),
            next: None,
        }
    }

    /// Waits for the next slot.
    pub async fn wait(&mut self) {
        let now = Instant::now();
        let slot = self.next.map_or(now, |next| next.max(now));
        // An interval past what the clock can hold is a year: no next slot in practice.
        const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
        self.next = Some(
            slot.checked_add(self.interval)
                .or_else(|| slot.checked_add(YEAR))
                .unwrap_or(slot),
        );
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn halves_once_per_cooldown_and_recovers_slowly() {
        let mut limit = AdaptiveLimit::new(16);
        let t0 = Instant::now();
        limit.on_throttled(t0);
        limit.on_throttled(t0 + Duration::from_millis(100));
        assert_eq!(limit.limit(), 8);
        limit.on_throttled(t0 + Duration::from_millis(600));
        assert_eq!(limit.limit(), 4);
        for _ in 0..4 {
            limit.on_success();
        }
        assert_eq!(limit.limit(), 5);
        for _ in 0..1000 {
            limit.on_success();
        }
        assert_eq!(limit.limit(), 16);
        assert_eq!(limit.lowest(), 4);
        let mut one = AdaptiveLimit::new(1);
        one.on_throttled(t0);
        assert_eq!(one.limit(), 1);
    }

    #[test]
    fn the_ramp_grows_an_eighth_per_reply_up_to_the_cap() {
        let mut ramp = Ramp::new(64);
        assert_eq!(ramp.limit(), 1);
        let mut replies = 0;
        // Each round trip, as many replies as were in flight.
        let mut round_trips = 0;
        while !ramp.is_done() {
            for _ in 0..ramp.limit() {
                ramp.on_reply();
                replies += 1;
            }
            round_trips += 1;
        }
        assert_eq!(ramp.limit(), 64);
        assert!((35..=45).contains(&round_trips), "{round_trips}");
        assert!(replies > 450 && replies < 550, "{replies}");
        ramp.on_reply();
        assert_eq!(ramp.limit(), 64);

        let mut finished = Ramp::new(64);
        finished.finish();
        assert!(finished.is_done());
        assert_eq!(finished.limit(), 64);
        assert_eq!(Ramp::new(0).limit(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_pacer_spaces_requests() {
        let mut pacer = Pacer::new(10.0);
        let start = Instant::now();
        for _ in 0..11 {
            pacer.wait().await;
        }
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(1000) && elapsed < Duration::from_millis(1010),
            "{elapsed:?}"
        );
    }
}
