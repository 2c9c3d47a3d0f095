//! The query parameters of `GET …/processor-tasks`: parsed and checked into a `TaskQuery`.

use crate::handlers::{DEFAULT_LIMIT, MAX_LIMIT, paging, query_value};
use crate::query::{SortKey, SortOrder, TaskQuery};
use crate::task::TaskStatus;

/// What a list request asks for: the store query and whether to show results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListParams {
    pub(crate) query: TaskQuery,
    pub(crate) return_result: bool,
}

/// Parses every known parameter (unknown ones are ignored); `Err` holds the reply's detail,
/// naming the parameter and what it allows.
pub(crate) fn parse(raw: Option<&str>) -> Result<ListParams, String> {
    let page = paging(raw, DEFAULT_LIMIT, MAX_LIMIT)?;
    let value = |name| query_value(raw, name);
    let sort_by = match value("sort_by").as_deref() {
        None | Some("create_time") => SortKey::CreateTime,
        Some("name") => SortKey::Name,
        Some("duration_seconds") => SortKey::DurationSeconds,
        Some(_) => return Err("sort_by must be one of create_time, name, duration_seconds".into()),
    };
    let order = match value("order").as_deref() {
        None | Some("desc") => SortOrder::Desc,
        Some("asc") => SortOrder::Asc,
        Some(_) => return Err("order must be asc or desc".into()),
    };
    // Every task is its current version here, so query_current changes nothing; still checked.
    flag(raw, "query_current")?;
    let return_result = flag(raw, "return_result")?;
    let status = value("status")
        .map(|text| {
            text.parse::<u8>()
                .ok()
                .and_then(TaskStatus::from_code)
                .ok_or_else(|| "status must be an integer from 0 to 4".to_owned())
        })
        .transpose()?;
    // An empty text filter (`source=`) filters nothing, as when it is left out.
    let text = |name| value(name).filter(|v: &String| !v.is_empty());
    let version_ids = value("version_id")
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|ids| !ids.is_empty());
    Ok(ListParams {
        query: TaskQuery {
            page: page.index,
            page_size: page.size,
            sort_by,
            order,
            status,
            name_contains: text("task_name"),
            template_id: text("task_type"),
            workspace_id: text("workspace_id"),
            version_ids,
            source: text("source"),
            source_type: text("source_type"),
        },
        return_result,
    })
}

/// An optional `true`/`false` parameter (default false).
fn flag(raw: Option<&str>, name: &str) -> Result<bool, String> {
    match query_value(raw, name).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(format!("{name} must be true or false")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn defaults() {
        let params = parse(None).unwrap();
        assert_eq!(params.query, TaskQuery::page(0, 10));
        assert!(!params.return_result);
        assert_eq!(parse(Some("unknown=1&x")).unwrap(), params);
    }

    #[test]
    fn every_parameter() {
        let params = parse(Some(
            "offset=3&limit=100&sort_by=duration_seconds&order=asc&query_current=true\
             &return_result=true&status=4&task_name=Clean&task_type=sys_data_cleaning\
             &workspace_id=w1&version_id=a,%20b,,&source=obs%3A%2F%2Fb&source_type=OBS",
        ))
        .unwrap();
        assert!(params.return_result);
        let query = params.query;
        assert_eq!((query.page, query.page_size), (3, 100));
        assert_eq!(query.sort_by, SortKey::DurationSeconds);
        assert_eq!(query.order, SortOrder::Asc);
        assert_eq!(query.status, Some(TaskStatus::Stopped));
        assert_eq!(query.name_contains.as_deref(), Some("Clean"));
        assert_eq!(query.template_id.as_deref(), Some("sys_data_cleaning"));
        assert_eq!(query.workspace_id.as_deref(), Some("w1"));
        assert_eq!(query.version_ids, Some(vec!["a".into(), "b".into()]));
        assert_eq!(query.source.as_deref(), Some("obs://b"));
        assert_eq!(query.source_type.as_deref(), Some("OBS"));
        assert_eq!(
            parse(Some("sort_by=name")).unwrap().query.sort_by,
            SortKey::Name
        );
        assert_eq!(parse(Some("version_id=,")).unwrap().query.version_ids, None);
    }

    #[test]
    fn invalid_values_name_the_parameter() {
        for (query, name) in [
            ("offset=-1", "offset"),
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("sort_by=age", "sort_by"),
            ("sort_by=", "sort_by"),
            ("order=up", "order"),
            ("order=DESC", "order"),
            ("query_current=yes", "query_current"),
            ("return_result=1", "return_result"),
            ("status=5", "status"),
            ("status=-1", "status"),
            ("status=x", "status"),
            ("status=", "status"),
        ] {
            let detail = parse(Some(query)).unwrap_err();
            assert!(detail.starts_with(name), "{query}: {detail}");
        }
    }
}
