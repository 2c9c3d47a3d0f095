//! A local emulator of the ModelArts processor-tasks API, for end-to-end and integration tests.
//!
//! It is a real hyper 1.x server on loopback that behaves like the service: AK/SK
//! (`SDK-HMAC-SHA256`) and token authentication bound to projects, the service's statuses and
//! error bodies (`{"error_code": …, "error_msg": …}` with `X-Request-Id`), an in-memory task
//! store with deterministic seeding, repeatable fault injection (429/500/503, latency, dropped
//! connections, delete-then-drop) and counters for tests to assert on. Think of moto or
//! LocalStack, for this one API.
//!
//! ```
//! use api_emulator::{Emulator, Route};
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let project = "a4a5d4098fb4474fa22cd05f897d6b99".parse()?;
//! let emu = Emulator::builder().ak_sk("AK", "SK", &project).seed(&project, 100).start().await?;
//!
//! // Point a client at `emu.endpoint()`, sign with AK/SK, and then check what happened:
//! let first = emu.store().task_ids(&project)[0].clone();
//! assert!(emu.store().contains(&project, &first));
//! assert_eq!(emu.stats().responses_for(Route::DeleteTask), 0);
//! assert!(emu.received_paths().is_empty());
//! emu.shutdown().await;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Routes
//!
//! | request | answer |
//! |---|---|
//! | `POST /v2/{project_id}/processor-tasks` | `200 {"task_id"}`; `400 ModelArts.4105` (not JSON), `400 ModelArts.0104` (missing `name`/`template.id`, a field of the wrong type, a bad `description`) |
//! | `GET /v2/{project_id}/processor-tasks` | `200 {"count", "tasks"}`: filtered (`status`, `task_name`, `task_type`, `workspace_id`, `version_id`, `source`, `source_type`), sorted (`sort_by`, `order`; ties by task id), paged (`offset` is the 0-based page index, `limit` the page size; past the end, an empty page with the true count); `result` only with `return_result=true`; `400 ModelArts.0104` for an invalid parameter |
//! | `GET /v2/{project_id}/processor-tasks/items` | `200 {"total", "items"}`: the five built-in task types |
//! | `GET /v2/{project_id}/processor-tasks/{task_id}` | `200` Task; `400 ModelArts.4700` |
//! | `PUT /v2/{project_id}/processor-tasks/{task_id}` | `200 {}` (the `description` changed); `400 ModelArts.4105`/`0104`; `400 ModelArts.4700` |
//! | `DELETE /v2/{project_id}/processor-tasks/{task_id}` | `200 {}` (with its versions); `400 ModelArts.4700`; `403 ModelArts.4850` (initializing) |
//! | `GET /v2/{project_id}/processor-tasks/{task_id}/versions?offset&limit` | `200 {"count", "versions"}`, newest first; `400 ModelArts.0104`; `400 ModelArts.4700` |
//! | `POST /v2/{project_id}/processor-tasks/{task_id}/versions` | `200 {"version_id"}` (`V001`, `V002`, …, running); `400 ModelArts.4105`/`0104`; `400 ModelArts.4700`; `403 ModelArts.4850` (initializing) |
//! | `GET /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}` | `200` Version; `400 ModelArts.4700`; `400 ModelArts.4851` |
//! | `DELETE /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}` | `204`, no body; `400 ModelArts.4700`; `400 ModelArts.4851` |
//! | `POST /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop` | `200 {}` (stopped if it was initializing or running); `400 ModelArts.4700`; `400 ModelArts.4851` |
//! | anything else, including a known path with another method | `404 APIG.0101` |
//!
//! Checks run in the gateway's order: route (404) → body size (`413 APIG.0201`) →
//! credentials (`401 APIG.0301`, for a missing, malformed or wrong signature, a date outside
//! the allowed skew, an unknown token, or issued temporary credentials without their
//! `X-Security-Token` or expired) → project (`400 ModelArts.0210` for an invalid id,
//! `403 ModelArts.0210` for one the credentials may not use, or an `X-Project-Id` header that
//! differs from the path) → a fault's latency → the [rate limit](RateLimit), when one is set
//! (`429 APIG.0308` per project and API, like the API gateway) → other faults → handler. Routes match the raw path split on `/`; the
//! project, task id and version id segments are then percent-decoded (the ids to find the task
//! and the version; an id that cannot be one names none: `4700` or `4851`). `items` is a
//! literal only for `GET …/processor-tasks/items`.
//!
//! # Identity routes
//!
//! Matched before the routes above (other paths and methods fall through to them), these play
//! the Huawei Cloud identity endpoints the official SDKs' credential chain calls, so that
//! clients can fetch temporary credentials and discover their project through real sockets.
//! They are always served; [`IdentityConfig`] (set with [`EmulatorBuilder::identity`]) says
//! how. Faults do not apply to them.
//!
//! | request | answer |
//! |---|---|
//! | `PUT /meta-data/latest/api/token` | `200` text session token; `400` without `X-Metadata-Token-Ttl-Seconds` (1..=21600); `404` when tokens are not supported |
//! | `GET /openstack/latest/securitykey` | `200 {"credential": {"access", "secret", "securitytoken", "expires_at"}}`; `401` (text) for a missing (when required), unknown or expired `X-Metadata-Token`, or "Please configure Cloud Service Agency first" |
//! | `POST /v1/credentials` | `200 {"credentials": {"accessKeyId", "secretAccessKey", "securityToken", "expiration"}, "assumedAgency", "audience", "podIdentityAssociationId", "subject"}`; `401 APIG.0301` unless `Authorization` is the pod token; `400 IAM.0007` |
//! | `POST /v5/agencies/assume-with-oidc` | `200 {"credentials": {"access_key_id", "secret_access_key", "security_token", "expiration"}}`; `400 STS.0001` |
//! | `POST /v3.0/OS-AUTH/id-token/tokens` | `201` with `X-Subject-Token`, `{"token": {"expires_at", …}}`; `400 IAM.0007` |
//! | `POST /v3.0/OS-CREDENTIAL/securitytokens` | `201 {"credential": {"access", "secret", "securitytoken", "expires_at"}}`; `401 APIG.0301` for an unknown subject token; `400 IAM.0007` |
//! | `GET /v3/projects?name=<region>` | `200 {"projects": [{"id", "name", "domain_id", "enabled"}…], "links": {}}`, signed with AK/SK (`401 APIG.0301`), no project check; `400 IAM.0007` without `name`; always `X-IAM-Trace-Id` |
//!
//! Temporary credentials (random AK, SK and security token) are accepted by every signed route
//! for the identity project only, with their `X-Security-Token`, until they expire by the
//! emulator's clock; [`Emulator::identity_stats`] counts what was issued.
//!
//! Responses that hyper itself writes for malformed HTTP (e.g. `400` for an unparsable request
//! line) carry neither the JSON body nor `X-Request-Id`.
//!
//! # Rate limit
//!
//! [`EmulatorBuilder::rate_limit`] throttles like Huawei Cloud's API gateway: N requests per
//! second or per minute for each (project, API), as a token bucket or a fixed window, the rest
//! answered `429 APIG.0308` (no `Retry-After` unless asked); see [`RateLimit`].
//! [`Emulator::set_rate_limit`] and [`RateLimitSchedule`] change it while running.
//!
//! ```
//! use api_emulator::{Emulator, RateLimit};
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let project = "a4a5d4098fb4474fa22cd05f897d6b99".parse()?;
//! let emu = Emulator::builder()
//!     .ak_sk("AK", "SK", &project)
//!     .rate_limit(RateLimit::per_second(20.0))
//!     .rate_limit_schedule("10s=5/s,20s=20/s".parse()?)
//!     .start()
//!     .await?;
//! // From the next request on: 100/s with a burst of 10 (the steps still to come dropped).
//! emu.set_rate_limit(Some(RateLimit::per_second(100.0).burst(10)))?;
//! assert_eq!(emu.stats().throttled, 0);
//! emu.shutdown().await;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Cargo features
//!
//! | feature | default | what it does |
//! |---|---|---|
//! | `tls` | yes | [`EmulatorBuilder::tls`]: HTTPS, HTTP/2 by ALPN |
//! | `cli` | yes | `EmulatorArgs` (clap flags) and the `api-emulator` binary |
//! | `mock` | no | `MockTaskStore`, a mockall mock of [`TaskStore`] |
#![warn(missing_docs)]

mod app;
#[cfg(feature = "cli")]
mod args;
mod auth;
mod body;
mod builder;
mod demo;
mod emulator;
mod error;
mod faults;
mod handlers;
mod identity;
mod path_log;
mod query;
mod rate_limit;
mod record;
mod reply;
mod request_id;
mod router;
mod seed;
mod seed_mixed;
mod server;
mod stats;
mod store;
mod task;
mod version;

#[cfg(feature = "cli")]
pub use args::{ArgsError, EmulatorArgs, FaultArgs};
pub use body::DEFAULT_MAX_BODY_SIZE;
pub use builder::{DEFAULT_SHUTDOWN_GRACE, EmulatorBuilder};
pub use demo::{
    DEMO_AK, DEMO_DOMAIN_ID, DEMO_POD_IDENTITY_TOKEN, DEMO_PROJECT_ID, DEMO_SK, DEMO_TASK_COUNT,
    DEMO_TOKEN, demo_project_id,
};
pub use emulator::Emulator;
pub use error::StartError;
pub use faults::{FaultConfig, FaultKind, InvalidFaultConfig, MAX_LATENCY};
pub use identity::{DEFAULT_CREDENTIAL_TTL, IdentityConfig, IdentityStats};
#[cfg(feature = "cli")]
pub use identity::{IdentityArgs, RegionProjects};
pub use path_log::{DEFAULT_PATH_LOG_CAPACITY, ReceivedRequest};
pub use query::{SortKey, SortOrder, TaskQuery};
#[cfg(feature = "cli")]
pub use rate_limit::RateLimitArgs;
pub use rate_limit::{
    InvalidRateLimit, RateLimit, RateLimitMode, RateLimitSchedule, RatePeriod, THROTTLED_ERROR_CODE,
};
pub use record::TaskRecord;
pub use router::Route;
pub use seed::{SEED_EPOCH_MS, TASK_ID_LEN, TEMPLATE_IDS, seeded_tasks};
pub use seed_mixed::{MIXED_SEED_INTERVAL_MS, seeded_records_mixed, seeded_tasks_mixed};
pub use stats::StatsSnapshot;
#[cfg(any(test, feature = "mock"))]
pub use store::MockTaskStore;
pub use store::{DeleteOutcome, InMemoryTaskStore, RecordChange, TaskPage, TaskStore};
pub use task::{Task, TaskStatus, TaskTemplate};
pub use version::TaskVersion;
