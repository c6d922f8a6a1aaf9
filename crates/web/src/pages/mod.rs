//! Server-rendered pages (askama + htmx), Chinese first. They call the same scoped handle as the
//! API, so jurisdiction, roles and audit hold here too.

mod checkins;
mod codes;
mod form;
mod i18n;
mod investigations;
mod lists;
mod views;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{ArrivalRisk, Capability, KeyClass, Role, Severity, Source, Status};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use store::{KeyPersonFilter, NewKeyPerson, NewPerson, PageRequest};

use form::PageForm;
pub use i18n::Lang;
use i18n::Texts;
use views::*;

use crate::AppState;
use crate::api::fields;
use crate::api::key_persons::{ListParams, transition_request};
use crate::auth::{Caller, SESSION_COOKIE, hex, request_token};
use crate::problem::Problem;

const LANG_COOKIE: &str = "fk_lang";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/checkpoints", get(checkpoints_page))
        .route("/checkpoints/{id}", get(checkpoint_page).post(passage_submit))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_lang))
        .route("/key-persons", get(key_person_list))
        .route("/key-persons/new", get(new_key_person_page).post(new_key_person_submit))
        .route("/key-persons/{id}", get(key_person_page))
        .route("/key-persons/{id}/transition", post(transition_submit))
        .route("/tasks", get(tasks_page))
        .route("/follow-ups", get(follow_ups_page))
        .route("/venues", get(venues_page))
        .route("/follow-ups/{id}", post(follow_up_submit))
        .route("/audit", get(audit_page))
        .route("/assets/{file}", get(asset))
        .route("/c/{token}", get(checkins::checkin_page).post(checkins::checkin_submit))
        .route("/h", get(codes::code_page).post(codes::code_submit))
        .route("/verify", get(codes::verify_page))
        .route("/investigations", get(investigations::investigations_page).post(investigations::open_submit))
        .route("/investigations/{id}", get(investigations::investigation_page))
        .route("/investigations/{id}/points", post(investigations::point_submit))
        .route("/investigations/{id}/places", post(investigations::place_submit))
        .route("/investigations/{id}/signature", post(investigations::sign_submit))
        .route("/candidates/{id}/decision", post(investigations::decision_submit))
        .route("/candidates/{id}/trace", post(investigations::trace_on_submit))
        .route("/tracing", get(investigations::tracing_tasks_page))
        .route("/lists", get(lists::lists_page))
        .route(
            "/lists/upload",
            post(lists::upload_submit).layer(axum::extract::DefaultBodyLimit::max(crate::import::MAX_FILE_BYTES)),
        )
        .route("/lists/{id}", get(lists::list_page))
        .route("/uploads/{id}", get(lists::upload_page))
        .route("/uploads/{id}/import", post(lists::import_submit))
        .route("/leads", get(lists::leads_page))
        .route("/leads/{id}/verification", post(lists::verify_submit))
}

async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind): (&'static [u8], &str) = match file.as_str() {
        "htmx.min.js" => (include_bytes!("../../assets/htmx.min.js"), "text/javascript; charset=utf-8"),
        "app.css" => (include_bytes!("../../assets/app.css"), "text/css; charset=utf-8"),
        "checkin.js" => (include_bytes!("../../assets/checkin.js"), "text/javascript; charset=utf-8"),
        "checkpoint.js" => (include_bytes!("../../assets/checkpoint.js"), "text/javascript; charset=utf-8"),
        "health_code.js" => (include_bytes!("../../assets/health_code.js"), "text/javascript; charset=utf-8"),
        "verify.js" => (include_bytes!("../../assets/verify.js"), "text/javascript; charset=utf-8"),

        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

fn lang_of(headers: &HeaderMap) -> Lang {
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .map(|(_, value)| value);
    if cookie == Some("en") { Lang::En } else { Lang::Zh }
}

async fn switch_lang(Path(code): Path<String>, headers: HeaderMap) -> Response {
    let lang = if code == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string())))
        .filter(|p| safe_next(p))
        .unwrap_or_else(|| "/key-persons".into());
    let cookie = format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
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
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/key-persons");
                let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                Err(Redirect::to(&format!("/login?{query}")).into_response())
            }
        }
    }
}

impl Visitor {
    fn t(&self) -> &'static Texts {
        self.lang.texts()
    }

    fn user_view(&self) -> Option<UserView> {
        let user = &self.caller.user;
        Some(UserView {
            name: user.display_name.clone(),
            role: self.lang.role(user.role).to_string(),
            area: user.area_code.clone(),
            is_admin: user.role == Role::Admin,
            may_key_persons: user.role.may(Capability::ReadKeyPersons),
            may_tasks: user.role.may(Capability::ReadTasks),
            may_checkpoints: user.role.may(Capability::ReadPassages) || user.role.may(Capability::RecordPassages),
            may_investigate: user.role.may(Capability::Investigate),
            may_trace: user.role.may(Capability::TraceContacts),
            may_import: user.role.may(Capability::ImportLists),
            may_verify_leads: user.role.may(Capability::VerifyLeads),
            may_follow_ups: user.role.may(Capability::ReadKeyPersons),
            may_venues: user.role.may(Capability::ManageVenues),
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
        page_error(self.lang, StatusCode::FORBIDDEN, "form expired; reload the page")
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
fn problem_page(lang: Lang, problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    page_error(lang, status, &problem.detail)
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

/// "Too many failed attempts": what a login or code page says when its address must wait.
pub(super) fn too_many_message(lang: Lang, too_many: crate::attempts::TooMany) -> String {
    let minutes = too_many.minutes();
    if lang == Lang::Zh {
        format!("本机失败次数过多，请 {minutes} 分钟后再试。")
    } else {
        format!("Too many failed attempts from this device; try again in {minutes} minutes.")
    }
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
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
                state.session_seconds,
                secure_attribute(&state)
            );
            let mut response = Redirect::to(&next).into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
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

/// `; Secure` when the server is reached over TLS: the cookie is then never sent in clear.
fn secure_attribute(state: &AppState) -> &'static str {
    if state.options.tls { "; Secure" } else { "" }
}

async fn logout(State(state): State<AppState>, parts: Parts) -> Response {
    if form::cross_site(&parts.headers) {
        let lang = lang_of(&parts.headers);
        return page_error(lang, StatusCode::FORBIDDEN, lang.texts().cross_site);
    }
    if let Some(token) = request_token(&parts) {
        let _ = state.db.delete_session(&crate::auth::token_digest(&token)).await;
    }
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", secure_attribute(&state));
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}

fn options<T: Copy + PartialEq>(
    all: &[T],
    selected: Option<T>,
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<OptionView> {
    all.iter()
        .map(|&item| OptionView {
            value: value(item).to_string(),
            label: label(item).to_string(),
            selected: selected == Some(item),
        })
        .collect()
}

fn list_link(params: &ListParams, page: u32) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (name, value) in
        [("class", &params.class), ("status", &params.status), ("area", &params.area), ("grid", &params.grid)]
    {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            pairs.push((name, v.to_string()));
        }
    }
    pairs.push(("page", page.to_string()));
    format!("/key-persons?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

async fn key_person_list(visitor: Visitor, headers: HeaderMap, Query(params): Query<ListParams>) -> Response {
    let lang = visitor.lang;
    let mut error = None;
    let filter = match params.filter() {
        Ok(filter) => filter,
        Err(problem) => {
            error = Some(problem.detail);
            KeyPersonFilter::default()
        }
    };
    let request = PageRequest::new(params.page.unwrap_or(1), params.per_page.unwrap_or(20));
    let page = match visitor.caller.handle.key_persons(&filter, request).await {
        Ok(page) => page,
        Err(err) => return problem_page(lang, err.into()),
    };
    let pages = page.total.div_ceil(u64::from(page.per_page)).max(1) as u32;
    let rows = RowsView {
        t: visitor.t(),
        rows: page.items.into_iter().map(|k| KeyPersonRow::new(lang, k)).collect(),
        total: page.total,
        page: page.page,
        pages,
        prev_link: (page.page > 1).then(|| list_link(&params, page.page - 1)),
        next_link: (page.page < pages).then(|| list_link(&params, page.page + 1)),
        error,
    };
    if headers.contains_key("hx-request") && !headers.contains_key("hx-boosted") {
        return render(&rows);
    }
    render(&ListPage {
        lang,
        t: visitor.t(),
        user: visitor.user_view(),
        may_create: visitor.may(Capability::CreateKeyPersons),
        classes: options(&KeyClass::ALL, filter.class, KeyClass::as_str, |c| lang.class(c)),
        statuses: options(&Status::ALL, filter.status, Status::as_str, |s| lang.status(s)),
        area: params.area.clone().unwrap_or_default(),
        grid: params.grid.clone().unwrap_or_default(),
        rows,
    })
}

async fn key_person_page(visitor: Visitor, Path(id): Path<i64>) -> Response {
    detail_response(&visitor, id, TransitionFormView::default()).await
}

async fn detail_response(visitor: &Visitor, id: i64, form: TransitionFormView) -> Response {
    let lang = visitor.lang;
    let detail = match visitor.caller.handle.key_person(id).await {
        Ok(detail) => detail,
        Err(err) => return problem_page(lang, err.into()),
    };
    let targets = domain::legal_targets(detail.record.state.status);
    let chosen = form.to.as_deref().and_then(|s| Status::parse(s).ok());
    let severity = form.severity.as_deref().and_then(|s| Severity::parse(s).ok());
    let status = if form.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = DetailPage {
        lang,
        t: visitor.t(),
        user: visitor.user_view(),
        may_transition: visitor.may(Capability::TransitionKeyPersons),
        targets: options(targets, chosen, Status::as_str, |s| lang.status(s)),
        severities: options(&Severity::ALL, severity, Severity::as_str, |s| lang.severity(s)),
        form_token: visitor.form_token.clone(),
        form_error: form.error,
        reason: form.reason.unwrap_or_default(),
        site: form.site.unwrap_or_default(),
        history: detail.history.iter().map(|e| HistoryView::new(lang, e)).collect(),
        measures: detail.measures.iter().map(|m| MeasureView::new(lang, m)).collect(),
        d: DetailView::new(lang, &detail.record),
    };
    (status, render(&page)).into_response()
}

#[derive(Deserialize)]
struct TransitionForm {
    token: String,
    to: String,
    severity: Option<String>,
    site: Option<String>,
    reason: String,
}

async fn transition_submit(
    visitor: Visitor,
    Path(id): Path<i64>,
    PageForm(form): PageForm<TransitionForm>,
) -> Response {
    if !visitor.form_is_genuine(&form.token) {
        return visitor.stale_form();
    }
    let body = crate::api::dto::TransitionBody {
        to: form.to.clone(),
        reason: form.reason.clone(),
        severity: form.severity.clone(),
        measure: None,
        site: form.site.clone(),
    };
    let outcome = match transition_request(&body) {
        Ok(request) => visitor.caller.handle.transition_key_person(id, request, None).await.map_err(Problem::from),
        Err(problem) => Err(problem),
    };
    match outcome {
        Ok(_) => Redirect::to(&format!("/key-persons/{id}")).into_response(),
        Err(problem) if problem.status == 422 => {
            let form = TransitionFormView {
                to: Some(form.to),
                severity: form.severity,
                site: form.site,
                reason: Some(form.reason),
                error: Some(problem.detail),
            };
            detail_response(&visitor, id, form).await
        }
        Err(problem) => problem_page(visitor.lang, problem),
    }
}

#[derive(Deserialize, Default, Clone)]
struct NewKeyPersonForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    area_code: String,
    #[serde(default)]
    grid_code: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    cadre_name: String,
    #[serde(default)]
    cadre_phone: String,
    #[serde(default)]
    arrival_risk: String,
    #[serde(default)]
    reason: String,
}

fn new_form_page(visitor: &Visitor, form: &NewKeyPersonForm, errors: Vec<(String, String)>) -> Response {
    let lang = visitor.lang;
    let t = visitor.t();
    let error_for = |name: &str| errors.iter().find(|(f, _)| f == name).map(|(_, m)| m.clone());
    let text =
        |name: &'static str, label: &'static str, value: &str, hint: &'static str, required: bool, numeric: bool| {
            FieldView {
                name,
                label,
                value: value.to_string(),
                hint,
                required,
                numeric,
                options: Vec::new(),
                error: error_for(name),
            }
        };
    let class = KeyClass::parse(&form.class).ok();
    let source = Source::parse(&form.source).ok();
    let mut class_field = text("class", t.class, "", "", true, false);
    class_field.options = options(&KeyClass::ALL, class, KeyClass::as_str, |c| lang.class(c));
    let mut risk_field = text("arrival_risk", t.arrival_risk, "", "", false, false);
    risk_field.options = options(&ArrivalRisk::ALL, ArrivalRisk::parse(&form.arrival_risk), ArrivalRisk::as_str, |r| {
        lang.arrival_risk(r)
    });
    let mut source_field = text("source", t.source, "", "", true, false);
    source_field.options = options(&Source::ALL, source, Source::as_str, |s| lang.source(s));
    let fields = vec![
        text("id_number", t.id_number, &form.id_number, "", true, false),
        text("name", t.name, &form.name, "", true, false),
        text("phone", t.phone, &form.phone, "", false, true),
        text("area_code", t.area, &form.area_code, t.area_code_hint, true, true),
        text("grid_code", t.grid, &form.grid_code, t.grid_code_hint, false, true),
        class_field,
        risk_field,
        source_field,
        text("cadre_name", t.cadre, &form.cadre_name, "", false, false),
        text("cadre_phone", t.cadre_phone, &form.cadre_phone, "", false, true),
        text("reason", t.reason, &form.reason, "", false, false),
    ];
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = NewPage { lang, t, user: visitor.user_view(), fields, errors, form_token: visitor.form_token.clone() };
    (status, render(&page)).into_response()
}

async fn new_key_person_page(visitor: Visitor) -> Response {
    if !visitor.may(Capability::CreateKeyPersons) {
        return page_error(visitor.lang, StatusCode::FORBIDDEN, "your role may not register key persons");
    }
    new_form_page(&visitor, &NewKeyPersonForm::default(), Vec::new())
}

/// Every field problem of the form at once, so the worker fixes them in one pass.
fn parse_new_form(form: &NewKeyPersonForm) -> Result<(NewPerson, NewRecordParts), Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut note = |problem: Problem| errors.push(problem.field_message());
    let id_number = fields::id_number(&form.id_number).map_err(&mut note).ok();
    let name = fields::name("name", &form.name).map_err(&mut note).ok();
    let phone = fields::optional_phone("phone", Some(&form.phone)).map_err(&mut note).ok();
    let place = fields::place(&form.area_code, Some(&form.grid_code)).map_err(&mut note).ok();
    let class = fields::class(&form.class).map_err(&mut note).ok();
    let source = fields::source(&form.source).map_err(&mut note).ok();
    let _ = fields::optional_name("cadre_name", Some(&form.cadre_name)).map_err(&mut note);
    let _ = fields::optional_phone("cadre_phone", Some(&form.cadre_phone)).map_err(&mut note);
    // Checked before anything is written: the person is created first.
    let arrival_risk = class
        .map(|class| fields::arrival_risk(class, Some(&form.arrival_risk)))
        .transpose()
        .map_err(&mut note)
        .ok()
        .flatten()
        .flatten();
    match (id_number, name, phone, place, class, source) {
        (Some(id_number), Some(name), Some(phone), Some(place), Some(class), Some(source)) if errors.is_empty() => {
            Ok((NewPerson { id_number, name, phone, place }, NewRecordParts { class, source, arrival_risk }))
        }
        _ => Err(errors),
    }
}

/// What the new key-person form says of the record, checked.
struct NewRecordParts {
    class: KeyClass,
    source: Source,
    arrival_risk: Option<ArrivalRisk>,
}

async fn new_key_person_submit(visitor: Visitor, PageForm(form): PageForm<NewKeyPersonForm>) -> Response {
    if !visitor.form_is_genuine(&form.token) {
        return visitor.stale_form();
    }
    let (person, NewRecordParts { class, source, arrival_risk }) = match parse_new_form(&form) {
        Ok(parsed) => parsed,
        Err(errors) => return new_form_page(&visitor, &form, errors),
    };
    let handle = &visitor.caller.handle;
    let outcome = async {
        let person = handle.create_person(person, None).await?;
        let record = NewKeyPerson {
            person_id: person.id,
            class,
            arrival_risk,
            source,
            cadre_name: fields::optional_name("cadre_name", Some(&form.cadre_name)).ok().flatten(),
            cadre_phone: fields::optional_phone("cadre_phone", Some(&form.cadre_phone)).ok().flatten(),
            reason: if form.reason.trim().is_empty() {
                visitor.lang.source(source).to_string()
            } else {
                form.reason.clone()
            },
        };
        handle.create_key_person(record, None).await
    }
    .await
    .map_err(Problem::from);
    match outcome {
        Ok(created) => Redirect::to(&format!("/key-persons/{}", created.id)).into_response(),
        Err(problem) if problem.status == 422 || problem.status == 409 => {
            new_form_page(&visitor, &form, vec![problem.field_message()])
        }
        Err(problem) => problem_page(visitor.lang, problem),
    }
}

async fn tasks_page(visitor: Visitor) -> Response {
    let lang = visitor.lang;
    let today = visitor.caller.handle.today();
    let page = match visitor.caller.handle.tasks(Some(today), true, PageRequest::new(1, 200)).await {
        Ok(page) => page,
        Err(err) => return problem_page(lang, err.into()),
    };
    let rows = page
        .items
        .into_iter()
        .map(|task| TaskRow {
            overdue: task.due_date < today,
            key_person_id: task.key_person_id,
            name: task.person_name,
            status: lang.status(task.status).to_string(),
            due: task.due_date.to_string(),
            area: task.area_code,
        })
        .collect();
    render(&TasksPage { lang, t: visitor.t(), user: visitor.user_view(), today: today.to_string(), rows })
}

#[derive(Deserialize)]
struct AuditQuery {
    page: Option<u32>,
}

async fn audit_page(visitor: Visitor, Query(query): Query<AuditQuery>) -> Response {
    let lang = visitor.lang;
    let page = match visitor.caller.handle.audit_log(PageRequest::new(query.page.unwrap_or(1), 100)).await {
        Ok(page) => page,
        Err(err) => return problem_page(lang, err.into()),
    };
    let more = u64::from(page.page) * u64::from(page.per_page) < page.total;
    let next_link = more.then(|| format!("/audit?page={}", page.page + 1));
    let rows = page.items.into_iter().map(AuditRow::from).collect();
    render(&AuditPage { lang, t: visitor.t(), user: visitor.user_view(), rows, next_link })
}

/// Each role lands where its work is.
async fn home(visitor: Visitor) -> Redirect {
    if visitor.may(Capability::ReadKeyPersons) {
        Redirect::to("/key-persons")
    } else if visitor.may(Capability::RecordPassages) {
        Redirect::to("/checkpoints")
    } else {
        Redirect::to("/tasks")
    }
}

async fn checkpoints_page(visitor: Visitor) -> Response {
    let lang = visitor.lang;
    match visitor.caller.handle.checkpoints().await {
        Ok(list) => {
            let rows = list.into_iter().map(|c| (c.id, c.name, c.area_code)).collect();
            render(&CheckpointsPage { lang, t: visitor.t(), user: visitor.user_view(), rows })
        }
        Err(err) => problem_page(lang, err.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
struct PassageForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    direction: String,
    vehicle: Option<String>,
    #[serde(default)]
    plate: String,
    #[serde(default)]
    occupants: String,
    #[serde(default)]
    cargo: String,
    pass_checked: Option<String>,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    temperature: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    destination: String,
}

async fn checkpoint_page(visitor: Visitor, Path(id): Path<i64>) -> Response {
    checkpoint_response(&visitor, id, PassageForm::default(), None, None).await
}

async fn checkpoint_response(
    visitor: &Visitor,
    id: i64,
    form: PassageForm,
    result: Option<PassageResult>,
    error: Option<Problem>,
) -> Response {
    let lang = visitor.lang;
    let handle = &visitor.caller.handle;
    let checkpoint = match handle.checkpoints().await {
        Ok(list) => match list.into_iter().find(|c| c.id == id) {
            Some(checkpoint) => checkpoint,
            None => return problem_page(lang, Problem::not_found()),
        },
        Err(err) => return problem_page(lang, err.into()),
    };
    let lines = match handle.passages(id, handle.today()).await {
        Ok(lines) => lines,
        Err(err) => return problem_page(lang, err.into()),
    };
    let threshold = visitor.caller.handle.frontline_threshold();
    let lines: Vec<LedgerLine> = lines
        .into_iter()
        .rev()
        .map(|p| {
            let temperature = store::codec::temperature(p.temperature);
            LedgerLine {
                at: crate::time::shanghai_text(p.at).chars().skip(11).collect(),
                direction: if p.direction == "in" { lang.texts().direction_in } else { lang.texts().direction_out }
                    .to_string(),
                name: p.name.unwrap_or_default(),
                plate: p.plate.unwrap_or_default(),
                temperature: temperature.map(|t| t.to_string()).unwrap_or_default(),
                origin: p.origin.unwrap_or_default(),
                fever: temperature.is_some_and(|t| t.is_fever(threshold)),
            }
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (error_field, error) = match error.map(Problem::field_message) {
        Some((field, message)) => (field, Some(message)),
        None => (String::new(), None),
    };
    let page = CheckpointPage {
        lang,
        t: visitor.t(),
        user: visitor.user_view(),
        id,
        checkpoint: checkpoint.name,
        form_token: visitor.form_token.clone(),
        result,
        error,
        error_field,
        direction: form.direction,
        vehicle: form.vehicle.is_some(),
        plate: form.plate,
        occupants: form.occupants,
        cargo: form.cargo,
        id_number: form.id_number,
        name: form.name,
        phone: form.phone,
        temperature: form.temperature,
        origin: form.origin,
        destination: form.destination,
        count: lines.len(),
        lines,
    };
    (status, render(&page)).into_response()
}

async fn passage_submit(visitor: Visitor, Path(id): Path<i64>, PageForm(form): PageForm<PassageForm>) -> Response {
    if !visitor.form_is_genuine(&form.token) {
        return visitor.stale_form();
    }
    let temperature = match form.temperature.trim() {
        "" => Ok(None),
        text => domain::Temperature::parse(text)
            .map(|t| Some(t.celsius()))
            .map_err(|e| Problem::invalid("temperature", e.to_string())),
    };
    let vehicle = form.vehicle.is_some();
    let outcome = async {
        let body = crate::api::checkpoints::PassageBody {
            direction: if form.direction.is_empty() { "in".into() } else { form.direction.clone() },
            id_number: Some(form.id_number.clone()),
            name: Some(form.name.clone()),
            phone: Some(form.phone.clone()),
            plate: vehicle.then(|| form.plate.clone()),
            occupants: if vehicle { form.occupants.trim().parse().ok() } else { None },
            cargo: vehicle.then(|| form.cargo.clone()),
            origin: Some(form.origin.clone()),
            destination: Some(form.destination.clone()),
            temperature: temperature?,
            pass_checked: Some(form.pass_checked.is_some()),
        };
        let passage = crate::api::checkpoints::passage_request(id, body)?;
        visitor.caller.handle.record_passage(passage).await.map_err(Problem::from)
    }
    .await;
    let t = visitor.t();
    match outcome {
        Ok(receipt) => {
            let who = if vehicle { form.plate.trim().to_string() } else { form.name.trim().to_string() };
            let reading = form.temperature.trim();
            let summary = if reading.is_empty() { who } else { format!("{who} {reading}℃") };
            let advice = if receipt.person_id.is_some() { t.passage_fever_advice } else { t.passage_fever_no_id };
            let result = PassageResult { fever: receipt.fever, summary, advice: advice.to_string() };
            // Keep the direction and places for the next person; clear who it was.
            let next = PassageForm {
                direction: form.direction.clone(),
                origin: form.origin.clone(),
                destination: form.destination.clone(),
                ..PassageForm::default()
            };
            checkpoint_response(&visitor, id, next, Some(result), None).await
        }
        Err(problem) if problem.status == 422 => checkpoint_response(&visitor, id, form, None, Some(problem)).await,
        Err(problem) => problem_page(visitor.lang, problem),
    }
}

#[derive(Deserialize)]
struct FollowUpsQuery {
    date: Option<String>,
}

/// What a submitted follow-up form did, shown on its person's card.
struct CardNote {
    key_person_id: i64,
    result: Option<FollowUpResult>,
    problem: Option<Problem>,
    form: FollowUpForm,
}

async fn follow_ups_page(visitor: Visitor, Query(query): Query<FollowUpsQuery>) -> Response {
    let day = match query.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => match text.parse::<jiff::civil::Date>() {
            Ok(day) => day,
            Err(_) => return page_error(visitor.lang, StatusCode::UNPROCESSABLE_ENTITY, "date: use YYYY-MM-DD"),
        },
        None => visitor.caller.handle.today(),
    };
    follow_ups_response(&visitor, day, None).await
}

async fn follow_ups_response(visitor: &Visitor, day: jiff::civil::Date, note: Option<CardNote>) -> Response {
    use domain::{FollowUpGap, VisitSlot};
    let lang = visitor.lang;
    let t = visitor.t();
    let handle = &visitor.caller.handle;
    let lines = match handle.follow_up_sheet(day).await {
        Ok(lines) => lines,
        Err(err) => return problem_page(lang, err.into()),
    };
    let minute = domain::minutes_into(day, handle.now());
    let slot_label = |slot: VisitSlot| if lang == Lang::Zh { slot.label_zh() } else { slot.label_en() };
    let mut missing_count = 0;
    let mut complete_count = 0;
    let mut status = StatusCode::OK;
    let cards: Vec<FollowUpCard> = lines
        .into_iter()
        .map(|line| {
            let day_record = line.day();
            let gaps = day_record.gaps(minute);
            missing_count += usize::from(!gaps.is_empty());
            complete_count += usize::from(day_record.complete());
            let slots = VisitSlot::ALL
                .into_iter()
                .map(|slot| {
                    let visit = line.visits.iter().find(|v| v.slot == slot);
                    let state = match visit {
                        Some(_) => "done",
                        None if gaps.contains(&FollowUpGap::Visit(slot)) => "missing",
                        None => "pending",
                    };
                    let temperature = visit.and_then(|v| v.temperature).map(|t| format!("{t}℃")).unwrap_or_default();
                    SlotChip { label: slot_label(slot), state, temperature }
                })
                .collect();
            let missing = gaps
                .iter()
                .map(|gap| match gap {
                    FollowUpGap::Visit(slot) => format!("{}{}", slot_label(*slot), t.visit),
                    FollowUpGap::Temperatures { have, due } => format!("{} {have}/{due}", t.temperatures_taken),
                })
                .collect::<Vec<_>>()
                .join(if lang == Lang::Zh { "、" } else { ", " });
            let mut card = FollowUpCard {
                key_person_id: line.key_person_id,
                name: line.name,
                phone: line.phone.as_deref().map(crate::mask::phone).unwrap_or_default(),
                measure: lang.measure(line.measure),
                place: line.grid_code.unwrap_or(line.area_code),
                slots,
                temperatures: day_record.temperatures(),
                temperatures_short: gaps.iter().any(|g| matches!(g, FollowUpGap::Temperatures { .. })),
                missing,
                result: None,
                error: None,
                error_field: String::new(),
                temperature_input: String::new(),
                note_input: String::new(),
            };
            if let Some(note) = note.as_ref().filter(|n| n.key_person_id == card.key_person_id) {
                card.result =
                    note.result.as_ref().map(|r| FollowUpResult { fever: r.fever, message: r.message.clone() });
                if let Some(problem) = note.problem.clone() {
                    status = StatusCode::UNPROCESSABLE_ENTITY;
                    let (field, message) = problem.field_message();
                    card.error = Some(message);
                    card.error_field = field;
                    card.temperature_input = note.form.temperature.clone();
                    card.note_input = note.form.note.clone();
                }
            }
            card
        })
        .collect();
    let page = FollowUpsPage {
        lang,
        t,
        user: visitor.user_view(),
        date: day.to_string(),
        is_today: day == handle.today(),
        may_record: visitor.may(Capability::RecordFollowUps),
        form_token: visitor.form_token.clone(),
        slot_options: VisitSlot::ALL
            .into_iter()
            .map(|s| OptionView {
                value: s.as_str().to_string(),
                label: slot_label(s).to_string(),
                selected: s == VisitSlot::at_minute(minute),
            })
            .collect(),
        missing_count,
        complete_count,
        cards,
    };
    (status, render(&page)).into_response()
}

#[derive(Deserialize, Default, Clone)]
struct FollowUpForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    slot: String,
    #[serde(default)]
    temperature: String,
    #[serde(default)]
    note: String,
}

async fn follow_up_submit(visitor: Visitor, Path(id): Path<i64>, PageForm(form): PageForm<FollowUpForm>) -> Response {
    if !visitor.form_is_genuine(&form.token) {
        return visitor.stale_form();
    }
    let handle = &visitor.caller.handle;
    let day = handle.today();
    let outcome = async {
        let temperature = match form.temperature.trim() {
            "" => None,
            text => Some(domain::Temperature::parse(text).map_err(|e| Problem::invalid("temperature", e.to_string()))?),
        };
        let minute = domain::minutes_into(day, handle.now());
        let follow_up = store::NewFollowUp {
            key_person_id: id,
            day,
            slot: crate::api::followups::slot(Some(&form.slot), minute)?,
            temperature,
            note: form.note.clone(),
        };
        handle.record_follow_up(follow_up).await.map_err(Problem::from)
    }
    .await;
    let t = visitor.t();
    let note = match outcome {
        Ok(receipt) => {
            let message = if receipt.fever {
                t.follow_up_fever
            } else if receipt.duplicate {
                t.visit_already
            } else {
                t.visit_recorded
            };
            CardNote {
                key_person_id: id,
                result: Some(FollowUpResult { fever: receipt.fever, message: message.to_string() }),
                problem: None,
                form: FollowUpForm::default(),
            }
        }
        Err(problem) if problem.status == 422 => {
            CardNote { key_person_id: id, result: None, problem: Some(problem), form }
        }
        Err(problem) => return problem_page(visitor.lang, problem),
    };
    follow_ups_response(&visitor, day, Some(note)).await
}

#[derive(Deserialize)]
struct VenuesQuery {
    page: Option<u32>,
}

/// The venues of the caller's jurisdiction with their posters, and a batch print by area or grid.
async fn venues_page(visitor: Visitor, Query(query): Query<VenuesQuery>) -> Response {
    let lang = visitor.lang;
    let page = query.page.unwrap_or(1).max(1);
    let found = match visitor.caller.handle.venues(PageRequest::new(page, 100)).await {
        Ok(found) => found,
        Err(err) => return problem_page(lang, err.into()),
    };
    let rows = found
        .items
        .into_iter()
        .map(|v| VenueRow {
            id: v.id,
            name: v.name,
            kind: if lang == Lang::Zh { v.kind.label_zh() } else { v.kind.label_en() },
            area: v.area_code,
        })
        .collect();
    render(&VenuesPage {
        lang,
        t: visitor.t(),
        user: visitor.user_view(),
        area: visitor.caller.user.area_code.clone(),
        total: found.total,
        page,
        has_next: u64::from(page) * 100 < found.total,
        rows,
    })
}
