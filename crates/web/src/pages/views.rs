//! Page templates and the plain strings they show; all formatting happens here, not in HTML.

use askama::Template;
use store::{AuditEntry, KeyPerson, Measure, StatusEvent};

use super::i18n::{Lang, Texts};
use crate::mask;
use crate::time::shanghai_text;

pub struct UserView {
    pub name: String,
    pub role: String,
    pub area: String,
    pub is_admin: bool,
    pub may_key_persons: bool,
    pub may_tasks: bool,
    pub may_checkpoints: bool,
    pub may_follow_ups: bool,
    pub may_venues: bool,
    pub may_investigate: bool,
    pub may_trace: bool,
    pub may_import: bool,
    pub may_verify_leads: bool,
}

pub struct OptionView {
    pub value: String,
    pub label: String,
    pub selected: bool,
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

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub message: String,
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
    pub area: String,
    pub updated: String,
}

fn state_label(lang: Lang, state: domain::State) -> String {
    match state.severity {
        Some(severity) => format!("{}（{}）", lang.status(state.status), lang.severity(severity)),
        None => lang.status(state.status).to_string(),
    }
}

impl KeyPersonRow {
    pub fn new(lang: Lang, k: KeyPerson) -> KeyPersonRow {
        KeyPersonRow {
            id: k.id,
            name: k.name,
            id_number: mask::id_number(&k.id_number),
            class: lang.class(k.class).to_string(),
            status: state_label(lang, k.state),
            status_code: k.state.status.as_str(),
            measure: k.measure.as_ref().map(|m| lang.measure(m.kind).to_string()).unwrap_or_default(),
            planned_end: k.measure.as_ref().and_then(|m| m.planned_end).map(|d| d.to_string()).unwrap_or_default(),
            area: k.grid_code.unwrap_or(k.area_code),
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
    pub area: String,
    pub grid: String,
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
            id: k.id,
            name: k.name.clone(),
            id_number: k.id_number.clone(),
            phone: k.phone.clone().unwrap_or_default(),
            area_code: k.area_code.clone(),
            area_name: divisions::full_name(division).unwrap_or_default(),
            grid_code: k.grid_code.clone().unwrap_or_default(),
            class: lang.class(k.class).to_string(),
            source: lang.source(k.source).to_string(),
            cadre,
            status: state_label(lang, k.state),
            measure: k
                .measure
                .as_ref()
                .map(|m| {
                    format!(
                        "{}{}",
                        lang.measure(m.kind),
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
    pub fn new(lang: Lang, e: &StatusEvent) -> HistoryView {
        HistoryView {
            at: shanghai_text(e.at),
            from: e.from.map(|s| state_label(lang, s)).unwrap_or_else(|| "—".into()),
            to: state_label(lang, e.to),
            actor: e.actor.clone(),
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
            kind: lang.measure(m.kind).to_string(),
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
}

#[derive(Template)]
#[template(path = "key_person.html")]
pub struct DetailPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub d: DetailView,
    pub may_transition: bool,
    pub targets: Vec<OptionView>,
    pub severities: Vec<OptionView>,
    pub form_token: String,
    pub form_error: Option<String>,
    pub reason: String,
    pub site: String,
    pub history: Vec<HistoryView>,
    pub measures: Vec<MeasureView>,
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
}

pub struct TaskRow {
    pub overdue: bool,
    pub key_person_id: i64,
    pub name: String,
    pub status: String,
    pub due: String,
    pub area: String,
}

#[derive(Template)]
#[template(path = "tasks.html")]
pub struct TasksPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub today: String,
    pub rows: Vec<TaskRow>,
}

pub struct AuditRow {
    pub at: String,
    pub username: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub area: String,
    pub remote: String,
}

impl From<AuditEntry> for AuditRow {
    fn from(a: AuditEntry) -> AuditRow {
        AuditRow {
            at: shanghai_text(a.at),
            username: a.username,
            action: a.action,
            subject: a.subject_id.map(|id| format!("#{id}")).unwrap_or_default(),
            detail: a.detail,
            area: a.area_code,
            remote: a.remote_addr.unwrap_or_default(),
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
    pub duplicate: bool,
}

pub struct PassageResult {
    pub fever: bool,
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
    pub lines: Vec<LedgerLine>,
}

#[derive(Template)]
#[template(path = "checkpoints.html")]
pub struct CheckpointsPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub rows: Vec<(i64, String, String)>,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub rows: Vec<AuditRow>,
    pub next_link: Option<String>,
}

pub struct SlotChip {
    pub label: &'static str,
    /// done, missing or pending.
    pub state: &'static str,
    pub temperature: String,
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
    pub place: String,
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
    pub slot_options: Vec<OptionView>,
    pub missing_count: usize,
    pub complete_count: usize,
    pub cards: Vec<FollowUpCard>,
}

pub struct VenueRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub area: String,
}

#[derive(Template)]
#[template(path = "venues.html")]
pub struct VenuesPage {
    pub lang: Lang,
    pub t: &'static Texts,
    pub user: Option<UserView>,
    pub area: String,
    pub total: u64,
    pub page: u32,
    pub has_next: bool,
    pub rows: Vec<VenueRow>,
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
