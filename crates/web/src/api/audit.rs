//! The audit log over the API (admins): reads of personal data and every staff write, filtered,
//! paged, and as an Excel workbook.

use crate::AppState;
use axum::Json;
use axum::response::{IntoResponse, Response};
use domain::{AuditAction, AuditSubject, Code, Message, Scope};
use serde::{Deserialize, Serialize};
use store::{AuditEntry, AuditFilter, PageRequest};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::fields;
use crate::auth::Caller;
use crate::extract::ApiQuery;
use crate::pages::Lang;
use crate::problem::Problem;
use crate::time::instant_text;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

/// Rows per page of the log.
pub const PER_PAGE: u32 = 100;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    #[param(format = Int64, minimum = 0, maximum = 4294967295.0)]
    pub page: Option<u32>,
    /// The username of whoever acted.
    #[param(schema_with = super::schemas::search)]
    pub actor: Option<String>,
    /// An action code, e.g. `key_person.transition`.
    #[param(schema_with = super::schemas::audit_action_or_blank)]
    pub action: Option<String>,
    /// A record kind: person, key_person, checkpoint, venue, investigation, candidate, upload,
    /// list, lead or settings.
    #[param(schema_with = super::schemas::audit_subject_or_blank)]
    pub subject: Option<String>,
    /// With `subject`: that record's id.
    #[param(format = Int64)]
    pub subject_id: Option<i64>,
    /// An area or grid code within your jurisdiction.
    #[param(schema_with = super::schemas::area_or_grid_or_blank)]
    pub area: Option<String>,
    /// From this day (YYYY-MM-DD, Beijing time), inclusive; an RFC 3339 instant works too.
    #[param(schema_with = super::schemas::day)]
    pub from: Option<String>,
    /// To this day, inclusive (an instant: exclusive).
    #[param(schema_with = super::schemas::day)]
    pub to: Option<String>,
    /// json (default) or xlsx.
    #[param(schema_with = super::schemas::workbook_format)]
    pub format: Option<String>,
}

fn blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The filter the parameters ask for; a value that names nothing is a 422 on its field, never
/// silently ignored.
pub fn filter_of(params: &AuditParams) -> Result<AuditFilter, Problem> {
    let action = blank(&params.action).map(|a| fields::parse("action", AuditAction::parse(a))).transpose()?;
    let subject = blank(&params.subject).map(|s| fields::parse("subject", AuditSubject::parse(s))).transpose()?;
    let within = blank(&params.area)
        .map(|code| {
            Scope::of_code_str(code).ok_or_else(|| {
                Problem::invalid(
                    "area",
                    Message::new(
                        "请填写 6、9、12 位区划代码或 15、17 位网格代码",
                        "give a 6, 9 or 12-digit division code or a 15 or 17-digit grid code",
                    ),
                )
            })
        })
        .transpose()?;
    let from = blank(&params.from).map(|v| bound("from", v, false)).transpose()?;
    let to = blank(&params.to).map(|v| bound("to", v, true)).transpose()?;
    Ok(AuditFilter {
        actor: blank(&params.actor).map(str::to_string),
        action,
        subject,
        subject_id: params.subject_id.filter(|_| subject.is_some()),
        within,
        from,
        to,
    })
}

/// A day (its start, or with `end` the start of the next day) or an instant.
fn bound(field: &str, value: &str, end: bool) -> Result<i64, Problem> {
    if value.len() == 10
        && let Ok(day) = value.parse::<jiff::civil::Date>()
    {
        let day = if end { day.tomorrow().unwrap_or(day) } else { day };
        return Ok(domain::shanghai_day_start(day));
    }
    fields::instant(field, value)
}

/// Who read whose personal data and who changed what, newest first (admins, within their
/// jurisdiction); `?format=xlsx` gives the same rows as a workbook.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditParams),
    responses((status = 200, description = "the log", content((AuditPage = "application/json"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_audit(
    caller: Caller,
    headers: axum::http::HeaderMap,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Response, Problem> {
    let filter = filter_of(&params)?;
    let lang = crate::problem::requested_lang(&headers);
    match params.format.as_deref().map(str::trim).unwrap_or("json") {
        "json" | "" => {
            let page = caller.handle.audit_log(&filter, PageRequest::new(params.page.unwrap_or(1), PER_PAGE)).await?;
            Ok(Json(AuditPage {
                items: page.items.into_iter().map(|entry| AuditBody::of(entry, lang)).collect(),
                total: page.total,
                page: page.page,
            })
            .into_response())
        }
        "xlsx" => {
            let body = workbook(&caller, &filter, lang).await?;
            Ok(crate::export::download("audit.xlsx", body))
        }
        _ => Err(Problem::invalid("format", Message::new("应为 json 或 xlsx", "use json or xlsx"))),
    }
}

/// Every row the filter finds (up to the export limit) as a workbook in `lang`.
pub async fn workbook(caller: &Caller, filter: &AuditFilter, lang: Lang) -> Result<Vec<u8>, Problem> {
    let (rows, total) =
        crate::export::collect(1000, |page| caller.handle.audit_log(filter, page), |entry| line(&entry, lang)).await?;
    let header = lang.pick((
        ["时间", "用户", "操作", "对象", "编号", "详情", "地区", "区划代码", "来源地址"],
        ["Time", "User", "Action", "Subject", "No.", "Detail", "Area", "Area code", "From"],
    ));
    let title = lang.pick((format!("审计日志（共 {total} 条）"), format!("Audit log ({total} entries)")));
    crate::export::xlsx(lang.pick(("审计日志", "Audit log")), &title, &header, &rows)
}

/// One entry in words: time, user, action, subject, its id, detail, area name and code, address.
pub fn line(entry: &AuditEntry, lang: Lang) -> Vec<String> {
    vec![
        crate::time::shanghai_text(entry.at),
        entry.username.clone(),
        action_words(&entry.action, lang),
        AuditSubject::parse(&entry.subject_kind).map_or(entry.subject_kind.clone(), |s| lang.label(s).to_string()),
        entry.subject_id.map(|id| id.to_string()).unwrap_or_default(),
        lang.pick(domain::describe_audit(&entry.action, &entry.detail).pair()).to_string(),
        crate::places::short_name(&entry.area_code, lang),
        entry.area_code.clone(),
        entry.remote_addr.clone().unwrap_or_default(),
    ]
}

/// The action's name; an unknown code (from an older version) as stored.
pub fn action_words(code: &str, lang: Lang) -> String {
    AuditAction::parse(code).map_or(code.to_string(), |a| lang.label(a).to_string())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditBody {
    pub id: i64,
    /// When, RFC 3339 (+08:00).
    pub at: String,
    /// The username of whoever acted.
    pub actor: String,
    pub action: String,
    /// Whether the action changed something (else it read personal data).
    pub write: bool,
    /// The kind of record and its id, when one record is concerned.
    pub subject: String,
    pub subject_id: Option<i64>,
    pub area_code: String,
    pub remote_addr: Option<String>,
    /// As stored: counts, dates and codes separated by `|`.
    pub detail: String,
    /// The action and detail in words, in the language `Accept-Language` asks for.
    pub description: String,
}

impl AuditBody {
    fn of(a: AuditEntry, lang: Lang) -> AuditBody {
        let detail = domain::describe_audit(&a.action, &a.detail);
        let action = action_words(&a.action, lang);
        let detail = lang.pick(detail.pair());
        let description = if detail.is_empty() {
            action
        } else {
            lang.pick((format!("{action}：{detail}"), format!("{action}: {detail}")))
        };
        AuditBody {
            id: a.id.get(),
            at: instant_text(a.at),
            write: AuditAction::parse(&a.action).is_ok_and(AuditAction::is_write),
            actor: a.username,
            action: a.action,
            subject: a.subject_kind,
            subject_id: a.subject_id,
            area_code: a.area_code,
            remote_addr: a.remote_addr,
            detail: a.detail,
            description,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditBody>,
    pub total: u64,
    pub page: u32,
}
