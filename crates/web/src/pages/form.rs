//! Form posts of the pages: refused when they come from another site, values cleaned
//! (`crate::hygiene`) before any handler sees them, errors shown as a page naming the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::{lang_of, page_error};

/// A form body, cleaned and checked to come from this site's own pages.
pub struct PageForm<T>(pub T);

/// Whether a post was sent by a page of another site: its `Origin` (or, without one, the
/// browser's `Sec-Fetch-Site`) says so. Clients that send neither (scripts, old browsers) are
/// not browsers being driven by another site.
pub fn cross_site(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        let authority = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        return authority.is_empty() || !authority.eq_ignore_ascii_case(host);
    }
    headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site")
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let lang = lang_of(req.headers());
        if cross_site(req.headers()) {
            return Err(page_error(lang, StatusCode::FORBIDDEN, lang.texts().cross_site));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| page_error(lang, e.status(), lang.texts().form_unreadable))?;
        let cleaned = crate::hygiene::clean_form(&bytes).map_err(|bad| {
            page_error(lang, StatusCode::UNPROCESSABLE_ENTITY, &format!("{}{}", lang.texts().invalid_field, bad.field))
        })?;
        serde_urlencoded::from_bytes(&cleaned).map(PageForm).map_err(|e| {
            tracing::debug!(error = %e, "a page form did not parse");
            page_error(lang, StatusCode::UNPROCESSABLE_ENTITY, lang.texts().form_unreadable)
        })
    }
}
