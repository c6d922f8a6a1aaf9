//! Home follow-up visits (SPEC §4.2, 一二三工作法) on the scoped handle.

use domain::Capability;
use domain::{AuditAction, AuditSubject};
use jiff::civil::Date;

use super::Handle;
use crate::error::{Result, StoreError};
use crate::*;
use domain::Code;

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
        let (record, slot, temperature) = (follow_up.key_person_id, follow_up.slot, follow_up.temperature);
        let receipt = self.backend.insert_follow_up(self.scope(), &self.actor, follow_up, &rule, now).await?;
        if !receipt.duplicate {
            let reading = temperature.map(|t| t.to_string()).unwrap_or_default();
            let detail = format!("{}|{reading}|{}", slot.as_str(), if receipt.fever { "fever" } else { "" });
            self.audit(
                AuditAction::FollowUpRecord,
                AuditSubject::KeyPerson,
                Some(record.get()),
                &receipt.area_code,
                detail,
            )
            .await?;
        }
        Ok(receipt)
    }

    /// The follow-up sheet of a Shanghai day: everyone under home isolation or monitoring in the
    /// caller's jurisdiction, with the visits recorded. Reading names and phones is audited.
    pub async fn follow_up_sheet(&self, day: Date) -> Result<Vec<FollowUpLine>> {
        self.require(Capability::ReadKeyPersons)?;
        let lines = self.backend.follow_up_sheet(self.scope(), day, 2000).await?;
        let detail = format!("{day}|{}", lines.len());
        self.audit(AuditAction::FollowUpSheet, AuditSubject::KeyPerson, None, self.scope().prefix(), detail).await?;
        Ok(lines)
    }
}
