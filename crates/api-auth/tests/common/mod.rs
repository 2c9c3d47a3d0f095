//! Helpers shared by the integration tests: a fixed clock and the keys of the official vectors.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use api_auth::{AccessKey, Clock, SecretKey, Signer, Verifier};

/// AK and SK of the third official vector.
pub const AK: &str = "QTWAOYTTINDUT2QVKYUC";
pub const SK: &str = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";

/// 20191115T033655Z, the date of the third official vector.
pub const VECTOR_3_TIME: u64 = 1_573_789_015;

/// A clock that always answers the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl FixedClock {
    pub fn at(unix_seconds: u64) -> Arc<Self> {
        Arc::new(Self(UNIX_EPOCH + Duration::from_secs(unix_seconds)))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

pub fn key() -> AccessKey {
    AccessKey::new(AK, SK)
}

pub fn signer_at(unix_seconds: u64) -> Signer {
    Signer::with_clock(FixedClock::at(unix_seconds))
}

/// A verifier that knows only `AK`, with its clock at `unix_seconds`.
pub fn verifier_at(unix_seconds: u64) -> Verifier {
    Verifier::new(|ak: &str| (ak == AK).then(|| SecretKey::new(SK)))
        .with_clock(FixedClock::at(unix_seconds))
}
