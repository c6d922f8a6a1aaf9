//! The audit log, read through the scoped handle.

use domain::Capability;

use super::Handle;
use crate::error::Result;
use crate::*;

impl Handle {
    pub async fn audit_log(&self, page: PageRequest) -> Result<Page<AuditEntry>> {
        self.require(Capability::ReadAudit)?;
        self.backend.audit(self.scope(), page).await
    }
}
