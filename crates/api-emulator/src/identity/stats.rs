//! `IdentityStats`: what the identity routes issued and refused, for tests to assert on.

use std::sync::atomic::{AtomicU64, Ordering};

/// The identity routes' counters at one moment, from
/// [`Emulator::identity_stats`](crate::Emulator::identity_stats).
///
/// Identity requests also count in [`StatsSnapshot::requests_received`]; a refused signature
/// on `GET /v3/projects` counts in [`StatsSnapshot::auth_failures`] too. They are not in
/// [`StatsSnapshot::responses`], which is by processor-tasks route.
///
/// [`StatsSnapshot::requests_received`]: crate::StatsSnapshot::requests_received
/// [`StatsSnapshot::auth_failures`]: crate::StatsSnapshot::auth_failures
/// [`StatsSnapshot::responses`]: crate::StatsSnapshot::responses
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct IdentityStats {
    /// `PUT /meta-data/latest/api/token` requests, whatever their answer (a 404 of an old
    /// metadata service included).
    pub metadata_token_puts: u64,
    /// Credentials issued by `GET /openstack/latest/securitykey`.
    pub metadata_credentials_issued: u64,
    /// Credentials issued by `POST /v1/credentials` (pod identity).
    pub pod_credentials_issued: u64,
    /// Credentials issued by `POST /v5/agencies/assume-with-oidc`.
    pub oidc_credentials_issued: u64,
    /// Subject tokens issued by `POST /v3.0/OS-AUTH/id-token/tokens`.
    pub federated_tokens_issued: u64,
    /// Credentials issued by `POST /v3.0/OS-CREDENTIAL/securitytokens`.
    pub federated_credentials_issued: u64,
    /// `GET /v3/projects` requests, whatever their answer.
    pub project_lookups: u64,
    /// Identity requests answered with a 4xx status.
    pub requests_refused: u64,
    /// Requests (to any route) accepted with temporary credentials the emulator issued.
    pub temporary_credentials_accepted: u64,
    /// Requests refused because the temporary credentials they were signed with had expired.
    pub temporary_credentials_expired: u64,
}

impl IdentityStats {
    /// Temporary credentials issued, by every route.
    #[must_use]
    pub fn credentials_issued(&self) -> u64 {
        self.metadata_credentials_issued
            + self.pod_credentials_issued
            + self.oidc_credentials_issued
            + self.federated_credentials_issued
    }
}

/// The live counters.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    metadata_token_puts: AtomicU64,
    metadata_credentials: AtomicU64,
    pod_credentials: AtomicU64,
    oidc_credentials: AtomicU64,
    federated_tokens: AtomicU64,
    federated_credentials: AtomicU64,
    project_lookups: AtomicU64,
    refused: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    pub(crate) fn metadata_token_put(&self) {
        bump(&self.metadata_token_puts);
    }

    pub(crate) fn metadata_credential(&self) {
        bump(&self.metadata_credentials);
    }

    pub(crate) fn pod_credential(&self) {
        bump(&self.pod_credentials);
    }

    pub(crate) fn oidc_credential(&self) {
        bump(&self.oidc_credentials);
    }

    pub(crate) fn federated_token(&self) {
        bump(&self.federated_tokens);
    }

    pub(crate) fn federated_credential(&self) {
        bump(&self.federated_credentials);
    }

    pub(crate) fn project_lookup(&self) {
        bump(&self.project_lookups);
    }

    pub(crate) fn refused(&self) {
        bump(&self.refused);
    }

    /// The counters, with the authenticator's counts of temporary credentials.
    pub(crate) fn snapshot(&self, accepted: u64, expired: u64) -> IdentityStats {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        IdentityStats {
            metadata_token_puts: load(&self.metadata_token_puts),
            metadata_credentials_issued: load(&self.metadata_credentials),
            pod_credentials_issued: load(&self.pod_credentials),
            oidc_credentials_issued: load(&self.oidc_credentials),
            federated_tokens_issued: load(&self.federated_tokens),
            federated_credentials_issued: load(&self.federated_credentials),
            project_lookups: load(&self.project_lookups),
            requests_refused: load(&self.refused),
            temporary_credentials_accepted: accepted,
            temporary_credentials_expired: expired,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_kind() {
        let counters = Counters::default();
        counters.metadata_token_put();
        counters.metadata_credential();
        counters.pod_credential();
        counters.oidc_credential();
        counters.federated_token();
        counters.federated_credential();
        counters.project_lookup();
        counters.refused();
        let stats = counters.snapshot(5, 6);
        assert_eq!(stats.credentials_issued(), 4);
        assert_eq!(
            (
                stats.metadata_token_puts,
                stats.federated_tokens_issued,
                stats.project_lookups,
                stats.requests_refused,
                stats.temporary_credentials_accepted,
                stats.temporary_credentials_expired
            ),
            (1, 1, 1, 1, 5, 6)
        );
    }
}
