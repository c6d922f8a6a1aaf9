//! Due tasks (今日到期): releases and fever transfers.

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use store::{PageRequest, Task, TaskKind};

use super::i18n::{Lang, Texts};
use super::views::*;
use super::{Visitor, render};
use crate::AppState;
use crate::problem::Problem;

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/tasks", get(tasks_page))
}

#[derive(Deserialize)]
struct TasksQuery {
    format: Option<String>,
}

async fn tasks_page(visitor: Visitor, Query(query): Query<TasksQuery>) -> Response {
    let lang = visitor.lang;
    let today = visitor.caller.handle.today();
    if query.format.as_deref() == Some("xlsx") {
        return match workbook(&visitor, today).await {
            Ok(body) => crate::export::download("tasks.xlsx", body),
            Err(problem) => visitor.problem(problem),
        };
    }
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
                link: action_link(&task),
                cadre: task.cadre_name.clone().unwrap_or_default(),
                cadre_phone: task.cadre_phone.clone().unwrap_or_default(),
                name: task.person_name,
                status: lang.label(task.status).to_string(),
                due: task.due_date.to_string(),
                place: crate::places::view(&task.area_code, lang),
            }
        })
        .collect();
    render(&TasksPage { lang, t: visitor.t(), user: visitor.user_view(), today: today.to_string(), rows })
}

/// The open tasks due by `today`, as the page lists them, with the cadre to call.
async fn workbook(visitor: &Visitor, today: jiff::civil::Date) -> Result<Vec<u8>, Problem> {
    let lang = visitor.lang;
    let handle = &visitor.caller.handle;
    let (rows, total) = crate::export::collect(
        500,
        |page| handle.tasks(Some(today), true, page),
        |task| {
            let (kind, _) = kind_words(task.kind, lang);
            let overdue = if task.due_date < today { lang.pick(("逾期", "overdue")) } else { "" };
            vec![
                kind.to_string(),
                task.person_name,
                lang.label(task.status).to_string(),
                task.due_date.to_string(),
                overdue.to_string(),
                crate::places::short_name(&task.area_code, lang),
                task.area_code,
                task.cadre_name.unwrap_or_default(),
                task.cadre_phone.unwrap_or_default(),
            ]
        },
    )
    .await?;
    let header = lang.pick((
        ["类型", "姓名", "状态", "到期日", "逾期", "地区", "区划代码", "包保责任人", "责任人电话"],
        ["Kind", "Name", "Status", "Due", "Overdue", "Area", "Area code", "Responsible cadre", "Cadre's mobile"],
    ));
    let title =
        lang.pick((format!("今日到期任务 {today}（共 {total} 项）"), format!("Tasks due by {today} ({total})")));
    crate::export::xlsx(lang.pick(("到期任务", "Tasks")), &title, &header, &rows)
}

/// Where a task's action leads: the record, or for a breach seen in another area (whose officers
/// may not open the record) a call to the person's responsible cadre.
pub(super) fn action_link(task: &Task) -> Option<String> {
    match task.kind {
        TaskKind::BreachAtVenue => task.cadre_phone.as_ref().map(|phone| format!("tel:{phone}")),
        _ => Some(format!("/key-persons/{}#transition", task.key_person_id)),
    }
}

/// What a task asks, and the button that does it.
fn kind_words(kind: TaskKind, lang: Lang) -> (&'static str, &'static str) {
    lang.pick(match kind {
        TaskKind::ReleaseDue => (("到期待解除", "去解除"), ("Release due", "Release")),
        TaskKind::FeverTransfer => (("发热待转运", "去转运"), ("Fever: transfer", "Transfer")),
        TaskKind::Breach => (("违规外出", "去劝返"), ("Left isolation", "Bring back")),
        TaskKind::BreachAtVenue => (("辖区内违规外出", "联系责任人"), ("Left isolation, here", "Call the cadre")),
    })
}

pub struct TaskRow {
    pub overdue: bool,
    pub kind: &'static str,
    pub kind_code: &'static str,
    pub action: &'static str,
    pub link: Option<String>,
    pub cadre: String,
    pub cadre_phone: String,
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
