//! `RateLimiter`: the per-(project, API) buckets or windows, the limit in force and the steps
//! of a schedule still to come. One atomic load when no limit is set or scheduled; otherwise a
//! clock read and a short mutex section (no allocation but a project's first request).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use api_auth::Clock;
use api_model::ProjectId;
use http::{HeaderValue, StatusCode};
use serde::Serialize;

use super::{RateLimit, RateLimitMode, RateLimitSchedule, THROTTLED_ERROR_CODE};
use crate::reply::Reply;
use crate::router::Route;

/// Tokens short of a whole one that still admit a request: floating-point rounding, not rate.
const ROUNDING: f64 = 1e-9;

/// Where the limiter reads the time: elapsed since its start.
#[derive(Debug)]
pub(crate) enum TimeSource {
    /// Tokio's monotonic `Instant` (paused time in tests).
    Monotonic(tokio::time::Instant),
    /// The emulator's clock; a reading before the start, or before an earlier one, counts as
    /// no time passing.
    Clock {
        clock: Arc<dyn Clock>,
        start: SystemTime,
    },
}

impl TimeSource {
    /// The emulator's `clock` if one was set, else the monotonic clock; started now.
    pub(crate) fn new(clock: Option<Arc<dyn Clock>>) -> Self {
        match clock {
            Some(clock) => Self::Clock {
                start: clock.now(),
                clock,
            },
            None => Self::Monotonic(tokio::time::Instant::now()),
        }
    }

    /// The time since the start.
    fn elapsed(&self) -> Duration {
        match self {
            Self::Monotonic(start) => tokio::time::Instant::now().saturating_duration_since(*start),
            Self::Clock { clock, start } => clock.now().duration_since(*start).unwrap_or_default(),
        }
    }
}

/// The answer to a throttled request: what goes into its reply.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Throttled {
    message: Arc<str>,
    retry_after: Option<u32>,
}

#[derive(Serialize)]
struct ThrottledBody<'a> {
    error_code: &'a str,
    error_msg: &'a str,
    request_id: &'a str,
}

impl Throttled {
    /// `429 {"error_code": "APIG.0308", "error_msg", "request_id"}`, with `Retry-After` when
    /// the limit sends it.
    pub(crate) fn reply(&self, request_id: &HeaderValue) -> Reply {
        let body = ThrottledBody {
            error_code: THROTTLED_ERROR_CODE,
            error_msg: &self.message,
            request_id: request_id.to_str().unwrap_or_default(),
        };
        let mut reply = Reply::json_value(StatusCode::TOO_MANY_REQUESTS, &body);
        if reply.status != StatusCode::TOO_MANY_REQUESTS {
            // Three strings always serialize; keep the status all the same.
            reply = Reply::error_code(
                StatusCode::TOO_MANY_REQUESTS,
                THROTTLED_ERROR_CODE,
                &self.message,
            );
        }
        reply.retry_after = self.retry_after;
        reply
    }

    #[cfg(test)]
    pub(crate) fn retry_after(&self) -> Option<u32> {
        self.retry_after
    }
}

/// The limit in force, with what the checks need ready.
#[derive(Debug)]
struct Active {
    limit: RateLimit,
    /// Tokens per second (token bucket).
    rate: f64,
    /// The bucket's capacity (token bucket).
    capacity: f64,
    /// The window's length in nanoseconds (fixed window), at least 1.
    window_nanos: u64,
    /// Requests per window (fixed window).
    allowance: u64,
    /// The time windows are aligned to (fixed window).
    window_start: Duration,
    message: Arc<str>,
}

impl Active {
    fn new(limit: RateLimit, now: Duration) -> Self {
        let period = limit.period.duration();
        Self {
            rate: limit.limit / period.as_secs_f64(),
            capacity: limit.bucket_capacity(),
            window_nanos: u64::try_from(period.as_nanos()).unwrap_or(u64::MAX).max(1),
            // A validated window limit is a whole number; `as` saturates for the rest.
            allowance: limit.limit as u64,
            window_start: now,
            message: limit.throttled_message().into(),
            limit,
        }
    }

    /// The index of the window holding `now`, and the time until it ends.
    fn window_of(&self, now: Duration) -> (u64, Duration) {
        let since = now.saturating_sub(self.window_start);
        let nanos = u64::try_from(since.as_nanos()).unwrap_or(u64::MAX);
        let left = self.window_nanos - nanos % self.window_nanos;
        (nanos / self.window_nanos, Duration::from_nanos(left))
    }

    /// A new slot, at `now`: a full bucket, an empty window.
    fn fresh_slot(&self, now: Duration) -> Slot {
        Slot {
            tokens: self.capacity,
            last: now,
            window: self.window_of(now).0,
            count: 0,
        }
    }

    /// Refills `slot` up to `now` (never back in time).
    fn refill(&self, slot: &mut Slot, now: Duration) {
        let elapsed = now.saturating_sub(slot.last);
        if !elapsed.is_zero() {
            slot.tokens = (slot.tokens + elapsed.as_secs_f64() * self.rate).min(self.capacity);
            slot.last = now;
        }
    }

    /// Admits a request to `slot` at `now` (`None`), or throttles it.
    fn check(&self, slot: &mut Slot, now: Duration) -> Option<Throttled> {
        let wait = match self.limit.mode {
            RateLimitMode::TokenBucket => {
                self.refill(slot, now);
                if slot.tokens >= 1.0 - ROUNDING {
                    slot.tokens = (slot.tokens - 1.0).max(0.0);
                    return None;
                }
                if self.limit.count_throttled {
                    slot.tokens = (slot.tokens - 1.0).max(0.0);
                }
                (1.0 - slot.tokens) / self.rate
            }
            RateLimitMode::FixedWindow => {
                let (window, left) = self.window_of(now);
                if window != slot.window {
                    slot.window = window;
                    slot.count = 0;
                }
                if slot.count < self.allowance {
                    slot.count += 1;
                    return None;
                }
                if self.limit.count_throttled {
                    slot.count = slot.count.saturating_add(1);
                }
                left.as_secs_f64()
            }
        };
        Some(Throttled {
            message: self.message.clone(),
            retry_after: self.limit.retry_after.then(|| retry_after_secs(wait)),
        })
    }
}

/// Whole seconds, rounded up, at least 1 (`as` saturates, and takes NaN to 0).
fn retry_after_secs(wait: f64) -> u32 {
    ((wait - ROUNDING).ceil() as u32).max(1)
}

/// One (project, API)'s bucket and window.
#[derive(Debug, Clone, Copy)]
struct Slot {
    tokens: f64,
    last: Duration,
    window: u64,
    count: u64,
}

/// Every route's slot of one project.
type Slots = [Slot; Route::ALL.len()];

#[derive(Debug, Default)]
struct State {
    active: Option<Active>,
    /// Schedule steps still to come, at their time since the limiter's start, in order.
    pending: VecDeque<(Duration, Option<RateLimit>)>,
    slots: HashMap<ProjectId, Slots>,
}

impl State {
    /// Applies the steps due by `now`, each at its own time.
    fn apply_due(&mut self, now: Duration) {
        while self.pending.front().is_some_and(|(at, _)| *at <= now) {
            if let Some((at, limit)) = self.pending.pop_front() {
                self.switch(limit, at);
            }
        }
    }

    /// Puts `limit` in force at `at`.
    ///
    /// The same mode: token buckets are settled up to `at` at the old rate, then keep their
    /// tokens (at most the new capacity) and refill at the new rate; fixed windows keep their
    /// count (the new N applies to it at once) when the period is the same, and start afresh
    /// (windows aligned to `at`) when it changed. Another mode, or no limit before: every
    /// bucket starts full and every window empty (windows aligned to `at`). No limit: all is
    /// forgotten.
    fn switch(&mut self, limit: Option<RateLimit>, at: Duration) {
        let Some(limit) = limit else {
            self.active = None;
            self.slots.clear();
            return;
        };
        let mut next = Active::new(limit, at);
        match &self.active {
            Some(old) if old.limit.mode == next.limit.mode => match next.limit.mode {
                RateLimitMode::TokenBucket => {
                    for slots in self.slots.values_mut() {
                        for slot in slots.iter_mut() {
                            old.refill(slot, at);
                            slot.tokens = slot.tokens.min(next.capacity);
                        }
                    }
                }
                RateLimitMode::FixedWindow if old.limit.period == next.limit.period => {
                    next.window_start = old.window_start;
                }
                RateLimitMode::FixedWindow => self.slots.clear(),
            },
            _ => self.slots.clear(),
        }
        self.active = Some(next);
    }
}

/// The rate limiter the pipeline asks once per authenticated request.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    /// Whether a limit is in force or a schedule step is still to come; when false, a check
    /// is this one load.
    enabled: AtomicBool,
    time: TimeSource,
    state: Mutex<State>,
}

impl RateLimiter {
    /// A limiter reading `time`, with `limit` in force and `schedule`'s steps to come
    /// (offsets from now); both already validated.
    pub(crate) fn new(
        time: TimeSource,
        limit: Option<RateLimit>,
        schedule: RateLimitSchedule,
    ) -> Self {
        let limiter = Self {
            enabled: AtomicBool::new(false),
            time,
            state: Mutex::new(State::default()),
        };
        let now = limiter.time.elapsed();
        let mut state = limiter.lock();
        state.switch(limit, now);
        state.pending = schedule.into_steps().into();
        state.apply_due(now);
        limiter.update_enabled(&state);
        drop(state);
        limiter
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update_enabled(&self, state: &State) {
        let enabled = state.active.is_some() || !state.pending.is_empty();
        self.enabled.store(enabled, Ordering::Release);
    }

    /// Admits a request to `route` of `project` (`None`), or throttles it.
    pub(crate) fn check(&self, project: &ProjectId, route: Route) -> Option<Throttled> {
        if !self.enabled.load(Ordering::Acquire) || route == Route::Unrouted {
            return None;
        }
        let now = self.time.elapsed();
        let mut state = self.lock();
        if state.pending.front().is_some_and(|(at, _)| *at <= now) {
            state.apply_due(now);
            self.update_enabled(&state);
        }
        let State { active, slots, .. } = &mut *state;
        let active = active.as_ref()?;
        if let Some(found) = slots.get_mut(project) {
            return active.check(&mut found[route.index()], now);
        }
        // A project's first request: its only allocation.
        let found = slots
            .entry(project.clone())
            .or_insert_with(|| [active.fresh_slot(now); Route::ALL.len()]);
        active.check(&mut found[route.index()], now)
    }

    /// Puts `limit` in force now, and drops the steps of any schedule still to come.
    pub(crate) fn set(&self, limit: Option<RateLimit>) {
        let now = self.time.elapsed();
        let mut state = self.lock();
        state.apply_due(now);
        state.pending.clear();
        state.switch(limit, now);
        self.update_enabled(&state);
    }

    /// Replaces the steps still to come with `schedule`'s, offsets from now; steps at offset 0
    /// apply at once.
    pub(crate) fn schedule(&self, schedule: RateLimitSchedule) {
        let now = self.time.elapsed();
        let mut state = self.lock();
        state.apply_due(now);
        state.pending = schedule
            .into_steps()
            .into_iter()
            .map(|(offset, limit)| (now.saturating_add(offset), limit))
            .collect();
        state.apply_due(now);
        self.update_enabled(&state);
    }

    /// The limit in force now (schedule steps due applied).
    pub(crate) fn current(&self) -> Option<RateLimit> {
        let now = self.time.elapsed();
        let mut state = self.lock();
        state.apply_due(now);
        self.update_enabled(&state);
        state.active.as_ref().map(|active| active.limit.clone())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::UNIX_EPOCH;

    use bytes::Bytes;

    use super::*;

    /// A clock that moves only when told.
    #[derive(Debug)]
    struct Manual(Mutex<SystemTime>);

    impl Manual {
        fn new() -> Arc<Self> {
            Arc::new(Self(Mutex::new(
                UNIX_EPOCH + Duration::from_secs(1_000_000),
            )))
        }

        fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }

        fn back(&self, by: Duration) {
            *self.0.lock().unwrap() -= by;
        }
    }

    impl Clock for Manual {
        fn now(&self) -> SystemTime {
            *self.0.lock().unwrap()
        }
    }

    fn project(n: u8) -> ProjectId {
        format!("{:032x}", n).parse().unwrap()
    }

    fn limiter(limit: Option<RateLimit>) -> (RateLimiter, Arc<Manual>) {
        let clock = Manual::new();
        let limiter = RateLimiter::new(
            TimeSource::new(Some(clock.clone())),
            limit,
            RateLimitSchedule::new(),
        );
        (limiter, clock)
    }

    /// How many of `n` requests at the same instant are admitted.
    fn admitted(limiter: &RateLimiter, project: &ProjectId, route: Route, n: usize) -> usize {
        (0..n)
            .filter(|_| limiter.check(project, route).is_none())
            .count()
    }

    #[test]
    fn no_limit_admits_everything_without_state() {
        let (limiter, _) = limiter(None);
        assert!(!limiter.enabled.load(Ordering::Relaxed));
        assert_eq!(
            admitted(&limiter, &project(1), Route::DeleteTask, 1000),
            1000
        );
        assert!(limiter.lock().slots.is_empty());
        assert_eq!(limiter.current(), None);
    }

    #[test]
    fn token_bucket_burst_then_rate() {
        let (limiter, clock) = limiter(Some(RateLimit::per_second(10.0)));
        let p = project(1);
        assert_eq!(
            admitted(&limiter, &p, Route::DeleteTask, 25),
            10,
            "the burst"
        );
        clock.advance(Duration::from_millis(99));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 5), 0);
        clock.advance(Duration::from_millis(1));
        assert_eq!(
            admitted(&limiter, &p, Route::DeleteTask, 5),
            1,
            "one per 100 ms"
        );
        // A steady 10/s for 10 s: one every 100 ms.
        let mut total = 0;
        for _ in 0..100 {
            clock.advance(Duration::from_millis(100));
            total += admitted(&limiter, &p, Route::DeleteTask, 3);
        }
        assert_eq!(total, 100);
        // A quiet spell refills up to the burst only.
        clock.advance(Duration::from_secs(60));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 50), 10);
        // Time going back is no time passing (no panic, no refill).
        clock.back(Duration::from_secs(30));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 5), 0);
    }

    #[test]
    fn keys_are_project_and_route() {
        let (limiter, _) = limiter(Some(RateLimit::per_minute(3.0)));
        let (a, b) = (project(1), project(2));
        assert_eq!(admitted(&limiter, &a, Route::DeleteTask, 10), 3);
        assert_eq!(admitted(&limiter, &a, Route::ListTasks, 10), 3);
        assert_eq!(admitted(&limiter, &b, Route::DeleteTask, 10), 3);
        assert_eq!(
            admitted(&limiter, &a, Route::Unrouted, 10),
            10,
            "never limited"
        );
    }

    #[test]
    fn burst_and_fractional_rates() {
        let (limiter, clock) = limiter(Some(RateLimit::per_second(0.5)));
        let p = project(1);
        assert_eq!(
            admitted(&limiter, &p, Route::ListTasks, 5),
            1,
            "burst max(N, 1)"
        );
        clock.advance(Duration::from_millis(1999));
        assert_eq!(admitted(&limiter, &p, Route::ListTasks, 5), 0);
        clock.advance(Duration::from_millis(1));
        assert_eq!(admitted(&limiter, &p, Route::ListTasks, 5), 1);

        let (limiter, clock) = limiter_with(RateLimit::per_second(100.0).burst(3));
        assert_eq!(admitted(&limiter, &p, Route::ListTasks, 10), 3);
        clock.advance(Duration::from_millis(20));
        assert_eq!(admitted(&limiter, &p, Route::ListTasks, 10), 2);
    }

    fn limiter_with(limit: RateLimit) -> (RateLimiter, Arc<Manual>) {
        limiter(Some(limit))
    }

    #[test]
    fn retry_after_is_the_wait_for_a_token_rounded_up() {
        let p = project(1);
        let (limiter, clock) = limiter_with(RateLimit::per_minute(2.0).retry_after(true));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 2), 2);
        let throttled = limiter.check(&p, Route::DeleteTask).unwrap();
        assert_eq!(throttled.retry_after(), Some(30));
        clock.advance(Duration::from_millis(29_500));
        assert_eq!(
            limiter.check(&p, Route::DeleteTask).unwrap().retry_after(),
            Some(1)
        );
        let (limiter, _) = limiter_with(RateLimit::per_second(1000.0).retry_after(true));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 1000), 1000);
        assert_eq!(
            limiter.check(&p, Route::DeleteTask).unwrap().retry_after(),
            Some(1),
            "at least 1"
        );
        let (limiter, _) = limiter_with(RateLimit::per_second(1.0));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 1), 1);
        assert_eq!(
            limiter.check(&p, Route::DeleteTask).unwrap().retry_after(),
            None
        );
        assert_eq!(retry_after_secs(f64::NAN), 1);
        assert_eq!(retry_after_secs(1e300), u32::MAX);
        assert_eq!(retry_after_secs(2.0), 2);
        assert_eq!(retry_after_secs(2.000_001), 3);
    }

    #[test]
    fn fixed_window_resets_at_the_boundary() {
        let window = RateLimit::per_second(5.0)
            .mode(RateLimitMode::FixedWindow)
            .retry_after(true);
        let (limiter, clock) = limiter_with(window);
        let p = project(1);
        clock.advance(Duration::from_millis(300));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 9), 5);
        let throttled = limiter.check(&p, Route::DeleteTask).unwrap();
        assert_eq!(throttled.retry_after(), Some(1), "0.7 s left, rounded up");
        clock.advance(Duration::from_millis(699));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 9), 0);
        clock.advance(Duration::from_millis(1));
        assert_eq!(
            admitted(&limiter, &p, Route::DeleteTask, 9),
            5,
            "a new window"
        );
        // Unlike a bucket, a window lets 2N through across a boundary.
        clock.advance(Duration::from_millis(999));
        assert_eq!(admitted(&limiter, &p, Route::ListTasks, 9), 5);
        clock.advance(Duration::from_millis(1));
        assert_eq!(admitted(&limiter, &p, Route::ListTasks, 9), 5);

        let per_minute = RateLimit::per_minute(2.0)
            .mode(RateLimitMode::FixedWindow)
            .retry_after(true);
        let (limiter, clock) = limiter_with(per_minute);
        clock.advance(Duration::from_secs(45));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 3), 2);
        let throttled = limiter.check(&p, Route::DeleteTask).unwrap();
        assert_eq!(throttled.retry_after(), Some(15));
    }

    #[test]
    fn counting_throttled_requests() {
        let p = project(1);
        // Not counted (default): a client retrying every 50 ms gets 10/s through.
        // Counted: each retry takes what there is of the next token, so none gets through
        // until the client pauses for a whole token's time.
        for (count, expected) in [(false, 10), (true, 0)] {
            let (limiter, clock) = limiter_with(RateLimit::per_second(10.0).count_throttled(count));
            assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 10), 10);
            let mut through = 0;
            for _ in 0..20 {
                clock.advance(Duration::from_millis(50));
                through += admitted(&limiter, &p, Route::DeleteTask, 1);
            }
            assert_eq!(through, expected, "count_throttled({count})");
            clock.advance(Duration::from_millis(100));
            assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 1), 1);
        }
        // A window's count is already full: counting changes nothing.
        for count in [false, true] {
            let (limiter, clock) = limiter_with(
                RateLimit::per_second(3.0)
                    .mode(RateLimitMode::FixedWindow)
                    .count_throttled(count),
            );
            assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 10), 3);
            clock.advance(Duration::from_secs(1));
            assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 10), 3);
        }
    }

    #[test]
    fn set_resizes_buckets_and_keeps_windows() {
        let p = project(1);
        let (limiter, clock) = limiter_with(RateLimit::per_second(100.0));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 60), 60);
        // 40 tokens left; down to 20/s: at most 20 kept, refilled at 20/s.
        limiter.set(Some(RateLimit::per_second(20.0)));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 100), 20);
        clock.advance(Duration::from_millis(100));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 100), 2);
        // Up to 100/s: no free burst, a faster refill.
        limiter.set(Some(RateLimit::per_second(100.0)));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 100), 0);
        clock.advance(Duration::from_millis(100));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 100), 10);
        // Off, then on again: a fresh, full bucket.
        limiter.set(None);
        assert!(!limiter.enabled.load(Ordering::Relaxed));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 500), 500);
        limiter.set(Some(RateLimit::per_second(5.0)));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 100), 5);
        // Another mode: fresh windows aligned to the change.
        clock.advance(Duration::from_millis(500));
        limiter.set(Some(
            RateLimit::per_second(3.0).mode(RateLimitMode::FixedWindow),
        ));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 100), 3);
        clock.advance(Duration::from_millis(999));
        // The same period: the count is kept, the new N applies to it.
        limiter.set(Some(
            RateLimit::per_second(4.0).mode(RateLimitMode::FixedWindow),
        ));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 100), 1);
        clock.advance(Duration::from_millis(1));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 100), 4);
        assert_eq!(limiter.current().map(|limit| limit.requests()), Some(4.0));
    }

    #[test]
    fn schedule_steps_apply_at_their_time() {
        let p = project(1);
        let clock = Manual::new();
        let schedule: RateLimitSchedule = "0s=100/s,10s=20/s,20s=off,30s=1/min".parse().unwrap();
        let limiter = RateLimiter::new(TimeSource::new(Some(clock.clone())), None, schedule);
        assert_eq!(limiter.current().map(|l| l.requests()), Some(100.0));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 500), 100);
        clock.advance(Duration::from_millis(9_990));
        // 9.99 s at 100/s: full again.
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 500), 100);
        clock.advance(Duration::from_millis(20));
        // 10 ms at 100/s before the step (1 token), then 10 ms at 20/s (0.2): 1 admitted.
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 500), 1);
        assert_eq!(limiter.current().map(|l| l.requests()), Some(20.0));
        clock.advance(Duration::from_secs(10));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 500), 500, "off");
        assert!(
            limiter.enabled.load(Ordering::Relaxed),
            "a step is still to come"
        );
        clock.advance(Duration::from_secs(10));
        assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 500), 1);
        assert!(limiter.lock().pending.is_empty());

        // A new schedule counts from when it is set; set() drops what is still to come.
        limiter.schedule("5s=10/s".parse().unwrap());
        assert_eq!(limiter.current().map(|l| l.requests()), Some(1.0));
        clock.advance(Duration::from_secs(5));
        assert_eq!(limiter.current().map(|l| l.requests()), Some(10.0));
        limiter.schedule("1s=off".parse().unwrap());
        limiter.set(Some(RateLimit::per_second(2.0)));
        clock.advance(Duration::from_secs(5));
        assert_eq!(limiter.current().map(|l| l.requests()), Some(2.0));
    }

    #[test]
    fn monotonic_time_follows_paused_tokio_time() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(async {
            let p = project(1);
            let limiter = RateLimiter::new(
                TimeSource::new(None),
                Some(RateLimit::per_second(10.0)),
                "1s=1/s".parse().unwrap(),
            );
            assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 20), 10);
            tokio::time::advance(Duration::from_millis(500)).await;
            assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 20), 5);
            tokio::time::advance(Duration::from_millis(500)).await;
            // 0.5 s at 10/s (5 tokens), then the step: at most 1 kept.
            assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 20), 1);
            tokio::time::advance(Duration::from_secs(1)).await;
            assert_eq!(admitted(&limiter, &p, Route::DeleteTask, 20), 1);
        });
    }

    #[test]
    fn the_reply() {
        let (limiter, _) = limiter_with(RateLimit::per_minute(1.0).retry_after(true));
        let p = project(1);
        assert!(limiter.check(&p, Route::ListTasks).is_none());
        let reply = limiter
            .check(&p, Route::ListTasks)
            .unwrap()
            .reply(&HeaderValue::from_static("0123abcd"));
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            reply.body,
            Bytes::from_static(
                br#"{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1 minute","request_id":"0123abcd"}"#
            )
        );
        assert_eq!(reply.retry_after, Some(60));
    }
}
