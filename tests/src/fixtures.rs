//! Fixed projects, credentials and tasks, a fixed clock, and builders for transports,
//! clients and emulators.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use api_auth::Clock;
use api_client::{Client, ClientBuilder, Credentials, RetryPolicy, Timeouts};
use api_emulator::{Emulator, EmulatorBuilder, Task, TaskStatus};
use api_model::{ProjectId, TaskId};
use api_transport::{HyperTransport, HyperTransportBuilder, SharedTransport};

/// The project every test works in.
pub const PROJECT: &str = "a4a5d4098fb4474fa22cd05f897d6b99";
/// Another project, which the AK/SK below is not bound to.
pub const OTHER_PROJECT: &str = "0123456789abcdef0123456789abcdef";
/// The access key id the emulator accepts for [`PROJECT`].
pub const AK: &str = "E2EAKEXAMPLE00000001";
/// Its secret key: distinctive, so that a leak is easy to find.
pub const SK: &str = "SK-e2e-SECRET-4f1c9a7d2b8e6f0a3c5d7e9f1a2b4c6d";
/// An IAM token the emulator accepts for [`PROJECT`].
pub const TOKEN: &str = "IAM-TOKEN-e2e-SECRET-MIIDxTCCAq2gAwIBAgIJAKZ";
/// An IAM token the emulator accepts for [`OTHER_PROJECT`] only.
pub const OTHER_TOKEN: &str = "IAM-TOKEN-e2e-SECRET-other-project-77aa";

/// [`PROJECT`], parsed.
pub fn project() -> ProjectId {
    PROJECT.parse().unwrap()
}

/// [`OTHER_PROJECT`], parsed.
pub fn other_project() -> ProjectId {
    OTHER_PROJECT.parse().unwrap()
}

/// A task id, parsed (panics on an invalid one: use it for valid ids only).
pub fn task_id(id: &str) -> TaskId {
    id.parse()
        .unwrap_or_else(|e| panic!("test bug: {id:?} is not a valid task id: {e}"))
}

/// A completed (so deletable) task with the given id.
pub fn task(id: &str) -> Task {
    Task::new(task_id(id), format!("task {id}"), "sys_data_cleaning")
        .with_status(TaskStatus::Completed)
}

/// An emulator accepting AK/SK and [`TOKEN`] for [`PROJECT`], and [`OTHER_TOKEN`] for
/// [`OTHER_PROJECT`]; no tasks, no faults.
pub fn emulator() -> EmulatorBuilder {
    Emulator::builder()
        .ak_sk(AK, SK, &project())
        .token(TOKEN, &project())
        .token(OTHER_TOKEN, &other_project())
        .shutdown_grace(Duration::from_millis(200))
}

/// A transport builder for loopback tests: never a proxy, short connect timeout.
pub fn transport_builder() -> HyperTransportBuilder {
    HyperTransport::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(2))
        .response_timeout(Duration::from_secs(15))
}

/// A plain transport from [`transport_builder`].
pub fn http_transport() -> HyperTransport {
    transport_builder().build().unwrap()
}

/// A retry policy with `max_attempts` and millisecond backoff, so retries cost little time.
pub fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(50))
        .with_max_retry_after(Duration::from_millis(50))
}

/// A client builder for `endpoint` and [`PROJECT`] with `credentials` over `transport`, with
/// 3 fast retries and a 10 s deadline.
pub fn client_builder(
    endpoint: &str,
    credentials: Credentials,
    transport: SharedTransport,
) -> ClientBuilder {
    Client::builder()
        .endpoint(endpoint)
        .project_id(PROJECT)
        .credentials(credentials)
        .shared_transport(transport)
        .retry_policy(fast_retries(3))
        .timeouts(
            Timeouts::default()
                .with_attempt(Duration::from_secs(5))
                .with_deadline(Duration::from_secs(10)),
        )
}

/// A clock that always reads the same instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl FixedClock {
    /// The clock reading `unix_seconds` after the epoch.
    pub fn at_unix(unix_seconds: u64) -> Arc<Self> {
        Arc::new(Self(UNIX_EPOCH + Duration::from_secs(unix_seconds)))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}
