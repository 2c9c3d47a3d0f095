//! Route matching on the raw (still percent-encoded) request path, split on `/`.

use std::fmt;

use http::Method;

/// An operation the emulator answers, or [`Route::Unrouted`] for everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// `POST /v2/{project_id}/processor-tasks`
    CreateTask,
    /// `GET /v2/{project_id}/processor-tasks`
    ListTasks,
    /// `GET /v2/{project_id}/processor-tasks/items` (the task types)
    ListTemplates,
    /// `GET /v2/{project_id}/processor-tasks/{task_id}`
    DescribeTask,
    /// `DELETE /v2/{project_id}/processor-tasks/{task_id}`
    DeleteTask,
    /// Anything else: answered `404 APIG.0101`.
    Unrouted,
}

impl Route {
    /// Every route.
    pub const ALL: [Route; 6] = [
        Self::CreateTask,
        Self::ListTasks,
        Self::ListTemplates,
        Self::DescribeTask,
        Self::DeleteTask,
        Self::Unrouted,
    ];

    /// The operation's name in the API reference (`"Unrouted"` for the rest).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateTask => "CreateProcessorTask",
            Self::ListTasks => "ListProcessorTasks",
            Self::ListTemplates => "GetProcessorTaskItems",
            Self::DescribeTask => "DescribeProcessorTask",
            Self::DeleteTask => "DeleteProcessorTask",
            Self::Unrouted => "Unrouted",
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Self::CreateTask => 0,
            Self::ListTasks => 1,
            Self::ListTemplates => 2,
            Self::DescribeTask => 3,
            Self::DeleteTask => 4,
            Self::Unrouted => 5,
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A matched request: the route and its raw path segments, still percent-encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Matched<'a> {
    pub(crate) route: Route,
    pub(crate) project: &'a str,
    pub(crate) task: Option<&'a str>,
}

/// Matches `method` and the raw `path` (no query). A path of another shape (more or fewer
/// segments, an empty segment, a trailing `/`) matches nothing; so does a known path with a
/// method it does not take, as at the service's gateway.
pub(crate) fn match_route<'a>(method: &Method, path: &'a str) -> Option<Matched<'a>> {
    let rest = path.strip_prefix("/v2/")?;
    let mut segments = rest.split('/');
    let project = segments.next().filter(|s| !s.is_empty())?;
    if segments.next()? != "processor-tasks" {
        return None;
    }
    let task = segments.next();
    if segments.next().is_some() {
        return None;
    }
    let route = match (task, method) {
        (None, &Method::POST) => Route::CreateTask,
        (None, &Method::GET) => Route::ListTasks,
        (Some(""), _) => return None,
        (Some("items"), &Method::GET) => Route::ListTemplates,
        (Some(_), &Method::GET) => Route::DescribeTask,
        (Some(_), &Method::DELETE) => Route::DeleteTask,
        _ => return None,
    };
    Some(Matched {
        route,
        project,
        task: task.filter(|_| route != Route::ListTemplates),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "a4a5d4098fb4474fa22cd05f897d6b99";

    fn route(method: Method, path: &str) -> Option<Route> {
        match_route(&method, path).map(|m| m.route)
    }

    #[test]
    fn matches_each_operation() {
        let collection = format!("/v2/{P}/processor-tasks");
        let item = format!("/v2/{P}/processor-tasks/SNEJua7qdZZN8GvkcEr");
        assert_eq!(route(Method::POST, &collection), Some(Route::CreateTask));
        assert_eq!(route(Method::GET, &collection), Some(Route::ListTasks));
        assert_eq!(route(Method::GET, &item), Some(Route::DescribeTask));
        assert_eq!(route(Method::DELETE, &item), Some(Route::DeleteTask));
        assert_eq!(
            route(Method::GET, &format!("{collection}/items")),
            Some(Route::ListTemplates)
        );
        // `items` is a task id for DELETE, as the literal only exists for GET.
        assert_eq!(
            route(Method::DELETE, &format!("{collection}/items")),
            Some(Route::DeleteTask)
        );
        let matched = match_route(&Method::DELETE, &item).unwrap_or_else(|| unreachable!());
        assert_eq!(matched.project, P);
        assert_eq!(matched.task, Some("SNEJua7qdZZN8GvkcEr"));
    }

    #[test]
    fn keeps_segments_raw() {
        let path = format!("/v2/{P}/processor-tasks/a%2Fb%3F");
        let matched = match_route(&Method::DELETE, &path).unwrap_or_else(|| unreachable!());
        assert_eq!(matched.task, Some("a%2Fb%3F"));
    }

    #[test]
    fn other_shapes_and_methods_match_nothing() {
        for (method, path) in [
            (Method::PUT, format!("/v2/{P}/processor-tasks/x")),
            (Method::DELETE, format!("/v2/{P}/processor-tasks")),
            (Method::PATCH, format!("/v2/{P}/processor-tasks")),
            (Method::DELETE, format!("/v2/{P}/processor-tasks/")),
            (Method::DELETE, format!("/v2/{P}/processor-tasks//")),
            (Method::DELETE, format!("/v2/{P}/processor-tasks/a/b")),
            (Method::DELETE, format!("/v2/{P}/processor-tasks/a/")),
            (Method::DELETE, format!("/v2/{P}//processor-tasks/a")),
            (Method::GET, format!("/v2/{P}/processor-tasks/a/versions")),
            (Method::GET, "/v2//processor-tasks".to_owned()),
            (Method::GET, "/v2/processor-tasks".to_owned()),
            (Method::GET, format!("/v1/{P}/processor-tasks")),
            (Method::GET, format!("/v2/{P}/processor-task")),
            (Method::GET, format!("//v2/{P}/processor-tasks")),
            (Method::GET, "/".to_owned()),
            (Method::GET, String::new()),
        ] {
            assert_eq!(route(method.clone(), &path), None, "{method} {path}");
        }
    }
}
