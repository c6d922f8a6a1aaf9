use axum::Json;
use axum::http::StatusCode;
use domain::{Capability, GridCode, Scope, State};
use serde::Deserialize;
use store::{KeyPersonFilter, NewKeyPerson, PageRequest, TransitionRequest};
use utoipa::IntoParams;

use super::dto::{
    KeyPersonBody, KeyPersonCreated, KeyPersonDetailBody, KeyPersonPage, NewKeyPersonBody, TransitionBody,
    TransitionDone,
};
use super::fields;
use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery};
use crate::json::JsonBody;
use crate::problem::Problem;

/// Open a key-person record (一人一卡) for a registered person; it starts as `screened`.
#[utoipa::path(post, path = "/api/v1/key-persons", tag = "key-persons", security(("bearer" = [])), request_body = NewKeyPersonBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat a request safely")),
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
        person_id: input.person_id,
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
            id: created.id,
            status: detail.record.state.status.as_str().to_string(),
            created: created.created,
        }),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    pub class: Option<String>,
    pub status: Option<String>,
    /// A division code within your jurisdiction.
    pub area: Option<String>,
    /// A grid code.
    pub grid: Option<String>,
    /// 1-based.
    pub page: Option<u32>,
    /// At most 200; default 50.
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
        })
    }

    pub fn page(&self) -> PageRequest {
        PageRequest::new(self.page.unwrap_or(1), self.per_page.unwrap_or(50))
    }
}

/// Key persons in your jurisdiction, newest change first; identity data masked.
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
    Ok(Json(KeyPersonDetailBody::from(caller.handle.key_person(id).await?)))
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
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "repeat a request safely")),
    responses((status = 201, body = TransitionDone), (status = 200, body = TransitionDone, description = "replayed"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn transition_key_person(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    body: JsonBody<TransitionBody>,
) -> Result<(StatusCode, Json<TransitionDone>), Problem> {
    caller.handle.authorize(Capability::TransitionKeyPersons)?;
    let request = transition_request(&body.value)?;
    let done = caller.handle.transition_key_person(id, request, body.idempotency).await?;
    let current = caller.handle.key_person(id).await?.record.state;
    let status = if done.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((
        status,
        Json(TransitionDone {
            event_id: done.id,
            status: current.status.as_str().to_string(),
            severity: current.severity.map(|s| s.as_str().to_string()),
            created: done.created,
        }),
    ))
}
