//! Server-rendered pages (askama + htmx), Chinese first. They call the same scoped handle as the
//! API, so jurisdiction, roles and audit hold here too.

mod audit;
mod checkins;
mod checkpoints;
mod follow_ups;
mod form;
mod health_codes;
mod home;
mod i18n;
mod investigations;
mod key_persons;
mod lists;
mod menu;
mod places;
mod session;
mod tasks;
mod venues;
mod views;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::Capability;
use sha2::{Digest, Sha256};

pub use i18n::Lang;
use i18n::Texts;
use views::*;

use axum_extra::extract::cookie::CookieJar;

use crate::AppState;
use crate::auth::{Caller, hex, request_token};
use crate::cookies;
use crate::problem::Problem;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/menu-counts", get(home::menu_counts))
        .route("/lang/{code}", get(switch_lang))
        .route("/assets/{file}", get(asset))
        .merge(checkpoints::router())
        .merge(session::router())
        .merge(key_persons::router())
        .merge(tasks::router())
        .merge(follow_ups::router())
        .merge(venues::router())
        .merge(audit::router())
        .merge(checkins::router())
        .merge(health_codes::router())
        .merge(investigations::router())
        .merge(lists::router())
        .merge(places::router())
}

async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind): (&'static [u8], &str) = match file.as_str() {
        "htmx.min.js" => (include_bytes!("../../assets/htmx.min.js"), "text/javascript; charset=utf-8"),
        "app.css" => (include_bytes!("../../assets/app.css"), "text/css; charset=utf-8"),
        "checkin.js" => (include_bytes!("../../assets/checkin.js"), "text/javascript; charset=utf-8"),
        "checkpoint.js" => (include_bytes!("../../assets/checkpoint.js"), "text/javascript; charset=utf-8"),
        "health_code.js" => (include_bytes!("../../assets/health_code.js"), "text/javascript; charset=utf-8"),
        "verify.js" => (include_bytes!("../../assets/verify.js"), "text/javascript; charset=utf-8"),
        "menu.js" => (include_bytes!("../../assets/menu.js"), "text/javascript; charset=utf-8"),
        "place-picker.js" => (include_bytes!("../../assets/place-picker.js"), "text/javascript; charset=utf-8"),

        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

fn lang_of(headers: &HeaderMap) -> Lang {
    if cookies::read(headers, cookies::LANG_COOKIE).as_deref() == Some("en") { Lang::En } else { Lang::Zh }
}

async fn switch_lang(Path(code): Path<String>, headers: HeaderMap) -> Response {
    let lang = if code == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string())))
        .filter(|p| safe_next(p))
        .unwrap_or_else(|| "/".into());
    (CookieJar::new().add(cookies::lang(lang)), Redirect::to(&back)).into_response()
}

/// Only same-site paths: "/x" but not "//host" or "/\host".
fn safe_next(next: &str) -> bool {
    next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\")
}

/// A logged-in page visitor; anyone else is sent to the login page.
pub struct Visitor {
    caller: Caller,
    lang: Lang,
    /// Bound to the session, so a form posted from another site cannot carry it.
    form_token: String,
    /// Where imports may run (`Options::imports_at_once`).
    imports: crate::import::Gate,
}

fn form_token(session_token: &str) -> String {
    hex(&Sha256::digest(format!("fangkong-form:{session_token}").as_bytes()))[..32].to_string()
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visitor, Response> {
        let lang = lang_of(&parts.headers);
        let caller = Caller::from_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        match (caller, request_token(parts)) {
            (Some(caller), Some(token)) => {
                Ok(Visitor { caller, lang, form_token: form_token(&token), imports: state.imports.clone() })
            }
            _ => {
                let next = parts.uri.path_and_query().map(axum::http::uri::PathAndQuery::as_str).unwrap_or("/");
                let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                Err(Redirect::to(&format!("/login?{query}")).into_response())
            }
        }
    }
}

/// Staff as people read them: "王芳（区域干部）" for a username.
pub struct People {
    lang: Lang,
    names: std::collections::HashMap<String, (String, domain::Role)>,
}

impl People {
    /// The person's name and role; the system's own writes are "系统自动"; an unknown username
    /// (a removed user) as stored.
    pub fn name(&self, username: &str) -> String {
        let lang = self.lang;
        match self.names.get(username) {
            Some((name, role)) => {
                lang.pick((format!("{name}（{}）", lang.label(*role)), format!("{name} ({})", lang.label(*role))))
            }
            None if username == "system" => lang.pick(("系统自动", "The system")).to_string(),
            None => username.to_string(),
        }
    }
}

impl Visitor {
    fn t(&self) -> &'static Texts {
        self.lang.texts()
    }

    /// The names of the staff behind `usernames`. Names of colleagues are not personal data
    /// of the public, and a failed lookup shows the usernames rather than failing the page.
    async fn people<'a>(&self, usernames: impl IntoIterator<Item = &'a str>) -> People {
        let wanted: Vec<String> = usernames.into_iter().map(str::to_string).collect();
        let names = self.caller.handle.staff_names(&wanted).await.unwrap_or_default();
        People { lang: self.lang, names }
    }

    fn user_view(&self) -> Option<UserView> {
        let user = &self.caller.user;
        Some(UserView {
            name: user.display_name.clone(),
            role: self.lang.label(user.role).to_string(),
            area: crate::places::short_name(&user.area_code, self.lang),
            area_code: user.area_code.clone(),
            menu: menu::menu_for(user.role, self.lang),
        })
    }

    fn may(&self, capability: Capability) -> bool {
        self.caller.user.role.may(capability)
    }

    /// A form posted from another site cannot carry the session's form token.
    fn form_is_genuine(&self, token: &str) -> bool {
        token == self.form_token
    }

    fn stale_form(&self) -> Response {
        self.error(StatusCode::FORBIDDEN, self.t().stale_form)
    }

    /// An error page inside the visitor's own frame: menu, logout and the way back to their work.
    fn error(&self, status: StatusCode, message: &str) -> Response {
        let page = ErrorPage { lang: self.lang, t: self.t(), user: self.user_view(), message: message.to_string() };
        (status, render(&page)).into_response()
    }

    /// A store refusal or absence as an error page inside the visitor's frame.
    fn problem(&self, problem: Problem) -> Response {
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        self.error(status, &problem_message(self.lang, &problem))
    }
}

fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(%err, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page failed to render").into_response()
        }
    }
}

fn page_error(lang: Lang, status: StatusCode, message: &str) -> Response {
    let page = ErrorPage { lang, t: lang.texts(), user: None, message: message.to_string() };
    (status, render(&page)).into_response()
}

/// Store errors on pages: absence and refusal as pages, internal failures logged and hidden.
/// A refusal names what is wrong in the page's language.
fn problem_page(lang: Lang, problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    page_error(lang, status, &problem_message(lang, &problem))
}

/// What a page says of a problem: the field's own message when one is at fault.
fn problem_message(lang: Lang, problem: &Problem) -> String {
    let t = lang.texts();
    match StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR) {
        StatusCode::NOT_FOUND => t.not_found.to_string(),
        status if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE => t.server_error.to_string(),
        _ => match problem.errors.first() {
            Some(error) => lang.pick(error.message.pair()).to_string(),
            None => problem.detail_in(lang).to_string(),
        },
    }
}

/// The refusal page of a role that lacks `capability`, for checks made before the handle is
/// called (which refuses by itself).
fn forbidden(visitor: &Visitor, capability: Capability) -> Response {
    visitor.problem(Problem::from(store::StoreError::Forbidden { role: visitor.caller.user.role, capability }))
}

/// "Too many failed attempts": what a login or code page says when its address must wait.
pub(super) fn too_many_message(lang: Lang, too_many: crate::attempts::TooMany) -> String {
    lang.texts().too_many_failures.replace("{minutes}", &too_many.minutes().to_string())
}

/// A select's options: every value of `all` by code, named in the page's language.
fn options<T: domain::Code + domain::Label>(all: &[T], selected: Option<T>, lang: Lang) -> Vec<OptionView> {
    all.iter()
        .map(|&item| OptionView {
            value: item.as_str().to_string(),
            label: lang.label(item).to_string(),
            selected: selected == Some(item),
        })
        .collect()
}

/// Any path nobody serves: a real 404 page, inside the frame when the visitor is logged in.
pub async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    match Visitor::from_request_parts(&mut parts, &state).await {
        Ok(visitor) => visitor.error(StatusCode::NOT_FOUND, visitor.t().page_not_found),
        Err(_) => {
            let lang = lang_of(&parts.headers);
            page_error(lang, StatusCode::NOT_FOUND, lang.texts().page_not_found)
        }
    }
}
