//! Venues (场所码): the list and their posters.

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use store::PageRequest;

use super::i18n::{Lang, Texts};
use super::views::*;
use super::{Visitor, render};
use crate::AppState;
use crate::problem::Problem;

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/venues", get(venues_page))
}

#[derive(Deserialize)]
struct VenuesQuery {
    page: Option<u32>,
    format: Option<String>,
}

/// The venues of the caller's jurisdiction with their posters, and a batch print by area or grid.
async fn venues_page(visitor: Visitor, Query(query): Query<VenuesQuery>) -> Response {
    let lang = visitor.lang;
    if query.format.as_deref() == Some("xlsx") {
        return match workbook(&visitor).await {
            Ok(body) => crate::export::download("venues.xlsx", body),
            Err(problem) => visitor.problem(problem),
        };
    }
    let page = query.page.unwrap_or(1).max(1);
    let found = match visitor.caller.handle.venues(PageRequest::new(page, 100)).await {
        Ok(found) => found,
        Err(err) => return visitor.problem(err.into()),
    };
    let rows = found
        .items
        .into_iter()
        .map(|v| VenueRow {
            id: v.id.get(),
            name: v.name,
            kind: lang.label(v.kind),
            place: crate::places::short_name(&v.area_code, lang),
            area: v.area_code,
        })
        .collect();
    render(&VenuesPage {
        lang,
        t: visitor.t(),
        user: visitor.user_view(),
        area: visitor.caller.user.area_code.clone(),
        total: found.total,
        page,
        has_next: u64::from(page) * 100 < found.total,
        rows,
    })
}

/// Every venue of the jurisdiction (up to the export limit): what the list shows, with address
/// and grid. No owner contacts: the list does not show them either.
async fn workbook(visitor: &Visitor) -> Result<Vec<u8>, Problem> {
    let lang = visitor.lang;
    let handle = &visitor.caller.handle;
    let (rows, total) = crate::export::collect(
        1000,
        |page| handle.venues(page),
        |v| {
            let grid = v.grid_code.clone().unwrap_or_default();
            vec![
                v.id.to_string(),
                v.name,
                lang.label(v.kind).to_string(),
                v.address,
                crate::places::short_name(&v.area_code, lang),
                v.area_code,
                if grid.is_empty() { String::new() } else { crate::places::short_name(&grid, lang) },
                crate::time::shanghai_text(v.created_at),
            ]
        },
    )
    .await?;
    let header = lang.pick((
        ["编号", "场所名称", "类型", "地址", "地区", "区划代码", "网格", "登记时间"],
        ["No.", "Venue", "Kind", "Address", "Area", "Area code", "Grid", "Registered"],
    ));
    let title = lang.pick((format!("场所（共 {total} 个）"), format!("Venues ({total})")));
    crate::export::xlsx(lang.pick(("场所", "Venues")), &title, &header, &rows)
}

pub struct VenueRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub place: String,
    pub area: String,
}

#[derive(Template)]
#[template(path = "venues.html")]
pub struct VenuesPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub area: String,
    pub total: u64,
    pub page: u32,
    pub has_next: bool,
    pub rows: Vec<VenueRow>,
}
