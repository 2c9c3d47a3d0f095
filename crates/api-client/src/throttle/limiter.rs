//! `AdaptiveLimiter`: a send-rate token bucket after AWS's adaptive retry mode (CUBIC), off
//! until the first throttle, with the fixes its known bugs call for.

use std::{
    sync::{Mutex, PoisonError},
    time::Duration,
};

use tokio::{sync::Notify, time::Instant};

/// CUBIC's multiplicative decrease.
const BETA: f64 = 0.7;
/// CUBIC's scaling constant.
const SCALE: f64 = 0.4;
/// The lowest rate, in requests per second.
pub const MIN_RATE: f64 = 0.5;
/// The weight of a new sample of the measured send rate.
const SMOOTH: f64 = 0.8;
/// The measured send rate is sampled over this long.
const SAMPLE: Duration = Duration::from_millis(500);
/// A congestion event lasts at least this long: one rate cut per event.
const MIN_EVENT: Duration = Duration::from_millis(500);
/// A congestion event lasts at most this long, however slow one reply was.
const MAX_EVENT: Duration = Duration::from_secs(2);
/// A shortfall this small is granted, not slept (no 0-ns sleeps, no spin).
const GRANT_BELOW: Duration = Duration::from_millis(1);
/// The share of a server-stated limit the rate is capped at.
const SERVER_LIMIT_SHARE: f64 = 0.95;
/// After a throttle that stated a limit, the pace holds at 0.95 × it for this long, then probes
/// above it (a shared limit that cut the pace under it is dropped after this long instead).
pub const CAP_TTL: Duration = Duration::from_millis(2500);
/// How far above a stated limit a probe first goes: as far as the hold went under it, so the
/// probe spends the gateway's bucket at the pace the hold filled it.
const PROBE_STEP: f64 = 1.0 - SERVER_LIMIT_SHARE;
/// Requests a gateway's bucket may still hold when it throttles (it throttles under one).
const BUCKET_LEFT: f64 = 1.0;
/// Once the limit must have been raised, the probe's excess over it doubles this often.
const PROBE_DOUBLING: Duration = Duration::from_millis(250);
/// The first step of a probe lasts at most this many times what spending the gateway's bucket
/// should take: what the hold saved, what a round trip of throttled replies left in it, and
/// two requests ...
const PROBE_EVEN_SLACK: f64 = 1.5;
/// ... and never longer than this (a limit of a few a minute would take many minutes).
const PROBE_EVEN_MAX: Duration = Duration::from_secs(60);

/// CUBIC's K for a window `w`: how long after a cut the curve regains `w`.
fn cubic_k(w: f64) -> Duration {
    Duration::try_from_secs_f64((w.max(0.0) * (1.0 - BETA) / SCALE).cbrt())
        .unwrap_or(Duration::ZERO)
}

/// Paces the sends of one (endpoint, project, operation).
///
/// - **Off until the first throttle**: until then `acquire` returns at once.
/// - **On a throttle**: the rate becomes 0.7 × the measured send rate (or the current rate, if
///   lower), at most once per congestion event (the RTT, within 0.5 to 2 s): the replies of
///   requests already in flight do not cut it again.
/// - **On a success**: the rate follows CUBIC back up (C = 0.4): it regains the rate before
///   the cut after K = ∛(W·0.3/0.4) seconds, then probes above it, never above twice the
///   measured send rate.
/// - **A stated limit** (`limit:N,time:W`) sets a rate above it to 0.95·N/W at once and holds
///   it there (also under the 0.5/s floor: 5 a minute is a real limit). Not throttled again for
///   [`CAP_TTL`] (2.5 s), it probes at 1.05·N/W, which spends what the hold saved in the
///   gateway's bucket at the pace the hold saved it: an unchanged limit answers with a
///   throttle at a small excess. Once more requests succeeded since the last throttle than
///   the limit allowed in that time (plus the one its bucket may have kept), the limit must
///   have been raised, and the excess doubles every 0.25 s, so a raised limit is found within
///   seconds (20 → 90/s in 4.8 s in the bench's step test; a unit test bounds it at 10 s).
///   In case the count misleads, the first step lasts at most 1.5 × what spending the bucket
///   should take (7.4 s at 20/s and 20 ms). A throttle that states the limit again ends the
///   probe at 0.95·N/W. Throttled at or under it (the limit is shared with others), the rate
///   is cut as without one, and the limit is dropped after [`CAP_TTL`] without a throttle, the
///   rate then rising along the curve.
/// - **Even pacing**: the bucket holds at most 1/50 of a second of sends (at least 1, plus a
///   quarter so that a waiter woken late keeps what it is owed), so sends are spaced, not
///   bursted.
/// - **After a throttle** the next send waits a whole interval: the gateway's bucket is empty.
/// - Waiters queue in order (no starvation); a denied acquire takes nothing; waiters wake when
///   the rate changes; a shortfall under 1 ms is granted; it only ever sleeps asynchronously.
#[derive(Debug)]
pub struct AdaptiveLimiter {
    state: Mutex<State>,
    /// One waiter at a time waits for a token; the rest wait here, in order.
    queue: tokio::sync::Mutex<()>,
    /// Woken when the rate changes.
    changed: Notify,
}

#[derive(Debug)]
struct State {
    enabled: bool,
    /// Tokens per second.
    rate: f64,
    tokens: f64,
    last_refill: Instant,
    /// The rate before the last cut, and when it was cut.
    w_max: f64,
    last_cut: Option<Instant>,
    /// Where the CUBIC curve starts (t = 0): the last cut, or K before now when the curve
    /// should pass through W now.
    curve_origin: Instant,
    /// The last throttle.
    last_throttle: Option<Instant>,
    /// 0.95 × the server's stated limit, once one was seen.
    server_cap: Option<f64>,
    /// The pace follows the stated limit's hold and probe (not the curve): the last throttle
    /// stated a limit the rate was above.
    probing: bool,
    /// Successful replies since the last throttle, and when the probe found that the limit
    /// must have been raised.
    ok_since_throttle: u64,
    widening_since: Option<Instant>,
    /// The smoothed send rate and the current sample.
    measured: f64,
    sample_start: Instant,
    sample_count: u64,
    /// The smoothed reply time.
    rtt: Option<Duration>,
}

impl Default for AdaptiveLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl AdaptiveLimiter {
    /// A limiter that is off until the first throttle.
    pub fn new() -> Self {
        let now = Instant::now();
        Self {
            state: Mutex::new(State {
                enabled: false,
                rate: f64::INFINITY,
                tokens: 1.0,
                last_refill: now,
                w_max: 0.0,
                last_cut: None,
                curve_origin: now,
                last_throttle: None,
                server_cap: None,
                probing: false,
                ok_since_throttle: 0,
                widening_since: None,
                measured: 0.0,
                sample_start: now,
                sample_count: 0,
                rtt: None,
            }),
            queue: tokio::sync::Mutex::new(()),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The rate it paces at, in requests per second; `None` while off.
    pub fn rate(&self) -> Option<f64> {
        let state = self.lock();
        state.enabled.then_some(state.rate)
    }

    /// Waits for a send token. Returns at once while the limiter is off.
    pub async fn acquire(&self) {
        if !self.lock().enabled {
            return;
        }
        let _turn = self.queue.lock().await;
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            let wait = {
                let mut state = self.lock();
                if !state.enabled {
                    return;
                }
                let now = Instant::now();
                state.refill(now);
                if state.tokens >= 1.0 {
                    state.tokens -= 1.0;
                    return;
                }
                let shortfall = Duration::try_from_secs_f64((1.0 - state.tokens) / state.rate)
                    .unwrap_or(Duration::from_secs(1));
                if shortfall < GRANT_BELOW {
                    state.tokens = 0.0;
                    return;
                }
                // Registered before the lock is released: a rate change after it wakes us.
                changed.as_mut().enable();
                shortfall.min(Duration::from_secs(1))
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = &mut changed => {}
            }
        }
    }

    /// Takes in a reply: `throttled` when it was a throttle (with the limit it stated, in
    /// requests per second), and how long it took.
    pub fn on_reply(&self, throttled: bool, stated_limit: Option<f64>, took: Duration) {
        let now = Instant::now();
        let mut state = self.lock();
        state.measure(now, took);
        let before = state.rate;
        if throttled {
            state.on_throttle(now, stated_limit);
        } else {
            state.ok_since_throttle = state.ok_since_throttle.saturating_add(1);
            if state.enabled {
                state.on_success(now);
            }
        }
        let (rate, probing) = (state.rate, state.probing);
        drop(state);
        if (rate - before).abs() > f64::EPSILON {
            if throttled {
                tracing::debug!(rate, before, probing, stated_limit, "throttled: pace set");
            } else {
                tracing::trace!(rate, before, probing, "pace rose");
            }
            self.changed.notify_waiters();
        } else if throttled {
            tracing::debug!(rate, probing, stated_limit, "throttled: pace kept");
        }
    }
}

/// `d × factor`, saturating instead of panicking.
fn scale(d: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * factor).unwrap_or(Duration::MAX)
}

impl State {
    /// A throttle. With a stated limit, the rate becomes 0.95 × it at once (the server said
    /// what it takes; no dip below it). Without one, 0.7 × the measured rate, at most once per
    /// congestion event.
    fn on_throttle(&mut self, now: Instant, stated_limit: Option<f64>) {
        self.last_throttle = Some(now);
        self.ok_since_throttle = 0;
        self.widening_since = None;
        // The gateway's bucket is empty: the next send waits a whole interval, at the new pace.
        self.refill(now);
        self.tokens = 0.0;
        let event = self.rtt.unwrap_or(MIN_EVENT).clamp(MIN_EVENT, MAX_EVENT);
        let new_event = self
            .last_cut
            .is_none_or(|cut| now.saturating_duration_since(cut) >= event);
        let stated = stated_limit
            .filter(|l| l.is_finite() && *l > 0.0)
            .map(|l| l * SERVER_LIMIT_SHARE);
        if let Some(cap) = stated {
            let was_on = self.enabled;
            self.server_cap = Some(cap);
            self.enabled = true;
            if !was_on || self.rate > cap {
                // Above the stated limit: go to it at once and hold there, then probe.
                self.probing = true;
                self.last_cut = Some(now);
                self.w_max = cap;
                self.curve_origin = now.checked_sub(cubic_k(cap)).unwrap_or(now);
                self.set_rate(cap, now);
            } else if new_event {
                // Throttled at or under it: others share the limit. Cut as without one.
                self.probing = false;
                self.w_max = self.rate;
                self.last_cut = Some(now);
                self.curve_origin = now;
                let rate = self.rate * BETA;
                self.set_rate(rate, now);
            }
            return;
        }
        if new_event {
            self.probing = false;
            let base = if self.enabled {
                self.measured.min(self.rate)
            } else {
                self.measured
            };
            self.w_max = base.max(MIN_RATE);
            self.last_cut = Some(now);
            self.curve_origin = now;
            self.enabled = true;
            let rate = self.w_max * BETA;
            self.set_rate(rate, now);
        } else if let Some(cap) = self.server_cap
            && self.rate > cap
        {
            self.set_rate(cap, now);
        }
    }

    /// A success. Under a stated limit: its hold, then its probe. Otherwise CUBIC recovery from
    /// the last cut, at most twice the measured rate; a shared stated limit not heard again for
    /// [`CAP_TTL`] is dropped, and the curve rises slowly from the current rate.
    fn on_success(&mut self, now: Instant) {
        if self.probing
            && let Some(cap) = self.server_cap
        {
            let mut rate = self.probe_pace(now, cap / SERVER_LIMIT_SHARE);
            // Beyond the limit, no more than twice what is being sent (as on the curve).
            if self.measured > 0.0 {
                rate = rate.min((2.0 * self.measured).max(cap));
            }
            self.refill(now);
            self.rate = rate;
            self.tokens = self.tokens.min(self.capacity());
            return;
        }
        if self.server_cap.is_some()
            && self
                .last_throttle
                .is_none_or(|t| now.saturating_duration_since(t) >= CAP_TTL)
        {
            self.server_cap = None;
            self.w_max = self.rate;
            self.curve_origin = now.checked_sub(cubic_k(self.rate)).unwrap_or(now);
        }
        let since = now
            .saturating_duration_since(self.curve_origin)
            .as_secs_f64();
        let k = cubic_k(self.w_max).as_secs_f64();
        let mut rate = SCALE * (since - k).powi(3) + self.w_max;
        if self.measured > 0.0 {
            rate = rate.min(2.0 * self.measured);
        }
        self.set_rate(rate, now);
    }

    /// The pace under a stated `limit` (requests per second): 0.95 × it for [`CAP_TTL`] after
    /// the last throttle; then 1.05 × it, until more requests succeeded since the throttle
    /// than the limit allowed (or the step ran its longest); then an excess over it that
    /// doubles every [`PROBE_DOUBLING`].
    fn probe_pace(&mut self, now: Instant, limit: f64) -> f64 {
        let since = self
            .last_throttle
            .map_or(Duration::MAX, |t| now.saturating_duration_since(t));
        let Some(probing) = since.checked_sub(CAP_TTL) else {
            return limit * SERVER_LIMIT_SHARE;
        };
        if self.widening_since.is_none() {
            let allowed = limit * since.as_secs_f64() + BUCKET_LEFT;
            // The bucket holds what the hold saved (PROBE_STEP × limit a second), what went
            // unspent while a round trip of replies came back throttled, and a request or two.
            let rtt = self.rtt.unwrap_or(MIN_EVENT).min(MAX_EVENT).as_secs_f64();
            let saved = PROBE_STEP * limit * CAP_TTL.as_secs_f64() + limit * rtt + 2.0;
            let longest =
                Duration::try_from_secs_f64(PROBE_EVEN_SLACK * saved / (PROBE_STEP * limit))
                    .unwrap_or(PROBE_EVEN_MAX)
                    .min(PROBE_EVEN_MAX);
            if self.ok_since_throttle as f64 > allowed || probing >= longest {
                self.widening_since = Some(now);
            }
        }
        let Some(widening) = self.widening_since else {
            return limit * (1.0 + PROBE_STEP);
        };
        // Capped so that the power stays finite; twice the measured rate bounds it long before.
        let doublings = (now.saturating_duration_since(widening).as_secs_f64()
            / PROBE_DOUBLING.as_secs_f64())
        .min(64.0);
        limit * (1.0 + PROBE_STEP * doublings.exp2())
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now
            .saturating_duration_since(self.last_refill)
            .as_secs_f64();
        self.last_refill = now;
        if self.rate.is_finite() {
            self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity());
        }
    }

    /// At most 1/50 s of sends, at least one, and a quarter more: sends are spaced, not
    /// bursted, and a waiter woken a little late (timers round up to the millisecond) keeps
    /// what it was owed, so the pace is the rate and not a percent or two under it.
    fn capacity(&self) -> f64 {
        (self.rate / 50.0).max(1.0) + 0.25
    }

    fn set_rate(&mut self, rate: f64, now: Instant) {
        self.refill(now);
        // The floor, then a stated limit, which may be lower (5 a minute is a real one).
        let mut rate = if rate.is_finite() { rate } else { MIN_RATE }.max(MIN_RATE);
        if let Some(cap) = self.server_cap {
            rate = rate.min(cap);
        }
        self.rate = rate;
        self.tokens = self.tokens.min(self.capacity());
    }

    /// Counts a reply into the measured send rate (0.8 × the last half-second's rate + 0.2 ×
    /// the old one) and the smoothed reply time.
    fn measure(&mut self, now: Instant, took: Duration) {
        self.rtt = Some(match self.rtt {
            Some(rtt) => scale(rtt, 0.8).saturating_add(scale(took, 0.2)),
            None => took,
        });
        self.sample_count = self.sample_count.saturating_add(1);
        let elapsed = now.saturating_duration_since(self.sample_start);
        if elapsed >= SAMPLE {
            let sample = self.sample_count as f64 / elapsed.as_secs_f64();
            self.measured = if self.measured == 0.0 {
                sample
            } else {
                SMOOTH * sample + (1.0 - SMOOTH) * self.measured
            };
            self.sample_start = now;
            self.sample_count = 0;
        } else if self.measured == 0.0 && elapsed > Duration::ZERO {
            // Before the first full sample: the rate so far.
            self.measured = self.sample_count as f64 / elapsed.as_secs_f64().max(0.05);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const RTT: Duration = Duration::from_millis(20);

    /// A limiter that measured about `rate` sends a second, then was throttled once.
    async fn throttled_at(rate: f64) -> AdaptiveLimiter {
        let limiter = AdaptiveLimiter::new();
        let step = Duration::from_secs_f64(1.0 / rate);
        for _ in 0..(rate as usize * 2) {
            limiter.on_reply(false, None, RTT);
            tokio::time::advance(step).await;
        }
        limiter.on_reply(true, None, RTT);
        limiter
    }

    #[tokio::test(start_paused = true)]
    async fn off_until_the_first_throttle() {
        let limiter = AdaptiveLimiter::new();
        let began = Instant::now();
        for _ in 0..10_000 {
            limiter.acquire().await;
            limiter.on_reply(false, None, RTT);
        }
        assert_eq!(began.elapsed(), Duration::ZERO);
        assert_eq!(limiter.rate(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttle_cuts_to_0_7_of_the_measured_rate_once_per_event() {
        let limiter = throttled_at(100.0).await;
        let cut = limiter.rate().unwrap();
        assert!((60.0..=80.0).contains(&cut), "{cut}");
        // The replies of the 63 others in flight: no further cut within the event.
        for _ in 0..63 {
            limiter.on_reply(true, None, RTT);
        }
        assert_eq!(limiter.rate(), Some(cut));
        // A new event after 0.5 s cuts again.
        tokio::time::advance(Duration::from_millis(600)).await;
        limiter.on_reply(true, None, RTT);
        assert!(limiter.rate().unwrap() < cut);
    }

    #[tokio::test(start_paused = true)]
    async fn sends_are_paced_evenly_at_the_rate() {
        let limiter = throttled_at(100.0).await;
        let rate = limiter.rate().unwrap();
        let began = Instant::now();
        let mut gaps = Vec::new();
        let mut last = Instant::now();
        for _ in 0..200 {
            limiter.acquire().await;
            gaps.push(last.elapsed());
            last = Instant::now();
        }
        let took = began.elapsed().as_secs_f64();
        let expected = 200.0 / rate;
        assert!(
            (took - expected).abs() < expected * 0.1,
            "{took} vs {expected}"
        );
        // No bursts: after the first few, no two sends closer than half the interval.
        let interval = Duration::from_secs_f64(1.0 / rate);
        assert!(gaps[10..].iter().all(|g| *g >= interval / 2), "{gaps:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_throttle_the_next_send_waits_a_whole_interval() {
        // The first throttle turns the limiter on at 0.95 x 20/s: nothing goes out at once.
        let (interval, ms) = (
            Duration::from_secs_f64(1.0 / 19.0),
            Duration::from_millis(2),
        );
        let limiter = AdaptiveLimiter::new();
        limiter.on_reply(true, Some(20.0), RTT);
        let began = Instant::now();
        limiter.acquire().await;
        let waited = began.elapsed();
        assert!(waited >= interval && waited < interval + ms, "{waited:?}");
        // Idle for a while (its bucket fills), then throttled again (at the stated pace, so
        // as if others shared the limit: cut to 0.7 x): a whole interval at the new pace.
        tokio::time::advance(Duration::from_secs(2)).await;
        limiter.on_reply(true, Some(20.0), RTT);
        let interval = Duration::from_secs_f64(1.0 / limiter.rate().unwrap());
        assert!(interval > Duration::from_millis(70), "{interval:?}");
        let began = Instant::now();
        limiter.acquire().await;
        let waited = began.elapsed();
        assert!(waited >= interval && waited < interval + ms, "{waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn cubic_recovery_regains_the_rate_before_the_cut() {
        let limiter = throttled_at(100.0).await;
        let w_max = limiter.lock().w_max;
        let k = (w_max * (1.0 - BETA) / SCALE).cbrt();
        // Successes keep coming at the limiter's pace; after K seconds the rate is back to W.
        let mut t = 0.0;
        while t < k + 0.5 {
            limiter.acquire().await;
            limiter.on_reply(false, None, RTT);
            tokio::time::advance(Duration::from_millis(5)).await;
            t = limiter
                .lock()
                .last_cut
                .map_or(0.0, |c| c.elapsed().as_secs_f64());
        }
        let rate = limiter.rate().unwrap();
        assert!(
            rate >= w_max * 0.9,
            "{rate} after {t} s, W = {w_max}, K = {k}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_stated_limit_sets_the_rate_holds_it_then_probes_gently_then_widens() {
        let limiter = throttled_at(400.0).await;
        tokio::time::advance(Duration::from_secs(1)).await;
        limiter.on_reply(true, Some(100.0), RTT);
        assert_eq!(limiter.rate(), Some(95.0));
        // Successes every 10 ms; the rate after each, by ms since the throttle.
        let mut rates = Vec::new();
        for step in 1..=1000u64 {
            tokio::time::advance(Duration::from_millis(10)).await;
            limiter.on_reply(false, None, RTT);
            rates.push((step * 10, limiter.rate().unwrap()));
        }
        let at = |ms: u64| {
            rates
                .iter()
                .find(|(t, _)| *t >= ms)
                .map(|(_, r)| *r)
                .unwrap()
        };
        assert!(
            rates.windows(2).all(|w| w[1].1 >= w[0].1 - 1e-9),
            "never down without a throttle"
        );
        // Held at the cap for 2.5 s: no dip under it, nothing above it.
        for (t, rate) in rates.iter().take_while(|(t, _)| *t < 2500) {
            assert!((rate - 95.0).abs() < 1e-9, "{rate} at {t} ms");
        }
        // Then 5 % above the limit. Successes come at exactly the limit here, never more than
        // it allowed, so the first step runs its longest: 1.5 × (12.5 requests the hold saved
        // + 2 of a 20 ms round trip + 2) / 5 a second = 4.95 s.
        for ms in [2500, 5000, 7440] {
            assert!((at(ms) - 105.0).abs() < 1e-9, "{} at {ms} ms", at(ms));
        }
        // Then the excess doubles every 0.25 s: 110 after 0.25 s, 180 after 1 s.
        assert!((at(7700) - 110.0).abs() < 1.0, "{}", at(7700));
        assert!((at(8450) - 180.0).abs() < 5.0, "{}", at(8450));
        // A throttle that states the limit again ends the probe: back to the cap and held.
        limiter.on_reply(true, Some(100.0), RTT);
        assert_eq!(limiter.rate(), Some(95.0));
        tokio::time::advance(Duration::from_secs(2)).await;
        limiter.on_reply(false, None, RTT);
        assert_eq!(limiter.rate(), Some(95.0));
    }

    #[tokio::test(start_paused = true)]
    async fn more_successes_than_a_stated_limit_allows_widen_the_probe_at_once() {
        let limiter = throttled_at(400.0).await;
        limiter.on_reply(true, Some(100.0), RTT);
        // 200 successes a second (the limit was raised; others' requests, say): held at the
        // cap for 2.5 s all the same, then no first step: the excess doubles from there.
        let mut rates = Vec::new();
        for step in 1..=800u64 {
            tokio::time::advance(Duration::from_millis(5)).await;
            limiter.on_reply(false, None, RTT);
            rates.push((step * 5, limiter.rate().unwrap()));
        }
        let at = |ms: u64| {
            rates
                .iter()
                .find(|(t, _)| *t >= ms)
                .map(|(_, r)| *r)
                .unwrap()
        };
        assert!((at(2495) - 95.0).abs() < 1e-9, "{}", at(2495));
        assert!((at(2500) - 105.0).abs() < 1e-9, "{}", at(2500));
        assert!((at(2750) - 110.0).abs() < 1e-6, "{}", at(2750));
        assert!((at(3500) - 180.0).abs() < 1e-6, "{}", at(3500));
    }

    /// Sends at the limiter's pace for 60 s through a gateway bucket of 20/s (burst 20), each
    /// reply reaching the limiter `rtt` after its send, each send reaching the bucket up to
    /// `jitter` late; the sends and the throttles.
    async fn through_a_gateway_of_20_per_second(rtt: Duration, jitter: Duration) -> (u32, u32) {
        let limiter = Arc::new(throttled_at(20.0).await);
        limiter.on_reply(true, Some(20.0), rtt);
        let (mut bucket, mut last) = (0.0f64, Instant::now());
        let (mut sent, mut throttled) = (0u32, 0u32);
        let began = Instant::now();
        // A fixed pseudo-random sequence (an LCG), so the test is the same every run.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        while began.elapsed() < Duration::from_secs(60) {
            limiter.acquire().await;
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let late = jitter.mul_f64((seed >> 11) as f64 / (1u64 << 53) as f64);
            let now = Instant::now() + late;
            let since = now.saturating_duration_since(last).as_secs_f64();
            bucket = (bucket + since * 20.0).min(20.0);
            last = last.max(now);
            sent += 1;
            let admitted = bucket >= 1.0;
            if admitted {
                bucket -= 1.0;
            } else {
                throttled += 1;
            }
            let limiter = limiter.clone();
            tokio::spawn(async move {
                tokio::time::sleep(rtt).await;
                limiter.on_reply(!admitted, (!admitted).then_some(20.0), rtt);
            });
        }
        (sent, throttled)
    }

    #[tokio::test(start_paused = true)]
    async fn an_unchanged_limit_answers_a_probe_after_a_small_excess() {
        // After each throttle the bucket is empty: the pace holds under the limit, then probes
        // without overshooting by more than a request or two, even with 200 ms of replies in
        // flight when the throttle comes back, and with sends reaching the bucket up to 40 ms
        // late (bunched, so a jittered send could find it empty while paced under the limit).
        let ms = Duration::from_millis;
        for (rtt, jitter) in [
            (ms(20), ms(0)),
            (ms(200), ms(0)),
            (ms(20), ms(10)),
            (ms(200), ms(10)),
            (ms(20), ms(40)),
            (ms(200), ms(40)),
        ] {
            let (sent, throttled) = through_a_gateway_of_20_per_second(rtt, jitter).await;
            assert!(sent >= 1150, "{sent} sent in 60 s");
            // A probe every 6 s or so (so a raised limit is found), about one throttle each:
            // 9 and 10-11 of about 1,207, jitter or not. (The curve-shaped probe before cost
            // 10 and 28 without jitter.)
            let share = f64::from(throttled) / f64::from(sent);
            assert!(
                (0.005..=0.012).contains(&share),
                "{throttled} of {sent} throttled ({rtt:?}, jitter {jitter:?})"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_stated_limit_under_the_floor_is_kept_and_a_shared_one_is_cut_under() {
        // 5 a minute: paced at 0.95 x 5/60 per second, not at the 0.5/s floor.
        let limiter = AdaptiveLimiter::new();
        limiter.on_reply(true, Some(5.0 / 60.0), RTT);
        let rate = limiter.rate().unwrap();
        assert!((rate - 0.95 * 5.0 / 60.0).abs() < 1e-9, "{rate}");
        // Throttled again while at the stated limit (others use it too): cut under it.
        let limiter = throttled_at(200.0).await;
        limiter.on_reply(true, Some(100.0), RTT);
        assert_eq!(limiter.rate(), Some(95.0));
        tokio::time::advance(Duration::from_secs(1)).await;
        limiter.on_reply(true, Some(100.0), RTT);
        let cut = limiter.rate().unwrap();
        assert!((cut - 95.0 * BETA).abs() < 1e-9, "{cut}");
        // A slow reply does not stretch the congestion event past 2 s.
        limiter.on_reply(false, None, Duration::from_secs(600));
        tokio::time::advance(Duration::from_millis(2100)).await;
        limiter.on_reply(true, Some(100.0), RTT);
        assert!(limiter.rate().unwrap() < cut, "cut again after 2 s");
    }

    #[tokio::test(start_paused = true)]
    async fn a_raised_limit_is_found_within_ten_seconds() {
        // Paced at 0.95 x 20/s; the gateway raises the limit to 100/s and stops throttling.
        let limiter = throttled_at(20.0).await;
        limiter.on_reply(true, Some(20.0), RTT);
        let raised = Instant::now();
        let mut reached = None;
        while raised.elapsed() < Duration::from_secs(15) {
            // Sends at the limiter's pace, all successful.
            limiter.acquire().await;
            limiter.on_reply(false, None, RTT);
            if reached.is_none() && limiter.rate().unwrap() >= 90.0 {
                reached = Some(raised.elapsed());
            }
        }
        let reached = reached.expect("never reached 90/s");
        assert!(reached <= Duration::from_secs(10), "{reached:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn no_negative_capacity_and_no_zero_sleep_spin() {
        let limiter = throttled_at(50.0).await;
        for _ in 0..500 {
            limiter.acquire().await;
            assert!(limiter.lock().tokens >= 0.0);
        }
        // A shortfall under 1 ms is granted at once, not slept as 0 in a loop.
        {
            let mut state = limiter.lock();
            state.tokens = 1.0 - state.rate * 0.0005;
        }
        let began = Instant::now();
        limiter.acquire().await;
        assert_eq!(began.elapsed(), Duration::ZERO);
        assert!(limiter.lock().tokens >= 0.0);
    }

    #[tokio::test(start_paused = true)]
    async fn sixty_four_waiters_are_served_in_turn_and_wake_when_the_rate_rises() {
        let limiter = Arc::new(throttled_at(20.0).await);
        let rate = limiter.rate().unwrap();
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move {
                    let began = Instant::now();
                    for _ in 0..3 {
                        limiter.acquire().await;
                    }
                    began.elapsed()
                })
            })
            .collect();
        let mut waits = Vec::new();
        for task in tasks {
            waits.push(task.await.unwrap());
        }
        // 192 sends at the rate: everyone done by then, nobody starved.
        let all = Duration::from_secs_f64(192.0 / rate * 1.1);
        assert!(waits.iter().all(|w| *w <= all), "{waits:?} (rate {rate})");

        // Waiters asleep on a slow rate wake when it rises.
        limiter.lock().rate = MIN_RATE;
        limiter.lock().tokens = 0.0;
        let waiter = {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                let began = Instant::now();
                limiter.acquire().await;
                began.elapsed()
            })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        {
            let mut state = limiter.lock();
            let now = Instant::now();
            state.set_rate(1000.0, now);
        }
        limiter.changed.notify_waiters();
        let waited = waiter.await.unwrap();
        assert!(waited < Duration::from_millis(100), "{waited:?}");
    }

    proptest::proptest! {
        #[test]
        fn the_rate_stays_finite_above_the_floor_and_under_a_stated_limit(
            events in proptest::collection::vec((proptest::bool::ANY, 0u64..2_000, proptest::option::of(1.0f64..10_000.0)), 1..300)
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
            runtime.block_on(async {
                let limiter = AdaptiveLimiter::new();
                for (throttled, gap_ms, stated) in events {
                    tokio::time::advance(Duration::from_millis(gap_ms)).await;
                    let stated = if throttled { stated } else { None };
                    limiter.on_reply(throttled, stated, Duration::from_millis(gap_ms));
                    if let Some(rate) = limiter.rate() {
                        proptest::prop_assert!(rate.is_finite() && rate >= MIN_RATE, "{rate}");
                        // A throttle that states a limit leaves the rate at most 0.95 x it.
                        if let Some(limit) = stated {
                            let cap = (limit * 0.95).max(MIN_RATE);
                            proptest::prop_assert!(rate <= cap + 1e-9, "{rate} > {cap}");
                        }
                        proptest::prop_assert!(limiter.lock().tokens >= 0.0);
                    }
                }
                Ok(())
            })?;
        }
    }
}
