use crate::AppState;
use axum::Json;
use axum::http::StatusCode;
use domain::Capability;
use serde::{Deserialize, Serialize};
use store::{NewPerson, Person};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::fields;
use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery};
use crate::json::JsonBody;
use crate::problem::Problem;
use crate::time::instant_text;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_person, search_persons)).routes(routes!(get_person))
}

/// Register a person; a known ID number returns that person (200) instead of a duplicate.
#[utoipa::path(post, path = "/api/v1/persons", tag = "persons", security(("bearer" = [])), request_body = NewPersonBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat a request safely", min_length = 1, max_length = 200, pattern = "^[!-~]{1,200}$")),
    responses((status = 201, body = PersonBody), (status = 200, body = PersonBody), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_person(
    caller: Caller,
    body: JsonBody<NewPersonBody>,
) -> Result<(StatusCode, Json<PersonBody>), Problem> {
    caller.handle.authorize(Capability::WritePersons)?;
    let input = body.value;
    let person = NewPerson {
        id_number: fields::id_number(&input.id_number)?,
        name: fields::name("name", &input.name)?,
        phone: fields::optional_phone("phone", input.phone.as_deref())?,
        place: fields::place(&input.area_code, input.grid_code.as_deref())?,
    };
    let created = caller.handle.create_person(person, body.idempotency).await?;
    let mut person = PersonBody::from(caller.handle.person(created.id).await?);
    person.created = Some(created.created);
    let status = if created.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(person)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// An ID number, a phone number, or (the start of) a name.
    #[param(min_length = 1, max_length = 50, pattern = "\\S")]
    pub q: String,
    #[param(format = Int64, minimum = 0, maximum = 4294967295.0)]
    pub limit: Option<u32>,
}

/// Search persons in your jurisdiction by ID number, phone or name.
#[utoipa::path(get, path = "/api/v1/persons", tag = "persons", security(("bearer" = [])), params(SearchParams),
    responses((status = 200, body = PersonList), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn search_persons(
    caller: Caller,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<PersonList>, Problem> {
    let found = caller.handle.search_persons(&params.q, params.limit.unwrap_or(20)).await?;
    Ok(Json(PersonList { items: found.into_iter().map(PersonBody::from).collect() }))
}

/// One person.
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "persons", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PersonBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_person(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Json<PersonBody>, Problem> {
    Ok(Json(PersonBody::from(caller.handle.person(domain::PersonId::new(id)).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonBody {
    /// Resident ID (GB 11643), 18 characters; full-width digits and spaces are accepted.
    #[schema(schema_with = super::schemas::resident_id)]
    pub id_number: String,
    #[schema(schema_with = super::schemas::person_name)]
    pub name: String,
    /// 11-digit mobile; `+86`, spaces and dashes are accepted.
    #[schema(schema_with = super::schemas::phone_or_null)]
    pub phone: Option<String>,
    /// Residence: a 6, 9 or 12-digit division code.
    #[schema(schema_with = super::schemas::area_code)]
    pub area_code: String,
    /// The grid below that division, when known.
    #[schema(schema_with = super::schemas::grid_code_or_null)]
    pub grid_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonBody {
    pub id: i64,
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub created_at: String,
    /// False when the ID number was already registered and this is that person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<bool>,
}

impl From<Person> for PersonBody {
    fn from(p: Person) -> PersonBody {
        PersonBody {
            id: p.id.get(),
            id_number: p.id_number,
            name: p.name,
            phone: p.phone,
            area_code: p.area_code,
            grid_code: p.grid_code,
            created_at: instant_text(p.created_at),
            created: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonList {
    pub items: Vec<PersonBody>,
}
