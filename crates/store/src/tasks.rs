//! Tasks on key-person records.

use async_trait::async_trait;
use domain::{Scope, Status};
use jiff::civil::Date;

use crate::error::Result;
use crate::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// A measure's planned end has come: someone must decide on release.
    ReleaseDue,
    /// A fever was measured: take the person to a fever clinic (SPEC §4.3).
    FeverTransfer,
    /// A person kept in (isolation, observation) checked in or passed a checkpoint: their
    /// responsible cadre brings them back (违规外出).
    Breach,
    /// The same breach, for the area where it happened.
    BreachAtVenue,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::ReleaseDue => "release_due",
            TaskKind::FeverTransfer => "fever_transfer",
            TaskKind::Breach => "breach",
            TaskKind::BreachAtVenue => "breach_venue",
        }
    }

    pub fn parse(s: &str) -> Option<TaskKind> {
        match s {
            "release_due" => Some(TaskKind::ReleaseDue),
            "fever_transfer" => Some(TaskKind::FeverTransfer),
            "breach" => Some(TaskKind::Breach),
            "breach_venue" => Some(TaskKind::BreachAtVenue),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: TaskId,
    pub kind: TaskKind,
    pub key_person_id: KeyPersonId,
    pub person_name: String,
    pub status: Status,
    /// The record's responsible cadre: whom the area of a breach calls, since it may not open
    /// a record kept elsewhere.
    pub cadre_name: Option<String>,
    pub cadre_phone: Option<String>,
    pub area_code: String,
    pub due_date: Date,
    pub created_at: Instant,
    pub done_at: Option<Instant>,
}

/// Tasks that fall due on key-person records (release, fever transfer).
#[async_trait]
pub trait TaskStore: Send + Sync {
    /// Opens a `release_due` task for every record whose measure's planned end is on or before
    /// `today` and that has none yet for that date. Returns how many were opened.
    async fn open_release_tasks(&self, today: Date, now: Instant) -> Result<u64>;

    async fn tasks(
        &self,
        scope: &Scope,
        due_on_or_before: Option<Date>,
        open_only: bool,
        page: PageRequest,
    ) -> Result<Page<Task>>;
}
