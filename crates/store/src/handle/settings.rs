//! The rules in force (durations, tracing windows, lead deadlines) on the scoped handle.

use domain::{AuditAction, AuditSubject, Capability};

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
        let d = &durations;
        let value = format!(
            "{}|{}|{}|{}|{}",
            d.home_isolation_days,
            d.central_isolation_days,
            d.epidemic_area_observation_days,
            d.post_discharge_days,
            d.health_monitoring_days
        );
        self.db.set_durations(durations).await?;
        self.audit_setting("durations", value).await
    }

    /// The contact-tracing windows and thresholds in force (SPEC §4.4).
    pub fn tracing_rule(&self) -> Result<domain::TracingRule> {
        self.require(Capability::Investigate)?;
        Ok(self.db.tracing())
    }

    pub async fn set_tracing_rule(&self, rule: domain::TracingRule) -> Result<()> {
        self.require(Capability::ManageSettings)?;
        self.db.set_tracing(rule).await?;
        let value = format!(
            "{}|{}|{}|{}",
            rule.lookback_days, rule.min_stay_seconds, rule.max_stay_seconds, rule.overlap_seconds
        );
        self.audit_setting("tracing", value).await
    }

    /// Hours a grid has to verify a new lead.
    pub fn lead_due_hours(&self) -> u32 {
        self.db.lead_due_hours()
    }

    pub async fn set_lead_due_hours(&self, hours: u32) -> Result<()> {
        self.require(Capability::ManageSettings)?;
        self.db.set_lead_due_hours(hours).await?;
        self.audit_setting("lead_due", hours.to_string()).await
    }

    /// A change of the rules in force, kept at the admin's jurisdiction.
    pub(super) async fn audit_setting(&self, group: &str, value: String) -> Result<()> {
        let area = self.scope().prefix().to_string();
        self.audit(AuditAction::SettingsChange, AuditSubject::Settings, None, &area, format!("{group}|{value}")).await
    }
}
