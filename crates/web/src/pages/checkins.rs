//! The citizen's check-in page, what a 场所码 opens: public, no account; the phone remembers the
//! person (`assets/checkin.js`) once a check-in is accepted.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::form::PageForm;
use super::i18n::Lang;
use askama::Template;

use super::i18n::Texts;
use super::{lang_of, page_error, problem_page, render};
use crate::AppState;
use crate::auth::ClientAddr;
use crate::problem::{FormRefusal, Problem};

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/c/{token}", get(checkin_page).post(checkin_submit))
}

#[derive(Deserialize, Default)]
pub(super) struct CheckinForm {
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    temperature: String,
}

/// The page a phone opens when it scans a 场所码: public, no account.
pub(super) async fn checkin_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    checkin_form(&state, lang_of(&headers), &token, &CheckinForm::default(), None).await
}

async fn checkin_form(
    state: &AppState,
    lang: Lang,
    token: &str,
    form: &CheckinForm,
    error: Option<Problem>,
) -> Response {
    let venue = match state.db.venue_by_token(token).await {
        Ok(Some(venue)) => venue,
        Ok(None) => return page_error(lang, StatusCode::NOT_FOUND, lang.texts().unknown_venue),
        Err(err) => return problem_page(lang, err.into()),
    };
    let FormRefusal { status, field: error_field, message: error } = Problem::on_form(error, lang);
    let page = CheckinPage {
        lang,
        t: lang.texts(),
        token: venue.token,
        venue: venue.name,
        kind: lang.label(venue.kind).to_string(),
        error,
        error_field,
        id_number: form.id_number.clone(),
        name: form.name.clone(),
        phone: form.phone.clone(),
        temperature: form.temperature.clone(),
    };
    (status, render(&page)).into_response()
}

pub(super) async fn checkin_submit(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Path(token): Path<String>,
    PageForm(form): PageForm<CheckinForm>,
) -> Response {
    let lang = lang_of(&headers);
    let temperature = form.temperature.trim();
    let parsed = match temperature {
        "" => Ok(None),
        text => domain::Temperature::parse(text).map(Some).map_err(|e| Problem::because("temperature", &e)),
    };
    let body = crate::api::checkins::CheckinBody {
        venue_token: token.clone(),
        id_number: form.id_number.clone(),
        name: form.name.clone(),
        phone: Some(form.phone.clone()),
        temperature: None,
    };
    let request = parsed.and_then(|t| {
        crate::api::checkins::checkin_request(&body).map(|mut r| {
            r.temperature = t;
            r
        })
    });
    let request = match request {
        Ok(request) => request,
        Err(problem) => return checkin_form(&state, lang, &token, &form, Some(problem)).await,
    };
    let id_masked = crate::mask::id_number(request.id_number.as_str());
    let name = request.name.as_str().to_string();
    match crate::api::checkins::submit(&state, addr, request).await {
        Ok(receipt) => render(&CheckinDonePage {
            lang,
            t: lang.texts(),
            venue: receipt.venue_name,
            at: crate::time::shanghai_text(receipt.at),
            name,
            id_masked,
            fever: receipt.fever,
            breach: receipt.breach,
            duplicate: receipt.duplicate,
        }),
        Err(mut problem) => {
            if problem.kind == crate::problem::IDENTITY_MISMATCH {
                problem.errors.clear();
                problem.detail = Box::new(domain::Message::new(
                    Lang::Zh.texts().identity_mismatch,
                    Lang::En.texts().identity_mismatch,
                ));
            }
            if problem.status == 422 || problem.status == 429 {
                checkin_form(&state, lang, &token, &form, Some(problem)).await
            } else {
                problem_page(lang, problem)
            }
        }
    }
}

#[derive(Template)]
#[template(path = "checkin.html")]
pub struct CheckinPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub token: String,
    pub venue: String,
    pub kind: String,
    pub error: Option<String>,
    pub error_field: String,
    pub id_number: String,
    pub name: String,
    pub phone: String,
    pub temperature: String,
}

#[derive(Template)]
#[template(path = "checkin_done.html")]
pub struct CheckinDonePage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub venue: String,
    pub at: String,
    pub name: String,
    pub id_masked: String,
    pub fever: bool,
    /// Under isolation or observation: the code does not allow this visit.
    pub breach: bool,
    pub duplicate: bool,
}
