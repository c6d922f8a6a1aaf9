//! Signing in and out.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::form::PageForm;
use super::i18n::{Lang, Texts};
use super::views::*;
use super::{lang_of, page_error, problem_page, render, safe_next, too_many_message};
use axum_extra::extract::cookie::CookieJar;

use crate::AppState;
use crate::auth::request_token;

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/login", get(login_page).post(login_submit)).route("/logout", post(logout))
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

async fn login_page(headers: HeaderMap, Query(query): Query<LoginQuery>) -> Response {
    let lang = lang_of(&headers);
    let next = query.next.filter(|n| safe_next(n)).unwrap_or_else(|| "/".into());
    render(&LoginPage { lang, t: lang.texts(), user: None, error: None, next, username: String::new() })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login_submit(
    State(state): State<AppState>,
    crate::auth::ClientAddr(addr): crate::auth::ClientAddr,
    headers: HeaderMap,
    PageForm(form): PageForm<LoginForm>,
) -> Response {
    let lang = lang_of(&headers);
    let next = form.next.filter(|n| safe_next(n)).unwrap_or_else(|| "/".into());
    match crate::api::session::open_session(&state, addr, &form.username, &form.password).await {
        Ok(Some((token, _, _))) => {
            let cookie = crate::cookies::session(token, state.session_seconds, state.options.tls);
            (CookieJar::new().add(cookie), Redirect::to(&next)).into_response()
        }
        Ok(None) => {
            let error = Some(lang.texts().wrong_login.to_string());
            let page = LoginPage { lang, t: lang.texts(), user: None, error, next, username: form.username };
            (StatusCode::UNAUTHORIZED, render(&page)).into_response()
        }
        Err(problem) if problem.status == StatusCode::TOO_MANY_REQUESTS.as_u16() => {
            let retry_after = problem.retry_after.map_or(crate::attempts::WINDOW_SECONDS, i64::from);
            let error = Some(too_many_message(lang, crate::attempts::TooMany { retry_after }));
            let page = LoginPage { lang, t: lang.texts(), user: None, error, next, username: form.username };
            let mut response = (StatusCode::TOO_MANY_REQUESTS, render(&page)).into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
            response
        }
        Err(problem) => problem_page(lang, problem),
    }
}

async fn logout(State(state): State<AppState>, parts: Parts) -> Response {
    if super::form::cross_site(&parts.headers) {
        let lang = lang_of(&parts.headers);
        return page_error(lang, StatusCode::FORBIDDEN, lang.texts().cross_site);
    }
    if let Some(token) = request_token(&parts) {
        let _ = state.db.delete_session(&crate::auth::token_digest(&token)).await;
    }
    (CookieJar::new().add(crate::cookies::ended_session(state.options.tls)), Redirect::to("/login")).into_response()
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    /// Wrong login, or too many failed attempts.
    pub error: Option<String>,
    pub next: String,
    pub username: String,
}
