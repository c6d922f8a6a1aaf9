//! The audit log (admins).

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use store::{AuditEntry, PageRequest};

use super::i18n::{Lang, Texts};
use super::views::*;
use super::{Visitor, render};
use crate::AppState;
use crate::time::shanghai_text;

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/audit", get(audit_page))
}

#[derive(Deserialize)]
struct AuditQuery {
    page: Option<u32>,
}

async fn audit_page(visitor: Visitor, Query(query): Query<AuditQuery>) -> Response {
    let lang = visitor.lang;
    let page = match visitor.caller.handle.audit_log(PageRequest::new(query.page.unwrap_or(1), 100)).await {
        Ok(page) => page,
        Err(err) => return visitor.problem(err.into()),
    };
    let more = u64::from(page.page) * u64::from(page.per_page) < page.total;
    let next_link = more.then(|| format!("/audit?page={}", page.page + 1));
    let rows = page.items.into_iter().map(AuditRow::from).collect();
    render(&AuditPage { lang, t: visitor.t(), user: visitor.user_view(), rows, next_link })
}

pub struct AuditRow {
    pub at: String,
    pub username: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub area: String,
    pub remote: String,
}

impl From<AuditEntry> for AuditRow {
    fn from(a: AuditEntry) -> AuditRow {
        AuditRow {
            at: shanghai_text(a.at),
            username: a.username,
            action: a.action,
            subject: a.subject_id.map(|id| format!("#{id}")).unwrap_or_default(),
            detail: a.detail,
            area: a.area_code,
            remote: a.remote_addr.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub rows: Vec<AuditRow>,
    pub next_link: Option<String>,
}
