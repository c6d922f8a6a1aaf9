//! Checkpoints and passages (卡口登记).

use async_trait::async_trait;
use domain::{PersonName, Phone, ResidentId, Scope};

use crate::error::Result;
use crate::*;

#[derive(Debug, Clone)]
pub struct NewCheckpoint {
    pub name: String,
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: CheckpointId,
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
    pub checkpoint_id: CheckpointId,
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
    pub id: PassageId,
    pub person_id: Option<PersonId>,
    /// The checkpoint's area, where the passage is kept.
    pub area_code: String,
    /// The person is kept in (isolation or observation): stop them; their cadre and the
    /// checkpoint's area have a breach task.
    pub breach: bool,
    /// At or above the fever threshold: with an ID number, a fever record and a transfer task
    /// exist; without one, staff must take the ID.
    pub fever: bool,
}

/// One line of a checkpoint's daily ledger (台账).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    pub id: PassageId,
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

/// Checkpoints (卡口) and their passage ledgers.
#[async_trait]
pub trait CheckpointStore: Send + Sync {
    async fn insert_checkpoint(
        &self,
        scope: &Scope,
        checkpoint: NewCheckpoint,
        now: Instant,
    ) -> Result<Created<CheckpointId>>;

    async fn checkpoints(&self, scope: &Scope) -> Result<Vec<Checkpoint>>;

    /// Registers a passage at a checkpoint in `scope`, applying the fever rule to a person with
    /// an ID number, in one transaction.
    async fn insert_passage(
        &self,
        scope: &Scope,
        actor: &Actor,
        passage: NewPassage,
        rule: &domain::FrontLine,
        now: Instant,
    ) -> Result<PassageReceipt>;

    /// A checkpoint's passages in `[from, to)`, oldest first.
    async fn passages(
        &self,
        scope: &Scope,
        checkpoint_id: CheckpointId,
        from: Instant,
        to: Instant,
    ) -> Result<Vec<Passage>>;
}
