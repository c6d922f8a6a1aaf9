use crate::AppState;
use axum::Json;
use divisions::{Division, Level};
use domain::Capability;
use serde::Serialize;
use store::Grid;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::extract::ApiPath;
use crate::problem::Problem;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_area))
        .routes(routes!(area_children))
        .routes(routes!(get_grid))
        .routes(routes!(grid_children))
}

pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Province => "province",
        Level::Prefecture => "prefecture",
        Level::County => "county",
        Level::Township => "township",
        Level::Village => "village",
    }
}

fn area_body(d: Division) -> AreaBody {
    AreaBody {
        code: d.code.to_string(),
        name: d.name.to_string(),
        full_name: divisions::full_name(d.code).unwrap_or_else(|| d.name.to_string()),
        level: level_name(d.level).to_string(),
        parent: divisions::parent(d.code).map(|p| p.code.to_string()),
    }
}

/// A division (national statistical codes; see `divisions::SOURCE`).
#[utoipa::path(get, path = "/api/v1/areas/{code}", tag = "areas", security(("bearer" = [])), params(("code" = String, Path)),
    responses((status = 200, body = AreaBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_area(caller: Caller, ApiPath(code): ApiPath<String>) -> Result<Json<AreaBody>, Problem> {
    caller.handle.authorize(Capability::ReadAreas)?;
    divisions::get(&code).map(|d| Json(area_body(d))).ok_or_else(Problem::not_found)
}

/// The divisions directly under a division.
#[utoipa::path(get, path = "/api/v1/areas/{code}/children", tag = "areas", security(("bearer" = [])), params(("code" = String, Path)),
    responses((status = 200, body = Vec<AreaBody>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn area_children(caller: Caller, ApiPath(code): ApiPath<String>) -> Result<Json<Vec<AreaBody>>, Problem> {
    caller.handle.authorize(Capability::ReadAreas)?;
    divisions::get(&code).ok_or_else(Problem::not_found)?;
    Ok(Json(divisions::children(&code).into_iter().map(area_body).collect()))
}

/// A grid in your jurisdiction, with its household count and workers.
#[utoipa::path(get, path = "/api/v1/grids/{code}", tag = "areas", security(("bearer" = [])), params(("code" = String, Path)),
    responses((status = 200, body = GridBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_grid(caller: Caller, ApiPath(code): ApiPath<String>) -> Result<Json<GridBody>, Problem> {
    Ok(Json(GridBody::from(caller.handle.grid(&code).await?)))
}

/// The grids directly under a grid, or the township grids of a county code.
#[utoipa::path(get, path = "/api/v1/grids/{code}/children", tag = "areas", security(("bearer" = [])), params(("code" = String, Path)),
    responses((status = 200, body = Vec<GridBody>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn grid_children(caller: Caller, ApiPath(code): ApiPath<String>) -> Result<Json<Vec<GridBody>>, Problem> {
    Ok(Json(caller.handle.grid_children(&code).await?.into_iter().map(GridBody::from).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaBody {
    pub code: String,
    pub name: String,
    pub full_name: String,
    /// province, prefecture, county, township or village.
    pub level: String,
    pub parent: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkerBody {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GridBody {
    pub code: String,
    pub parent_code: Option<String>,
    /// 1 township/street, 2 village/community, 3 natural village/compound, 4 multi-household unit.
    pub level: u8,
    pub name: String,
    pub households: u64,
    pub workers: Vec<WorkerBody>,
}

impl From<Grid> for GridBody {
    fn from(g: Grid) -> GridBody {
        GridBody {
            code: g.code,
            parent_code: g.parent_code,
            level: g.level,
            name: g.name,
            households: g.households,
            workers: g.workers.into_iter().map(|w| WorkerBody { name: w.name, phone: w.phone }).collect(),
        }
    }
}
