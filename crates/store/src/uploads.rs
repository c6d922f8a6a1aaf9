//! Files staged for import.

use async_trait::async_trait;

use crate::error::Result;
use crate::*;

/// A file uploaded for import and kept until it is committed (the mapping is checked between).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub id: UploadId,
    pub area_code: String,
    pub user_id: UserId,
    pub file_name: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub created_at: Instant,
}

/// A file to stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload {
    pub area_code: String,
    pub user_id: UserId,
    pub file_name: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// Files staged for import until they are committed.
#[async_trait]
pub trait UploadStore: Send + Sync {
    async fn insert_upload(&self, upload: NewUpload, now: Instant) -> Result<UploadId>;

    async fn upload(&self, id: UploadId) -> Result<Upload>;

    /// Deletes staged uploads created before `before`; returns how many.
    async fn purge_uploads(&self, before: Instant) -> Result<u64>;
}
