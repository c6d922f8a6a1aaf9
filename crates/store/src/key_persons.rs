//! Key persons (重点人员): records, measures, status history and filters.

use async_trait::async_trait;
use domain::{GridCode, KeyClass, KeyPersonOrder, MeasureKind, PersonName, Phone, Scope, Source, State, Status};
use jiff::civil::Date;

use crate::error::Result;
use crate::transition::TransitionPlanner;
use crate::*;

#[derive(Debug, Clone)]
pub struct NewKeyPerson {
    pub person_id: PersonId,
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
    pub id: KeyPersonId,
    pub person_id: PersonId,
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
    pub id: StatusEventId,
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
    /// Only the records of persons this finds (ID number, mobile, or a name's beginning).
    pub person: Option<PersonQuery>,
    pub order: KeyPersonOrder,
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

/// Key persons (重点人员): a current-state row per record and its append-only history.
#[async_trait]
pub trait KeyPersonStore: Send + Sync {
    async fn insert_key_person(
        &self,
        scope: &Scope,
        actor: &Actor,
        record: NewKeyPerson,
        idem: Option<IdempotencyKey>,
        now: Instant,
    ) -> Result<Created<KeyPersonId>>;

    async fn key_persons(&self, scope: &Scope, filter: &KeyPersonFilter, page: PageRequest) -> Result<Page<KeyPerson>>;

    async fn key_person(&self, scope: &Scope, id: KeyPersonId) -> Result<KeyPersonDetail>;

    /// Appends a status event and updates the current-state row in one transaction, after
    /// `planner` has accepted the change against the current state read inside it.
    async fn transition_key_person(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: KeyPersonId,
        planner: &TransitionPlanner,
        idem: Option<IdempotencyKey>,
        now: Instant,
    ) -> Result<Created<StatusEventId>>;

    /// The id of the person's open key-person record, if any.
    async fn open_record_id(&self, person_id: PersonId) -> Result<Option<KeyPersonId>>;

    /// Persons in `scope` with an open key-person record.
    async fn active_key_person_ids(&self, scope: &Scope) -> Result<Vec<PersonId>>;
}
