//! What a health code (SPEC §4.5) is derived from.

use async_trait::async_trait;
use domain::{KeyClass, MeasureKind, Status};
use jiff::civil::Date;

use crate::error::Result;
use crate::*;

/// What the health code is derived from, as read from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthFacts {
    pub person_id: PersonId,
    pub area_code: String,
    pub record: Option<OpenRecord>,
    /// Pending candidacies: a stay at an epidemic point in a case's exposure, not yet cleared.
    pub exposures: Vec<(String, Instant)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRecord {
    pub class: KeyClass,
    pub status: Status,
    pub measure: Option<MeasureKind>,
    pub measure_until: Option<Date>,
    pub arrival_risk: Option<domain::ArrivalRisk>,
}

/// What a health code (SPEC §4.5) is derived from.
#[async_trait]
pub trait HealthCodeStore: Send + Sync {
    /// What a person's code derives from: the open record and pending exposures.
    async fn health_facts(&self, person_id: PersonId) -> Result<HealthFacts>;
}
