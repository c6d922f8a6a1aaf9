//! Health codes for staff (SPEC §4.5) on the scoped handle.

use domain::Capability;
use domain::{AuditAction, AuditSubject};

use super::Handle;
use crate::error::{Result, StoreError};
use crate::*;
use domain::Code;

impl Handle {
    /// A person's health code for staff (SPEC §4.5): the person must be in the jurisdiction,
    /// and the read — a health status — is audited.
    pub async fn person_health_code(&self, person_id: PersonId) -> Result<(HealthFacts, domain::HealthCode)> {
        self.require(Capability::ReadPersons)?;
        let found = self.db.health_code(person_id).await?;
        // The facts carry the person's place: out of scope is absent, as for every read.
        if !self.scope().contains(&found.0.area_code) {
            return Err(StoreError::NotFound);
        }
        self.audit(
            AuditAction::HealthCodeRead,
            AuditSubject::Person,
            Some(person_id.get()),
            &found.0.area_code,
            found.1.colour.as_str().into(),
        )
        .await?;
        Ok(found)
    }
}
