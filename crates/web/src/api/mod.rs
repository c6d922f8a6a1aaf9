//! The JSON API under `/api/v1`. Every route is registered through `routes!`, which documents it
//! in the OpenAPI document as it mounts it.

pub mod areas;
pub mod audit;
pub mod checkins;
pub mod checkpoints;
pub mod docs;
pub mod document;
pub mod fields;
pub mod follow_ups;
pub mod health_codes;
pub mod investigations;
pub mod key_persons;
pub mod lists;
pub mod persons;
pub mod posters;
pub mod schemas;
pub mod session;
pub mod settings;
pub mod statistics;
pub mod tasks;
pub mod venues;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

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
        .merge(session::routes())
        .merge(persons::routes())
        .merge(key_persons::routes())
        .merge(areas::routes())
        .merge(tasks::routes())
        .merge(audit::routes())
        .merge(settings::routes())
        .merge(statistics::routes())
        .merge(venues::routes())
        .merge(posters::routes())
        .merge(follow_ups::routes())
        .merge(checkins::routes())
        .merge(checkpoints::routes())
        .merge(investigations::routes())
        .merge(health_codes::routes())
        .merge(lists::routes())
        .split_for_parts()
}

pub async fn openapi_json(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json((*state.openapi).clone())
}

pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, Problem> {
    Ok(Json(Health {
        status: "ok".into(),
        database: state.db.kind().into(),
        time: crate::time::instant_text(state.db.now()),
    }))
}

pub async fn api_not_found() -> Problem {
    Problem::new(
        axum::http::StatusCode::NOT_FOUND,
        "not-found",
        domain::Message::new(
            "没有这个接口；请查看 /api/v1/openapi.json",
            "no such API route; see /api/v1/openapi.json",
        ),
    )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub database: String,
    pub time: String,
}
