//! The settings table: one JSON value per rule group.

use async_trait::async_trait;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Row, Type};
use store::*;

use crate::{Dialect, SqlBackend, fail};

sql_impl! {
#[async_trait]
impl SettingsStore {
    async fn settings(&self) -> Result<Vec<(String, String)>> {
        let rows =
            sqlx::query(D::sql("SELECT key, value FROM settings")).fetch_all(&self.writer).await.map_err(fail)?;
        rows.iter().map(|r| Ok((r.try_get(0).map_err(fail)?, r.try_get(1).map_err(fail)?))).collect()
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(D::sql(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        ))
        .bind(key)
        .bind(value)
        .execute(&self.writer)
        .await
        .map_err(fail)?;
        Ok(())
    }
}
}
