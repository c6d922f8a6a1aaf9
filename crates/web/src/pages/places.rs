//! The place picker's data: the places directly under a code, by name — divisions from the
//! embedded table down to the village, the grids below it from the database — so a worker picks
//! 县 → 乡镇 → 村 → 网格 instead of typing a code. Only places within the caller's jurisdiction.

use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::{Capability, Scope};
use serde::Serialize;

use super::{Visitor, forbidden};
use crate::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/places/{code}/children", get(children))
}

#[derive(Serialize)]
struct PlaceChoice {
    code: String,
    name: String,
    /// Whether the place is a grid (below a village), which the forms take as the grid code.
    grid: bool,
}

async fn children(visitor: Visitor, Path(code): Path<String>) -> Response {
    if !visitor.may(Capability::ReadAreas) {
        return forbidden(&visitor, Capability::ReadAreas);
    }
    let scope = visitor.caller.user.scope();
    let Some(asked) = Scope::of_code_str(&code) else { return axum::Json(Vec::<PlaceChoice>::new()).into_response() };
    if !scope.includes(&asked) {
        return axum::Json(Vec::<PlaceChoice>::new()).into_response();
    }
    let choices: Vec<PlaceChoice> = if code.len() < 12 {
        divisions::children(&code)
            .into_iter()
            .map(|d| PlaceChoice { code: d.code.to_string(), name: d.name.to_string(), grid: false })
            .collect()
    } else {
        match visitor.caller.handle.grid_children(&code).await {
            Ok(grids) => grids
                .into_iter()
                .map(|g| {
                    let name = if g.name.trim().is_empty() {
                        crate::places::short_name(&g.code, visitor.lang)
                    } else {
                        g.name
                    };
                    PlaceChoice { code: g.code, name, grid: true }
                })
                .collect(),
            Err(err) => return visitor.problem(err.into()),
        }
    };
    axum::Json(choices).into_response()
}
