//! The operations' handlers: each turns a checked request into a reply, using the store.

pub(crate) mod create;
pub(crate) mod delete;
pub(crate) mod describe;
pub(crate) mod list;
pub(crate) mod templates;

#[cfg(test)]
mod tests;

use api_model::TaskId;
use percent_encoding::percent_decode_str;

/// The task id of a raw path segment: percent-decoded, then validated. `None` for a segment
/// that is not UTF-8 or not a possible task id; no such task can exist.
pub(crate) fn decode_task_id(raw: &str) -> Option<TaskId> {
    percent_decode_str(raw).decode_utf8().ok()?.parse().ok()
}

/// The `(name, value)` pairs of a raw query, percent-decoded (`+` stays `+`).
pub(crate) fn query_pairs(query: Option<&str>) -> impl Iterator<Item = (String, String)> + '_ {
    query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
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
