//! Home follow-up visits (SPEC §4.2, 一二三工作法) on the scoped handle.

use domain::Capability;
use jiff::civil::Date;

use super::Handle;
use crate::error::{Result, StoreError};
use crate::*;

impl Handle {
    /// Records a home follow-up visit (一二三工作法); a fever opens a transfer task once per episode.
    pub async fn record_follow_up(&self, follow_up: NewFollowUp) -> Result<FollowUpReceipt> {
        self.require(Capability::RecordFollowUps)?;
        let now = self.db.now();
        let today = domain::shanghai_date(now);
        if follow_up.day > today || follow_up.day < today.yesterday().unwrap_or(today) {
            return Err(StoreError::invalid("day", "只能记录今天或昨天的随访", "record visits of today or yesterday"));
        }
        if follow_up.note.chars().count() > 200 {
            return Err(StoreError::invalid("note", "最多 200 个字", "at most 200 characters"));
        }
        let rule = self.db.frontline();
        self.backend.insert_follow_up(self.scope(), &self.actor, follow_up, &rule, now).await
    }

    /// The follow-up sheet of a Shanghai day: everyone under home isolation or monitoring in the
    /// caller's jurisdiction, with the visits recorded. Reading names and phones is audited.
    pub async fn follow_up_sheet(&self, day: Date) -> Result<Vec<FollowUpLine>> {
        self.require(Capability::ReadKeyPersons)?;
        let lines = self.backend.follow_up_sheet(self.scope(), day, 2000).await?;
        let detail = format!("follow-up sheet of {day}, {} persons", lines.len());
        self.audit("follow_up.sheet", "key_person", None, self.scope().prefix(), detail).await?;
        Ok(lines)
    }
}
