//! `GET /api/docs`: interactive API documentation (Swagger UI 5.35.0 from npm `swagger-ui-dist`,
//! vendored under `assets/swagger-ui/` with its licence), over `/api/v1/openapi.json`. Every file
//! is embedded: nothing is fetched from elsewhere at run time.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

const PAGE: &str = r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fangkong API · 接口文档</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<script src="/api/docs/swagger-ui-bundle.js" defer></script>
<script src="/api/docs/init.js" defer></script>
</head>
<body>
<div id="docs"></div>
</body>
</html>
"#;

/// Swagger UI draws its icons as `data:` images and styles inline; scripts stay our own.
const DOCS_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'";

pub fn router() -> Router<AppState> {
    Router::new().route("/api/docs", get(page)).route("/api/docs/{file}", get(file))
}

async fn page() -> Response {
    let mut response = Html(PAGE).into_response();
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(DOCS_POLICY));
    response
}

async fn file(Path(file): Path<String>) -> Response {
    let (body, kind): (&'static [u8], &str) = match file.as_str() {
        "swagger-ui-bundle.js" => {
            (include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"), "text/javascript; charset=utf-8")
        }
        "swagger-ui.css" => (include_bytes!("../../assets/swagger-ui/swagger-ui.css"), "text/css; charset=utf-8"),
        "init.js" => (include_bytes!("../../assets/swagger-ui/init.js"), "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}
