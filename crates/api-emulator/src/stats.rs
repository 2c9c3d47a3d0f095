//! Counters for tests: requests by (route, status), deletions, auth failures, faults,
//! throttled requests, connections.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::faults::FaultKind;
use crate::router::Route;

/// HTTP statuses are 100..=599; one counter slot each, per route.
const FIRST_STATUS: u16 = 100;
const STATUS_SLOTS: usize = 500;

/// The live counters, updated with relaxed atomics (no lock on the request path).
#[derive(Debug)]
pub(crate) struct Stats {
    requests: Box<[AtomicU64]>,
    received: AtomicU64,
    tasks_deleted: AtomicU64,
    auth_failures: AtomicU64,
    faults: [AtomicU64; FaultKind::ALL.len()],
    throttled: [AtomicU64; Route::ALL.len()],
    connections: AtomicU64,
    /// Woken at each request received, for tests that wait for one.
    arrivals: tokio::sync::Notify,
}

impl Default for Stats {
    fn default() -> Self {
        Self {
            requests: (0..Route::ALL.len() * STATUS_SLOTS)
                .map(|_| AtomicU64::new(0))
                .collect(),
            received: AtomicU64::new(0),
            tasks_deleted: AtomicU64::new(0),
            auth_failures: AtomicU64::new(0),
            faults: Default::default(),
            throttled: Default::default(),
            connections: AtomicU64::new(0),
            arrivals: tokio::sync::Notify::new(),
        }
    }
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Stats {
    pub(crate) fn request_received(&self) {
        bump(&self.received);
        self.arrivals.notify_waiters();
    }

    /// Resolves once at least `n` requests have been received.
    pub(crate) async fn received_at_least(&self, n: u64) {
        loop {
            let arrival = self.arrivals.notified();
            let mut arrival = std::pin::pin!(arrival);
            arrival.as_mut().enable();
            if self.received.load(Ordering::Relaxed) >= n {
                return;
            }
            arrival.await;
        }
    }

    pub(crate) fn responded(&self, route: Route, status: u16) {
        let Some(slot) = status.checked_sub(FIRST_STATUS).map(usize::from) else {
            return;
        };
        if slot < STATUS_SLOTS {
            bump(&self.requests[route.index() * STATUS_SLOTS + slot]);
        }
    }

    pub(crate) fn task_deleted(&self) {
        bump(&self.tasks_deleted);
    }

    pub(crate) fn auth_failed(&self) {
        bump(&self.auth_failures);
    }

    pub(crate) fn fault_injected(&self, kind: FaultKind) {
        bump(&self.faults[kind.index()]);
    }

    pub(crate) fn throttled(&self, route: Route) {
        bump(&self.throttled[route.index()]);
    }

    pub(crate) fn connection_accepted(&self) {
        bump(&self.connections);
    }

    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let mut responses = BTreeMap::new();
        for route in Route::ALL {
            for (slot, status) in (FIRST_STATUS..).take(STATUS_SLOTS).enumerate() {
                let count = load(&self.requests[route.index() * STATUS_SLOTS + slot]);
                if count > 0 {
                    responses.insert((route, status), count);
                }
            }
        }
        let faults = FaultKind::ALL
            .iter()
            .map(|kind| (*kind, load(&self.faults[kind.index()])))
            .filter(|(_, count)| *count > 0)
            .collect();
        let throttled_by_route: BTreeMap<Route, u64> = Route::ALL
            .iter()
            .map(|route| (*route, load(&self.throttled[route.index()])))
            .filter(|(_, count)| *count > 0)
            .collect();
        StatsSnapshot {
            throttled: throttled_by_route.values().sum(),
            throttled_by_route,
            requests_received: load(&self.received),
            responses,
            tasks_deleted: load(&self.tasks_deleted),
            auth_failures: load(&self.auth_failures),
            faults,
            connections_accepted: load(&self.connections),
        }
    }
}

/// The emulator's counters at one moment, from [`Emulator::stats`](crate::Emulator::stats).
///
/// A request whose connection was dropped on purpose (a fault) has no status: it counts in
/// [`requests_received`](Self::requests_received) and [`faults`](Self::faults) only.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct StatsSnapshot {
    /// Every request that reached the emulator.
    pub requests_received: u64,
    /// Responses sent, by (route, HTTP status); only non-zero counts are present.
    pub responses: BTreeMap<(Route, u16), u64>,
    /// Tasks deleted by `DELETE` requests (including those of the delete-then-drop fault).
    pub tasks_deleted: u64,
    /// Requests refused with 401 (missing, malformed or wrong credentials).
    pub auth_failures: u64,
    /// Faults injected, by kind; only non-zero counts are present.
    pub faults: BTreeMap<FaultKind, u64>,
    /// Requests throttled by the [rate limit](crate::RateLimit) (`429 APIG.0308`), of every
    /// route. They also count in [`responses`](Self::responses) under 429, as do the random
    /// 429 faults (which count in [`faults`](Self::faults) instead).
    pub throttled: u64,
    /// Requests throttled by the rate limit, by route; only non-zero counts are present.
    pub throttled_by_route: BTreeMap<Route, u64>,
    /// TCP connections accepted.
    pub connections_accepted: u64,
}

impl StatsSnapshot {
    /// Responses sent for `route` with `status`.
    #[must_use]
    pub fn responses(&self, route: Route, status: u16) -> u64 {
        self.responses.get(&(route, status)).copied().unwrap_or(0)
    }

    /// Responses sent for `route`, whatever their status.
    #[must_use]
    pub fn responses_for(&self, route: Route) -> u64 {
        self.responses
            .iter()
            .filter(|((r, _), _)| *r == route)
            .map(|(_, count)| count)
            .sum()
    }

    /// Responses sent with `status`, whatever their route.
    #[must_use]
    pub fn responses_with_status(&self, status: u16) -> u64 {
        self.responses
            .iter()
            .filter(|((_, s), _)| *s == status)
            .map(|(_, count)| count)
            .sum()
    }

    /// Faults of `kind` injected.
    #[must_use]
    pub fn faults(&self, kind: FaultKind) -> u64 {
        self.faults.get(&kind).copied().unwrap_or(0)
    }

    /// Faults injected, of any kind.
    #[must_use]
    pub fn faults_total(&self) -> u64 {
        self.faults.values().sum()
    }

    /// Requests to `route` throttled by the rate limit.
    #[must_use]
    pub fn throttled_for(&self, route: Route) -> u64 {
        self.throttled_by_route.get(&route).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_route_and_status() {
        let stats = Stats::default();
        stats.request_received();
        stats.responded(Route::DeleteTask, 200);
        stats.responded(Route::DeleteTask, 200);
        stats.responded(Route::DeleteTask, 400);
        stats.responded(Route::Unrouted, 404);
        stats.responded(Route::Unrouted, 99); // out of range: ignored
        stats.responded(Route::Unrouted, 600);
        stats.fault_injected(FaultKind::TooManyRequests);
        stats.task_deleted();
        stats.throttled(Route::ListTasks);
        stats.throttled(Route::ListTasks);
        stats.throttled(Route::DeleteTask);
        stats.auth_failed();
        stats.connection_accepted();
        let snapshot = stats.snapshot();
        assert_eq!(snapshot.responses(Route::DeleteTask, 200), 2);
        assert_eq!(snapshot.responses_for(Route::DeleteTask), 3);
        assert_eq!(snapshot.responses_with_status(404), 1);
        assert_eq!(snapshot.responses.len(), 3);
        assert_eq!(snapshot.faults(FaultKind::TooManyRequests), 1);
        assert_eq!(snapshot.faults(FaultKind::DropConnection), 0);
        assert_eq!(snapshot.faults_total(), 1);
        assert_eq!(snapshot.throttled, 3);
        assert_eq!(snapshot.throttled_for(Route::ListTasks), 2);
        assert_eq!(snapshot.throttled_for(Route::CreateTask), 0);
        assert_eq!(snapshot.throttled_by_route.len(), 2);
        assert_eq!(
            (
                snapshot.requests_received,
                snapshot.tasks_deleted,
                snapshot.auth_failures,
                snapshot.connections_accepted
            ),
            (1, 1, 1, 1)
        );
    }
}
