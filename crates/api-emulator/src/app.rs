//! The request pipeline: route (404) → body limit (413) → auth (401) → project (400/403) →
//! latency → rate limit (429 APIG.0308) → faults → handler, with the request id, counters and
//! the path log around it; identity routes are matched first and go body limit → their own
//! checks → handler.

use std::sync::Arc;

use api_model::{ErrorCode, ProjectId};
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderValue, Request, Response};
use http_body::Body;
use http_body_util::Full;
use percent_encoding::percent_decode_str;

use crate::auth::Authenticator;
use crate::body::{BodyError, read_body};
use crate::faults::{FaultInjector, FaultKind};
use crate::handlers;
use crate::identity::{Identity, IdentityRoute};
use crate::path_log::PathLog;
use crate::rate_limit::RateLimiter;
use crate::reply::Reply;
use crate::request_id::RequestIds;
use crate::router::{Matched, Route, match_route};
use crate::seed::IdGenerator;
use crate::stats::Stats;
use crate::store::TaskStore;
use crate::task::TaskStatus;

/// The header the official SDKs send the project id in.
const X_PROJECT_ID: &str = "x-project-id";

/// What to do with the connection after a request.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Send this response.
    Respond(Response<Full<Bytes>>),
    /// Close the connection without a response (a fault).
    Drop,
}

/// What a step of the pipeline decided.
enum Step {
    Reply(Reply),
    Drop,
}

/// Everything a request needs, shared by all connections.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) store: Arc<dyn TaskStore>,
    pub(crate) auth: Authenticator,
    pub(crate) identity: Arc<Identity>,
    pub(crate) faults: FaultInjector,
    pub(crate) rate_limiter: Arc<RateLimiter>,
    pub(crate) stats: Arc<Stats>,
    pub(crate) paths: Arc<PathLog>,
    pub(crate) request_ids: RequestIds,
    pub(crate) ids: IdGenerator,
    pub(crate) max_body_size: usize,
    pub(crate) created_status: TaskStatus,
}

impl App {
    /// Answers one request.
    pub(crate) async fn handle<B: Body<Data = Bytes>>(&self, request: Request<B>) -> Outcome {
        let (parts, body) = request.into_parts();
        self.stats.request_received();
        self.paths
            .record(&parts.method, parts.uri.path(), parts.uri.query());
        let request_id = self.request_ids.next();
        if let Some(route) = IdentityRoute::matching(&parts.method, parts.uri.path()) {
            let name = route.name();
            return match self.identity_request(&parts, route, body).await {
                Step::Reply(reply) => {
                    let status = reply.status.as_u16();
                    tracing::debug!(method = %parts.method, route = name, status, "answered");
                    Outcome::Respond(reply.into_response(request_id))
                }
                Step::Drop => {
                    tracing::debug!(method = %parts.method, route = name, "the body could not be read");
                    Outcome::Drop
                }
            };
        }
        let matched = match_route(&parts.method, parts.uri.path());
        let route = matched.map_or(Route::Unrouted, |m| m.route);
        let step = match matched {
            None => Step::Reply(Reply::api_not_found()),
            Some(matched) => self.process(&parts, matched, body, &request_id).await,
        };
        match step {
            Step::Reply(reply) => {
                let status = reply.status;
                self.stats.responded(route, status.as_u16());
                tracing::debug!(method = %parts.method, %route, status = status.as_u16(), "answered");
                Outcome::Respond(reply.into_response(request_id))
            }
            Step::Drop => {
                tracing::debug!(method = %parts.method, %route, "dropped the connection (fault)");
                Outcome::Drop
            }
        }
    }

    /// Reads the body within the limit: `Err` holds the step for one that is too large
    /// (`413 APIG.0201`) or could not be read (drop).
    async fn read<B: Body<Data = Bytes>>(&self, parts: &Parts, body: B) -> Result<Bytes, Step> {
        match read_body(&parts.headers, body, self.max_body_size).await {
            Ok(body) => Ok(body),
            Err(BodyError::TooLarge) => {
                let detail = format!(
                    "Request entity too large: the body is over {} bytes.",
                    self.max_body_size
                );
                Err(Step::Reply(
                    Reply::error(&ErrorCode::RequestEntityTooLarge, detail).closing(),
                ))
            }
            Err(BodyError::Read) => Err(Step::Drop),
        }
    }

    /// An identity route: body limit, then the route's own checks and answer (no faults).
    async fn identity_request<B: Body<Data = Bytes>>(
        &self,
        parts: &Parts,
        route: IdentityRoute,
        body: B,
    ) -> Step {
        match self.read(parts, body).await {
            Ok(body) => {
                Step::Reply(
                    self.identity
                        .handle(route, parts, &body, &self.auth, &self.stats),
                )
            }
            Err(step) => step,
        }
    }

    async fn process<B: Body<Data = Bytes>>(
        &self,
        parts: &Parts,
        matched: Matched<'_>,
        body: B,
        request_id: &HeaderValue,
    ) -> Step {
        let body = match self.read(parts, body).await {
            Ok(body) => body,
            Err(step) => return step,
        };

        let allowed = match self
            .auth
            .authenticate(&parts.method, &parts.uri, &parts.headers, &body)
        {
            Ok(allowed) => allowed,
            Err(failure) => {
                self.stats.auth_failed();
                return Step::Reply(Reply::error(
                    &ErrorCode::IncorrectIamAuthentication,
                    failure.to_string(),
                ));
            }
        };

        let project = match check_project(matched.project, allowed, parts) {
            Ok(project) => project,
            Err(reply) => return Step::Reply(reply),
        };

        let decision = self.faults.decide(matched.route);
        if let Some(latency) = decision.latency {
            self.stats.fault_injected(FaultKind::Latency);
            tokio::time::sleep(latency).await;
        }
        // After the latency (the round trip, which a throttled request has too); the fault
        // drawn for a throttled request is not applied, so the fault sequence stays the same.
        if let Some(throttled) = self.rate_limiter.check(&project, matched.route) {
            self.stats.throttled(matched.route);
            return Step::Reply(throttled.reply(request_id));
        }
        if let Some(kind) = decision.fault {
            self.stats.fault_injected(kind);
            match kind {
                FaultKind::TooManyRequests => {
                    return Step::Reply(
                        Reply::error_with_meaning(&ErrorCode::TooManyRequests, "")
                            .with_retry_after(self.faults.retry_after_secs()),
                    );
                }
                FaultKind::InternalError => {
                    return Step::Reply(Reply::error_with_meaning(&ErrorCode::InternalError, ""));
                }
                FaultKind::Unavailable => {
                    return Step::Reply(Reply::error_with_meaning(
                        &ErrorCode::GatewayUnavailable,
                        "",
                    ));
                }
                FaultKind::DropConnection => return Step::Drop,
                FaultKind::DeleteThenDrop => {
                    let _ = self.run(matched, &project, parts.uri.query(), &body);
                    return Step::Drop;
                }
                FaultKind::Latency => {}
            }
        }
        Step::Reply(self.run(matched, &project, parts.uri.query(), &body))
    }

    /// Runs the route's handler.
    fn run(
        &self,
        matched: Matched<'_>,
        project: &ProjectId,
        query: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let store = self.store.as_ref();
        let task = matched.task.unwrap_or("");
        let version = matched.version.unwrap_or("");
        match matched.route {
            Route::CreateTask => {
                handlers::create::handle(store, &self.ids, self.created_status, project, body)
            }
            Route::ListTasks => handlers::list::handle(store, project, query),
            Route::ListTemplates => handlers::templates::handle(query),
            Route::DescribeTask => handlers::describe::handle(store, project, task),
            Route::UpdateTask => handlers::update::handle(store, project, task, body),
            Route::DeleteTask => handlers::delete::handle(store, &self.stats, project, task),
            Route::ListVersions => handlers::list_versions::handle(store, project, task, query),
            Route::CreateVersion => {
                handlers::create_version::handle(store, &self.ids, project, task, body)
            }
            Route::DescribeVersion => {
                handlers::describe_version::handle(store, project, task, version)
            }
            Route::DeleteVersion => handlers::delete_version::handle(store, project, task, version),
            Route::StopVersion => handlers::stop_version::handle(store, project, task, version),
            Route::Unrouted => Reply::api_not_found(),
        }
    }
}

/// The path's project id, if it is valid (else `400 ModelArts.0210`), one the credentials may
/// use and the same as `X-Project-Id` when that is sent (else `403 ModelArts.0210`).
fn check_project(raw: &str, allowed: &[ProjectId], parts: &Parts) -> Result<ProjectId, Reply> {
    let project: ProjectId = percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| {
            Reply::error_with_meaning(
                &ErrorCode::InvalidProjectId,
                "A project id is 32 lowercase letters and digits.",
            )
        })?;
    if !allowed.contains(&project) {
        return Err(Reply::error_with_meaning(&ErrorCode::ProjectIdMismatch, ""));
    }
    if let Some(header) = parts.headers.get(X_PROJECT_ID)
        && header.as_bytes() != project.as_str().as_bytes()
    {
        return Err(Reply::error_with_meaning(
            &ErrorCode::ProjectIdMismatch,
            "X-Project-Id differs from the project id in the URL.",
        ));
    }
    Ok(project)
}
