//! What waits for a caller, counted: the numbers beside the menu's lines. Counts only — no
//! names, no personal data, so nothing to audit; each page view asks once.

use async_trait::async_trait;
use domain::Scope;
use jiff::civil::Date;

use crate::error::Result;
use crate::*;

/// Open work within a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiting {
    /// Open tasks due today or earlier (releases, fever transfers, breaches).
    pub tasks: u64,
    /// Persons on today's follow-up sheet without a visit in `slot`.
    pub visits: u64,
    /// Leads not yet verified; `leads_overdue` of them past due.
    pub leads: u64,
    pub leads_overdue: u64,
    /// Pending tracing tasks.
    pub tracing: u64,
}

/// The slot and moment the counts are taken at.
#[derive(Debug, Clone, Copy)]
pub struct WaitingAt {
    pub today: Date,
    pub slot: domain::VisitSlot,
    pub now: Instant,
}

#[async_trait]
pub trait WorkbenchStore: Send + Sync {
    async fn waiting(&self, scope: &Scope, at: WaitingAt) -> Result<Waiting>;
}
