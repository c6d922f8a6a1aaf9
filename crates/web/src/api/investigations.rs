//! Epidemiological investigations (流调, SPEC §4.4): open one for a case, read its trajectory
//! with the proposed epidemic points, complete it by hand, confirm points (which raises the
//! close-contact candidates as tracing tasks), decide on candidates, sign.

use crate::AppState;
use axum::Json;
use axum::http::StatusCode;
use domain::Message;
use domain::{Capability, MeasureKind};
use serde::{Deserialize, Serialize};
use store::{
    Candidate, CandidateDecision, InvestigationDetail, NewInvestigation, NewReportedPlace, PointView, TrajectoryEntry,
};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::fields;
use crate::auth::Caller;
use crate::extract::ApiPath;
use crate::json::JsonBody;
use crate::mask;
use crate::problem::Problem;
use crate::time::instant_text;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_investigation))
        .routes(routes!(get_investigation))
        .routes(routes!(add_place))
        .routes(routes!(confirm_point))
        .routes(routes!(sign))
        .routes(routes!(tracing_tasks))
        .routes(routes!(decide))
        .routes(routes!(trace_on))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvestigationBody {
    /// The case's open key-person record (confirmed or suspected).
    pub key_person_id: i64,
    /// YYYY-MM-DD, the day symptoms began (or the sample day for an asymptomatic case).
    #[schema(format = Date)]
    pub onset_date: String,
    /// When the case was isolated: RFC 3339, or `2020-02-03 10:00` in Beijing time. Now by default.
    #[schema(format = DateTime)]
    pub isolated_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedBody {
    pub id: i64,
    /// False when the same thing existed already (a repeat changes nothing).
    pub created: bool,
}

/// Open an investigation for a confirmed or suspected case; the same record and onset again
/// return the first.
#[utoipa::path(post, path = "/api/v1/investigations", tag = "investigations", security(("bearer" = [])),
    request_body = InvestigationBody,
    responses((status = 201, body = CreatedBody), (status = 200, body = CreatedBody, description = "already open"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn open_investigation(
    caller: Caller,
    body: JsonBody<InvestigationBody>,
) -> Result<(StatusCode, Json<CreatedBody>), Problem> {
    caller.handle.authorize(Capability::Investigate)?;
    let input = body.value;
    let onset = input.onset_date.trim().parse().map_err(|_| {
        Problem::invalid("onset_date", Message::new("日期格式应为 年-月-日，如 2020-02-01", "use YYYY-MM-DD"))
    })?;
    let isolated_at = match input.isolated_at.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => fields::instant("isolated_at", text)?,
        None => caller.handle.now(),
    };
    let created = caller
        .handle
        .open_investigation(NewInvestigation {
            key_person_id: domain::KeyPersonId::new(input.key_person_id),
            onset,
            isolated_at,
        })
        .await?;
    let status = if created.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(CreatedBody { id: created.id.get(), created: created.created })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrajectoryLine {
    /// stay (a venue check-in), passage (a checkpoint) or reported (told by the case).
    pub kind: String,
    pub place: String,
    pub from: String,
    /// The end of a stay or reported visit; absent for a passage.
    pub to: Option<String>,
    /// The stay's end is estimated (no check-out): the next check-in elsewhere, or the cap.
    pub estimated: bool,
    /// For a stay: the check-in, to confirm as an epidemic point.
    pub checkin_id: Option<i64>,
    pub venue_id: Option<i64>,
    /// in or out, for a passage; the case's words for a reported place.
    pub note: Option<String>,
}

impl From<&TrajectoryEntry> for TrajectoryLine {
    fn from(entry: &TrajectoryEntry) -> TrajectoryLine {
        match entry {
            TrajectoryEntry::Stay { checkin_id, venue_id, venue_name, from, to, estimated } => TrajectoryLine {
                kind: "stay".into(),
                place: venue_name.clone(),
                from: instant_text(*from),
                to: Some(instant_text(*to)),
                estimated: *estimated,
                checkin_id: Some(checkin_id.get()),
                venue_id: Some(venue_id.get()),
                note: None,
            },
            TrajectoryEntry::Passage { checkpoint_name, at, direction, .. } => TrajectoryLine {
                kind: "passage".into(),
                place: checkpoint_name.clone(),
                from: instant_text(*at),
                to: None,
                estimated: false,
                checkin_id: None,
                venue_id: None,
                note: Some(direction.clone()),
            },
            TrajectoryEntry::Reported { place, venue_id, from, to, note, .. } => TrajectoryLine {
                kind: "reported".into(),
                place: place.clone(),
                from: instant_text(*from),
                to: Some(instant_text(*to)),
                estimated: false,
                checkin_id: None,
                venue_id: venue_id.map(domain::VenueId::get),
                note: Some(note.clone()),
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointBody {
    /// Set once confirmed.
    pub id: Option<i64>,
    pub venue_id: i64,
    pub venue: String,
    pub area_code: String,
    pub case_checkin_id: i64,
    pub from: String,
    pub to: String,
    /// The stay widened by the overlap margin: whoever was there then is a candidate.
    pub exposure_from: String,
    pub exposure_to: String,
    pub confirmed_by: Option<String>,
}

impl From<&PointView> for PointBody {
    fn from(p: &PointView) -> PointBody {
        PointBody {
            id: p.id.map(domain::PointId::get),
            venue_id: p.venue_id.get(),
            venue: p.venue_name.clone(),
            area_code: p.area_code.clone(),
            case_checkin_id: p.case_checkin_id.get(),
            from: instant_text(p.from),
            to: instant_text(p.to),
            exposure_from: instant_text(p.exposure_from),
            exposure_to: instant_text(p.exposure_to),
            confirmed_by: p.confirmed_by.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateBody {
    pub id: i64,
    pub investigation_id: i64,
    pub venue: String,
    pub person_id: i64,
    pub name: String,
    /// Masked (4117**********123X).
    pub id_number: String,
    pub phone: Option<String>,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub stay_from: String,
    pub stay_to: String,
    pub stay_estimated: bool,
    /// The part of the person's stay within the point's exposure.
    pub overlap_from: String,
    pub overlap_to: String,
    pub overlap_minutes: i64,
    /// pending (a tracing task), confirmed (a close contact) or cleared.
    pub status: String,
    pub due_at: String,
    pub decided_by: Option<String>,
    pub key_person_id: Option<i64>,
}

impl From<&Candidate> for CandidateBody {
    fn from(c: &Candidate) -> CandidateBody {
        CandidateBody {
            id: c.id.get(),
            investigation_id: c.investigation_id.get(),
            venue: c.venue_name.clone(),
            person_id: c.person_id.get(),
            name: c.name.clone(),
            id_number: mask::id_number(&c.id_number),
            phone: c.phone.as_deref().map(mask::phone),
            area_code: c.area_code.clone(),
            grid_code: c.grid_code.clone(),
            stay_from: instant_text(c.stay_from),
            stay_to: instant_text(c.stay_to),
            stay_estimated: c.stay_estimated,
            overlap_from: instant_text(c.overlap_from),
            overlap_to: instant_text(c.overlap_to),
            overlap_minutes: (c.overlap_to - c.overlap_from) / 60,
            status: c.status.as_str().into(),
            due_at: instant_text(c.due_at),
            decided_by: c.decided_by.clone(),
            key_person_id: c.key_person_id.map(domain::KeyPersonId::get),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureBody {
    pub name: String,
    pub at: String,
    pub statement: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvestigationView {
    pub id: i64,
    pub key_person_id: i64,
    pub person_id: i64,
    pub case_name: String,
    pub area_code: String,
    pub onset_date: String,
    pub isolated_at: String,
    /// 1 for a case, 2 for a close contact traced on.
    pub generation: i64,
    pub created_by: String,
    /// From 00:00 (Beijing) of onset − lookback days to isolation.
    pub window_from: String,
    pub window_to: String,
    pub trajectory: Vec<TrajectoryLine>,
    /// Venues where the case stayed longer than the minimum within the window, not yet confirmed.
    pub proposed_points: Vec<PointBody>,
    pub points: Vec<PointBody>,
    pub candidates: Vec<CandidateBody>,
    pub signature: Option<SignatureBody>,
}

pub fn investigation_view(d: &InvestigationDetail) -> InvestigationView {
    let i = &d.investigation;
    InvestigationView {
        id: i.id.get(),
        key_person_id: i.key_person_id.get(),
        person_id: i.person_id.get(),
        case_name: i.person_name.clone(),
        area_code: i.area_code.clone(),
        onset_date: i.onset.to_string(),
        isolated_at: instant_text(i.isolated_at),
        generation: i.generation,
        created_by: i.created_by.clone(),
        window_from: instant_text(d.window_from),
        window_to: instant_text(d.window_to),
        trajectory: d.trajectory.iter().map(TrajectoryLine::from).collect(),
        proposed_points: d.proposed.iter().map(PointBody::from).collect(),
        points: d.points.iter().map(PointBody::from).collect(),
        candidates: d.candidates.iter().map(CandidateBody::from).collect(),
        signature: i.signature.as_ref().map(|s| SignatureBody {
            name: s.name.clone(),
            at: instant_text(s.at),
            statement: s.statement.clone(),
        }),
    }
}

/// The investigation workspace: trajectory, proposed and confirmed points, candidates (audited).
#[utoipa::path(get, path = "/api/v1/investigations/{id}", tag = "investigations", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = InvestigationView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_investigation(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Json<InvestigationView>, Problem> {
    caller.handle.authorize(Capability::Investigate)?;
    Ok(Json(investigation_view(&caller.handle.investigation(domain::InvestigationId::new(id)).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceBody {
    /// Where, in the case's words (at most 100 characters).
    #[schema(schema_with = super::schemas::line)]
    pub place: String,
    /// The registered venue, when it is one.
    pub venue_id: Option<i64>,
    /// RFC 3339, or `2020-02-03 10:00` in Beijing time.
    #[schema(format = DateTime)]
    pub from: String,
    #[schema(format = DateTime)]
    pub to: String,
    pub note: Option<String>,
}

/// Add a place the case reports to the trajectory.
#[utoipa::path(post, path = "/api/v1/investigations/{id}/places", tag = "investigations", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PlaceBody,
    responses((status = 201, body = CreatedBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_place(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: JsonBody<PlaceBody>,
) -> Result<(StatusCode, Json<CreatedBody>), Problem> {
    caller.handle.authorize(Capability::Investigate)?;
    let input = body.value;
    let place = NewReportedPlace {
        place: input.place,
        venue_id: input.venue_id.map(domain::VenueId::new),
        from: fields::instant("from", &input.from)?,
        to: fields::instant("to", &input.to)?,
        note: input.note.unwrap_or_default(),
    };
    let created = caller.handle.add_reported_place(domain::InvestigationId::new(id), place).await?;
    Ok((StatusCode::CREATED, Json(CreatedBody { id: created.id.get(), created: true })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmPointBody {
    /// The case's check-in of a proposed point.
    pub case_checkin_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointConfirmed {
    pub id: i64,
    pub created: bool,
    /// Close-contact candidates raised as tracing tasks.
    pub candidates: usize,
}

/// Confirm a proposed epidemic point: everyone whose stay there overlaps it becomes a
/// close-contact candidate, a tracing task for the grid where they live.
#[utoipa::path(post, path = "/api/v1/investigations/{id}/points", tag = "investigations", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ConfirmPointBody,
    responses((status = 201, body = PointConfirmed), (status = 200, body = PointConfirmed, description = "already confirmed"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm_point(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: JsonBody<ConfirmPointBody>,
) -> Result<(StatusCode, Json<PointConfirmed>), Problem> {
    caller.handle.authorize(Capability::Investigate)?;
    let (created, candidates) = caller
        .handle
        .confirm_point(domain::InvestigationId::new(id), domain::CheckinId::new(body.value.case_checkin_id))
        .await?;
    let status = if created.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(PointConfirmed { id: created.id.get(), created: created.created, candidates })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignBody {
    /// What the investigator signs (谁流调、谁签字、谁负责), 2–500 characters.
    #[schema(schema_with = super::schemas::statement)]
    pub statement: String,
}

/// Sign the investigation; a signed investigation is closed to changes.
#[utoipa::path(post, path = "/api/v1/investigations/{id}/signature", tag = "investigations", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SignBody,
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn sign(caller: Caller, ApiPath(id): ApiPath<i64>, body: JsonBody<SignBody>) -> Result<StatusCode, Problem> {
    caller.handle.authorize(Capability::Investigate)?;
    caller.handle.sign_investigation(domain::InvestigationId::new(id), &body.value.statement).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TracingTasks {
    pub candidates: Vec<CandidateBody>,
}

/// The pending tracing tasks (close-contact candidates) of your jurisdiction, soonest due first.
#[utoipa::path(get, path = "/api/v1/contact-candidates", tag = "investigations", security(("bearer" = [])),
    responses((status = 200, body = TracingTasks), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn tracing_tasks(caller: Caller) -> Result<Json<TracingTasks>, Problem> {
    caller.handle.authorize(Capability::TraceContacts)?;
    let found = caller.handle.tracing_tasks().await?;
    Ok(Json(TracingTasks { candidates: found.iter().map(CandidateBody::from).collect() }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// confirm (a close contact) or clear (not a contact).
    #[schema(schema_with = super::schemas::decision)]
    pub decision: String,
    /// For confirm: central_isolation (default) or home_isolation.
    #[schema(schema_with = super::schemas::measure_kind_or_null)]
    pub measure: Option<String>,
    /// For clear: why.
    #[schema(schema_with = super::schemas::note)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionDone {
    /// For confirm: the close contact's key-person record.
    pub key_person_id: Option<i64>,
}

/// Decide on a candidate: confirm makes the person a close-contact key person under isolation
/// (a red code at once); clear ends the candidacy (its yellow reason goes).
#[utoipa::path(post, path = "/api/v1/contact-candidates/{id}/decision", tag = "investigations", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 200, body = DecisionDone), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: JsonBody<DecisionBody>,
) -> Result<Json<DecisionDone>, Problem> {
    caller.handle.authorize(Capability::Investigate)?;
    let input = body.value;
    let decision = match input.decision.trim() {
        "confirm" => CandidateDecision::Confirm {
            measure: fields::optional_measure(input.measure.as_deref())?.unwrap_or(MeasureKind::CentralIsolation),
        },
        "clear" => CandidateDecision::Clear { note: input.note.unwrap_or_default() },
        _ => {
            return Err(Problem::invalid(
                "decision",
                Message::new("应为 confirm（确认）或 clear（排除）", "confirm or clear"),
            ));
        }
    };
    let key_person_id = caller.handle.decide_candidate(domain::CandidateId::new(id), decision).await?;
    Ok(Json(DecisionDone { key_person_id: key_person_id.map(domain::KeyPersonId::get) }))
}

/// Second generation: open an investigation of a confirmed close contact, to find the contacts
/// of that contact.
#[utoipa::path(post, path = "/api/v1/contact-candidates/{id}/investigation", tag = "investigations", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = CreatedBody), (status = 200, body = CreatedBody, description = "already open"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn trace_on(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<(StatusCode, Json<CreatedBody>), Problem> {
    caller.handle.authorize(Capability::Investigate)?;
    let created = caller.handle.trace_on(domain::CandidateId::new(id)).await?;
    let status = if created.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(CreatedBody { id: created.id.get(), created: created.created })))
}
