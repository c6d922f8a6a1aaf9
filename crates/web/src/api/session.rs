use std::net::IpAddr;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::attempts::Guess;
use crate::auth::{Caller, ClientAddr, new_token, request_token, token_digest, verify_password};
use crate::json::JsonBody;
use crate::problem::Problem;
use crate::time::instant_text;
use domain::Code;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login, logout)).routes(routes!(me))
}

/// Checks a username and password; on success opens a session. Failures are counted per client
/// address: past the limit, every try from there is refused (429) until the window ends.
pub async fn open_session(
    state: &AppState,
    addr: Option<IpAddr>,
    username: &str,
    password: &str,
) -> Result<Option<(String, store::User, i64)>, Problem> {
    let now = state.db.now();
    state.attempts.check(Guess::Login, addr, now).map_err(Problem::too_many_attempts)?;
    let Some(credentials) = state.db.credentials(username.trim()).await? else {
        // Hash anyway so that timing does not tell which usernames exist.
        crate::auth::verify_against_dummy(password);
        state.attempts.failed(Guess::Login, addr, now);
        return Ok(None);
    };
    if !verify_password(password, &credentials.password_hash) {
        state.attempts.failed(Guess::Login, addr, now);
        return Ok(None);
    }
    let (token, digest) = new_token();
    let expires_at = state.db.now() + state.session_seconds;
    state.db.insert_session(&digest, credentials.user.id, expires_at).await?;
    Ok(Some((token, credentials.user, expires_at)))
}

/// Log in: exchange a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    body: JsonBody<LoginRequest>,
) -> Result<Json<TokenResponse>, Problem> {
    let request = body.value;
    match open_session(&state, addr, &request.username, &request.password).await? {
        Some((token, user, expires_at)) => Ok(Json(TokenResponse {
            token,
            expires_at: instant_text(expires_at),
            username: user.username,
            role: user.role.as_str().to_string(),
            area_code: user.area_code,
        })),
        None => Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            domain::Message::new("用户名或密码错误", "wrong username or password"),
        )),
    }
}

/// Log out: end the session of the presented token.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    parts: axum::http::request::Parts,
) -> Result<StatusCode, Problem> {
    let _ = caller;
    if let Some(token) = request_token(&parts) {
        state.db.delete_session(&token_digest(&token)).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The logged-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(caller: Caller) -> Json<Me> {
    let user = caller.user;
    Json(Me {
        id: user.id.get(),
        username: user.username,
        display_name: user.display_name,
        role: user.role.as_str().to_string(),
        area_code: user.area_code,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(schema_with = super::schemas::line)]
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: String,
    pub username: String,
    pub role: String,
    pub area_code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub area_code: String,
}
