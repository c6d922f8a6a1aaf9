//! The audit log over the API (admins).

use crate::AppState;
use axum::Json;
use serde::{Deserialize, Serialize};
use store::{AuditEntry, PageRequest};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::extract::ApiQuery;
use crate::problem::Problem;
use crate::time::instant_text;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    #[param(format = Int64, minimum = 0, maximum = 4294967295.0)]
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

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditBody {
    pub id: i64,
    pub at: String,
    pub username: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<i64>,
    pub area_code: String,
    pub remote_addr: Option<String>,
    pub detail: String,
}

impl From<AuditEntry> for AuditBody {
    fn from(a: AuditEntry) -> AuditBody {
        AuditBody {
            id: a.id.get(),
            at: instant_text(a.at),
            username: a.username,
            action: a.action,
            subject_kind: a.subject_kind,
            subject_id: a.subject_id,
            area_code: a.area_code,
            remote_addr: a.remote_addr,
            detail: a.detail,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditBody>,
    pub total: u64,
    pub page: u32,
}
