//! Due tasks (今日到期): releases and fever transfers.

use askama::Template;
use axum::Router;

use axum::response::Response;
use axum::routing::get;

use store::{PageRequest, TaskKind};

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
        .map(|task| {
            let (kind, action) = kind_words(task.kind, lang);
            TaskRow {
                overdue: task.due_date < today,
                kind,
                kind_code: task.kind.as_str(),
                action,
                key_person_id: task.key_person_id.get(),
                name: task.person_name,
                status: lang.label(task.status).to_string(),
                due: task.due_date.to_string(),
                place: crate::places::view(&task.area_code, lang),
            }
        })
        .collect();
    render(&TasksPage { lang, t: visitor.t(), user: visitor.user_view(), today: today.to_string(), rows })
}

/// What a task asks, and the button that does it.
fn kind_words(kind: TaskKind, lang: Lang) -> (&'static str, &'static str) {
    lang.pick(match kind {
        TaskKind::ReleaseDue => (("到期待解除", "去解除"), ("Release due", "Release")),
        TaskKind::FeverTransfer => (("发热待转运", "去转运"), ("Fever: transfer", "Transfer")),
        TaskKind::Breach => (("违规外出", "去劝返"), ("Left isolation", "Bring back")),
        TaskKind::BreachAtVenue => (("辖区内违规外出", "去处置"), ("Left isolation, here", "Handle")),
    })
}

pub struct TaskRow {
    pub overdue: bool,
    pub kind: &'static str,
    pub kind_code: &'static str,
    pub action: &'static str,
    pub key_person_id: i64,
    pub name: String,
    pub status: String,
    pub due: String,
    pub place: crate::places::PlaceView,
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
