//! Checkpoints and their passages (SPEC §4.3) on the scoped handle.

use domain::Capability;
use domain::{AuditAction, AuditSubject};
use jiff::civil::Date;

use super::Handle;
use crate::error::{Result, StoreError};
use crate::*;
use domain::Code;

impl Handle {
    /// The fever threshold in force, to mark ledger lines.
    pub fn frontline_threshold(&self) -> domain::Temperature {
        self.db.frontline().fever_threshold
    }

    pub async fn create_checkpoint(&self, checkpoint: NewCheckpoint) -> Result<Created<CheckpointId>> {
        self.require(Capability::ManageVenues)?;
        self.check_place(&checkpoint.place)?;
        let name = checkpoint.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::invalid("name", "应为 1–100 个字", "1 to 100 characters"));
        }
        let area_code = checkpoint.place.location_code().to_string();
        let created = self.backend.insert_checkpoint(self.scope(), checkpoint, self.db.now()).await?;
        self.audit(
            AuditAction::CheckpointCreate,
            AuditSubject::Checkpoint,
            Some(created.id.get()),
            &area_code,
            String::new(),
        )
        .await?;
        Ok(created)
    }

    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
        self.require(Capability::ReadAreas)?;
        self.backend.checkpoints(self.scope()).await
    }

    /// Registers a passage; a fever with an ID number opens a fever record and a transfer task.
    pub async fn record_passage(&self, passage: NewPassage) -> Result<PassageReceipt> {
        self.require(Capability::RecordPassages)?;
        for (field, text) in [("origin", &passage.origin), ("destination", &passage.destination)] {
            if text.as_deref().is_some_and(|t| t.chars().count() > 100) {
                return Err(StoreError::invalid(field, "最多 100 个字", "at most 100 characters"));
            }
        }
        if let PassageSubject::Vehicle { cargo: Some(cargo), .. } = &passage.subject
            && cargo.chars().count() > 200
        {
            return Err(StoreError::invalid("cargo", "最多 200 个字", "at most 200 characters"));
        }
        let rule = self.db.frontline();
        let (checkpoint_id, direction) = (passage.checkpoint_id, passage.direction);
        let receipt = self.backend.insert_passage(self.scope(), &self.actor, passage, &rule, self.db.now()).await?;
        let detail = format!("{}|{}", direction.as_str(), if receipt.fever { "fever" } else { "" });
        self.audit(
            AuditAction::PassageRecord,
            AuditSubject::Checkpoint,
            Some(checkpoint_id.get()),
            &receipt.area_code,
            detail,
        )
        .await?;
        Ok(receipt)
    }

    /// A checkpoint's ledger (台账) for one Shanghai day; reading names and phones is audited.
    pub async fn passages(&self, checkpoint_id: CheckpointId, day: Date) -> Result<Vec<Passage>> {
        self.require(Capability::ReadPassages)?;
        // Another county's checkpoint, or none, is not found — not an empty ledger.
        if !self.backend.checkpoints(self.scope()).await?.iter().any(|c| c.id == checkpoint_id) {
            return Err(StoreError::NotFound);
        }
        let from = domain::shanghai_day_start(day);
        let found = self.backend.passages(self.scope(), checkpoint_id, from, from + 86_400).await?;
        let detail = format!("{day}|{}", found.len());
        self.audit(
            AuditAction::PassageLedger,
            AuditSubject::Checkpoint,
            Some(checkpoint_id.get()),
            self.scope().prefix(),
            detail,
        )
        .await?;
        Ok(found)
    }
}
