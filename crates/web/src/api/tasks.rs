//! Due tasks (release, fever transfer) over the API.

use crate::AppState;
use axum::Json;
use domain::Message;
use serde::{Deserialize, Serialize};
use store::{PageRequest, Task};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::extract::ApiQuery;
use crate::problem::Problem;
use crate::time::instant_text;
use domain::Code;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_tasks))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskParams {
    /// `today` (the default) lists tasks due today or earlier; `all` every date.
    #[param(schema_with = super::schemas::due)]
    pub due: Option<String>,
    /// Include done tasks.
    pub include_done: Option<bool>,
    #[param(format = Int64, minimum = 0, maximum = 4294967295.0)]
    pub page: Option<u32>,
}

/// Tasks in your jurisdiction: releases that fell due, oldest first.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", security(("bearer" = [])), params(TaskParams),
    responses((status = 200, body = TaskPage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_tasks(caller: Caller, ApiQuery(params): ApiQuery<TaskParams>) -> Result<Json<TaskPage>, Problem> {
    let due = match params.due.as_deref().unwrap_or("today") {
        "today" => Some(caller.handle.today()),
        "all" => None,
        _ => return Err(Problem::invalid("due", Message::new("应为 today 或 all", "use today or all"))),
    };
    let page = caller
        .handle
        .tasks(due, !params.include_done.unwrap_or(false), PageRequest::new(params.page.unwrap_or(1), 100))
        .await?;
    Ok(Json(TaskPage { items: page.items.into_iter().map(TaskBody::from).collect(), total: page.total }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskBody {
    pub id: i64,
    pub kind: String,
    pub key_person_id: i64,
    pub person_name: String,
    pub status: String,
    /// The record's responsible cadre, to call about a breach in another area.
    pub cadre_name: Option<String>,
    pub cadre_phone: Option<String>,
    pub area_code: String,
    pub due_date: String,
    pub done_at: Option<String>,
}

impl From<Task> for TaskBody {
    fn from(t: Task) -> TaskBody {
        TaskBody {
            id: t.id.get(),
            kind: t.kind.as_str().to_string(),
            key_person_id: t.key_person_id.get(),
            person_name: t.person_name,
            status: t.status.as_str().to_string(),
            cadre_name: t.cadre_name,
            cadre_phone: t.cadre_phone,
            area_code: t.area_code,
            due_date: t.due_date.to_string(),
            done_at: t.done_at.map(instant_text),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskBody>,
    pub total: u64,
}
