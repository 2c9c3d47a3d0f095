//! `GET /v2/{project_id}/processor-tasks/items`: the built-in task types (templates).

use api_model::ErrorCode;
use serde::Serialize;

use crate::handlers::paging;
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

/// The largest page size of the task types, and the default.
const ITEMS_LIMIT: usize = 1000;

/// `{"total": 5, "items": [...]}`; `offset` is the page index from 0, `limit` the page size
/// from 1 to 1000.
pub(crate) fn handle(query: Option<&str>) -> Reply {
    let page = match paging(query, ITEMS_LIMIT, ITEMS_LIMIT) {
        Ok(page) => page,
        Err(detail) => return Reply::error_with_meaning(&ErrorCode::ParameterError, &detail),
    };
    let items = TEMPLATE_IDS
        .iter()
        .zip(LABELS)
        .map(|(template_id, (label_en, label_zh))| Item {
            template_id,
            label_en,
            label_zh,
        });
    Reply::ok(&ItemsBody {
        total: TEMPLATE_IDS.len(),
        items: page.of(items),
    })
}
