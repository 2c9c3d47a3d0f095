//! `GET /v2/{project_id}/processor-tasks?offset=&limit=`: `{"count": total, "tasks": [...]}`.

use api_model::{ErrorCode, ProjectId};
use serde::Serialize;

use crate::handlers::bounded_param;
use crate::reply::Reply;
use crate::store::TaskStore;
use crate::task::Task;

/// The default page size.
const DEFAULT_LIMIT: usize = 10;
/// The largest page size.
const MAX_LIMIT: usize = 100;

#[derive(Serialize)]
struct ListBody {
    count: usize,
    tasks: Vec<Task>,
}

/// Newest first; `offset` defaults to 0, `limit` to 10 (1 to 100, else `400 ModelArts.0104`).
pub(crate) fn handle(store: &dyn TaskStore, project: &ProjectId, query: Option<&str>) -> Reply {
    let params = bounded_param(query, "offset", 0, 0..=usize::MAX >> 1).and_then(|offset| {
        bounded_param(query, "limit", DEFAULT_LIMIT, 1..=MAX_LIMIT).map(|limit| (offset, limit))
    });
    match params {
        Ok((offset, limit)) => {
            let page = store.list(project, offset, limit);
            Reply::ok(&ListBody {
                count: page.count,
                tasks: page.tasks,
            })
        }
        Err(detail) => Reply::error_with_meaning(&ErrorCode::ParameterError, &detail),
    }
}
