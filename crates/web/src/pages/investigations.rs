//! Contact-tracing pages: the investigations list with the form that opens one, the
//! investigation workspace (timeline, proposed points, candidates, reported places, signature)
//! and the tracing tasks of a grid.

use super::form::StaffForm;
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::Message;
use domain::{Capability, MeasureKind, Status};
use serde::Deserialize;
use store::{
    Candidate, CandidateDecision, InvestigationDetail, KeyPersonFilter, NewInvestigation, NewReportedPlace,
    PageRequest, TrajectoryEntry,
};

use super::i18n::{Lang, Texts, texts};
use super::views::{OptionView, UserView};
use super::{Visitor, render};
use crate::api::fields;
use crate::mask;
use crate::problem::Problem;
use crate::time::shanghai_text;

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/investigations", get(investigations_page).post(open_submit))
        .route("/investigations/{id}", get(investigation_page))
        .route("/investigations/{id}/points", post(point_submit))
        .route("/investigations/{id}/places", post(place_submit))
        .route("/investigations/{id}/signature", post(sign_submit))
        .route("/candidates/{id}/decision", post(decision_submit))
        .route("/candidates/{id}/trace", post(trace_on_submit))
        .route("/tracing", get(tracing_tasks_page))
}

texts! {
    pub struct Words {
        open_title: ("开始流调", "Open an investigation"),
        case: ("病例（确诊或疑似）", "The case (confirmed or suspected)"),
        choose_case: ("请选择病例", "Choose the case"),
        no_cases: ("辖区内暂无确诊或疑似病例。", "No confirmed or suspected case in your jurisdiction."),
        onset: ("发病日期", "Onset date"),
        isolated_at: ("隔离时间（北京时间，默认现在）", "Isolated at (Beijing time; now by default)"),
        open: ("开始流调", "Open"),
        recent: ("近期流调", "Recent investigations"),
        window: ("暴露时段", "Exposure window"),
        trajectory: ("活动轨迹", "Trajectory"),
        estimated: ("（无离场登记，按规则推定）", "(no check-out: estimated by the rule)"),
        passage: ("卡口", "Checkpoint"),
        reported: ("自述", "Reported"),
        proposed: ("待确认疫点（停留超过 1 小时）", "Proposed epidemic points (stays over 1 h)"),
        confirm_point: ("确认为疫点", "Confirm as epidemic point"),
        points: ("已确认疫点", "Confirmed epidemic points"),
        candidates: ("密接候选人（时空交集）", "Close-contact candidates (overlaps)"),
        overlap: ("交集", "Overlap"),
        minutes: ("分钟", "min"),
        confirm_central: ("判定密接·集中隔离", "Close contact · central isolation"),
        confirm_home: ("判定密接·居家隔离", "Close contact · home isolation"),
        clear: ("排除", "Clear"),
        clear_note: ("排除理由", "Why cleared"),
        trace_on: ("追踪其密接（二代）", "Trace this contact's contacts (second generation)"),
        generation: ("代次", "Generation"),
        add_place: ("补充病例自述地点", "Add a place the case reports"),
        place: ("地点", "Place"),
        from: ("起", "From"),
        to: ("止", "To"),
        note: ("说明", "Note"),
        sign: ("签字确认", "Sign"),
        statement: ("签字声明（谁流调、谁签字、谁负责）", "Statement (whoever investigates signs and answers for it)"),
        signed_by: ("已签字", "Signed"),
        none: ("暂无", "None"),
        tasks_title: ("密接核查任务", "Contact tracing tasks"),
        due: ("期限", "Due"),
        venue: ("场所", "Venue"),
        seen_out: ("待核查期间外出", "Seen out while pending"),
        decided: ("已保存核查结果。", "The decision is saved."),
    }
}

pub struct InvestigationRow {
    pub id: i64,
    pub case: String,
    pub onset: String,
    pub created_by: String,
    pub signed: bool,
}

#[derive(Template)]
#[template(path = "investigations.html")]
pub struct InvestigationsPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub w: &'static Words,
    pub user: Option<UserView>,
    pub form_token: String,
    pub rows: Vec<InvestigationRow>,
    /// The confirmed and suspected cases to choose from.
    pub cases: Vec<OptionView>,
    pub error: Option<String>,
}

pub struct TimelineLine {
    pub kind: &'static str,
    pub place: String,
    pub from: String,
    pub to: String,
    pub estimated: bool,
    pub note: String,
}

pub struct PointLine {
    pub case_checkin_id: i64,
    pub venue: String,
    pub from: String,
    pub to: String,
    pub exposure: String,
}

pub struct CandidateLine {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub venue: String,
    pub stay: String,
    pub overlap_minutes: i64,
    pub status: String,
    pub pending: bool,
    /// A confirmed close contact: its own contacts can be traced (second generation).
    pub confirmed: bool,
    /// Seen out while pending: where and when.
    pub seen_out: Option<String>,
}

impl CandidateLine {
    fn of(c: &Candidate, lang: Lang) -> CandidateLine {
        CandidateLine {
            id: c.id.get(),
            name: c.name.clone(),
            id_number: mask::id_number(&c.id_number),
            phone: c.phone.clone().unwrap_or_default(),
            venue: c.venue_name.clone(),
            stay: format!("{} – {}", shanghai_text(c.stay_from), shanghai_text(c.stay_to)),
            overlap_minutes: (c.overlap_to - c.overlap_from) / 60,
            status: lang.label(c.status).into(),
            pending: c.status == store::CandidateStatus::Pending,
            confirmed: c.status == store::CandidateStatus::Confirmed,
            seen_out: c.seen_out.as_ref().map(|seen| format!("{} · {}", seen.place, shanghai_text(seen.at))),
        }
    }
}

#[derive(Template)]
#[template(path = "investigation.html")]
pub struct InvestigationPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub w: &'static Words,
    pub user: Option<UserView>,
    pub form_token: String,
    pub id: i64,
    pub case: String,
    /// 1 for a case, 2 for a contact traced on (second generation), and so on.
    pub generation: i64,
    pub onset: String,
    pub window: String,
    pub timeline: Vec<TimelineLine>,
    pub proposed: Vec<PointLine>,
    pub points: Vec<PointLine>,
    pub candidates: Vec<CandidateLine>,
    pub signature: Option<(String, String, String)>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "tracing_tasks.html")]
pub struct TracingTasksPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub w: &'static Words,
    pub user: Option<UserView>,
    pub form_token: String,
    /// Investigators decide on the card; grid workers call and report.
    pub may_decide: bool,
    pub saved: Option<String>,
    pub error: Option<String>,
    pub rows: Vec<(CandidateLine, String)>,
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    key_person_id: Option<String>,
}

pub(super) async fn investigations_page(visitor: Visitor, Query(query): Query<ListQuery>) -> Response {
    list_response(&visitor, query.key_person_id.unwrap_or_default(), None).await
}

async fn list_response(visitor: &Visitor, key_person_id: String, error: Option<String>) -> Response {
    let lang = visitor.lang;
    let found = match visitor.caller.handle.investigations(50).await {
        Ok(found) => found,
        Err(err) => return visitor.problem(err.into()),
    };
    let people = visitor.people(found.iter().map(|i| i.created_by.as_str())).await;
    let rows = found
        .into_iter()
        .map(|i| InvestigationRow {
            id: i.id.get(),
            case: i.person_name,
            onset: i.onset.to_string(),
            created_by: people.name(&i.created_by),
            signed: i.signature.is_some(),
        })
        .collect();
    let cases = match cases(visitor, &key_person_id).await {
        Ok(cases) => cases,
        Err(problem) => return visitor.problem(problem),
    };
    let page = InvestigationsPage {
        lang,
        t: visitor.t(),
        w: Words::of(lang),
        user: visitor.user_view(),
        form_token: visitor.form_token.clone(),
        rows,
        cases,
        error,
    };
    let status =
        if page.error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    (status, render(&page)).into_response()
}

/// The cases an investigation can be opened for: confirmed and suspected records in the
/// caller's jurisdiction, latest change first, `chosen` selected (the record page links here).
async fn cases(visitor: &Visitor, chosen: &str) -> Result<Vec<OptionView>, Problem> {
    let lang = visitor.lang;
    let mut cases = Vec::new();
    for status in [Status::Confirmed, Status::Suspected] {
        let filter = KeyPersonFilter { status: Some(status), ..KeyPersonFilter::default() };
        let found = visitor.caller.handle.key_persons(&filter, PageRequest::new(1, 200)).await?;
        cases.extend(found.items.into_iter().map(|k| {
            let place = k.grid_code.as_deref().unwrap_or(&k.area_code);
            let value = k.id.to_string();
            OptionView {
                selected: value == chosen.trim(),
                label: format!(
                    "{} · {} · {}",
                    k.name,
                    lang.label(k.state.status),
                    crate::places::short_name(place, lang)
                ),
                value,
            }
        }));
    }
    Ok(cases)
}

#[derive(Deserialize, Default)]
pub(super) struct OpenForm {
    #[serde(default)]
    key_person_id: String,
    #[serde(default)]
    onset_date: String,
    #[serde(default)]
    isolated_at: String,
}

pub(super) async fn open_submit(StaffForm(visitor, form): StaffForm<OpenForm>) -> Response {
    let parsed = (|| {
        let key_person_id: i64 = form
            .key_person_id
            .trim()
            .parse()
            .map_err(|_| Problem::invalid("key_person_id", Message::new("请选择病例", "choose the case")))?;
        let onset = form.onset_date.trim().parse().map_err(|_| {
            Problem::invalid("onset_date", Message::new("日期格式应为 年-月-日，如 2020-02-01", "use YYYY-MM-DD"))
        })?;
        let isolated_at = match form.isolated_at.trim() {
            "" => visitor.caller.handle.now(),
            text => fields::instant("isolated_at", text)?,
        };
        Ok::<_, Problem>(NewInvestigation {
            key_person_id: domain::KeyPersonId::new(key_person_id),
            onset,
            isolated_at,
        })
    })();
    let outcome = match parsed {
        Ok(new) => visitor.caller.handle.open_investigation(new).await.map_err(Problem::from),
        Err(problem) => Err(problem),
    };
    match outcome {
        Ok(created) => Redirect::to(&format!("/investigations/{}", created.id)).into_response(),
        Err(problem) if problem.status == 422 => {
            let (_, message) = problem.field_message(visitor.lang);
            list_response(&visitor, form.key_person_id.clone(), Some(message)).await
        }
        Err(problem) => visitor.problem(problem),
    }
}

pub(super) async fn investigation_page(visitor: Visitor, Path(id): Path<i64>) -> Response {
    workspace(&visitor, id, None).await
}

fn timeline(detail: &InvestigationDetail, w: &Words) -> Vec<TimelineLine> {
    detail
        .trajectory
        .iter()
        .map(|entry| match entry {
            TrajectoryEntry::Stay { venue_name, from, to, estimated, .. } => TimelineLine {
                kind: "stay",
                place: venue_name.clone(),
                from: shanghai_text(*from),
                to: shanghai_text(*to),
                estimated: *estimated,
                note: String::new(),
            },
            TrajectoryEntry::Passage { checkpoint_name, at, direction, .. } => TimelineLine {
                kind: "passage",
                place: format!("{} · {}", w.passage, checkpoint_name),
                from: shanghai_text(*at),
                to: String::new(),
                estimated: false,
                note: direction.clone(),
            },
            TrajectoryEntry::Reported { place, from, to, note, .. } => TimelineLine {
                kind: "reported",
                place: format!("{} · {}", w.reported, place),
                from: shanghai_text(*from),
                to: shanghai_text(*to),
                estimated: false,
                note: note.clone(),
            },
        })
        .collect()
}

fn point_line(p: &store::PointView) -> PointLine {
    PointLine {
        case_checkin_id: p.case_checkin_id.get(),
        venue: p.venue_name.clone(),
        from: shanghai_text(p.from),
        to: shanghai_text(p.to),
        exposure: format!("{} – {}", shanghai_text(p.exposure_from), shanghai_text(p.exposure_to)),
    }
}

async fn workspace(visitor: &Visitor, id: i64, error: Option<String>) -> Response {
    let lang = visitor.lang;
    let w = Words::of(lang);
    let detail = match visitor.caller.handle.investigation(domain::InvestigationId::new(id)).await {
        Ok(detail) => detail,
        Err(err) => return visitor.problem(err.into()),
    };
    let i = &detail.investigation;
    let people = visitor.people(i.signature.iter().map(|s| s.name.as_str())).await;
    let page = InvestigationPage {
        lang,
        t: visitor.t(),
        w,
        user: visitor.user_view(),
        form_token: visitor.form_token.clone(),
        id,
        case: i.person_name.clone(),
        generation: i.generation,
        onset: i.onset.to_string(),
        window: format!("{} – {}", shanghai_text(detail.window_from), shanghai_text(detail.window_to)),
        timeline: timeline(&detail, w),
        proposed: detail.proposed.iter().map(point_line).collect(),
        points: detail.points.iter().map(point_line).collect(),
        candidates: detail.candidates.iter().map(|c| CandidateLine::of(c, lang)).collect(),
        signature: i.signature.as_ref().map(|s| (people.name(&s.name), shanghai_text(s.at), s.statement.clone())),
        error,
    };
    let status =
        if page.error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    (status, render(&page)).into_response()
}

/// After an action on the workspace: back to it, or the workspace with the error.
async fn back(visitor: &Visitor, id: i64, outcome: Result<(), Problem>) -> Response {
    match outcome {
        Ok(()) => Redirect::to(&format!("/investigations/{id}")).into_response(),
        Err(problem) if problem.status == 422 || problem.status == 409 => {
            workspace(visitor, id, Some(problem.field_message(visitor.lang).1)).await
        }
        Err(problem) => visitor.problem(problem),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct PointForm {
    #[serde(default)]
    case_checkin_id: i64,
}

pub(super) async fn point_submit(Path(id): Path<i64>, StaffForm(visitor, form): StaffForm<PointForm>) -> Response {
    let outcome = visitor
        .caller
        .handle
        .confirm_point(domain::InvestigationId::new(id), domain::CheckinId::new(form.case_checkin_id))
        .await
        .map(|_| ())
        .map_err(Problem::from);
    back(&visitor, id, outcome).await
}

#[derive(Deserialize, Default)]
pub(super) struct PlaceForm {
    #[serde(default)]
    place: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    note: String,
}

pub(super) async fn place_submit(Path(id): Path<i64>, StaffForm(visitor, form): StaffForm<PlaceForm>) -> Response {
    let outcome = async {
        let place = NewReportedPlace {
            place: form.place.clone(),
            venue_id: None,
            from: fields::instant("from", &form.from)?,
            to: fields::instant("to", &form.to)?,
            note: form.note.clone(),
        };
        visitor
            .caller
            .handle
            .add_reported_place(domain::InvestigationId::new(id), place)
            .await
            .map(|_| ())
            .map_err(Problem::from)
    }
    .await;
    back(&visitor, id, outcome).await
}

#[derive(Deserialize, Default)]
pub(super) struct SignForm {
    #[serde(default)]
    statement: String,
}

pub(super) async fn sign_submit(Path(id): Path<i64>, StaffForm(visitor, form): StaffForm<SignForm>) -> Response {
    let outcome = visitor
        .caller
        .handle
        .sign_investigation(domain::InvestigationId::new(id), &form.statement)
        .await
        .map_err(Problem::from);
    back(&visitor, id, outcome).await
}

#[derive(Deserialize, Default)]
pub(super) struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    investigation_id: i64,
    /// `tracing` when decided on the tracing-task page, which it returns to.
    #[serde(default)]
    from: String,
}

pub(super) async fn decision_submit(
    Path(id): Path<i64>,
    StaffForm(visitor, form): StaffForm<DecisionForm>,
) -> Response {
    let decision = match form.decision.as_str() {
        "central" => Ok(CandidateDecision::Confirm { measure: MeasureKind::CentralIsolation }),
        "home" => Ok(CandidateDecision::Confirm { measure: MeasureKind::HomeIsolation }),
        "clear" => Ok(CandidateDecision::Clear { note: form.note.clone() }),
        _ => Err(Problem::invalid("decision", Message::new("应为集中隔离、居家隔离或排除", "central, home or clear"))),
    };
    let outcome = match decision {
        Ok(decision) => visitor
            .caller
            .handle
            .decide_candidate(domain::CandidateId::new(id), decision)
            .await
            .map(|_| ())
            .map_err(Problem::from),
        Err(problem) => Err(problem),
    };
    if form.from == "tracing" {
        return match outcome {
            Ok(()) => Redirect::to("/tracing?saved=decided").into_response(),
            Err(problem) if problem.status == 422 || problem.status == 409 => {
                tracing_response(&visitor, None, Some(problem.field_message(visitor.lang).1)).await
            }
            Err(problem) => visitor.problem(problem),
        };
    }
    back(&visitor, form.investigation_id, outcome).await
}

#[derive(Deserialize, Default)]
pub(super) struct TraceOnForm {
    #[serde(default)]
    investigation_id: i64,
}

/// Second generation: opens (or finds already open) the investigation of a confirmed contact and
/// goes there.
pub(super) async fn trace_on_submit(Path(id): Path<i64>, StaffForm(visitor, form): StaffForm<TraceOnForm>) -> Response {
    match visitor.caller.handle.trace_on(domain::CandidateId::new(id)).await.map_err(Problem::from) {
        Ok(created) => Redirect::to(&format!("/investigations/{}", created.id)).into_response(),
        Err(problem) => back(&visitor, form.investigation_id, Err(problem)).await,
    }
}

#[derive(Deserialize, Default)]
pub(super) struct TracingQuery {
    saved: Option<String>,
    format: Option<String>,
}

pub(super) async fn tracing_tasks_page(visitor: Visitor, Query(query): Query<TracingQuery>) -> Response {
    if query.format.as_deref() == Some("xlsx") && visitor.may(Capability::TraceContacts) {
        return match tracing_workbook(&visitor).await {
            Ok(body) => crate::export::download("tracing-tasks.xlsx", body),
            Err(problem) => visitor.problem(problem),
        };
    }
    let saved = query.saved.as_deref() == Some("decided");
    tracing_response(&visitor, saved.then(|| Words::of(visitor.lang).decided.to_string()), None).await
}

/// The waiting candidates as a calling list: identity in full for the workers who call them (the
/// read is audited like the page's).
async fn tracing_workbook(visitor: &Visitor) -> Result<Vec<u8>, Problem> {
    let lang = visitor.lang;
    let found = visitor.caller.handle.tracing_tasks().await?;
    let total = found.len();
    let rows: Vec<Vec<String>> = found
        .into_iter()
        .take(crate::export::MAX_ROWS)
        .map(|c| {
            let place = c.grid_code.clone().unwrap_or_else(|| c.area_code.clone());
            vec![
                c.name,
                c.id_number,
                c.phone.unwrap_or_default(),
                c.venue_name,
                format!("{} – {}", shanghai_text(c.stay_from), shanghai_text(c.stay_to)),
                ((c.overlap_to - c.overlap_from) / 60).to_string(),
                shanghai_text(c.due_at),
                c.seen_out.map(|seen| format!("{} · {}", seen.place, shanghai_text(seen.at))).unwrap_or_default(),
                crate::places::short_name(&place, lang),
                place,
            ]
        })
        .collect();
    let header = lang.pick((
        [
            "姓名",
            "身份证号",
            "手机号",
            "场所",
            "停留时段",
            "交集（分钟）",
            "核查期限",
            "待核查期间外出",
            "地区",
            "区划代码",
        ],
        [
            "Name",
            "ID number",
            "Mobile",
            "Venue",
            "Stay",
            "Overlap (min)",
            "Due",
            "Seen out while pending",
            "Area",
            "Area code",
        ],
    ));
    let title = lang.pick((format!("密接核查任务（共 {total} 人）"), format!("Contact tracing tasks ({total})")));
    crate::export::xlsx(lang.pick(("密接核查", "Tracing")), &title, &header, &rows)
}

/// The candidates waiting for the caller's area, each with its decision on the card: the worker
/// who calls them may not be able to open the case's investigation.
async fn tracing_response(visitor: &Visitor, saved: Option<String>, error: Option<String>) -> Response {
    let lang = visitor.lang;
    if !visitor.may(Capability::TraceContacts) {
        return super::forbidden(visitor, Capability::TraceContacts);
    }
    let found = match visitor.caller.handle.tracing_tasks().await {
        Ok(found) => found,
        Err(err) => return visitor.problem(err.into()),
    };
    let rows = found.iter().map(|c| (CandidateLine::of(c, lang), shanghai_text(c.due_at))).collect();
    let status =
        if error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    let page = TracingTasksPage {
        lang,
        t: visitor.t(),
        w: Words::of(lang),
        user: visitor.user_view(),
        form_token: visitor.form_token.clone(),
        may_decide: visitor.may(Capability::Investigate),
        saved,
        error,
        rows,
    };
    (status, render(&page)).into_response()
}
