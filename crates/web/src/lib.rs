//! HTTP for fangkong: the JSON API (`api`), the pages (`pages`), and the server around them.

pub mod api;
pub mod attempts;
pub mod auth;
mod extract;
pub mod import;
mod json;
mod mask;
pub mod pages;
pub mod problem;
mod time;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use store::Db;
use tokio::net::TcpListener;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub session_seconds: i64,
    pub openapi: Arc<utoipa::openapi::OpenApi>,
    /// Signs health-code tokens; its public keys verify them.
    pub keys: Arc<token::Keyring>,
    /// Failed logins and citizen identity lookups per client address.
    pub attempts: Arc<attempts::Attempts>,
}

/// The whole application: API, OpenAPI document, pages and embedded assets.
pub fn app(db: Db, keys: Arc<token::Keyring>) -> Router {
    let (api, openapi) = api::router();
    let state = AppState {
        db,
        session_seconds: 12 * 3600,
        openapi: Arc::new(openapi),
        keys,
        attempts: Arc::new(attempts::Attempts::default()),
    };
    Router::new()
        .merge(api)
        .route("/api/v1/openapi.json", get(api::openapi_json))
        .route("/api/v1/{*rest}", axum::routing::any(api::api_not_found))
        .route("/healthz", get(api::healthz))
        .merge(pages::router())
        .layer(axum::middleware::map_response(security_headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Pages load nothing from elsewhere and may not be framed; responses are never sniffed.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // htmx adds its indicator styles inline, hence 'unsafe-inline' for styles only.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    response
}

/// The scheduled jobs, at start and then every ten minutes (each is cheap and idempotent, so a
/// restart or a missed tick loses nothing): releases that fall due become tasks, and expired
/// check-ins are purged with their count logged.
pub fn spawn_jobs(db: Db) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let today = domain::shanghai_date(db.now());
            match db.open_release_tasks(today).await {
                Ok(0) => {}
                Ok(opened) => tracing::info!(opened, %today, "release tasks opened"),
                Err(err) => tracing::error!(%err, "release task job failed"),
            }
            // Retention (SPEC §6): trajectories older than the retention period are deleted.
            match db.purge_expired().await {
                Ok(purged) => {
                    tracing::info!(purged, retention_days = db.frontline().retention_days, "check-in purge ran")
                }
                Err(err) => tracing::error!(%err, "check-in purge failed"),
            }
        }
    })
}

/// Serves until the process ends.
pub async fn serve(db: Db, keys: Arc<token::Keyring>, listener: TcpListener) -> std::io::Result<()> {
    let job = spawn_jobs(db.clone());

    let result = axum::serve(listener, app(db, keys).into_make_service_with_connect_info::<SocketAddr>()).await;
    job.abort();
    result
}
