//! The audit log, read through the scoped handle.

use domain::Capability;

use super::Handle;
use crate::error::Result;
use crate::*;

impl Handle {
    /// The log within the caller's jurisdiction, newest first, narrowed by `filter`.
    pub async fn audit_log(&self, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>> {
        self.require(Capability::ReadAudit)?;
        let Some(scope) = self.narrowed(filter.within.as_ref()) else { return Ok(Page::empty(page)) };
        self.backend.audit(&scope, filter, page).await
    }
}
