//! Records of big-data comparison (SPEC §4.8): imported lists and their leads (线索).

use async_trait::async_trait;
use domain::{KeyClass, LeadOutcome, ListKind, ListRow, MatchKind, Scope};

use crate::error::Result;
use crate::*;

/// A list to import: rows already read and normalised (row numbers as the user sees them).
#[derive(Debug, Clone)]
pub struct NewList {
    pub kind: ListKind,
    pub name: String,
    pub file_name: String,
    /// SHA-256 of the file's bytes, hex: the same file imported again is recognised.
    pub sha256: String,
    pub rows: Vec<(usize, ListRow)>,
}

/// Counts of one import, as stored with the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListCounts {
    /// Data rows read (after blank rows were skipped).
    pub rows: u64,
    /// Rows repeating an earlier row of the same list (same document, else phone, else name+place).
    pub duplicates: u64,
    pub by_id_number: u64,
    pub by_phone: u64,
    pub by_name_area: u64,
    pub unmatched: u64,
    /// Matched persons who already have an open key-person record: nothing to verify.
    pub already_key_persons: u64,
    /// Rows whose subject already has a lead from an earlier list: not raised twice.
    pub already_leads: u64,
    pub leads: u64,
}

impl ListCounts {
    pub fn matched(&self, kind: MatchKind) -> u64 {
        match kind {
            MatchKind::IdNumber => self.by_id_number,
            MatchKind::Phone => self.by_phone,
            MatchKind::NameArea => self.by_name_area,
            MatchKind::Unmatched => self.unmatched,
        }
    }
}

/// An imported list with its progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSummary {
    pub id: ListId,
    pub area_code: String,
    pub kind: ListKind,
    pub name: String,
    pub file_name: String,
    pub sha256: String,
    pub counts: ListCounts,
    pub verified: u64,
    pub due_at: Instant,
    pub created_by_name: String,
    pub created_at: Instant,
}

/// The list row as stored (what the backend writes in the import's one transaction).
#[derive(Debug, Clone)]
pub struct NewListRecord {
    pub area_code: String,
    pub kind: ListKind,
    pub name: String,
    pub file_name: String,
    pub sha256: String,
    pub counts: ListCounts,
    pub due_at: Instant,
    pub created_by: UserId,
    pub created_by_name: String,
    pub created_at: Instant,
}

/// A lead to write.
#[derive(Debug, Clone)]
pub struct NewLead {
    pub row_number: i64,
    /// Where it is verified: the person's place (grid or division), else the row's, else the list's.
    pub area_code: String,
    pub person_id: Option<PersonId>,
    pub match_kind: MatchKind,
    pub subject_key: String,
    pub id_number: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    pub id: LeadId,
    pub list_id: ListId,
    pub list_name: String,
    pub row_number: i64,
    pub area_code: String,
    pub person_id: Option<PersonId>,
    pub match_kind: MatchKind,
    pub id_number: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub address: String,
    pub due_at: Instant,
    pub verification: Option<LeadVerification>,
}

/// How and by whom a lead was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadVerification {
    pub outcome: LeadOutcome,
    pub note: String,
    pub key_person_id: Option<KeyPersonId>,
    pub by_name: String,
    pub at: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadFilter {
    /// Not yet verified, soonest due first.
    Open,
    /// Not yet verified and past due: escalated to the area officer.
    Overdue { now: Instant },
    /// Every lead of one list, in row order.
    OfList(ListId),
    /// Every lead, by id (exports).
    All,
}

/// A grid worker's verification of a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyLead {
    pub outcome: LeadOutcome,
    pub note: String,
    /// With `Registered`: the key-person class the person is registered in.
    pub class: Option<KeyClass>,
    /// With `Registered` as an arrival: the risk of the area the person came from — what a
    /// telecom or ticketing list usually is about, and what makes the code red or yellow.
    pub arrival_risk: Option<domain::ArrivalRisk>,
}

/// How a lead is closed: the outcome, the worker's note and the record it registered, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadClosing {
    pub outcome: LeadOutcome,
    pub note: String,
    pub key_person_id: Option<KeyPersonId>,
}

/// Big-data comparison (SPEC §4.8): imported lists and their leads.
#[async_trait]
pub trait ListStore: Send + Sync {
    /// The subject keys of every lead in `scope`, verified or not.
    async fn lead_subjects(&self, scope: &Scope) -> Result<Vec<String>>;

    /// The list of `scope` imported from a file with this SHA-256, if any.
    async fn list_by_file(&self, scope: &Scope, sha256: &str) -> Result<Option<ListSummary>>;

    /// Writes the list and all its leads, in their order, in one transaction; returns the list's
    /// id. The same file (area, SHA-256) written concurrently is a conflict, and nothing is
    /// written. The leads are handed over so that a backend may prepare them beside the write.
    async fn insert_list(&self, list: &NewListRecord, leads: Vec<NewLead>) -> Result<ListId>;

    async fn lists(&self, scope: &Scope, limit: u32) -> Result<Vec<ListSummary>>;

    async fn list(&self, scope: &Scope, id: ListId) -> Result<ListSummary>;

    async fn leads(&self, scope: &Scope, filter: LeadFilter, limit: u32) -> Result<Vec<Lead>>;

    async fn lead(&self, scope: &Scope, id: LeadId) -> Result<Lead>;

    /// Closes an open lead and counts it on its list, in one transaction; a closed one is a
    /// conflict.
    async fn close_lead(
        &self,
        scope: &Scope,
        id: LeadId,
        closing: &LeadClosing,
        actor: &Actor,
        now: Instant,
    ) -> Result<()>;
}
