//! HTTP for fangkong: the JSON API (`api`), the pages (`pages`), and the server around them.

pub mod api;
pub mod attempts;
pub mod auth;
pub mod cells;
pub mod cookies;
pub mod export;
mod extract;
mod hygiene;
pub mod import;
pub mod json;
mod mask;
pub mod pages;
pub mod places;
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
    /// The OpenAPI document as served (`api::document`).
    pub openapi: Arc<serde_json::Value>,
    /// Signs health-code tokens; its public keys verify them.
    pub keys: Arc<token::Keyring>,
    /// Failed logins and citizen identity lookups per client address.
    pub attempts: Arc<attempts::Attempts>,
    /// Public writes (check-ins) per client address.
    pub public_writes: Arc<attempts::PublicWrites>,
    /// Imports (file reading and matching) that may run at once; the next is told to wait.
    pub imports: import::Gate,
    pub options: Options,
}

/// How a server is run: its limits and whether it is reached over TLS.
#[derive(Debug, Clone)]
pub struct Options {
    /// Check-ins one client address may send per minute (0: no limit).
    pub public_writes_per_minute: u32,
    /// Imports that may run at once.
    pub imports_at_once: usize,
    /// Reached over HTTPS (directly or through a proxy): cookies are `Secure` and HSTS is sent.
    pub tls: bool,
}

impl Default for Options {
    /// 600 check-ins a minute per address, two imports at once, TLS when `FANGKONG_PUBLIC_URL`
    /// is an https URL.
    fn default() -> Options {
        let tls = std::env::var("FANGKONG_PUBLIC_URL").is_ok_and(|url| url.starts_with("https://"));
        Options { public_writes_per_minute: 600, imports_at_once: 2, tls }
    }
}

/// The whole application with the default options.
pub fn app(db: Db, keys: Arc<token::Keyring>) -> Router {
    app_with(db, keys, Options::default())
}

/// The whole application: API, OpenAPI document, pages and embedded assets.
pub fn app_with(db: Db, keys: Arc<token::Keyring>, options: Options) -> Router {
    let (api, openapi) = api::router();
    let state = AppState {
        db,
        session_seconds: 12 * 3600,
        openapi: Arc::new(api::document::finish(&openapi)),
        keys,
        attempts: Arc::new(attempts::Attempts::default()),
        public_writes: Arc::new(attempts::PublicWrites::new(options.public_writes_per_minute)),
        imports: import::Gate::new(options.imports_at_once),
        options,
    };
    Router::new()
        .merge(api)
        .route("/api/v1/openapi.json", get(api::openapi_json))
        .merge(api::docs::router())
        .route("/api/v1/{*rest}", axum::routing::any(api::api_not_found))
        .route("/healthz", get(api::healthz))
        .merge(pages::router())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(problem::localize))
        .layer(axum::middleware::map_response_with_state(state.clone(), security_headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Pages load nothing from elsewhere and may not be framed; responses are never sniffed; nothing
/// is cached unless it says so (the embedded assets): pages and API answers carry personal data.
/// Over TLS, browsers are told to keep to HTTPS.
async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut response: axum::response::Response,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.options.tls {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // htmx adds its indicator styles inline, hence 'unsafe-inline' for styles only.
    // A response that set its own policy (the API docs) keeps it.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
            ),
        );
    }
    response
}

/// The scheduled jobs, at start and then every ten minutes (each is cheap and idempotent, so a
/// restart or a missed tick loses nothing): releases that fall due become tasks, and expired
/// check-ins and staged uploads older than a week are purged with their count logged.
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
            match db.prepare_partitions().await {
                Ok(0) => {}
                Ok(created) => tracing::info!(created, "check-in partitions created"),
                Err(err) => tracing::error!(%err, "partition job failed"),
            }
            // Retention (SPEC §6): trajectories older than the retention period are deleted.
            match db.purge_expired().await {
                Ok(purged) => {
                    tracing::info!(purged, retention_days = db.frontline().retention_days, "check-in purge ran");
                }
                Err(err) => tracing::error!(%err, "check-in purge failed"),
            }
            match db.purge_uploads().await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "staged uploads purged"),
                Err(err) => tracing::error!(%err, "upload purge failed"),
            }
        }
    })
}

/// Serves with the default options until the process ends.
pub async fn serve(db: Db, keys: Arc<token::Keyring>, listener: TcpListener) -> std::io::Result<()> {
    serve_with(db, keys, listener, Options::default()).await
}

/// Serves until the process ends.
pub async fn serve_with(
    db: Db,
    keys: Arc<token::Keyring>,
    listener: TcpListener,
    options: Options,
) -> std::io::Result<()> {
    let job = spawn_jobs(db.clone());
    let app = app_with(db, keys, options);
    let result = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    job.abort();
    result
}
