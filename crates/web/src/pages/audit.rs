//! The audit log (admins): every staff read of personal data and every write, in words, filtered
//! by user, action, record, area and time, paged, and exported as the filter shows it.

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::{AuditAction, AuditSubject, Code};
use store::{AuditEntry, PageRequest};

use super::i18n::{Lang, Texts, texts};
use super::views::*;
use super::{Visitor, options, render};
use crate::AppState;
use crate::api::audit::{AuditParams, PER_PAGE, action_words, filter_of};
use crate::places::PlaceView;

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/audit", get(audit_page))
}

texts! {
    pub struct AuditTexts {
        actor: ("用户名", "Username"),
        subject: ("对象", "Subject"),
        subject_id: ("对象编号", "Record no."),
        from: ("起始日期", "From"),
        to: ("截止日期", "To"),
        any_action: ("全部操作", "Every action"),
        any_subject: ("全部对象", "Every subject"),
        export: ("导出 Excel", "Export to Excel"),
        write: ("写", "write"),
        read: ("读", "read"),
        entries: ("条记录", "entries"),
        no_entries: ("没有符合条件的审计记录", "No audit entries match"),
    }
}

async fn audit_page(
    visitor: Visitor,
    query: Result<axum::extract::Query<AuditParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = visitor.lang;
    // Only numbers fail to parse here: the page and the record number.
    let Ok(axum::extract::Query(params)) = query else {
        let message = lang.pick(("页码和对象编号应为数字", "The page and the record number are numbers")).to_string();
        let page = AuditPage::new(
            &visitor,
            &AuditParams::default(),
            Vec::new(),
            0,
            (None, None),
            Some(("subject_id".into(), message)),
        );
        return (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response();
    };
    let filter = match filter_of(&params) {
        Ok(filter) => filter,
        Err(problem) => {
            let (field, message) = problem.field_message(lang);
            let page = AuditPage::new(&visitor, &params, Vec::new(), 0, (None, None), Some((field, message)));
            return (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response();
        }
    };
    if params.format.as_deref() == Some("xlsx") {
        return match crate::api::audit::workbook(&visitor.caller, &filter, lang).await {
            Ok(body) => crate::export::download("audit.xlsx", body),
            Err(problem) => visitor.problem(problem),
        };
    }
    let number = params.page.unwrap_or(1).max(1);
    let page = match visitor.caller.handle.audit_log(&filter, PageRequest::new(number, PER_PAGE)).await {
        Ok(page) => page,
        Err(err) => return visitor.problem(err.into()),
    };
    let query = query_without_page(&params);
    let more = u64::from(page.page) * u64::from(page.per_page) < page.total;
    let links = (
        (page.page > 1).then(|| format!("/audit?{query}page={}", page.page - 1)),
        more.then(|| format!("/audit?{query}page={}", page.page + 1)),
    );
    let people = visitor.people(page.items.iter().map(|entry| entry.username.as_str())).await;
    let rows = page.items.iter().map(|entry| AuditRow::of(entry, &people, lang)).collect();
    render(&AuditPage::new(&visitor, &params, rows, page.total, links, None))
}

/// The filter's query string, ending in `&` when not empty, for pager and export links.
fn query_without_page(params: &AuditParams) -> String {
    let pairs: Vec<(&str, String)> = [
        ("actor", params.actor.clone()),
        ("action", params.action.clone()),
        ("subject", params.subject.clone()),
        ("subject_id", params.subject_id.map(|id| id.to_string())),
        ("area", params.area.clone()),
        ("from", params.from.clone()),
        ("to", params.to.clone()),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.filter(|v| !v.trim().is_empty()).map(|v| (name, v)))
    .collect();
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if query.is_empty() { query } else { format!("{query}&") }
}

pub struct AuditRow {
    pub at: String,
    pub username: String,
    /// The user's name and role.
    pub person: String,
    pub action: String,
    pub write: bool,
    pub subject: String,
    /// The record's page, where it has one.
    pub subject_link: Option<String>,
    pub detail: String,
    pub place: PlaceView,
    pub remote: String,
}

impl AuditRow {
    fn of(a: &AuditEntry, people: &super::People, lang: Lang) -> AuditRow {
        let subject = AuditSubject::parse(&a.subject_kind).ok();
        let subject_name = subject.map_or(a.subject_kind.clone(), |s| lang.label(s).to_string());
        let subject_text = match a.subject_id {
            Some(id) => format!("{subject_name} {id}"),
            None => subject_name,
        };
        let subject_link = subject.zip(a.subject_id).and_then(|(kind, id)| {
            let base = match kind {
                AuditSubject::KeyPerson => "/key-persons",
                AuditSubject::Checkpoint => "/checkpoints",
                AuditSubject::Investigation => "/investigations",
                AuditSubject::List => "/lists",
                _ => return None,
            };
            Some(format!("{base}/{id}"))
        });
        AuditRow {
            at: crate::time::shanghai_text(a.at),
            username: a.username.clone(),
            person: people.name(&a.username),
            action: action_words(&a.action, lang),
            write: AuditAction::parse(&a.action).is_ok_and(AuditAction::is_write),
            subject: subject_text,
            subject_link,
            detail: lang.pick(domain::describe_audit(&a.action, &a.detail).pair()).to_string(),
            place: crate::places::view(&a.area_code, lang),
            remote: a.remote_addr.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub a: &'static AuditTexts,
    pub user: Option<UserView>,
    pub rows: Vec<AuditRow>,
    pub total: u64,
    pub previous_link: Option<String>,
    pub next_link: Option<String>,
    pub export_link: String,
    pub actions: Vec<OptionView>,
    pub subjects: Vec<OptionView>,
    pub actor: String,
    pub subject_id: String,
    pub area: String,
    pub from: String,
    pub to: String,
    /// The filter field at fault and why.
    pub error_field: String,
    pub error: Option<String>,
}

impl AuditPage {
    fn new(
        visitor: &Visitor,
        params: &AuditParams,
        rows: Vec<AuditRow>,
        total: u64,
        (previous_link, next_link): (Option<String>, Option<String>),
        error: Option<(String, String)>,
    ) -> AuditPage {
        let lang = visitor.lang;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let action = params.action.as_deref().and_then(|a| AuditAction::parse(a).ok());
        let subject = params.subject.as_deref().and_then(|s| AuditSubject::parse(s).ok());
        let (error_field, error) = match error {
            Some((field, message)) => (field, Some(message)),
            None => (String::new(), None),
        };
        AuditPage {
            lang,
            t: visitor.t(),
            a: AuditTexts::of(lang),
            user: visitor.user_view(),
            rows,
            total,
            previous_link,
            next_link,
            export_link: format!("/audit?{}format=xlsx", query_without_page(params)),
            actions: options(AuditAction::ALL, action, lang),
            subjects: options(AuditSubject::ALL, subject, lang),
            actor: text(&params.actor),
            subject_id: params.subject_id.map(|id| id.to_string()).unwrap_or_default(),
            area: text(&params.area),
            from: text(&params.from),
            to: text(&params.to),
            error_field,
            error,
        }
    }
}
