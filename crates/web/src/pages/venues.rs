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

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/venues", get(venues_page))
}

#[derive(Deserialize)]
struct VenuesQuery {
    page: Option<u32>,
}

/// The venues of the caller's jurisdiction with their posters, and a batch print by area or grid.
async fn venues_page(visitor: Visitor, Query(query): Query<VenuesQuery>) -> Response {
    let lang = visitor.lang;
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
