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
    /// `PUT /v2/{project_id}/processor-tasks/{task_id}`
    UpdateTask,
    /// `DELETE /v2/{project_id}/processor-tasks/{task_id}`
    DeleteTask,
    /// `GET /v2/{project_id}/processor-tasks/{task_id}/versions`
    ListVersions,
    /// `POST /v2/{project_id}/processor-tasks/{task_id}/versions`
    CreateVersion,
    /// `GET /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}`
    DescribeVersion,
    /// `DELETE /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}`
    DeleteVersion,
    /// `POST /v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/stop`
    StopVersion,
    /// Anything else: answered `404 APIG.0101`.
    Unrouted,
}

impl Route {
    /// Every route.
    pub const ALL: [Route; 12] = [
        Self::CreateTask,
        Self::ListTasks,
        Self::ListTemplates,
        Self::DescribeTask,
        Self::UpdateTask,
        Self::DeleteTask,
        Self::ListVersions,
        Self::CreateVersion,
        Self::DescribeVersion,
        Self::DeleteVersion,
        Self::StopVersion,
        Self::Unrouted,
    ];

    /// The operation's name in the API reference, its `operationId` (`"Unrouted"` for the
    /// rest).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateTask => "CreateProcessorTask",
            Self::ListTasks => "ListProcessorTasks",
            Self::ListTemplates => "GetProcessorTaskItems",
            Self::DescribeTask => "DescribeProcessorTask",
            Self::UpdateTask => "UpdateProcessorTask",
            Self::DeleteTask => "DeleteProcessorTask",
            Self::ListVersions => "ListProcessorTaskVersions",
            Self::CreateVersion => "CreateProcessorTaskVersion",
            Self::DescribeVersion => "DescProcessorTaskVersion",
            Self::DeleteVersion => "DeleteProcessorTaskVersion",
            Self::StopVersion => "StopProcessorTaskVersion",
            Self::Unrouted => "Unrouted",
        }
    }

    /// The route's place in [`Route::ALL`].
    pub(crate) fn index(self) -> usize {
        match self {
            Self::CreateTask => 0,
            Self::ListTasks => 1,
            Self::ListTemplates => 2,
            Self::DescribeTask => 3,
            Self::UpdateTask => 4,
            Self::DeleteTask => 5,
            Self::ListVersions => 6,
            Self::CreateVersion => 7,
            Self::DescribeVersion => 8,
            Self::DeleteVersion => 9,
            Self::StopVersion => 10,
            Self::Unrouted => 11,
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
    pub(crate) version: Option<&'a str>,
}

/// Matches `method` and the raw `path` (no query). A path of another shape (more or fewer
/// segments, an empty segment, a trailing `/`) matches nothing; so does a known path with a
/// method it does not take, as at the service's gateway. `items` is a literal only for `GET`:
/// for other methods it is a task id.
pub(crate) fn match_route<'a>(method: &Method, path: &'a str) -> Option<Matched<'a>> {
    let rest = path.strip_prefix("/v2/")?;
    let mut segments = rest.split('/');
    let project = segments.next().filter(|s| !s.is_empty())?;
    if segments.next()? != "processor-tasks" {
        return None;
    }
    // After the collection: task id, `versions`, version id, `stop`.
    let tail = [
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ];
    if segments.next().is_some() || tail.iter().flatten().any(|s| s.is_empty()) {
        return None;
    }
    let route = match (tail, method) {
        ([None, ..], &Method::POST) => Route::CreateTask,
        ([None, ..], &Method::GET) => Route::ListTasks,
        ([Some("items"), None, ..], &Method::GET) => Route::ListTemplates,
        ([Some(_), None, ..], &Method::GET) => Route::DescribeTask,
        ([Some(_), None, ..], &Method::PUT) => Route::UpdateTask,
        ([Some(_), None, ..], &Method::DELETE) => Route::DeleteTask,
        ([Some(_), Some("versions"), None, _], &Method::GET) => Route::ListVersions,
        ([Some(_), Some("versions"), None, _], &Method::POST) => Route::CreateVersion,
        ([Some(_), Some("versions"), Some(_), None], &Method::GET) => Route::DescribeVersion,
        ([Some(_), Some("versions"), Some(_), None], &Method::DELETE) => Route::DeleteVersion,
        ([Some(_), Some("versions"), Some(_), Some("stop")], &Method::POST) => Route::StopVersion,
        _ => return None,
    };
    Some(Matched {
        route,
        project,
        task: tail[0].filter(|_| route != Route::ListTemplates),
        version: tail[2],
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
        assert_eq!(matched.version, None);
        assert_eq!(route(Method::PUT, &item), Some(Route::UpdateTask));
        assert_eq!(
            route(Method::PUT, &format!("{collection}/items")),
            Some(Route::UpdateTask),
            "items is a literal only for GET"
        );
    }

    #[test]
    fn matches_each_version_operation() {
        let versions = format!("/v2/{P}/processor-tasks/SNEJua7qdZZN8GvkcEr/versions");
        let version = format!("{versions}/VersionId0000000001");
        let stop = format!("{version}/stop");
        for (method, path, expected) in [
            (Method::GET, &versions, Route::ListVersions),
            (Method::POST, &versions, Route::CreateVersion),
            (Method::GET, &version, Route::DescribeVersion),
            (Method::DELETE, &version, Route::DeleteVersion),
            (Method::POST, &stop, Route::StopVersion),
        ] {
            let matched = match_route(&method, path).unwrap_or_else(|| unreachable!());
            assert_eq!(matched.route, expected, "{method} {path}");
            assert_eq!(matched.project, P);
            assert_eq!(matched.task, Some("SNEJua7qdZZN8GvkcEr"));
            let version = (path != &versions).then_some("VersionId0000000001");
            assert_eq!(matched.version, version, "{method} {path}");
        }
        // `items` names a task under /versions, for every method.
        let items = format!("/v2/{P}/processor-tasks/items/versions");
        let matched = match_route(&Method::GET, &items).unwrap_or_else(|| unreachable!());
        assert_eq!(matched.route, Route::ListVersions);
        assert_eq!(matched.task, Some("items"));
        // Version segments stay raw, like task ids.
        let raw = format!("/v2/{P}/processor-tasks/t/versions/a%2Fb");
        let matched = match_route(&Method::DELETE, &raw).unwrap_or_else(|| unreachable!());
        assert_eq!(matched.version, Some("a%2Fb"));
    }

    #[test]
    fn names_and_indexes_are_consistent() {
        for (index, route) in Route::ALL.into_iter().enumerate() {
            assert_eq!(route.index(), index, "{route}");
        }
        assert_eq!(Route::StopVersion.name(), "StopProcessorTaskVersion");
        assert_eq!(
            Route::DescribeVersion.to_string(),
            "DescProcessorTaskVersion"
        );
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
            (Method::PUT, format!("/v2/{P}/processor-tasks")),
            (Method::POST, format!("/v2/{P}/processor-tasks/x")),
            (Method::PATCH, format!("/v2/{P}/processor-tasks/x")),
            (Method::PUT, format!("/v2/{P}/processor-tasks/x/")),
            (Method::DELETE, format!("/v2/{P}/processor-tasks")),
            (Method::PATCH, format!("/v2/{P}/processor-tasks")),
            (Method::DELETE, format!("/v2/{P}/processor-tasks/")),
            (Method::DELETE, format!("/v2/{P}/processor-tasks//")),
            (Method::DELETE, format!("/v2/{P}/processor-tasks/a/b")),
            (Method::DELETE, format!("/v2/{P}/processor-tasks/a/")),
            (Method::DELETE, format!("/v2/{P}//processor-tasks/a")),
            (Method::PATCH, format!("/v2/{P}/processor-tasks/a/versions")),
            (Method::PUT, format!("/v2/{P}/processor-tasks/a/versions")),
            (
                Method::DELETE,
                format!("/v2/{P}/processor-tasks/a/versions"),
            ),
            (Method::GET, format!("/v2/{P}/processor-tasks/a/versions/")),
            (Method::GET, format!("/v2/{P}/processor-tasks/a/version")),
            (Method::GET, format!("/v2/{P}/processor-tasks//versions")),
            (Method::GET, format!("/v2/{P}/processor-tasks/a/Versions")),
            (
                Method::POST,
                format!("/v2/{P}/processor-tasks/a/versions/v"),
            ),
            (Method::PUT, format!("/v2/{P}/processor-tasks/a/versions/v")),
            (
                Method::GET,
                format!("/v2/{P}/processor-tasks/a/versions//stop"),
            ),
            (
                Method::GET,
                format!("/v2/{P}/processor-tasks/a/versions/v/stop"),
            ),
            (
                Method::DELETE,
                format!("/v2/{P}/processor-tasks/a/versions/v/stop"),
            ),
            (
                Method::POST,
                format!("/v2/{P}/processor-tasks/a/versions/v/stop/"),
            ),
            (
                Method::POST,
                format!("/v2/{P}/processor-tasks/a/versions/v/stop/x"),
            ),
            (
                Method::POST,
                format!("/v2/{P}/processor-tasks/a/versions/v/start"),
            ),
            (
                Method::POST,
                format!("/v2/{P}/processor-tasks/a/versions/v/"),
            ),
            (Method::POST, format!("/v2/{P}/processor-tasks/a/b/v/stop")),
            (Method::GET, format!("/v2/{P}/processor-tasks/a/b/c")),
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
