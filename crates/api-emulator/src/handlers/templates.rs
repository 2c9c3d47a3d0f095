//! `GET /v2/{project_id}/processor-tasks/items`: the built-in task types (templates).

use api_model::ErrorCode;
use serde::Serialize;

use crate::handlers::{MAX_OFFSET, bounded_param};
use crate::reply::Reply;
use crate::seed::TEMPLATE_IDS;

const LABELS: [(&str, &str); 5] = [
    ("Data analysis", "特征分析"),
    ("Data cleaning", "数据清洗"),
    ("Data augmentation", "数据增强"),
    ("Data validation", "数据校验"),
    ("Data selection", "数据选择"),
];

#[derive(Serialize)]
struct Item {
    template_id: &'static str,
    label_en: &'static str,
    label_zh: &'static str,
}

#[derive(Serialize)]
struct ItemsBody {
    total: usize,
    items: Vec<Item>,
}

/// `{"total": 5, "items": [...]}`; `offset` from 0, `limit` 1 to 1000.
pub(crate) fn handle(query: Option<&str>) -> Reply {
    let params = bounded_param(query, "offset", 0, 0..=MAX_OFFSET).and_then(|offset| {
        bounded_param(query, "limit", 1000, 1..=1000).map(|limit| (offset, limit))
    });
    let (offset, limit) = match params {
        Ok(params) => params,
        Err(detail) => return Reply::error_with_meaning(&ErrorCode::ParameterError, &detail),
    };
    let items = TEMPLATE_IDS
        .iter()
        .zip(LABELS)
        .map(|(template_id, (label_en, label_zh))| Item {
            template_id,
            label_en,
            label_zh,
        })
        .skip(offset)
        .take(limit)
        .collect();
    Reply::ok(&ItemsBody {
        total: TEMPLATE_IDS.len(),
        items,
    })
}
