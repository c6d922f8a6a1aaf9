//! The audit log, read through the scoped handle.

use domain::Capability;

use super::{Handle, narrowest};
use crate::error::Result;
use crate::*;

impl Handle {
    /// The log within the caller's jurisdiction, newest first, narrowed by `filter`.
    pub async fn audit_log(&self, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>> {
        self.require(Capability::ReadAudit)?;
        let scope = match &filter.within {
            Some(within) => match narrowest(self.scope(), within) {
                Some(scope) => scope,
                None => return Ok(Page { items: Vec::new(), total: 0, page: page.page, per_page: page.per_page }),
            },
            None => self.scope().clone(),
        };
        self.backend.audit(&scope, filter, page).await
    }
}
