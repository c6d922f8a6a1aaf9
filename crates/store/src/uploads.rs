//! Files staged for import.

use async_trait::async_trait;

use crate::error::Result;
use crate::*;

/// A file uploaded for import and kept until it is committed (the mapping is checked between).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub id: Id,
    pub area_code: String,
    pub user_id: Id,
    pub file_name: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub created_at: Instant,
}

/// Files staged for import until they are committed.
#[async_trait]
pub trait UploadStore: Send + Sync {
    async fn insert_upload(
        &self,
        area_code: &str,
        user_id: Id,
        file_name: &str,
        sha256: &str,
        bytes: Vec<u8>,
        now: Instant,
    ) -> Result<Id>;

    async fn upload(&self, id: Id) -> Result<Upload>;

    /// Deletes staged uploads created before `before`; returns how many.
    async fn purge_uploads(&self, before: Instant) -> Result<u64>;
}
