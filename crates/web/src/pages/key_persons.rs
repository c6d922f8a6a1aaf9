//! Key persons (重点人员): the list, a record and its history, the new-record form, transitions.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{ArrivalRisk, Capability, KeyClass, KeyPersonOrder, Severity, Source, Status};
use serde::Deserialize;
use store::{KeyPerson, KeyPersonFilter, Measure, NewKeyPerson, NewPerson, PageRequest, StatusEvent};

use super::form::StaffForm;
use super::i18n::{Lang, Texts};
use super::views::*;
use super::{Visitor, options, render};
use crate::AppState;
use crate::api::fields;
use crate::api::key_persons::{ListParams, transition_request};
use crate::mask;
use crate::problem::Problem;
use crate::time::shanghai_text;
use domain::Code;

/// This capability's pages.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/key-persons", get(key_person_list))
        .route("/key-persons/new", get(new_key_person_page).post(new_key_person_submit))
        .route("/key-persons/{id}", get(key_person_page))
        .route("/key-persons/{id}/transition", post(transition_submit))
}

/// The list's filter as a link, with `extra` (the page, or the export format) after it.
fn list_link(params: &ListParams, extra: (&str, String)) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (name, value) in [
        ("q", &params.q),
        ("class", &params.class),
        ("status", &params.status),
        ("area", &params.area),
        ("grid", &params.grid),
        ("sort", &params.sort),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            pairs.push((name, v.to_string()));
        }
    }
    pairs.push(extra);
    format!("/key-persons?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

#[derive(Deserialize)]
struct ExportQuery {
    format: Option<String>,
}

async fn key_person_list(
    visitor: Visitor,
    headers: HeaderMap,
    Query(params): Query<ListParams>,
    Query(export): Query<ExportQuery>,
) -> Response {
    let lang = visitor.lang;
    // A filter that names nothing is an error on its field, and nothing is listed: a list that
    // quietly dropped the filter would look like the answer.
    let (filter, error) = match params.filter() {
        Ok(filter) => (Some(filter), None),
        Err(problem) => (None, Some(problem.field_message(lang))),
    };
    if export.format.as_deref() == Some("xlsx")
        && let Some(filter) = &filter
    {
        return match workbook(&visitor, filter).await {
            Ok(body) => crate::export::download("key-persons.xlsx", body),
            Err(problem) => visitor.problem(problem),
        };
    }
    let request = PageRequest::new(params.page.unwrap_or(1), params.per_page.unwrap_or(20));
    let page = match &filter {
        Some(filter) => match visitor.caller.handle.key_persons(filter, request).await {
            Ok(page) => page,
            Err(err) => return visitor.problem(err.into()),
        },
        None => store::Page { items: Vec::new(), total: 0, page: 1, per_page: request.per_page },
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (error_field, error) = match error {
        Some((field, message)) => (field, Some(message)),
        None => (String::new(), None),
    };
    let filter = filter.unwrap_or_default();
    let pages = u32::try_from(page.total.div_ceil(u64::from(page.per_page)).max(1)).unwrap_or(u32::MAX);
    let rows = RowsView {
        t: visitor.t(),
        rows: page.items.into_iter().map(|k| KeyPersonRow::new(lang, k)).collect(),
        total: page.total,
        page: page.page,
        pages,
        prev_link: (page.page > 1).then(|| list_link(&params, ("page", (page.page - 1).to_string()))),
        next_link: (page.page < pages).then(|| list_link(&params, ("page", (page.page + 1).to_string()))),
        export_link: list_link(&params, ("format", "xlsx".into())),
        error,
    };
    if headers.contains_key("hx-request") && !headers.contains_key("hx-boosted") {
        return (status, render(&rows)).into_response();
    }
    let page = render(&ListPage {
        lang,
        t: visitor.t(),
        user: visitor.user_view(),
        may_create: visitor.may(Capability::CreateKeyPersons),
        classes: options(KeyClass::ALL, filter.class, lang),
        statuses: options(Status::ALL, filter.status, lang),
        orders: options(KeyPersonOrder::ALL, Some(filter.order), lang),
        q: params.q.clone().unwrap_or_default(),
        picker_root: visitor.caller.user.area_code.clone(),
        area: params.area.clone().unwrap_or_default(),
        grid: params.grid.clone().unwrap_or_default(),
        error_field,
        rows,
    });
    (status, page).into_response()
}

/// Every record the filter finds (up to the export limit), identity data in full: an export is
/// a working list for those who may read each record, and each page read is audited.
async fn workbook(visitor: &Visitor, filter: &KeyPersonFilter) -> Result<Vec<u8>, Problem> {
    let lang = visitor.lang;
    let handle = &visitor.caller.handle;
    let (rows, total) = crate::export::collect(
        500,
        |page| handle.key_persons(filter, page),
        |k| {
            let place = k.grid_code.clone().unwrap_or_else(|| k.area_code.clone());
            vec![
                k.id.to_string(),
                k.name.clone(),
                k.id_number.clone(),
                k.phone.clone().unwrap_or_default(),
                lang.label(k.class).to_string(),
                state_label(lang, k.state),
                k.measure.as_ref().map(|m| lang.label(m.kind).to_string()).unwrap_or_default(),
                k.measure.as_ref().and_then(|m| m.planned_end).map(|d| d.to_string()).unwrap_or_default(),
                crate::places::short_name(&place, lang),
                place,
                shanghai_text(k.updated_at),
            ]
        },
    )
    .await?;
    let header = lang.pick((
        ["编号", "姓名", "身份证号", "手机号", "类别", "状态", "措施", "计划解除", "地区", "区划代码", "更新时间"],
        [
            "No.",
            "Name",
            "ID number",
            "Mobile",
            "Class",
            "Status",
            "Measure",
            "Planned end",
            "Area",
            "Area code",
            "Updated",
        ],
    ));
    let title = lang.pick((format!("重点人员（共 {total} 人）"), format!("Key persons ({total})")));
    crate::export::xlsx(lang.pick(("重点人员", "Key persons")), &title, &header, &rows)
}

#[derive(Deserialize)]
struct SavedQuery {
    saved: Option<String>,
}

async fn key_person_page(visitor: Visitor, Path(id): Path<i64>, Query(query): Query<SavedQuery>) -> Response {
    // The confirmation after a save: what was just done, said once on the page it led to.
    let t = visitor.t();
    let saved = match query.saved.as_deref() {
        Some("created") => Some(t.saved_created),
        Some("transition") => Some(t.saved_transition),
        _ => None,
    };
    detail_response(&visitor, id, TransitionFormView { saved, ..TransitionFormView::default() }).await
}

async fn detail_response(visitor: &Visitor, id: i64, form: TransitionFormView) -> Response {
    let lang = visitor.lang;
    let detail = match visitor.caller.handle.key_person(domain::KeyPersonId::new(id)).await {
        Ok(detail) => detail,
        Err(err) => return visitor.problem(err.into()),
    };
    let movements = match visitor.caller.handle.key_person_movements(&detail.record, 14).await {
        Ok(movements) => movements,
        Err(err) => return visitor.problem(err.into()),
    };
    // A move is a breach when the record kept the person in at the time: since the current
    // confining measure began (its start day), or since the last change into a confining status.
    let record = &detail.record;
    let confined_since = domain::confines(record.state.status, record.measure.as_ref().map(|m| m.kind)).then(|| {
        let measure_start = record.measure.as_ref().map(|m| domain::shanghai_day_start(m.start));
        let status_since = detail.history.iter().rev().find(|e| domain::confines(e.to.status, None)).map(|e| e.at);
        measure_start.into_iter().chain(status_since).min().unwrap_or(i64::MIN)
    });
    let breach = |at: i64| confined_since.is_some_and(|since| at >= since);
    let mut moves: Vec<(i64, MoveView)> = movements
        .checkins
        .iter()
        .map(|v| {
            let place = crate::places::short_name(&v.venue_area_code, lang);
            let what = format!("{} · {place}", v.venue_name);
            (v.visit.t_in, MoveView { at: shanghai_text(v.visit.t_in), what, breach: breach(v.visit.t_in) })
        })
        .chain(movements.passages.iter().map(|p| {
            let direction = domain::Direction::parse(&p.direction).map(|d| lang.label(d)).unwrap_or("");
            let what = format!("{} · {direction}", p.checkpoint_name);
            (p.at, MoveView { at: shanghai_text(p.at), what, breach: breach(p.at) })
        }))
        .collect();
    moves.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let people = visitor.people(detail.history.iter().map(|e| e.actor.as_str())).await;
    let targets = domain::legal_targets(detail.record.state.status);
    let chosen = form.to.as_deref().and_then(|s| Status::parse(s).ok());
    let severity = form.severity.as_deref().and_then(|s| Severity::parse(s).ok());
    let status = if form.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = DetailPage {
        lang,
        t: visitor.t(),
        user: visitor.user_view(),
        may_transition: visitor.may(Capability::TransitionKeyPersons),
        may_investigate: visitor.may(Capability::Investigate),
        targets: options(targets, chosen, lang),
        severities: options(Severity::ALL, severity, lang),
        form_token: visitor.form_token.clone(),
        form_error: form.error,
        saved: form.saved,
        reason: form.reason.unwrap_or_default(),
        site: form.site.unwrap_or_default(),
        history: detail.history.iter().map(|e| HistoryView::new(lang, e, &people)).collect(),
        measures: detail.measures.iter().map(|m| MeasureView::new(lang, m)).collect(),
        breaches: moves.iter().filter(|(_, m)| m.breach).count(),
        moves: moves.into_iter().map(|(_, m)| m).collect(),
        d: DetailView::new(lang, &detail.record),
    };
    (status, render(&page)).into_response()
}

#[derive(Deserialize)]
struct TransitionForm {
    to: String,
    severity: Option<String>,
    site: Option<String>,
    reason: String,
}

async fn transition_submit(Path(id): Path<i64>, StaffForm(visitor, form): StaffForm<TransitionForm>) -> Response {
    let body = crate::api::key_persons::TransitionBody {
        to: form.to.clone(),
        reason: form.reason.clone(),
        severity: form.severity.clone(),
        measure: None,
        site: form.site.clone(),
    };
    let outcome = match transition_request(&body) {
        Ok(request) => visitor
            .caller
            .handle
            .transition_key_person(domain::KeyPersonId::new(id), request, None)
            .await
            .map_err(Problem::from),
        Err(problem) => Err(problem),
    };
    match outcome {
        Ok(_) => Redirect::to(&format!("/key-persons/{id}?saved=transition")).into_response(),
        Err(problem) if problem.status == 422 => {
            let form = TransitionFormView {
                to: Some(form.to),
                severity: form.severity,
                site: form.site,
                reason: Some(form.reason),
                error: Some(problem.field_message(visitor.lang).1),
                saved: None,
            };
            detail_response(&visitor, id, form).await
        }
        Err(problem) => visitor.problem(problem),
    }
}

#[derive(Deserialize, Default, Clone)]
struct NewKeyPersonForm {
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
    class_field.options = options(KeyClass::ALL, class, lang);
    let mut risk_field = text("arrival_risk", t.arrival_risk, "", "", false, false);
    risk_field.options = options(ArrivalRisk::ALL, ArrivalRisk::parse(&form.arrival_risk).ok(), lang);
    let mut source_field = text("source", t.source, "", "", true, false);
    source_field.options = options(Source::ALL, source, lang);
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
    let page = NewPage {
        lang,
        t,
        user: visitor.user_view(),
        fields,
        errors,
        form_token: visitor.form_token.clone(),
        picker_root: visitor.caller.user.area_code.clone(),
    };
    (status, render(&page)).into_response()
}

async fn new_key_person_page(visitor: Visitor) -> Response {
    if !visitor.may(Capability::CreateKeyPersons) {
        return visitor.error(StatusCode::FORBIDDEN, visitor.t().may_not_register);
    }
    new_form_page(&visitor, &NewKeyPersonForm::default(), Vec::new())
}

/// Every field problem of the form at once, so the worker fixes them in one pass.
fn parse_new_form(form: &NewKeyPersonForm, lang: Lang) -> Result<(NewPerson, NewRecordParts), Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut note = |problem: Problem| errors.push(problem.field_message(lang));
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

async fn new_key_person_submit(StaffForm(visitor, form): StaffForm<NewKeyPersonForm>) -> Response {
    let (person, NewRecordParts { class, source, arrival_risk }) = match parse_new_form(&form, visitor.lang) {
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
                visitor.lang.label(source).to_string()
            } else {
                form.reason.clone()
            },
        };
        handle.create_key_person(record, None).await
    }
    .await
    .map_err(Problem::from);
    match outcome {
        Ok(created) => Redirect::to(&format!("/key-persons/{}?saved=created", created.id)).into_response(),
        Err(problem) if problem.status == 422 || problem.status == 409 => {
            new_form_page(&visitor, &form, vec![problem.field_message(visitor.lang)])
        }
        Err(problem) => visitor.problem(problem),
    }
}

pub struct KeyPersonRow {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub class: String,
    pub status: String,
    pub status_code: &'static str,
    pub measure: String,
    pub planned_end: String,
    pub place: crate::places::PlaceView,
    pub updated: String,
}

fn state_label(lang: Lang, state: domain::State) -> String {
    match state.severity {
        Some(severity) => lang.pick((
            format!("{}（{}）", lang.label(state.status), lang.label(severity)),
            format!("{} ({})", lang.label(state.status), lang.label(severity)),
        )),
        None => lang.label(state.status).to_string(),
    }
}

impl KeyPersonRow {
    pub fn new(lang: Lang, k: KeyPerson) -> KeyPersonRow {
        KeyPersonRow {
            id: k.id.get(),
            name: k.name,
            id_number: mask::id_number(&k.id_number),
            class: lang.label(k.class).to_string(),
            status: state_label(lang, k.state),
            status_code: k.state.status.as_str(),
            measure: k.measure.as_ref().map(|m| lang.label(m.kind).to_string()).unwrap_or_default(),
            planned_end: k.measure.as_ref().and_then(|m| m.planned_end).map(|d| d.to_string()).unwrap_or_default(),
            place: crate::places::view(&k.grid_code.unwrap_or(k.area_code), lang),
            updated: shanghai_text(k.updated_at),
        }
    }
}

#[derive(Template)]
#[template(path = "key_person_rows.html")]
pub struct RowsView {
    pub t: &'static Texts,
    pub rows: Vec<KeyPersonRow>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    pub prev_link: Option<String>,
    pub next_link: Option<String>,
    pub export_link: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "key_persons.html")]
pub struct ListPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub may_create: bool,
    pub classes: Vec<OptionView>,
    pub statuses: Vec<OptionView>,
    pub orders: Vec<OptionView>,
    pub q: String,
    /// Where the place picker starts: the visitor's own jurisdiction.
    pub picker_root: String,
    pub area: String,
    pub grid: String,
    /// The filter field at fault.
    pub error_field: String,
    pub rows: RowsView,
}

pub struct DetailView {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub area_code: String,
    pub area_name: String,
    pub grid_code: String,
    pub grid_name: String,
    pub class: String,
    pub source: String,
    pub cadre: String,
    pub status: String,
    pub measure: String,
    pub planned_end: String,
}

impl DetailView {
    pub fn new(lang: Lang, k: &KeyPerson) -> DetailView {
        let division = if k.area_code.len() > 12 { &k.area_code[..12] } else { k.area_code.as_str() };
        let cadre = match (&k.cadre_name, &k.cadre_phone) {
            (Some(name), Some(phone)) => format!("{name} {phone}"),
            (Some(name), None) => name.clone(),
            (None, Some(phone)) => phone.clone(),
            (None, None) => String::new(),
        };
        DetailView {
            id: k.id.get(),
            name: k.name.clone(),
            id_number: k.id_number.clone(),
            phone: k.phone.clone().unwrap_or_default(),
            area_code: k.area_code.clone(),
            area_name: crate::places::full_name(division, lang),
            grid_code: k.grid_code.clone().unwrap_or_default(),
            grid_name: k.grid_code.as_deref().map(|g| crate::places::short_name(g, lang)).unwrap_or_default(),
            class: lang.label(k.class).to_string(),
            source: lang.label(k.source).to_string(),
            cadre,
            status: state_label(lang, k.state),
            measure: k
                .measure
                .as_ref()
                .map(|m| {
                    format!(
                        "{}{}",
                        lang.label(m.kind),
                        m.site.as_deref().map(|s| format!(" · {s}")).unwrap_or_default()
                    )
                })
                .unwrap_or_default(),
            planned_end: k.measure.as_ref().and_then(|m| m.planned_end).map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

pub struct HistoryView {
    pub at: String,
    pub from: String,
    pub to: String,
    pub actor: String,
    pub reason: String,
}

impl HistoryView {
    pub fn new(lang: Lang, e: &StatusEvent, people: &super::People) -> HistoryView {
        HistoryView {
            at: shanghai_text(e.at),
            from: e.from.map(|s| state_label(lang, s)).unwrap_or_else(|| "—".into()),
            to: state_label(lang, e.to),
            actor: people.name(&e.actor),
            reason: e.reason.clone(),
        }
    }
}

pub struct MeasureView {
    pub kind: String,
    pub site: String,
    pub start: String,
    pub planned_end: String,
    pub actual_end: String,
}

impl MeasureView {
    pub fn new(lang: Lang, m: &Measure) -> MeasureView {
        MeasureView {
            kind: lang.label(m.kind).to_string(),
            site: m.site.clone().unwrap_or_default(),
            start: m.start.to_string(),
            planned_end: m.planned_end.map(|d| d.to_string()).unwrap_or_default(),
            actual_end: m.actual_end.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Default)]
pub struct TransitionFormView {
    pub to: Option<String>,
    pub severity: Option<String>,
    pub site: Option<String>,
    pub reason: Option<String>,
    pub error: Option<String>,
    /// What was just saved, to confirm.
    pub saved: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "key_person.html")]
pub struct DetailPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub d: DetailView,
    pub may_transition: bool,
    pub may_investigate: bool,
    pub targets: Vec<OptionView>,
    pub severities: Vec<OptionView>,
    pub form_token: String,
    pub saved: Option<&'static str>,
    pub form_error: Option<String>,
    pub reason: String,
    pub site: String,
    pub history: Vec<HistoryView>,
    pub measures: Vec<MeasureView>,
    /// Check-ins and passages of the last 14 days, newest first.
    pub moves: Vec<MoveView>,
    /// Moves made while the record kept the person in.
    pub breaches: usize,
}

/// One check-in or passage on the record's page.
pub struct MoveView {
    pub at: String,
    pub what: String,
    /// Made while the person should have been in.
    pub breach: bool,
}

pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub hint: &'static str,
    pub required: bool,
    pub numeric: bool,
    pub options: Vec<OptionView>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "new_key_person.html")]
pub struct NewPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub fields: Vec<FieldView>,
    pub errors: Vec<(String, String)>,
    pub form_token: String,
    /// Where the place picker starts: the visitor's own jurisdiction.
    pub picker_root: String,
}
