//! Home follow-ups (一二三工作法).

use async_trait::async_trait;
use domain::Scope;
use jiff::civil::Date;

use crate::error::Result;
use crate::*;

/// A home follow-up visit (一二三工作法) of a key person under home isolation or monitoring.
#[derive(Debug, Clone)]
pub struct NewFollowUp {
    pub key_person_id: KeyPersonId,
    /// The Shanghai day of the visit (today, or an earlier day being caught up).
    pub day: Date,
    pub slot: domain::VisitSlot,
    pub temperature: Option<domain::Temperature>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpReceipt {
    pub id: FollowUpId,
    /// This visit was already recorded: the earlier record, unchanged.
    pub duplicate: bool,
    /// The temperature met the fever threshold: a fever-transfer task is open.
    pub fever: bool,
    /// The key person's area.
    pub area_code: String,
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
    pub key_person_id: KeyPersonId,
    pub person_id: PersonId,
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

/// Home follow-ups (一二三工作法) of persons under home isolation or monitoring.
#[async_trait]
pub trait FollowUpStore: Send + Sync {
    /// Records a visit of a key person in `scope` who is under home isolation or monitoring; the
    /// same (person, day, visit) again returns the first record. A fever applies the fever rule,
    /// in the same transaction.
    async fn insert_follow_up(
        &self,
        scope: &Scope,
        actor: &Actor,
        follow_up: NewFollowUp,
        rule: &domain::FrontLine,
        now: Instant,
    ) -> Result<FollowUpReceipt>;

    /// Everyone in `scope` under home isolation or monitoring, with their visits of `day`; at most
    /// `limit` persons, by grid.
    async fn follow_up_sheet(&self, scope: &Scope, day: Date, limit: u32) -> Result<Vec<FollowUpLine>>;
}
