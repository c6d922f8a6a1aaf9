//! Settings: rule groups stored as JSON values.

use async_trait::async_trait;

use crate::error::Result;

/// The settings table: every rule group is one JSON value under its key.
#[async_trait]
pub trait SettingsStore: Send + Sync {
    async fn settings(&self) -> Result<Vec<(String, String)>>;

    async fn put_setting(&self, key: &str, value: &str) -> Result<()>;
}
