//! Checkpoints (卡口): the station page, the passage form and the day's ledger.

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::Capability;
use serde::Deserialize;

use super::form::StaffForm;
use super::i18n::{Lang, Texts};
use super::views::*;
use super::{Visitor, forbidden, render};
use crate::AppState;
use crate::problem::{FormRefusal, Problem};

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/checkpoints", get(checkpoints_page))
        .route("/checkpoints/{id}", get(checkpoint_page).post(passage_submit))
}

async fn checkpoints_page(visitor: Visitor) -> Response {
    let lang = visitor.lang;
    match visitor.caller.handle.checkpoints().await {
        Ok(list) => {
            let rows =
                list.into_iter().map(|c| (c.id.get(), c.name, crate::places::view(&c.area_code, lang))).collect();
            render(&CheckpointsPage { lang, t: visitor.t(), user: visitor.user_view(), rows })
        }
        Err(err) => visitor.problem(err.into()),
    }
}

#[derive(Deserialize, Default, Clone)]
struct PassageForm {
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
    // A role that may neither read nor record passages is refused before any checkpoint is looked up.
    if !(visitor.may(Capability::ReadPassages) || visitor.may(Capability::RecordPassages)) {
        return forbidden(visitor, Capability::ReadPassages);
    }
    let checkpoint = match handle.checkpoints().await {
        Ok(list) => match list.into_iter().find(|c| c.id == domain::CheckpointId::new(id)) {
            Some(checkpoint) => checkpoint,
            None => return visitor.problem(Problem::not_found()),
        },
        Err(err) => return visitor.problem(err.into()),
    };
    let lines = match handle.passages(domain::CheckpointId::new(id), handle.today()).await {
        Ok(lines) => lines,
        Err(err) => return visitor.problem(err.into()),
    };
    let threshold = visitor.caller.handle.frontline_threshold();
    // The station's counters for today: in, out and fevers.
    let counters = (
        lines.iter().filter(|p| p.direction == "in").count(),
        lines.iter().filter(|p| p.direction != "in").count(),
        lines
            .iter()
            .filter(|p| store::codec::temperature(p.temperature).is_some_and(|t| t.is_fever(threshold)))
            .count(),
    );
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
    let FormRefusal { field: error_field, message: error, .. } = Problem::on_form(error, lang);
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
        counters,
        lines,
    };
    (status, render(&page)).into_response()
}

async fn passage_submit(Path(id): Path<i64>, StaffForm(visitor, form): StaffForm<PassageForm>) -> Response {
    let temperature = match form.temperature.trim() {
        "" => Ok(None),
        text => {
            domain::Temperature::parse(text).map(|t| Some(t.celsius())).map_err(|e| Problem::because("temperature", &e))
        }
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
            let result =
                PassageResult { fever: receipt.fever, breach: receipt.breach, summary, advice: advice.to_string() };
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
        Err(problem) => visitor.problem(problem),
    }
}

pub struct PassageResult {
    pub fever: bool,
    /// Under isolation or observation: stop the person.
    pub breach: bool,
    pub summary: String,
    pub advice: String,
}

pub struct LedgerLine {
    pub at: String,
    pub direction: String,
    pub name: String,
    pub plate: String,
    pub temperature: String,
    pub origin: String,
    pub fever: bool,
}

#[derive(Template)]
#[template(path = "checkpoint.html")]
pub struct CheckpointPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub id: i64,
    pub checkpoint: String,
    pub form_token: String,
    pub result: Option<PassageResult>,
    pub error: Option<String>,
    pub error_field: String,
    pub direction: String,
    pub vehicle: bool,
    pub plate: String,
    pub occupants: String,
    pub cargo: String,
    pub id_number: String,
    pub name: String,
    pub phone: String,
    pub temperature: String,
    pub origin: String,
    pub destination: String,
    pub count: usize,
    /// Today's passages in, out, and those with a fever.
    pub counters: (usize, usize, usize),
    pub lines: Vec<LedgerLine>,
}

#[derive(Template)]
#[template(path = "checkpoints.html")]
pub struct CheckpointsPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    /// (id, name, where).
    pub rows: Vec<(i64, String, crate::places::PlaceView)>,
}
