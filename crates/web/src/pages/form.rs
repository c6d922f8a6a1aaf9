//! Form posts of the pages: refused when they come from another site, values cleaned
//! (`crate::hygiene`) before any handler sees them, errors shown as a page naming the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::i18n::Lang;
use super::{Visitor, lang_of, page_error};
use crate::AppState;

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
        let cleaned = cleaned_body(req, state, lang).await?;
        parse(&cleaned, lang).map(PageForm)
    }
}

/// A staff form: who sent it and what it says, taken only when the body carries the sender's
/// form token (and comes from this site), so no staff form handler can skip the check. Public
/// forms (login, check-in, the citizen's code) have no session and use [`PageForm`].
pub struct StaffForm<T>(pub Visitor, pub T);

#[derive(Deserialize)]
struct FormToken {
    #[serde(default)]
    token: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for StaffForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state).await?;
        let cleaned = cleaned_body(Request::from_parts(parts, body), state, visitor.lang).await?;
        let FormToken { token } = parse(&cleaned, visitor.lang)?;
        if !visitor.form_is_genuine(&token) {
            return Err(visitor.stale_form());
        }
        let form = parse(&cleaned, visitor.lang)?;
        Ok(StaffForm(visitor, form))
    }
}

/// The body of a form from this site, with its values cleaned.
async fn cleaned_body<S: Send + Sync>(req: Request, state: &S, lang: Lang) -> Result<Vec<u8>, Response> {
    if cross_site(req.headers()) {
        return Err(page_error(lang, StatusCode::FORBIDDEN, lang.texts().cross_site));
    }
    let bytes = Bytes::from_request(req, state)
        .await
        .map_err(|e| page_error(lang, e.status(), lang.texts().form_unreadable))?;
    crate::hygiene::clean_form(&bytes).map_err(|bad| {
        page_error(lang, StatusCode::UNPROCESSABLE_ENTITY, &format!("{}{}", lang.texts().invalid_field, bad.field))
    })
}

#[allow(clippy::result_large_err, reason = "the rejection is the error page itself, built once per bad form")]
fn parse<T: DeserializeOwned>(cleaned: &[u8], lang: Lang) -> Result<T, Response> {
    serde_urlencoded::from_bytes(cleaned).map_err(|e| {
        tracing::debug!(error = %e, "a page form did not parse");
        page_error(lang, StatusCode::UNPROCESSABLE_ENTITY, lang.texts().form_unreadable)
    })
}
