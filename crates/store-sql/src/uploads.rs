//! Files staged for import, kept until committed and purged after a week.

use async_trait::async_trait;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Row, Type};
use store::*;

use crate::{Dialect, SqlBackend, fail};

sql_impl! {
#[async_trait]
impl UploadStore {
    async fn insert_upload(&self, upload: NewUpload, now: Instant) -> Result<UploadId> {
        let NewUpload { area_code, user_id, file_name, sha256, bytes } = upload;
        // The same file uploaded again by the same user is the same upload (kept once).
        let same: Option<i64> =
            sqlx::query_scalar(D::sql("SELECT id FROM uploads WHERE user_id = ? AND sha256 = ? ORDER BY id LIMIT 1"))
                .bind(user_id.get())
                .bind(&sha256)
                .fetch_optional(&self.writer)
                .await
                .map_err(fail)?;
        if let Some(id) = same {
            return Ok(UploadId::new(id));
        }
        let row = sqlx::query(D::sql(
            "INSERT INTO uploads (area_code, user_id, file_name, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        ))
        .bind(area_code)
        .bind(user_id.get())
        .bind(file_name)
        .bind(sha256)
        .bind(bytes)
        .bind(now)
        .fetch_one(&self.writer)
        .await
        .map_err(fail)?;
        row.try_get::<i64, _>(0).map(UploadId::new).map_err(fail)
    }

    async fn upload(&self, id: UploadId) -> Result<Upload> {
        let row = sqlx::query(D::sql(
            "SELECT id, area_code, user_id, file_name, sha256, bytes, created_at FROM uploads WHERE id = ?",
        ))
        .bind(id.get())
        .fetch_optional(&self.readers)
        .await
        .map_err(fail)?
        .ok_or(StoreError::NotFound)?;
        Ok(Upload {
            id: row.try_get::<i64, _>(0).map_err(fail)?.into(),
            area_code: row.try_get(1).map_err(fail)?,
            user_id: row.try_get::<i64, _>(2).map_err(fail)?.into(),
            file_name: row.try_get(3).map_err(fail)?,
            sha256: row.try_get(4).map_err(fail)?,
            bytes: row.try_get(5).map_err(fail)?,
            created_at: row.try_get(6).map_err(fail)?,
        })
    }

    async fn purge_uploads(&self, before: Instant) -> Result<u64> {
        let done = sqlx::query(D::sql("DELETE FROM uploads WHERE created_at < ?"))
            .bind(before)
            .execute(&self.writer)
            .await
            .map_err(fail)?;
        Ok(D::rows_affected(&done))
    }
}
}
