//! Records that cross the storage port. Inputs (`New*`) carry validated domain types; outputs
//! carry what the database holds, already validated when it was written.

use domain::{
    AreaCode, GridCode, KeyClass, MeasureKind, PersonName, Phone, ResidentId, Role, Scope, Source, State, Status,
};
use jiff::civil::Date;

pub type Id = i64;
/// Unix seconds, UTC. Converted to Asia/Shanghai only at the edges.
pub type Instant = i64;

/// The authenticated caller: every scoped read and write is done on its behalf and within `scope`.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Id,
    pub username: String,
    pub role: Role,
    pub scope: Scope,
    /// Where the request came from, for the audit log.
    pub remote_addr: Option<String>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The code whose prefix is this user's jurisdiction (a division or a grid code).
    pub area_code: String,
}

impl User {
    pub fn scope(&self) -> Scope {
        Scope::of_code_str(&self.area_code).unwrap_or_else(Scope::national)
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub area_code: String,
}

#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

/// Where a record lives: a division, optionally narrowed to a grid below it. The stored
/// `area_code` column is the most specific code (the grid's when there is one), so a single
/// prefix range serves officers and grid workers alike; its first six digits are the county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub area: AreaCode,
    pub grid: Option<GridCode>,
}

impl Place {
    pub fn location_code(&self) -> &str {
        match &self.grid {
            Some(grid) => grid.as_str(),
            None => self.area.as_str(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewPerson {
    pub id_number: ResidentId,
    pub name: PersonName,
    pub phone: Option<Phone>,
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: Id,
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub created_at: Instant,
}

/// The outcome of a create: the record's id and whether this call made it (false when it already
/// existed, or when an idempotent request was replayed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Created {
    pub id: Id,
    pub created: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonQuery {
    IdNumber(String),
    Phone(String),
    Name(String),
}

#[derive(Debug, Clone)]
pub struct NewKeyPerson {
    pub person_id: Id,
    pub class: KeyClass,
    /// For an arrival from an epidemic area only: the risk of the area it came from (high makes
    /// the code red, medium or unrecorded yellow; SPEC §4.5).
    pub arrival_risk: Option<domain::ArrivalRisk>,
    pub source: Source,
    pub cadre_name: Option<PersonName>,
    pub cadre_phone: Option<Phone>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub kind: MeasureKind,
    pub site: Option<String>,
    pub start: Date,
    pub planned_end: Option<Date>,
    pub actual_end: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPerson {
    pub id: Id,
    pub person_id: Id,
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub class: KeyClass,
    pub source: Source,
    pub cadre_name: Option<String>,
    pub cadre_phone: Option<String>,
    pub state: State,
    pub measure: Option<Measure>,
    pub created_at: Instant,
    pub updated_at: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    pub id: Id,
    pub from: Option<State>,
    pub to: State,
    pub actor: String,
    pub at: Instant,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPersonDetail {
    pub record: KeyPerson,
    pub history: Vec<StatusEvent>,
    /// Every measure, oldest first; the last one without `actual_end` is the current one.
    pub measures: Vec<Measure>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPersonFilter {
    pub class: Option<KeyClass>,
    pub status: Option<Status>,
    /// Narrows the caller's jurisdiction further; never widens it.
    pub within: Option<Scope>,
    pub grid: Option<GridCode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    pub const MAX_PER_PAGE: u32 = 200;

    pub fn new(page: u32, per_page: u32) -> PageRequest {
        PageRequest { page: page.max(1), per_page: per_page.clamp(1, Self::MAX_PER_PAGE) }
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest::new(1, 50)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// A requested status change. `severity` is required exactly when `to` is `confirmed`.
#[derive(Debug, Clone)]
pub struct TransitionRequest {
    pub to: State,
    pub reason: String,
    /// Overrides the status's default measure (e.g. health monitoring instead of home isolation).
    pub measure: Option<MeasureKind>,
    /// Isolation site or hospital, when the measure has one.
    pub site: Option<String>,
}

/// An `Idempotency-Key` with a digest of the request it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_digest: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// A measure's planned end has come: someone must decide on release.
    ReleaseDue,
    /// A fever was measured: take the person to a fever clinic (SPEC §4.3).
    FeverTransfer,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::ReleaseDue => "release_due",
            TaskKind::FeverTransfer => "fever_transfer",
        }
    }

    pub fn parse(s: &str) -> Option<TaskKind> {
        match s {
            "release_due" => Some(TaskKind::ReleaseDue),
            "fever_transfer" => Some(TaskKind::FeverTransfer),

            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: Id,
    pub kind: TaskKind,
    pub key_person_id: Id,
    pub person_name: String,
    pub status: Status,
    pub area_code: String,
    pub due_date: Date,
    pub created_at: Instant,
    pub done_at: Option<Instant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: Id,
    pub at: Instant,
    pub user_id: Id,
    pub username: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<Id>,
    pub area_code: String,
    pub remote_addr: Option<String>,
    pub detail: String,
}

/// What the handle records when staff read personal data.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at: Instant,
    pub user_id: Id,
    pub username: String,
    pub action: &'static str,
    pub subject_kind: &'static str,
    pub subject_id: Option<Id>,
    pub area_code: String,
    pub remote_addr: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone)]
pub struct NewGrid {
    pub code: GridCode,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub code: String,
    pub parent_code: Option<String>,
    pub level: u8,
    pub name: String,
    pub households: u64,
    pub workers: Vec<GridWorker>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridWorker {
    pub name: String,
    pub phone: String,
    pub user_id: Option<Id>,
}

#[derive(Debug, Clone)]
pub struct NewGridWorker {
    pub grid: GridCode,
    pub name: PersonName,
    pub phone: Phone,
    pub user_id: Option<Id>,
}

#[derive(Debug, Clone)]
pub struct NewHousehold {
    pub grid: GridCode,
    pub address: String,
}

/// A key person loaded in bulk (the demo): its whole history, already checked by the caller.
#[derive(Debug, Clone)]
pub struct BulkKeyPerson {
    pub person_id: Id,
    pub place: Place,
    pub class: KeyClass,
    pub source: Source,
    pub cadre_name: Option<String>,
    pub cadre_phone: Option<String>,
    pub history: Vec<(Option<State>, State, Instant, String)>,
    pub measures: Vec<Measure>,
    pub actor_id: Id,
    pub actor_name: String,
}

/// A person loaded in bulk; `household` is an index into the households loaded alongside.
#[derive(Debug, Clone)]
pub struct BulkPerson {
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub place: Place,
    pub household_id: Option<Id>,
}

/// A venue to register; `token` is the random, unguessable content of its 场所码.
#[derive(Debug, Clone)]
pub struct NewVenue {
    pub token: String,
    pub name: String,
    pub kind: domain::VenueKind,
    pub address: String,
    pub place: Place,
    pub owner_name: Option<PersonName>,
    pub owner_phone: Option<Phone>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venue {
    pub id: Id,
    pub token: String,
    pub name: String,
    pub kind: domain::VenueKind,
    pub address: String,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub owner_name: Option<String>,
    pub owner_phone: Option<String>,
    pub created_at: Instant,
}

/// A check-in loaded in bulk (the demo's weeks of history).
#[derive(Debug, Clone)]
pub struct BulkCheckin {
    pub venue_id: Id,
    pub person_id: Id,
    pub area_code: String,
    pub t_in: Instant,
    pub t_out: Option<Instant>,
    pub temperature: Option<domain::Temperature>,
}

/// A citizen's check-in at a venue, as the phone sent it.

#[derive(Debug, Clone)]
pub struct CheckinRequest {
    pub venue_token: String,
    pub id_number: ResidentId,
    pub name: PersonName,
    pub phone: Option<Phone>,
    pub temperature: Option<domain::Temperature>,
    pub idempotency: Option<IdempotencyKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinReceipt {
    pub id: Id,
    pub person_id: Id,
    pub venue_id: Id,
    pub venue_name: String,
    pub at: Instant,
    /// The same person checked in here within the dedupe window: this is that check-in.
    pub duplicate: bool,
    /// The temperature met the fever threshold: a fever record and a transfer task exist.
    pub fever: bool,
}

#[derive(Debug, Clone)]
pub struct NewCheckpoint {
    pub name: String,
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: Id,
    pub name: String,
    pub area_code: String,
    pub created_at: Instant,
}

/// Who or what passed a checkpoint.
#[derive(Debug, Clone)]
pub enum PassageSubject {
    /// A person: the ID number when shown (read from a code or typed once), else name and phone.
    Person {
        id_number: Option<ResidentId>,
        name: PersonName,
        phone: Option<Phone>,
    },
    Vehicle {
        plate: domain::PlateNumber,
        occupants: u16,
        cargo: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct NewPassage {
    pub checkpoint_id: Id,
    pub direction: domain::Direction,
    pub subject: PassageSubject,
    pub origin: Option<String>,
    pub destination: Option<String>,
    pub temperature: Option<domain::Temperature>,
    /// A vehicle pass (通行证) was checked.
    pub pass_checked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageReceipt {
    pub id: Id,
    pub person_id: Option<Id>,
    /// At or above the fever threshold: with an ID number, a fever record and a transfer task
    /// exist; without one, staff must take the ID.
    pub fever: bool,
}

/// One line of a checkpoint's daily ledger (台账).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    pub id: Id,
    pub at: Instant,
    pub direction: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub plate: Option<String>,
    pub occupants: Option<i64>,
    pub cargo: Option<String>,
    pub pass_checked: bool,
    pub origin: Option<String>,
    pub destination: Option<String>,
    pub temperature: Option<i64>,
}

/// A home follow-up visit (一二三工作法) of a key person under home isolation or monitoring.
#[derive(Debug, Clone)]
pub struct NewFollowUp {
    pub key_person_id: Id,
    /// The Shanghai day of the visit (today, or an earlier day being caught up).
    pub day: Date,
    pub slot: domain::VisitSlot,
    pub temperature: Option<domain::Temperature>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpReceipt {
    pub id: Id,
    /// This visit was already recorded: the earlier record, unchanged.
    pub duplicate: bool,
    /// The temperature met the fever threshold: a fever-transfer task is open.
    pub fever: bool,
}

#[derive(Debug, Clone)]
pub struct FollowUpVisit {
    pub slot: domain::VisitSlot,
    pub temperature: Option<domain::Temperature>,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: Instant,
}

/// One person on the follow-up sheet of a day, with the visits recorded so far.
#[derive(Debug, Clone)]
pub struct FollowUpLine {
    pub key_person_id: Id,
    pub person_id: Id,
    pub name: String,
    pub phone: Option<String>,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub measure: domain::MeasureKind,
    pub cadre_name: Option<String>,
    pub visits: Vec<FollowUpVisit>,
}

impl FollowUpLine {
    pub fn day(&self) -> domain::FollowUpDay {
        let mut day = domain::FollowUpDay::default();
        for visit in &self.visits {
            day.record(visit.slot, visit.temperature.is_some());
        }
        day
    }
}

/// Rows of a table and the bytes its pages and indexes take on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    pub rows: u64,
    pub bytes: u64,
}
