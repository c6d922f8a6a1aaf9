//! What waits for the caller, counted within their jurisdiction (the menu's numbers).

use domain::{Capability, VisitSlot};

use super::Handle;
use crate::error::Result;
use crate::*;

impl Handle {
    /// Counts of open work, each only where the caller's role may act on it (zero elsewhere).
    pub async fn waiting(&self) -> Result<Waiting> {
        let now = self.db.now();
        let today = self.today();
        let slot = VisitSlot::at_minute(domain::minutes_into(today, now));
        let found = self.backend.waiting(self.scope(), WaitingAt { today, slot, now }).await?;
        let role = self.actor.role;
        let keep = |capability: Capability, n: u64| if role.may(capability) { n } else { 0 };
        Ok(Waiting {
            tasks: keep(Capability::ReadTasks, found.tasks),
            visits: if role.may(Capability::RecordFollowUps) && role.may(Capability::ReadKeyPersons) {
                found.visits
            } else {
                0
            },
            leads: keep(Capability::VerifyLeads, found.leads),
            leads_overdue: keep(Capability::VerifyLeads, found.leads_overdue),
            tracing: keep(Capability::TraceContacts, found.tracing),
        })
    }
}
