use crate::AppState;
use axum::Json;
use axum::http::StatusCode;
use domain::Label;
use domain::Message;
use domain::{Capability, GridCode, Scope, State};
use serde::{Deserialize, Serialize};
use store::{
    KeyPerson, KeyPersonDetail, KeyPersonFilter, Measure, NewKeyPerson, PageRequest, StatusEvent, TransitionRequest,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::fields;
use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery};
use crate::json::JsonBody;
use crate::problem::Problem;
use crate::time::instant_text;
use domain::Code;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_key_person, list_key_persons))
        .routes(routes!(get_key_person))
        .routes(routes!(transition_key_person))
}

/// Open a key-person record (一人一卡) for a registered person; it starts as `screened`.
#[utoipa::path(post, path = "/api/v1/key-persons", tag = "key-persons", security(("bearer" = [])), request_body = NewKeyPersonBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat a request safely", min_length = 1, max_length = 200, pattern = "^[!-~]{1,200}$")),
    responses((status = 201, body = KeyPersonCreated), (status = 200, body = KeyPersonCreated, description = "replayed"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_key_person(
    caller: Caller,
    body: JsonBody<NewKeyPersonBody>,
) -> Result<(StatusCode, Json<KeyPersonCreated>), Problem> {
    caller.handle.authorize(Capability::CreateKeyPersons)?;
    let input = body.value;
    let source = fields::source(&input.source)?;
    let class = fields::class(&input.class)?;
    let record = NewKeyPerson {
        person_id: domain::PersonId::new(input.person_id),
        class,
        arrival_risk: fields::arrival_risk(class, input.arrival_risk.as_deref())?,
        source,
        cadre_name: fields::optional_name("cadre_name", input.cadre_name.as_deref())?,
        cadre_phone: fields::optional_phone("cadre_phone", input.cadre_phone.as_deref())?,
        reason: input.reason.filter(|r| !r.trim().is_empty()).unwrap_or_else(|| source.label_zh().to_string()),
    };
    let created = caller.handle.create_key_person(record, body.idempotency).await?;
    let detail = caller.handle.key_person(created.id).await?;
    let status = if created.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((
        status,
        Json(KeyPersonCreated {
            id: created.id.get(),
            status: detail.record.state.status.as_str().to_string(),
            created: created.created,
        }),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    #[param(schema_with = super::schemas::key_class_or_blank)]
    pub class: Option<String>,
    #[param(schema_with = super::schemas::status_or_blank)]
    pub status: Option<String>,
    /// A division code within your jurisdiction.
    #[param(schema_with = super::schemas::area_code_or_blank)]
    pub area: Option<String>,
    /// A grid code.
    #[param(schema_with = super::schemas::grid_code_or_blank)]
    pub grid: Option<String>,
    /// A name (or its beginning), an ID number or a mobile number: only those persons' records.
    /// The search is audited like every read.
    #[param(schema_with = super::schemas::search)]
    pub q: Option<String>,
    /// `updated` (latest change first, the default), `planned_end` (soonest planned end first)
    /// or `opened` (newest record first).
    #[param(schema_with = super::schemas::key_person_order_or_blank)]
    pub sort: Option<String>,
    /// 1-based.
    #[param(format = Int64, minimum = 0, maximum = 4294967295.0)]
    pub page: Option<u32>,
    /// At most 200; default 50.
    #[param(format = Int64, minimum = 0, maximum = 4294967295.0)]
    pub per_page: Option<u32>,
}

impl ListParams {
    pub fn filter(&self) -> Result<KeyPersonFilter, Problem> {
        let some = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        Ok(KeyPersonFilter {
            class: some(&self.class).map(|c| fields::class(&c)).transpose()?,
            status: some(&self.status).map(|s| fields::status("status", &s)).transpose()?,
            within: some(&self.area)
                .map(|a| fields::parse("area", domain::AreaCode::parse(&a)).map(|code| Scope::of(&code)))
                .transpose()?,
            grid: some(&self.grid).map(|g| fields::parse("grid", GridCode::parse(&g))).transpose()?,
            person: match some(&self.q) {
                Some(q) if q.chars().count() > 100 => {
                    return Err(Problem::invalid("q", Message::new("最多 100 个字", "at most 100 characters")));
                }
                q => q.and_then(|q| store::PersonQuery::of(&q)),
            },
            order: some(&self.sort)
                .map(|s| fields::parse("sort", domain::KeyPersonOrder::parse(&s)))
                .transpose()?
                .unwrap_or_default(),
        })
    }

    pub fn page(&self) -> PageRequest {
        PageRequest::new(self.page.unwrap_or(1), self.per_page.unwrap_or(50))
    }
}

/// Key persons in your jurisdiction, newest change first unless `sort` says otherwise; identity data masked.
#[utoipa::path(get, path = "/api/v1/key-persons", tag = "key-persons", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = KeyPersonPage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_key_persons(
    caller: Caller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<KeyPersonPage>, Problem> {
    let page = caller.handle.key_persons(&params.filter()?, params.page()).await?;
    Ok(Json(KeyPersonPage {
        items: page.items.into_iter().map(|k| KeyPersonBody::new(k, true)).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One key-person record with its status history and measures.
#[utoipa::path(get, path = "/api/v1/key-persons/{id}", tag = "key-persons", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = KeyPersonDetailBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_key_person(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Json<KeyPersonDetailBody>, Problem> {
    Ok(Json(KeyPersonDetailBody::from(caller.handle.key_person(domain::KeyPersonId::new(id)).await?)))
}

pub fn transition_request(input: &TransitionBody) -> Result<TransitionRequest, Problem> {
    Ok(TransitionRequest {
        to: State {
            status: fields::status("to", &input.to)?,
            severity: fields::optional_severity(input.severity.as_deref())?,
        },
        reason: input.reason.clone(),
        measure: fields::optional_measure(input.measure.as_deref())?,
        site: input.site.clone(),
    })
}

/// Move a record to another status (SPEC §4.1); illegal moves are refused naming both states.
#[utoipa::path(post, path = "/api/v1/key-persons/{id}/transitions", tag = "key-persons", security(("bearer" = [])),
    request_body = TransitionBody,
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "repeat a request safely", min_length = 1, max_length = 200, pattern = "^[!-~]{1,200}$")),
    responses((status = 201, body = TransitionDone), (status = 200, body = TransitionDone, description = "replayed"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "the record's current state does not allow this move"), (status = 422, body = Problem)))]
pub async fn transition_key_person(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: JsonBody<TransitionBody>,
) -> Result<(StatusCode, Json<TransitionDone>), Problem> {
    caller.handle.authorize(Capability::TransitionKeyPersons)?;
    let request = transition_request(&body.value)?;
    let done = caller.handle.transition_key_person(domain::KeyPersonId::new(id), request, body.idempotency).await?;
    let current = caller.handle.key_person(domain::KeyPersonId::new(id)).await?.record.state;
    let status = if done.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((
        status,
        Json(TransitionDone {
            event_id: done.id.get(),
            status: current.status.as_str().to_string(),
            severity: current.severity.map(|s| s.as_str().to_string()),
            created: done.created,
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKeyPersonBody {
    pub person_id: i64,
    /// One of confirmed, suspected, close_contact, epidemic_area_arrival, fever.
    #[schema(schema_with = super::schemas::key_class)]
    pub class: String,
    /// One of checkpoint, big_data, grid_screening, report, tracing, hospital.
    #[schema(schema_with = super::schemas::source)]
    pub source: String,
    /// Arrivals (epidemic_area_arrival) only: the risk of the area arrived from, high (class 1:
    /// red code) or medium (class 2: yellow); absent counts as medium.
    #[schema(schema_with = super::schemas::arrival_risk_or_null)]
    pub arrival_risk: Option<String>,
    /// The responsible cadre (包保责任人).
    #[schema(schema_with = super::schemas::person_name_or_null)]
    pub cadre_name: Option<String>,
    #[schema(schema_with = super::schemas::phone_or_null)]
    pub cadre_phone: Option<String>,
    /// Why this person is registered; defaults to the source.
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPersonCreated {
    pub id: i64,
    pub status: String,
    pub created: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureBody {
    pub kind: String,
    pub site: Option<String>,
    pub start: String,
    pub planned_end: Option<String>,
    pub actual_end: Option<String>,
}

impl From<Measure> for MeasureBody {
    fn from(m: Measure) -> MeasureBody {
        MeasureBody {
            kind: m.kind.as_str().to_string(),
            site: m.site,
            start: m.start.to_string(),
            planned_end: m.planned_end.map(|d| d.to_string()),
            actual_end: m.actual_end.map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPersonBody {
    pub id: i64,
    pub person_id: i64,
    pub name: String,
    /// Masked in lists (4117**********123X); full on a single record, whose read is audited.
    pub id_number: String,
    pub phone: Option<String>,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub class: String,
    pub source: String,
    pub cadre_name: Option<String>,
    pub cadre_phone: Option<String>,
    pub status: String,
    pub severity: Option<String>,
    pub measure: Option<MeasureBody>,
    pub created_at: String,
    pub updated_at: String,
}

impl KeyPersonBody {
    pub fn new(k: KeyPerson, masked: bool) -> KeyPersonBody {
        let id_number = if masked { crate::mask::id_number(&k.id_number) } else { k.id_number };
        let phone = if masked { k.phone.as_deref().map(crate::mask::phone) } else { k.phone };
        KeyPersonBody {
            id: k.id.get(),
            person_id: k.person_id.get(),
            name: k.name,
            id_number,
            phone,
            area_code: k.area_code,
            grid_code: k.grid_code,
            class: k.class.as_str().to_string(),
            source: k.source.as_str().to_string(),
            cadre_name: k.cadre_name,
            cadre_phone: k.cadre_phone,
            status: k.state.status.as_str().to_string(),
            severity: k.state.severity.map(|s| s.as_str().to_string()),
            measure: k.measure.map(MeasureBody::from),
            created_at: instant_text(k.created_at),
            updated_at: instant_text(k.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPersonPage {
    pub items: Vec<KeyPersonBody>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub id: i64,
    /// Absent for the event that opened the record.
    pub from: Option<String>,
    pub from_severity: Option<String>,
    pub to: String,
    pub severity: Option<String>,
    pub actor: String,
    pub at: String,
    pub reason: String,
}

impl From<StatusEvent> for HistoryEntry {
    fn from(e: StatusEvent) -> HistoryEntry {
        HistoryEntry {
            id: e.id.get(),
            from: e.from.map(|s| s.status.as_str().to_string()),
            from_severity: e.from.and_then(|s| s.severity).map(|s| s.as_str().to_string()),
            to: e.to.status.as_str().to_string(),
            severity: e.to.severity.map(|s| s.as_str().to_string()),
            actor: e.actor,
            at: instant_text(e.at),
            reason: e.reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPersonDetailBody {
    #[serde(flatten)]
    pub record: KeyPersonBody,
    pub history: Vec<HistoryEntry>,
    pub measures: Vec<MeasureBody>,
    /// Statuses this record may move to next.
    pub next: Vec<String>,
}

impl From<KeyPersonDetail> for KeyPersonDetailBody {
    fn from(d: KeyPersonDetail) -> KeyPersonDetailBody {
        let next = domain::legal_targets(d.record.state.status).iter().map(|s| s.as_str().to_string()).collect();
        KeyPersonDetailBody {
            record: KeyPersonBody::new(d.record, false),
            history: d.history.into_iter().map(HistoryEntry::from).collect(),
            measures: d.measures.into_iter().map(MeasureBody::from).collect(),
            next,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// The status to move to.
    #[schema(schema_with = super::schemas::status)]
    pub to: String,
    /// Why; required.
    pub reason: String,
    /// Required when `to` is confirmed: mild, severe or critical.
    #[schema(schema_with = super::schemas::severity_or_null)]
    pub severity: Option<String>,
    /// Overrides the status's default measure: central_isolation, home_isolation, health_monitoring, hospital_treatment.
    pub measure: Option<String>,
    /// Isolation site or hospital.
    pub site: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionDone {
    pub event_id: i64,
    pub status: String,
    pub severity: Option<String>,
    pub created: bool,
}
