//! Home follow-ups (一二三工作法): record a visit with an optional temperature; the day's sheet
//! with what is missing so far.

use crate::AppState;
use axum::Json;
use axum::http::StatusCode;
use domain::{FollowUpGap, Temperature, VisitSlot};
use serde::{Deserialize, Serialize};
use store::{FollowUpLine, NewFollowUp};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::fields;
use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery};
use crate::json::JsonBody;
use crate::mask;
use crate::problem::Problem;
use crate::time::instant_text;
use domain::Code;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(record_follow_up)).routes(routes!(follow_up_sheet))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpBody {
    /// morning, noon or evening; by default the visit of the current time of day.
    #[schema(schema_with = super::schemas::visit_slot_or_null)]
    pub slot: Option<String>,
    /// °C, 34.0–43.0, when taken at this visit.
    #[schema(minimum = 34.0, maximum = 43.0)]
    pub temperature: Option<f64>,
    pub note: Option<String>,
    /// YYYY-MM-DD, today (default) or yesterday, to catch up a visit recorded late.
    #[schema(format = Date)]
    pub day: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpDone {
    pub id: i64,
    /// This visit was already recorded: the earlier record, unchanged.
    pub duplicate: bool,
    /// The temperature met the fever threshold: a fever-transfer task is open.
    pub fever: bool,
}

pub fn slot(value: Option<&str>, minute: u16) -> Result<VisitSlot, Problem> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        Some(slot) => fields::parse("slot", VisitSlot::parse(slot)),
        None => Ok(VisitSlot::at_minute(minute)),
    }
}

/// Record a home follow-up visit of a key person under home isolation or monitoring.
#[utoipa::path(post, path = "/api/v1/key-persons/{id}/follow-ups", tag = "follow-ups", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = FollowUpBody,
    responses((status = 201, body = FollowUpDone), (status = 200, body = FollowUpDone, description = "already recorded"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "the record is not under home isolation or health monitoring"), (status = 422, body = Problem)))]
pub async fn record_follow_up(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: JsonBody<FollowUpBody>,
) -> Result<(StatusCode, Json<FollowUpDone>), Problem> {
    caller.handle.authorize(domain::Capability::RecordFollowUps)?;
    let input = body.value;
    let day = fields::day_or("day", input.day.as_deref(), caller.handle.today())?;
    let minute = domain::minutes_into(day, caller.handle.now());
    let follow_up = NewFollowUp {
        key_person_id: domain::KeyPersonId::new(id),
        day,
        slot: slot(input.slot.as_deref(), minute)?,
        temperature: input
            .temperature
            .map(|t| fields::parse("temperature", Temperature::from_celsius(t)))
            .transpose()?,
        note: input.note.unwrap_or_default(),
    };
    let receipt = caller.handle.record_follow_up(follow_up).await?;
    let status = if receipt.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(FollowUpDone { id: receipt.id.get(), duplicate: receipt.duplicate, fever: receipt.fever })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetParams {
    /// YYYY-MM-DD; today by default.
    #[param(schema_with = super::schemas::day)]
    pub date: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitLine {
    pub slot: String,
    pub temperature: Option<f64>,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Missing {
    /// visit or temperature
    pub kind: String,
    /// For a missing visit: morning, noon or evening.
    pub slot: Option<String>,
    /// For missing temperatures: taken so far and due by now.
    pub have: Option<u8>,
    pub due: Option<u8>,
}

impl From<FollowUpGap> for Missing {
    fn from(gap: FollowUpGap) -> Missing {
        match gap {
            FollowUpGap::Visit(slot) => {
                Missing { kind: "visit".into(), slot: Some(slot.as_str().into()), have: None, due: None }
            }
            FollowUpGap::Temperatures { have, due } => {
                Missing { kind: "temperature".into(), slot: None, have: Some(have), due: Some(due) }
            }
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SheetLine {
    pub key_person_id: i64,
    pub name: String,
    /// Masked; the key person's own page shows it in full (audited).
    pub phone: Option<String>,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub measure: String,
    pub cadre_name: Option<String>,
    pub visits: Vec<VisitLine>,
    pub temperatures: u8,
    pub missing: Vec<Missing>,
    pub complete: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Sheet {
    pub date: String,
    pub persons: Vec<SheetLine>,
    /// Persons with at least one missing visit or temperature.
    pub persons_missing: usize,
    pub persons_complete: usize,
}

pub fn sheet_line(line: FollowUpLine, minute: u16) -> SheetLine {
    let day = line.day();
    SheetLine {
        key_person_id: line.key_person_id.get(),
        name: line.name,
        phone: line.phone.as_deref().map(mask::phone),
        area_code: line.area_code,
        grid_code: line.grid_code,
        measure: line.measure.as_str().into(),
        cadre_name: line.cadre_name,
        visits: line
            .visits
            .into_iter()
            .map(|v| VisitLine {
                slot: v.slot.as_str().into(),
                temperature: v.temperature.map(Temperature::celsius),
                note: v.note,
                recorded_by: v.recorded_by,
                recorded_at: instant_text(v.recorded_at),
            })
            .collect(),
        temperatures: day.temperatures(),
        missing: day.gaps(minute).into_iter().map(Missing::from).collect(),
        complete: day.complete(),
    }
}

/// The follow-up sheet of a day: everyone under home isolation or monitoring in your
/// jurisdiction, with the visits recorded and what is missing by now. The read is audited.
#[utoipa::path(get, path = "/api/v1/follow-ups", tag = "follow-ups", security(("bearer" = [])), params(SheetParams),
    responses((status = 200, body = Sheet), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn follow_up_sheet(caller: Caller, ApiQuery(params): ApiQuery<SheetParams>) -> Result<Json<Sheet>, Problem> {
    caller.handle.authorize(domain::Capability::ReadKeyPersons)?;
    let day = fields::day_or("date", params.date.as_deref(), caller.handle.today())?;
    let minute = domain::minutes_into(day, caller.handle.now());
    let persons: Vec<SheetLine> =
        caller.handle.follow_up_sheet(day).await?.into_iter().map(|l| sheet_line(l, minute)).collect();
    Ok(Json(Sheet {
        date: day.to_string(),
        persons_missing: persons.iter().filter(|p| !p.missing.is_empty()).count(),
        persons_complete: persons.iter().filter(|p| p.complete).count(),
        persons,
    }))
}
