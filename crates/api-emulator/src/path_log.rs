//! The log of request targets exactly as received, bounded to the first N requests.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use http::Method;

/// How many requests [`Emulator::received_requests`](crate::Emulator::received_requests) keeps
/// by default: the first 100,000.
pub const DEFAULT_PATH_LOG_CAPACITY: usize = 100_000;

/// One request as it arrived: the method and the request target, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReceivedRequest {
    /// The method.
    pub method: Method,
    /// The path, still percent-encoded, exactly as sent (no normalization).
    pub path: String,
    /// The query, without the `?`, exactly as sent.
    pub query: Option<String>,
}

/// Keeps the first `capacity` requests; once full, recording costs one atomic load.
#[derive(Debug)]
pub(crate) struct PathLog {
    capacity: usize,
    entries: Mutex<Vec<ReceivedRequest>>,
    full: AtomicBool,
    overflow: AtomicU64,
}

impl PathLog {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(Vec::new()),
            full: AtomicBool::new(capacity == 0),
            overflow: AtomicU64::new(0),
        }
    }

    pub(crate) fn record(&self, method: &Method, path: &str, query: Option<&str>) {
        if self.full.load(Ordering::Relaxed) {
            self.overflow.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let entry = ReceivedRequest {
            method: method.clone(),
            path: path.to_owned(),
            query: query.map(str::to_owned),
        };
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() < self.capacity {
            entries.push(entry);
            if entries.len() == self.capacity {
                self.full.store(true, Ordering::Relaxed);
            }
        } else {
            self.overflow.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn entries(&self) -> Vec<ReceivedRequest> {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn overflow(&self) -> u64 {
        self.overflow.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_entries_and_counts_the_rest() {
        let log = PathLog::new(2);
        log.record(&Method::GET, "/a%2F", Some("x=1"));
        log.record(&Method::DELETE, "/b", None);
        log.record(&Method::GET, "/c", None);
        let entries = log.entries();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].path, "/a%2F");
        assert_eq!(entries[0].query.as_deref(), Some("x=1"));
        assert_eq!(entries[1].method, Method::DELETE);
        assert_eq!(log.overflow(), 1);
        let none = PathLog::new(0);
        none.record(&Method::GET, "/", None);
        assert!(none.entries().is_empty());
        assert_eq!(none.overflow(), 1);
    }
}
