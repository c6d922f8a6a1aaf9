//! Health-code pages: the citizen's own code on a phone (`/h`), and the checkpoint's
//! scan-and-verify page (`/verify`), which verifies tokens in the browser with the public keys.

use super::form::PageForm;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::Message;
use domain::{Capability, Colour};
use serde::Deserialize;

use askama::Template;

use super::i18n::Texts;
use super::views::UserView;
use super::{Lang, Visitor, lang_of, page_error, problem_page, render, too_many_message};
use crate::AppState;
use crate::api::fields;
use crate::attempts::{Guess, TooMany};
use crate::auth::ClientAddr;
use crate::problem::{FormRefusal, Problem};
use domain::Code;

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/h", get(code_page).post(code_submit))
        .route("/verify", get(verify_page))
        .route("/verify/holder/{person}", get(code_holder))
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct CodeForm {
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

fn css_colour(colour: Colour) -> &'static str {
    match colour {
        Colour::Green => "#1b7f3b",
        Colour::Yellow => "#b58100",
        Colour::Red => "#c62828",
    }
}

fn page(lang: Lang, form: &CodeForm, code: Option<CodeView>, error: Option<Problem>) -> Response {
    let FormRefusal { status, field: error_field, message: error } = Problem::on_form(error, lang);
    let page = HealthCodePage {
        lang,
        t: lang.texts(),
        c: lang.code_texts(),
        error,
        error_field,
        id_number: form.id_number.clone(),
        name: form.name.clone(),
        phone: form.phone.clone(),
        code,
    };
    (status, render(&page)).into_response()
}

/// The 429 in the page's language.
fn too_many_problem(too_many: TooMany) -> Problem {
    let mut problem = Problem::too_many_attempts(too_many);
    problem.detail =
        Box::new(domain::Message::new(too_many_message(Lang::Zh, too_many), too_many_message(Lang::En, too_many)));
    problem
}

pub(super) async fn code_page(headers: HeaderMap) -> Response {
    page(lang_of(&headers), &CodeForm::default(), None, None)
}

pub(super) async fn code_submit(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    PageForm(form): PageForm<CodeForm>,
) -> Response {
    let lang = lang_of(&headers);
    let now = state.db.now();
    if let Err(too_many) = state.attempts.check(Guess::CitizenIdentity, addr, now) {
        return page(lang, &form, None, Some(too_many_problem(too_many)));
    }
    let parsed = (|| {
        let id_number = fields::id_number(&form.id_number)?;
        let name = fields::name("name", &form.name)?;
        let phone = fields::optional_phone("phone", Some(&form.phone))?.ok_or_else(|| {
            Problem::invalid(
                "phone",
                Message::new("请填写该身份证登记的手机号", "the mobile number registered with the ID"),
            )
        })?;
        Ok::<_, Problem>((id_number, name, phone))
    })();
    let (id_number, name, phone) = match parsed {
        Ok(parsed) => parsed,
        Err(problem) => return page(lang, &form, None, Some(problem)),
    };
    let found = match state.db.health_code_by_identity(&id_number, &name, &phone).await {
        Ok(found) => found,
        Err(err) => return problem_page(lang, err.into()),
    };
    let Some((person_id, code)) = found else {
        state.attempts.failed(Guess::CitizenIdentity, addr, now);
        let message = domain::Message::new(Lang::Zh.code_texts().no_such_person, Lang::En.code_texts().no_such_person);
        return page(lang, &form, None, Some(Problem::new(StatusCode::NOT_FOUND, "not-found", message)));
    };
    let view = crate::api::health_codes::view(&state, person_id.get(), &code);
    let qr_svg = match print::qr_svg(&view.token, css_colour(code.colour)) {
        Ok(svg) => svg,
        Err(err) => {
            tracing::error!(error = %err, "health-code QR could not be drawn");
            return page_error(lang, StatusCode::INTERNAL_SERVER_ERROR, lang.texts().server_error);
        }
    };
    let reasons =
        code.reasons.iter().map(|r| ReasonLine { colour: r.colour().as_str(), text: lang.pick(r.texts()) }).collect();
    let code_view = CodeView {
        colour: code.colour.as_str(),
        label: lang.label(code.colour),
        reasons,
        qr_svg,
        token: view.token,
        expires_at: crate::time::shanghai_text(code.expires_at),
        expires_unix: code.expires_at,
    };
    page(lang, &form, Some(code_view), None)
}

pub(super) async fn verify_page(State(state): State<AppState>, visitor: Visitor) -> Response {
    let lang = visitor.lang;
    if !(visitor.may(Capability::RecordPassages) || visitor.may(Capability::ReadPassages)) {
        let message = lang.code_texts().verify_staff_only;
        return visitor.error(StatusCode::FORBIDDEN, message);
    }
    let keys: Vec<(u32, String)> = state.keys.public_keys().entries();
    let keys_json = serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into());
    render(&VerifyPage { lang, t: visitor.t(), c: lang.code_texts(), user: visitor.user_view(), keys_json })
}

/// `GET /verify/holder/{person}`: the masked name of a verified code's holder, as JSON, for the
/// verify page to show beside the verdict when it is online.
async fn code_holder(visitor: Visitor, Path(person): Path<i64>) -> Response {
    match visitor.caller.handle.code_holder_name(domain::PersonId::new(person)).await {
        Ok(name) => axum::Json(serde_json::json!({ "name": crate::mask::name(&name) })).into_response(),
        Err(err) => crate::problem::Problem::from(err).into_response(),
    }
}

/// One reason of a health code, in the page's language.
pub struct ReasonLine {
    pub colour: &'static str,
    pub text: String,
}

/// A derived code as the citizen's page shows it.
pub struct CodeView {
    pub colour: &'static str,
    pub label: &'static str,
    pub reasons: Vec<ReasonLine>,
    /// Inline SVG of the token's QR, in the code's colour.
    pub qr_svg: String,
    pub token: String,
    pub expires_at: String,
    /// Unix seconds, for the page's own expiry check.
    pub expires_unix: i64,
}

#[derive(Template)]
#[template(path = "health_code.html")]
pub struct HealthCodePage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub c: &'static super::i18n::CodeTexts,
    pub error: Option<String>,
    pub error_field: String,
    pub id_number: String,
    pub name: String,
    pub phone: String,
    pub code: Option<CodeView>,
}

#[derive(Template)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub c: &'static super::i18n::CodeTexts,
    pub user: Option<UserView>,
    /// The public keys as JSON `[[id, "base64url"], …]`, kept by the page for offline use.
    pub keys_json: String,
}
