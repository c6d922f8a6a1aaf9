//! The rules in force (durations, tracing windows, lead deadlines) on the scoped handle.

use domain::Capability;

use super::Handle;
use crate::error::Result;

impl Handle {
    /// The measure durations in force (SPEC §4.2).
    pub fn durations(&self) -> Result<domain::Durations> {
        self.require(Capability::ReadKeyPersons)?;
        Ok(self.db.durations())
    }

    pub async fn set_durations(&self, durations: domain::Durations) -> Result<()> {
        self.require(Capability::ManageSettings)?;
        self.db.set_durations(durations).await
    }

    /// The contact-tracing windows and thresholds in force (SPEC §4.4).
    pub fn tracing_rule(&self) -> Result<domain::TracingRule> {
        self.require(Capability::Investigate)?;
        Ok(self.db.tracing())
    }

    pub async fn set_tracing_rule(&self, rule: domain::TracingRule) -> Result<()> {
        self.require(Capability::ManageSettings)?;
        self.db.set_tracing(rule).await
    }

    /// Hours a grid has to verify a new lead.
    pub fn lead_due_hours(&self) -> u32 {
        self.db.lead_due_hours()
    }

    pub async fn set_lead_due_hours(&self, hours: u32) -> Result<()> {
        self.require(Capability::ManageSettings)?;
        self.db.set_lead_due_hours(hours).await
    }
}
