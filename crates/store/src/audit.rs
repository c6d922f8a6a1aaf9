//! The audit log of staff reads and writes.

use async_trait::async_trait;
use domain::Scope;

use crate::error::Result;
use crate::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    pub at: Instant,
    pub user_id: UserId,
    pub username: String,
    pub action: String,
    pub subject_kind: String,
    /// The record the entry is about, of the kind `subject` names.
    pub subject_id: Option<i64>,
    pub area_code: String,
    pub remote_addr: Option<String>,
    pub detail: String,
}

/// What the handle records when staff read personal data.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at: Instant,
    pub user_id: UserId,
    pub username: String,
    pub action: &'static str,
    pub subject_kind: &'static str,
    pub subject_id: Option<i64>,
    pub area_code: String,
    pub remote_addr: Option<String>,
    pub detail: String,
}

/// Which audit rows to list; every part narrows (the caller's scope always applies).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The username of whoever acted.
    pub actor: Option<String>,
    pub action: Option<domain::AuditAction>,
    pub subject: Option<domain::AuditSubject>,
    /// With `subject`: that one record.
    pub subject_id: Option<i64>,
    /// An area or grid within the caller's jurisdiction.
    pub within: Option<Scope>,
    /// From this instant (inclusive) to that one (exclusive).
    pub from: Option<Instant>,
    pub to: Option<Instant>,
}

/// The audit log: appended in batches by the audit queue, read within a scope.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends audit rows in one transaction (the audit queue's batches).
    async fn append_audits(&self, entries: &[NewAuditEntry]) -> Result<()>;

    async fn audit(&self, scope: &Scope, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>>;
}
