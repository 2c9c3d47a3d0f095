//! The operations' handlers: each turns a checked request into a reply, using the store.

pub(crate) mod create;
pub(crate) mod create_version;
pub(crate) mod delete;
pub(crate) mod delete_version;
pub(crate) mod describe;
pub(crate) mod describe_version;
mod fields;
pub(crate) mod list;
mod list_params;
pub(crate) mod list_versions;
pub(crate) mod stop_version;
pub(crate) mod templates;
pub(crate) mod update;

#[cfg(test)]
mod tests;

use std::time::{SystemTime, UNIX_EPOCH};

use api_model::{ErrorCode, ProjectId, TaskId};
use percent_encoding::percent_decode_str;

use crate::record::TaskRecord;
use crate::reply::Reply;
use crate::store::TaskStore;
use crate::version::TaskVersion;

/// The default page size of the task and version lists.
pub(crate) const DEFAULT_LIMIT: usize = 10;
/// The largest page size of the task and version lists.
pub(crate) const MAX_LIMIT: usize = 100;

/// The task id of a raw path segment: percent-decoded, then validated. `None` for a segment
/// that is not UTF-8 or not a possible task id; no such task can exist.
pub(crate) fn decode_task_id(raw: &str) -> Option<TaskId> {
    percent_decode_str(raw).decode_utf8().ok()?.parse().ok()
}

/// The version id of a raw path segment, decoded and validated like a task id.
pub(crate) fn decode_version_id(raw: &str) -> Option<TaskId> {
    decode_task_id(raw)
}

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        })
}

/// `400 ModelArts.4700`.
pub(crate) fn task_not_found() -> Reply {
    Reply::error_with_meaning(&ErrorCode::TaskNotFound, "")
}

/// `400 ModelArts.4851`.
pub(crate) fn version_not_found() -> Reply {
    Reply::error_with_meaning(&ErrorCode::TaskVersionNotFound, "")
}

/// `400 ModelArts.0104` with `detail`.
pub(crate) fn parameter_error(detail: &str) -> Reply {
    Reply::error_with_meaning(&ErrorCode::ParameterError, detail)
}

/// Looks up one version: `400 ModelArts.4700` when the task is unknown, `400 ModelArts.4851`
/// when it has no such version (or the segment names none).
pub(crate) fn find_version(
    store: &dyn TaskStore,
    project: &ProjectId,
    raw_task: &str,
    raw_version: &str,
) -> Result<TaskVersion, Reply> {
    let record = decode_task_id(raw_task)
        .and_then(|task_id| store.record(project, &task_id))
        .ok_or_else(task_not_found)?;
    decode_version_id(raw_version)
        .and_then(|version_id| record.version(&version_id).cloned())
        .ok_or_else(version_not_found)
}

/// Changes one version of a task atomically with `change`, which returns what to answer:
/// `400 ModelArts.4700` when the task is unknown, `400 ModelArts.4851` when it has no such
/// version.
pub(crate) fn change_version(
    store: &dyn TaskStore,
    project: &ProjectId,
    raw_task: &str,
    raw_version: &str,
    mut change: impl FnMut(&mut TaskRecord, &TaskId) -> Option<Reply>,
) -> Reply {
    let Some(task_id) = decode_task_id(raw_task) else {
        return task_not_found();
    };
    let version_id = decode_version_id(raw_version);
    let mut reply = None;
    let found = store.modify(project, &task_id, &mut |record: &mut TaskRecord| {
        reply = Some(
            version_id
                .as_ref()
                .and_then(|version_id| change(record, version_id))
                .unwrap_or_else(version_not_found),
        );
    });
    match reply {
        Some(reply) if found => reply,
        _ => task_not_found(),
    }
}

/// The largest `offset` (page index) the service takes: the spec's int32 maximum.
const MAX_OFFSET: usize = i32::MAX as usize;

/// Which entries a page holds: page `index` of `size` entries (`offset` is the 0-based page
/// index, as the service pages, and `limit` the page size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageSpec {
    pub(crate) index: usize,
    pub(crate) size: usize,
}

impl PageSpec {
    /// The page of `entries`: empty past the end.
    pub(crate) fn of<T>(self, entries: impl IntoIterator<Item = T>) -> Vec<T> {
        entries
            .into_iter()
            .skip(self.index.saturating_mul(self.size))
            .take(self.size)
            .collect()
    }
}

/// The `(name, value)` pairs of a raw query, percent-decoded (`+` is a space, `%2B` a plus).
pub(crate) fn query_pairs(query: Option<&str>) -> impl Iterator<Item = (String, String)> + '_ {
    query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            // `+` is a space, as in a form and as the AK/SK signature reads the query.
            let decode = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(name), decode(value))
        })
}

/// The last value of `name` in the query.
pub(crate) fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    query_pairs(query)
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value)
        .last()
}

/// The optional `offset` (the page index, from 0) and `limit` (the page size, 1 to `max_limit`,
/// default `default_limit`) of a list; `Err` holds the reply's detail.
pub(crate) fn paging(
    query: Option<&str>,
    default_limit: usize,
    max_limit: usize,
) -> Result<PageSpec, String> {
    let index = bounded_param(query, "offset", 0, 0..=MAX_OFFSET)?;
    let size = bounded_param(query, "limit", default_limit, 1..=max_limit)?;
    Ok(PageSpec { index, size })
}

/// Parses an optional integer query parameter within `range`; `Err` holds the reply's detail.
pub(crate) fn bounded_param(
    query: Option<&str>,
    name: &str,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, String> {
    let Some(text) = query_value(query, name) else {
        return Ok(default);
    };
    match text.parse::<usize>() {
        Ok(value) if range.contains(&value) => Ok(value),
        _ => Err(format!(
            "{name} must be an integer from {} to {}",
            range.start(),
            range.end()
        )),
    }
}
