use axum::Json;
use serde::Deserialize;
use store::PageRequest;
use utoipa::IntoParams;

use super::dto::{AuditBody, AuditPage, TaskBody, TaskPage};
use crate::auth::Caller;
use crate::extract::ApiQuery;
use crate::problem::Problem;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskParams {
    /// `today` (the default) lists tasks due today or earlier; `all` every date.
    pub due: Option<String>,
    /// Include done tasks.
    pub include_done: Option<bool>,
    pub page: Option<u32>,
}

/// Tasks in your jurisdiction: releases that fell due, oldest first.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", security(("bearer" = [])), params(TaskParams),
    responses((status = 200, body = TaskPage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_tasks(caller: Caller, ApiQuery(params): ApiQuery<TaskParams>) -> Result<Json<TaskPage>, Problem> {
    let due = match params.due.as_deref().unwrap_or("today") {
        "today" => Some(caller.handle.today()),
        "all" => None,
        _ => return Err(Problem::invalid("due", "use today or all")),
    };
    let page = caller
        .handle
        .tasks(due, !params.include_done.unwrap_or(false), PageRequest::new(params.page.unwrap_or(1), 100))
        .await?;
    Ok(Json(TaskPage { items: page.items.into_iter().map(TaskBody::from).collect(), total: page.total }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    pub page: Option<u32>,
}

/// Who read whose personal data, newest first (admins).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditParams),
    responses((status = 200, body = AuditPage), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_audit(caller: Caller, ApiQuery(params): ApiQuery<AuditParams>) -> Result<Json<AuditPage>, Problem> {
    let page = caller.handle.audit_log(PageRequest::new(params.page.unwrap_or(1), 100)).await?;
    Ok(Json(AuditPage {
        items: page.items.into_iter().map(AuditBody::from).collect(),
        total: page.total,
        page: page.page,
    }))
}
