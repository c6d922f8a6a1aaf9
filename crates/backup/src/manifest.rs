//! `manifest.json`: what a backup holds and how to check it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use store::Census;

/// The manifest's format; a reader refuses any other.
pub const FORMAT: &str = "fangkong-backup/1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// The fangkong version that wrote it.
    pub fangkong_version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The last schema migration applied to the database.
    pub schema_migration: i64,
    /// Rows per table, counted on the snapshot the backup holds.
    pub tables: BTreeMap<String, u64>,
    /// Every other member of the archive, by name.
    pub files: BTreeMap<String, FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub bytes: u64,
    /// Lower-case hex.
    pub sha256: String,
}

impl Manifest {
    pub(crate) fn new(backend: &str, census: &Census) -> Manifest {
        Manifest {
            format: FORMAT.into(),
            fangkong_version: env!("CARGO_PKG_VERSION").into(),
            created_at: jiff::Timestamp::now().to_string(),
            backend: backend.into(),
            schema_migration: census.migration,
            tables: census.tables.clone(),
            files: BTreeMap::new(),
        }
    }

    pub fn census(&self) -> Census {
        Census { migration: self.schema_migration, tables: self.tables.clone() }
    }

    /// The rows of every table together.
    pub fn total_rows(&self) -> u64 {
        self.tables.values().sum()
    }
}
