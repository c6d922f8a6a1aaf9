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
use domain::{Capability, MeasureKind};
use serde::Deserialize;
use store::{Candidate, CandidateDecision, InvestigationDetail, NewInvestigation, NewReportedPlace, TrajectoryEntry};

use super::i18n::{Lang, Texts, texts};
use super::views::UserView;
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
        key_person_id: ("病例的重点人员编号", "The case's key-person record no."),
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
    pub key_person_id: String,
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
    pub venue: String,
    pub stay: String,
    pub overlap_minutes: i64,
    pub status: String,
    pub pending: bool,
    /// A confirmed close contact: its own contacts can be traced (second generation).
    pub confirmed: bool,
}

impl CandidateLine {
    fn of(c: &Candidate, lang: Lang) -> CandidateLine {
        CandidateLine {
            id: c.id.get(),
            name: c.name.clone(),
            id_number: mask::id_number(&c.id_number),
            venue: c.venue_name.clone(),
            stay: format!("{} – {}", shanghai_text(c.stay_from), shanghai_text(c.stay_to)),
            overlap_minutes: (c.overlap_to - c.overlap_from) / 60,
            status: lang.label(c.status).into(),
            pending: c.status == store::CandidateStatus::Pending,
            confirmed: c.status == store::CandidateStatus::Confirmed,
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
    let rows = found
        .into_iter()
        .map(|i| InvestigationRow {
            id: i.id.get(),
            case: i.person_name,
            onset: i.onset.to_string(),
            created_by: i.created_by,
            signed: i.signature.is_some(),
        })
        .collect();
    let page = InvestigationsPage {
        lang,
        t: visitor.t(),
        w: Words::of(lang),
        user: visitor.user_view(),
        form_token: visitor.form_token.clone(),
        rows,
        key_person_id,
        error,
    };
    let status =
        if page.error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    (status, render(&page)).into_response()
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
        let key_person_id: i64 = form.key_person_id.trim().parse().map_err(|_| {
            Problem::invalid("key_person_id", Message::new("请填写病例记录的编号", "the number of the case's record"))
        })?;
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
            let (field, message) = problem.field_message(visitor.lang);
            list_response(&visitor, form.key_person_id.clone(), Some(format!("{field}: {message}"))).await
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
        signature: i.signature.as_ref().map(|s| (s.name.clone(), shanghai_text(s.at), s.statement.clone())),
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
            let (field, message) = problem.field_message(visitor.lang);
            workspace(visitor, id, Some(format!("{field}: {message}"))).await
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

pub(super) async fn tracing_tasks_page(visitor: Visitor) -> Response {
    let lang = visitor.lang;
    if !visitor.may(Capability::TraceContacts) {
        return super::forbidden(&visitor, Capability::TraceContacts);
    }
    let found = match visitor.caller.handle.tracing_tasks().await {
        Ok(found) => found,
        Err(err) => return visitor.problem(err.into()),
    };
    let rows = found.iter().map(|c| (CandidateLine::of(c, lang), shanghai_text(c.due_at))).collect();
    render(&TracingTasksPage { lang, t: visitor.t(), w: Words::of(lang), user: visitor.user_view(), rows })
}
