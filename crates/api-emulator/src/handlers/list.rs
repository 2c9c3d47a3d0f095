//! `GET /v2/{project_id}/processor-tasks`: the tasks the query selects, as `{"count", "tasks"}`.

use api_model::ProjectId;
use serde::Serialize;

use crate::handlers::{list_params, parameter_error};
use crate::reply::Reply;
use crate::store::TaskStore;
use crate::task::Task;

#[derive(Serialize)]
struct ListBody {
    count: usize,
    tasks: Vec<Task>,
}

/// `200` with the page; `400 ModelArts.0104` for an invalid parameter. Results are shown only
/// with `return_result=true`.
pub(crate) fn handle(store: &dyn TaskStore, project: &ProjectId, query: Option<&str>) -> Reply {
    let params = match list_params::parse(query) {
        Ok(params) => params,
        Err(detail) => return parameter_error(&detail),
    };
    let page = store.search(project, &params.query);
    Reply::ok(&ListBody {
        count: page.count,
        tasks: page
            .tasks
            .into_iter()
            .map(|task| task.into_reply(params.return_result))
            .collect(),
    })
}
