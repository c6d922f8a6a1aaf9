//! Venue posters (场所码张贴码): one venue as an A4 PDF or a PNG, or every venue of an area or
//! grid as one PDF to print in a batch. The QR opens the check-in page with the venue's token.

use crate::AppState;
use domain::Label;
use domain::Message;
use std::sync::OnceLock;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use store::Venue;
use utoipa::IntoParams;

use domain::Capability;

use crate::auth::Caller;
use crate::extract::{ApiPath, ApiQuery};
use crate::problem::Problem;

/// This capability's API routes, documented as they are mounted.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(venue_poster_pdf))
        .routes(routes!(venue_poster_png))
        .routes(routes!(batch_posters_pdf))
}

/// A batch prints at most this many posters (about 12 MB of PDF).
const BATCH_LIMIT: usize = 500;

/// The address printed into the QR: `FANGKONG_PUBLIC_URL` when the server sits behind a proxy or
/// a public name, otherwise the host the request came to.
fn public_base(headers: &HeaderMap) -> String {
    if let Some(url) = std::env::var("FANGKONG_PUBLIC_URL").ok().filter(|u| !u.trim().is_empty()) {
        return url.trim().trim_end_matches('/').to_string();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    let scheme = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    let scheme = if scheme == "https" { "https" } else { "http" };
    format!("{scheme}://{host}")
}

fn fonts() -> Result<&'static print::Fonts, Problem> {
    static FONTS: OnceLock<Result<print::Fonts, String>> = OnceLock::new();
    FONTS.get_or_init(|| print::Fonts::load().map_err(|e| e.to_string())).as_ref().map_err(|message| {
        tracing::error!(%message, "posters cannot be drawn");
        Problem::unavailable(Message::new(
            "本服务器未安装中文字体，无法生成张贴码",
            "posters cannot be drawn on this server: no Chinese font is installed",
        ))
    })
}

fn poster(venue: &Venue, base: &str, threshold: domain::Temperature) -> print::Poster {
    let county = venue.area_code.get(..6).and_then(divisions::get).map(|d| d.name.to_string());
    let township = venue.area_code.get(..9).and_then(divisions::get).map(|d| d.name.to_string());
    print::Poster {
        venue_name: venue.name.clone(),
        kind_label: venue.kind.label_zh().to_string(),
        area_name: county.into_iter().chain(township).collect::<Vec<_>>().join(" · "),
        address: venue.address.clone(),
        venue_number: format!("V{:06}", venue.id),
        checkin_url: format!("{base}/c/{}", venue.token),
        fever_threshold: threshold.to_string(),
    }
}

/// Drawing takes tens of milliseconds of CPU: off the async workers.
async fn draw<T: Send + 'static>(
    work: impl FnOnce(&print::Fonts) -> print::Result<T> + Send + 'static,
) -> Result<T, Problem> {
    let fonts = fonts()?;
    tokio::task::spawn_blocking(move || work(fonts))
        .await
        .map_err(|e| {
            tracing::error!(err = %e, "drawing a poster panicked");
            Problem::internal()
        })?
        .map_err(|e| {
            tracing::error!(err = %e, "drawing a poster failed");
            Problem::internal()
        })
}

fn file(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    // RFC 6266/5987: an ASCII fallback and the UTF-8 name for the venue's Chinese name.
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>().replace('+', "%20");
    let disposition = format!("inline; filename=\"poster\"; filename*=UTF-8''{encoded}");
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// One venue in the caller's jurisdiction as a poster, and the file name to give it.
async fn venue_poster(caller: &Caller, headers: &HeaderMap, id: i64) -> Result<(print::Poster, String), Problem> {
    let venue = caller.handle.venue(domain::VenueId::new(id)).await?;
    let poster = poster(&venue, &public_base(headers), caller.handle.frontline_threshold());
    Ok((poster, format!("场所码-{}", venue.name)))
}

/// A venue's poster as an A4 PDF: name, QR, instructions; text searchable.
#[utoipa::path(get, path = "/api/v1/venues/{id}/poster.pdf", tag = "venues", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn venue_poster_pdf(
    caller: Caller,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, Problem> {
    let (poster, name) = venue_poster(&caller, &headers, id).await?;
    let pdf = draw(move |fonts| print::posters_pdf(fonts, &[poster])).await?;
    Ok(file(pdf, "application/pdf", &format!("{name}.pdf")))
}

/// A venue's poster as a PNG (150 dpi A4), to send to the venue's owner on a phone.
#[utoipa::path(get, path = "/api/v1/venues/{id}/poster.png", tag = "venues", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, content_type = "image/png", body = Vec<u8>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn venue_poster_png(
    caller: Caller,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, Problem> {
    let (poster, name) = venue_poster(&caller, &headers, id).await?;
    let png = draw(move |fonts| print::poster_png(fonts, &poster, 150.0)).await?;
    Ok(file(png, "image/png", &format!("{name}.png")))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchParams {
    /// A division (6/9/12 digits) or grid (15/17 digits) code in your jurisdiction.
    #[param(schema_with = super::schemas::area_or_grid)]
    pub area_code: String,
}

/// Every venue of an area or grid as one PDF, a page each, for a batch print.
#[utoipa::path(get, path = "/api/v1/venues/posters.pdf", tag = "venues", security(("bearer" = [])), params(BatchParams),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn batch_posters_pdf(
    caller: Caller,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<BatchParams>,
) -> Result<Response, Problem> {
    // Who may ask comes before what was asked: a citizen gets 403, not a hint about the query.
    caller.handle.authorize(Capability::ReadAreas)?;
    let code = params.area_code.trim().to_string();
    let venues = caller.handle.venues_within(&code, BATCH_LIMIT).await?;
    if venues.is_empty() {
        return Err(Problem::invalid(
            "area_code",
            Message::new("这里还没有登记场所", "no venues are registered here yet"),
        ));
    }
    let base = public_base(&headers);
    let threshold = caller.handle.frontline_threshold();
    let posters: Vec<print::Poster> = venues.iter().map(|v| poster(v, &base, threshold)).collect();
    let pdf = draw(move |fonts| print::posters_pdf(fonts, &posters)).await?;
    Ok(file(pdf, "application/pdf", &format!("场所码-{code}.pdf")))
}
