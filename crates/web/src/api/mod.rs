//! The JSON API under `/api/v1`. Every route is registered through `routes!`, which documents it
//! in the OpenAPI document as it mounts it.

pub mod admin;
pub mod areas;
pub mod checkins;
pub mod checkpoints;
pub mod document;
pub mod dto;
pub mod fields;
pub mod followups;
pub mod health_codes;
pub mod investigations;
pub mod key_persons;
pub mod lists;
pub mod persons;
pub mod posters;
pub mod session;
pub mod settings;
pub mod venues;

use axum::Json;
use axum::extract::State;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::problem::Problem;

#[derive(OpenApi)]
#[openapi(
    info(title = "fangkong API", description = "防控指挥平台 — epidemic prevention-and-control command platform. Errors are RFC 7807 problem details naming the field at fault."),
    modifiers(&BearerAuth),
    tags((name = "session"), (name = "persons"), (name = "key-persons"), (name = "areas"), (name = "tasks"), (name = "audit"), (name = "settings"), (name = "venues"), (name = "checkins"), (name = "checkpoints"), (name = "follow-ups"), (name = "investigations"), (name = "health-codes"), (name = "lists"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes and their OpenAPI document, built together.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::login, session::logout))
        .routes(routes!(session::me))
        .routes(routes!(persons::create_person, persons::search_persons))
        .routes(routes!(persons::get_person))
        .routes(routes!(key_persons::create_key_person, key_persons::list_key_persons))
        .routes(routes!(key_persons::get_key_person))
        .routes(routes!(key_persons::transition_key_person))
        .routes(routes!(areas::get_area))
        .routes(routes!(areas::area_children))
        .routes(routes!(areas::get_grid))
        .routes(routes!(areas::grid_children))
        .routes(routes!(admin::list_tasks))
        .routes(routes!(admin::list_audit))
        .routes(routes!(settings::get_durations, settings::put_durations))
        .routes(routes!(settings::get_tracing, settings::put_tracing))
        .routes(routes!(venues::create_venue, venues::list_venues))
        .routes(routes!(venues::get_venue))
        .routes(routes!(posters::venue_poster_pdf))
        .routes(routes!(posters::venue_poster_png))
        .routes(routes!(posters::batch_posters_pdf))
        .routes(routes!(followups::record_follow_up))
        .routes(routes!(followups::follow_up_sheet))
        .routes(routes!(checkins::create_checkin))
        .routes(routes!(checkpoints::create_checkpoint, checkpoints::list_checkpoints))
        .routes(routes!(checkpoints::create_passage, checkpoints::ledger))
        .routes(routes!(investigations::open_investigation))
        .routes(routes!(investigations::get_investigation))
        .routes(routes!(investigations::add_place))
        .routes(routes!(investigations::confirm_point))
        .routes(routes!(investigations::sign))
        .routes(routes!(investigations::tracing_tasks))
        .routes(routes!(investigations::decide))
        .routes(routes!(investigations::trace_on))
        .routes(routes!(health_codes::person_health_code))
        .routes(routes!(health_codes::own_health_code))
        .routes(routes!(health_codes::public_key))
        .routes(routes!(health_codes::verify))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(lists::upload))
                .layer(axum::extract::DefaultBodyLimit::max(crate::import::MAX_FILE_BYTES)),
        )
        .routes(routes!(lists::import_upload))
        .routes(routes!(lists::upload_report))
        .routes(routes!(lists::list_lists))
        .routes(routes!(lists::get_list))
        .routes(routes!(lists::list_leads_of))
        .routes(routes!(lists::list_leads))
        .routes(routes!(lists::verify_lead))
        .routes(routes!(lists::get_lead_settings, lists::put_lead_settings))
        .split_for_parts()
}

pub async fn openapi_json(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json((*state.openapi).clone())
}

pub async fn healthz(State(state): State<AppState>) -> Result<Json<dto::Health>, Problem> {
    Ok(Json(dto::Health {
        status: "ok".into(),
        database: state.db.kind().into(),
        time: crate::time::instant_text(state.db.now()),
    }))
}

pub async fn api_not_found() -> Problem {
    Problem::new(axum::http::StatusCode::NOT_FOUND, "not-found", "no such API route; see /api/v1/openapi.json")
}
