//! The cookies the pages set, built by `axum-extra`'s cookie jar: the session (HttpOnly, Lax,
//! `Secure` when the server is reached over TLS) and the language choice.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use time::Duration;

pub const SESSION_COOKIE: &str = "fk_session";
pub const LANG_COOKIE: &str = "fk_lang";

/// The value of cookie `name` in a request's headers.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers).get(name).map(|cookie| cookie.value().to_string())
}

/// The session cookie for `token`, alive `seconds`.
pub fn session(token: String, seconds: i64, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(Duration::seconds(seconds))
        .build()
}

/// The session cookie emptied and expired, for logging out.
pub fn ended_session(secure: bool) -> Cookie<'static> {
    let mut cookie = session(String::new(), 0, secure);
    cookie.make_removal();
    cookie
}

/// The language choice, kept a year.
pub fn lang(code: &'static str) -> Cookie<'static> {
    Cookie::build((LANG_COOKIE, code)).path("/").same_site(SameSite::Lax).max_age(Duration::days(365)).build()
}
