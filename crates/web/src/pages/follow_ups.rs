//! Home follow-ups (一二三工作法): the day's sheet and the visit form.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::Capability;
use serde::Deserialize;

use super::form::StaffForm;
use super::i18n::{Lang, Texts};
use super::views::*;
use super::{Visitor, render};
use crate::AppState;
use crate::problem::Problem;
use domain::Code;

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new().route("/follow-ups", get(follow_ups_page)).route("/follow-ups/{id}", post(follow_up_submit))
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
            Err(_) => return visitor.error(StatusCode::UNPROCESSABLE_ENTITY, visitor.t().bad_date),
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
        Err(err) => return visitor.problem(err.into()),
    };
    let minute = domain::minutes_into(day, handle.now());
    let threshold = handle.frontline_threshold();
    let slot_label = |slot: VisitSlot| lang.label(slot);
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
                .iter()
                .copied()
                .map(|slot| {
                    let visit = line.visits.iter().find(|v| v.slot == slot);
                    let state = match visit {
                        Some(_) => "done",
                        None if gaps.contains(&FollowUpGap::Visit(slot)) => "missing",
                        None => "pending",
                    };
                    let reading = visit.and_then(|v| v.temperature);
                    let temperature = reading.map(|t| format!("{t}℃")).unwrap_or_default();
                    let fever = reading.is_some_and(|t| t.is_fever(threshold));
                    SlotChip { label: slot_label(slot), state, temperature, fever }
                })
                .collect();
            let missing = gaps
                .iter()
                .map(|gap| match gap {
                    FollowUpGap::Visit(slot) => format!("{}{}", slot_label(*slot), t.visit),
                    FollowUpGap::Temperatures { have, due } => format!("{} {have}/{due}", t.temperatures_taken),
                })
                .collect::<Vec<_>>()
                .join(t.list_separator);
            let mut card = FollowUpCard {
                key_person_id: line.key_person_id.get(),
                name: line.name,
                // In full, as a call link: the worker phones the people on their sheet.
                phone: line.phone.clone().unwrap_or_default(),
                slot_options: super::options(VisitSlot::ALL, day_record.next_slot(minute), lang),
                measure: lang.label(line.measure),
                place: crate::places::view(&line.grid_code.unwrap_or(line.area_code), lang),
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
                    let (field, message) = problem.field_message(visitor.lang);
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
        missing_count,
        complete_count,
        cards,
    };
    (status, render(&page)).into_response()
}

#[derive(Deserialize, Default, Clone)]
struct FollowUpForm {
    #[serde(default)]
    slot: String,
    #[serde(default)]
    temperature: String,
    #[serde(default)]
    note: String,
}

async fn follow_up_submit(Path(id): Path<i64>, StaffForm(visitor, form): StaffForm<FollowUpForm>) -> Response {
    let handle = &visitor.caller.handle;
    let day = handle.today();
    let outcome = async {
        let temperature = match form.temperature.trim() {
            "" => None,
            text => Some(domain::Temperature::parse(text).map_err(|e| Problem::because("temperature", &e))?),
        };
        let minute = domain::minutes_into(day, handle.now());
        let follow_up = store::NewFollowUp {
            key_person_id: domain::KeyPersonId::new(id),
            day,
            slot: crate::api::follow_ups::slot(Some(&form.slot), minute)?,
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
        Err(problem) => return visitor.problem(problem),
    };
    follow_ups_response(&visitor, day, Some(note)).await
}

pub struct SlotChip {
    pub label: &'static str,
    /// done, missing or pending.
    pub state: &'static str,
    pub temperature: String,
    /// At or above the fever threshold: shown red, never as a plain tick.
    pub fever: bool,
}

pub struct FollowUpResult {
    pub fever: bool,
    pub message: String,
}

pub struct FollowUpCard {
    pub key_person_id: i64,
    pub name: String,
    pub phone: String,
    pub measure: &'static str,
    pub place: crate::places::PlaceView,
    /// The visit this card's form offers first (`FollowUpDay::next_slot`).
    pub slot_options: Vec<OptionView>,
    pub slots: Vec<SlotChip>,
    pub temperatures: u8,
    pub temperatures_short: bool,
    /// The gaps in words, empty when none.
    pub missing: String,
    pub result: Option<FollowUpResult>,
    pub error: Option<String>,
    pub error_field: String,
    pub temperature_input: String,
    pub note_input: String,
}

#[derive(Template)]
#[template(path = "follow_ups.html")]
pub struct FollowUpsPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub date: String,
    pub is_today: bool,
    pub may_record: bool,
    pub form_token: String,
    pub missing_count: usize,
    pub complete_count: usize,
    pub cards: Vec<FollowUpCard>,
}
