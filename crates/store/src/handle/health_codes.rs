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

    /// The name of a verified code's holder, for checkpoint staff to match against the person
    /// before them: the signed code names the person, so any jurisdiction's holder is shown.
    /// Audited as a read of that person.
    pub async fn code_holder_name(&self, person_id: PersonId) -> Result<String> {
        if !(self.actor.role.may(Capability::RecordPassages) || self.actor.role.may(Capability::ReadPassages)) {
            return Err(StoreError::Forbidden { role: self.actor.role, capability: Capability::ReadPassages });
        }
        let person = self.backend.person(&domain::Scope::national(), person_id).await?;
        self.audit(
            domain::AuditAction::PersonRead,
            domain::AuditSubject::Person,
            Some(person_id.get()),
            &person.area_code,
            "verify".into(),
        )
        .await?;
        Ok(person.name)
    }
}
