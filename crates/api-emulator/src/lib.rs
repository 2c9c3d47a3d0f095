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
//! the allowed skew, or an unknown token) → project (`400 ModelArts.0210` for an invalid id,
//! `403 ModelArts.0210` for one the credentials may not use, or an `X-Project-Id` header that
//! differs from the path) → faults → handler. Routes match the raw path split on `/`; the
//! project, task id and version id segments are then percent-decoded (the ids to find the task
//! and the version; an id that cannot be one names none: `4700` or `4851`). `items` is a
//! literal only for `GET …/processor-tasks/items`.
//!
//! Responses that hyper itself writes for malformed HTTP (e.g. `400` for an unparsable request
//! line) carry neither the JSON body nor `X-Request-Id`.
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
mod path_log;
mod query;
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
pub use demo::{DEMO_AK, DEMO_PROJECT_ID, DEMO_SK, DEMO_TASK_COUNT, DEMO_TOKEN, demo_project_id};
pub use emulator::Emulator;
pub use error::StartError;
pub use faults::{FaultConfig, FaultKind, InvalidFaultConfig, MAX_LATENCY};
pub use path_log::{DEFAULT_PATH_LOG_CAPACITY, ReceivedRequest};
pub use query::{SortKey, SortOrder, TaskQuery};
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
