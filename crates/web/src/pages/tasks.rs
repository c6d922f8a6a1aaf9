//! Due tasks (今日到期): releases and fever transfers.

use askama::Template;
use axum::Router;

use axum::response::Response;
use axum::routing::get;

use store::PageRequest;

use super::i18n::{Lang, Texts};
use super::views::*;
use super::{Visitor, render};
use crate::AppState;

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/tasks", get(tasks_page))
}

async fn tasks_page(visitor: Visitor) -> Response {
    let lang = visitor.lang;
    let today = visitor.caller.handle.today();
    let page = match visitor.caller.handle.tasks(Some(today), true, PageRequest::new(1, 200)).await {
        Ok(page) => page,
        Err(err) => return visitor.problem(err.into()),
    };
    let rows = page
        .items
        .into_iter()
        .map(|task| TaskRow {
            overdue: task.due_date < today,
            key_person_id: task.key_person_id.get(),
            name: task.person_name,
            status: lang.label(task.status).to_string(),
            due: task.due_date.to_string(),
            area: task.area_code,
        })
        .collect();
    render(&TasksPage { lang, t: visitor.t(), user: visitor.user_view(), today: today.to_string(), rows })
}

pub struct TaskRow {
    pub overdue: bool,
    pub key_person_id: i64,
    pub name: String,
    pub status: String,
    pub due: String,
    pub area: String,
}

#[derive(Template)]
#[template(path = "tasks.html")]
pub struct TasksPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub today: String,
    pub rows: Vec<TaskRow>,
}
