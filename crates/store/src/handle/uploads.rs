//! Staged uploads (an import's file between preview and commit) on the scoped handle.

use domain::{AuditAction, AuditSubject, Capability};

use super::{Handle, scope_code};
use crate::error::{Result, StoreError};
use crate::*;

impl Handle {
    /// Keeps an uploaded file for the caller until it is committed.
    pub async fn stage_upload(&self, file_name: &str, sha256: &str, bytes: Vec<u8>) -> Result<UploadId> {
        self.require(Capability::ImportLists)?;
        let code = scope_code(self.scope());
        let file_name = domain::text::display_file_name(file_name);
        let upload = NewUpload {
            area_code: code.clone(),
            user_id: self.actor.user_id,
            file_name: file_name.clone(),
            sha256: sha256.to_string(),
            bytes,
        };
        let id = self.backend.insert_upload(upload, self.db.now()).await?;
        self.audit(AuditAction::UploadStage, AuditSubject::Upload, Some(id.get()), &code, file_name).await?;
        Ok(id)
    }

    /// A staged upload: only its uploader sees it.
    pub async fn upload(&self, id: UploadId) -> Result<Upload> {
        self.require(Capability::ImportLists)?;
        let upload = self.backend.upload(id).await?;
        if upload.user_id != self.actor.user_id {
            return Err(StoreError::NotFound);
        }
        Ok(upload)
    }
}
