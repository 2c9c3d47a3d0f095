//! Request ids: 32 lowercase hex digits, like the service's, unique per emulator and per request.

use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderValue;

/// A random prefix per emulator, then a counter.
#[derive(Debug)]
pub(crate) struct RequestIds {
    prefix: u64,
    counter: AtomicU64,
}

impl RequestIds {
    pub(crate) fn new() -> Self {
        Self {
            prefix: rand::random(),
            counter: AtomicU64::new(1),
        }
    }

    pub(crate) fn next(&self) -> HeaderValue {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let text = format!("{:016x}{n:016x}", self.prefix);
        // Hex digits are always a valid header value.
        HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("0"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_hex() {
        let ids = RequestIds::new();
        let a = ids.next();
        let b = ids.next();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.as_bytes().iter().all(u8::is_ascii_hexdigit));
        assert_ne!(RequestIds::new().next(), RequestIds::new().next());
    }
}
