use crate::AppState;
use axum::Json;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::{Capability, VenueKind};
use serde::{Deserialize, Serialize};
use store::{NewVenue, PageRequest, Venue};
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
    OpenApiRouter::new().routes(routes!(create_venue, list_venues)).routes(routes!(get_venue))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVenueBody {
    #[schema(schema_with = super::schemas::line)]
    pub name: String,
    /// market, supermarket, restaurant, hospital, pharmacy, station, school, office, factory,
    /// hotel, residential or other.
    #[schema(schema_with = super::schemas::venue_kind)]
    pub kind: String,
    #[schema(schema_with = super::schemas::address)]
    pub address: Option<String>,
    /// A 6, 9 or 12-digit division code within your jurisdiction.
    #[schema(schema_with = super::schemas::area_code)]
    pub area_code: String,
    #[schema(schema_with = super::schemas::grid_code_or_null)]
    pub grid_code: Option<String>,
    #[schema(schema_with = super::schemas::person_name_or_null)]
    pub owner_name: Option<String>,
    #[schema(schema_with = super::schemas::phone_or_null)]
    pub owner_phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VenueBody {
    pub id: i64,
    /// What the 场所码 encodes: no personal data, only this token.
    pub token: String,
    /// The page a phone opens when it scans the code.
    pub checkin_path: String,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub owner_name: Option<String>,
    pub owner_phone: Option<String>,
    pub created_at: String,
}

impl From<Venue> for VenueBody {
    fn from(v: Venue) -> VenueBody {
        VenueBody {
            id: v.id.get(),
            checkin_path: format!("/c/{}", v.token),
            token: v.token,
            name: v.name,
            kind: v.kind.as_str().to_string(),
            address: v.address,
            area_code: v.area_code,
            grid_code: v.grid_code,
            owner_name: v.owner_name,
            owner_phone: v.owner_phone,
            created_at: instant_text(v.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VenuePage {
    pub items: Vec<VenueBody>,
    pub total: u64,
}

/// 128 random bits: a code that cannot be guessed from another venue's.
pub fn new_venue_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>())
}

/// Register a venue; its 场所码 token is made here.
#[utoipa::path(post, path = "/api/v1/venues", tag = "venues", security(("bearer" = [])), request_body = NewVenueBody,
    responses((status = 201, body = VenueBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_venue(
    caller: Caller,
    body: JsonBody<NewVenueBody>,
) -> Result<(StatusCode, Json<VenueBody>), Problem> {
    caller.handle.authorize(Capability::ManageVenues)?;
    let input = body.value;
    let venue = NewVenue {
        token: new_venue_token(),
        name: input.name,
        kind: fields::parse("kind", VenueKind::parse(input.kind.trim()))?,
        address: input.address.unwrap_or_default(),
        place: fields::place(&input.area_code, input.grid_code.as_deref())?,
        owner_name: fields::optional_name("owner_name", input.owner_name.as_deref())?,
        owner_phone: fields::optional_phone("owner_phone", input.owner_phone.as_deref())?,
    };
    let created = caller.handle.create_venue(venue).await?;
    Ok((StatusCode::CREATED, Json(caller.handle.venue(created.id).await?.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VenueListParams {
    #[param(format = Int64, minimum = 0, maximum = 4294967295.0)]
    pub page: Option<u32>,
}

/// Venues in your jurisdiction.
#[utoipa::path(get, path = "/api/v1/venues", tag = "venues", security(("bearer" = [])), params(VenueListParams),
    responses((status = 200, body = VenuePage), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_venues(
    caller: Caller,
    ApiQuery(params): ApiQuery<VenueListParams>,
) -> Result<Json<VenuePage>, Problem> {
    let page = caller.handle.venues(PageRequest::new(params.page.unwrap_or(1), 100)).await?;
    Ok(Json(VenuePage { items: page.items.into_iter().map(VenueBody::from).collect(), total: page.total }))
}

/// One venue.
#[utoipa::path(get, path = "/api/v1/venues/{id}", tag = "venues", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = VenueBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_venue(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Json<VenueBody>, Problem> {
    Ok(Json(caller.handle.venue(domain::VenueId::new(id)).await?.into()))
}
