//! fangkong's backup file: one ZIP (stored, not compressed: the database is most of it and a
//! restore should not wait on inflating gigabytes) holding
//!
//! - `database/fangkong.db` (SQLite's `VACUUM INTO` snapshot) or `database/fangkong.pgdump`
//!   (`pg_dump`'s custom format, from one exported snapshot),
//! - `health-code-keys/…`: the signing keys, without which every issued code stops verifying,
//! - `manifest.json`: the format, the program's version, the backend, the last schema
//!   migration, the rows of every table, and each file's size and SHA-256.
//!
//! A restore trusts nothing before it has checked: every file against the manifest, the
//! database's own integrity, and its table counts against the manifest's; a target that already
//! holds a database is refused unless it is told to replace it. The file holds personal data and
//! keys, so it is written readable by its owner only, and appears under its name only complete.

mod archive;
mod manifest;
mod schedule;

use std::path::{Path, PathBuf};

pub use manifest::{FileEntry, Manifest};
pub use schedule::{keep_newest, scheduled_name};
use store::{Census, StoreError};

/// The database file's name in a SQLite data dir.
pub const SQLITE_FILE: &str = "fangkong.db";
const SQLITE_MEMBER: &str = "database/fangkong.db";
const POSTGRES_MEMBER: &str = "database/fangkong.pgdump";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the backup file is damaged or is not a fangkong backup: {0}")]
    Damaged(String),
    #[error("{0}")]
    Refused(String),
    #[error("the restored database does not match the backup's manifest: {0}")]
    Mismatch(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

pub type Result<T> = std::result::Result<T, BackupError>;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io { path: path.to_path_buf(), source }
}

/// Where the data lives: SQLite in the data dir, or PostgreSQL at a URL (the keys are in the
/// data dir either way).
#[derive(Debug, Clone)]
pub enum Database {
    Sqlite,
    Postgres { url: String },
}

impl Database {
    fn kind(&self) -> &'static str {
        match self {
            Database::Sqlite => "sqlite",
            Database::Postgres { .. } => "postgres",
        }
    }
}

/// Writes a backup of `database` and the keys of `data_dir` to `out` while the server keeps
/// serving. Returns the manifest written.
pub async fn make(data_dir: &Path, database: &Database, out: &Path) -> Result<Manifest> {
    let parent = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    // A private directory beside the output (same file system, mode 0700) for the snapshot.
    let work = tempfile::Builder::new().prefix(".fangkong-backup-").tempdir_in(&parent).map_err(io(&parent))?;
    let (member, file, census) = match database {
        Database::Sqlite => {
            let file = work.path().join(SQLITE_FILE);
            store_sqlite::backup::snapshot(&data_dir.join(SQLITE_FILE), &file).await?;
            let census = store_sqlite::backup::census(&file).await?;
            (SQLITE_MEMBER, file, census)
        }
        Database::Postgres { url } => {
            let file = work.path().join("fangkong.pgdump");
            let census = store_postgres::backup::dump(url, &file).await?;
            (POSTGRES_MEMBER, file, census)
        }
    };
    let mut members = vec![(member.to_string(), file)];
    members.extend(key_files(data_dir)?);
    let manifest = Manifest::new(database.kind(), &census);
    let out = out.to_path_buf();
    tokio::task::spawn_blocking(move || archive::write(&out, &members, manifest))
        .await
        .map_err(|e| BackupError::Refused(format!("the backup task failed: {e}")))?
}

/// The key files of the data dir, as (member name, path).
fn key_files(data_dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let dir = data_dir.join(token::KEYS_DIR);
    let mut files = Vec::new();
    if dir.is_dir() {
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let path = entry.path();
            if path.is_file()
                && let Some(name) = entry.file_name().to_str()
            {
                files.push((format!("{}/{name}", token::KEYS_DIR), path));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Checks every file of the backup against its manifest; returns the manifest.
pub fn verify(file: &Path) -> Result<Manifest> {
    archive::open(file).map(|(_, manifest)| manifest)
}

/// Restores the backup `file` into `data_dir` (and, for a PostgreSQL backup, the database at
/// `database`'s URL). Refuses before changing anything when the file fails its checks, when it
/// was made from the other backend, or when the target already holds a database or keys and
/// `replace` is not set. The server must not be running on the target.
pub async fn restore(file: &Path, data_dir: &Path, database: &Database, replace: bool) -> Result<Manifest> {
    let path = file.to_path_buf();
    let (mut zip, manifest) = tokio::task::spawn_blocking(move || archive::open(&path))
        .await
        .map_err(|e| BackupError::Refused(format!("the restore task failed: {e}")))??;
    if manifest.backend != database.kind() {
        return Err(BackupError::Refused(format!(
            "this backup is of a {} database; the target is {}",
            manifest.backend,
            database.kind()
        )));
    }
    std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
    let keys = data_dir.join(token::KEYS_DIR);
    let holds_keys = keys.is_dir() && std::fs::read_dir(&keys).map_err(io(&keys))?.next().is_some();
    let holds_database = match database {
        Database::Sqlite => data_dir.join(SQLITE_FILE).exists(),
        Database::Postgres { url } => store_postgres::backup::has_tables(url).await?,
    };
    if (holds_database || holds_keys) && !replace {
        return Err(BackupError::Refused(format!(
            "{} already holds {}; restore into an empty target, or pass --force to replace it",
            match database {
                Database::Sqlite => data_dir.display().to_string(),
                Database::Postgres { .. } => "the target".to_string(),
            },
            if holds_database { "a database" } else { "health-code keys" }
        )));
    }
    let work = tempfile::Builder::new().prefix(".fangkong-restore-").tempdir_in(data_dir).map_err(io(data_dir))?;
    let new_keys = work.path().join(token::KEYS_DIR);
    std::fs::create_dir_all(&new_keys).map_err(io(&new_keys))?;
    for name in manifest.files.keys().filter(|name| name.starts_with(&format!("{}/", token::KEYS_DIR))) {
        let leaf = name.rsplit('/').next().unwrap_or(name);
        archive::extract(&mut zip, name, &new_keys.join(leaf))?;
    }
    match database {
        Database::Sqlite => {
            let db = work.path().join(SQLITE_FILE);
            archive::extract(&mut zip, SQLITE_MEMBER, &db)?;
            let found = store_sqlite::backup::census(&db).await?;
            check_census(&found, &manifest)?;
            // Nothing has changed yet; from here the new files replace the old ones.
            for stale in ["-wal", "-shm"] {
                let path = data_dir.join(format!("{SQLITE_FILE}{stale}"));
                if path.exists() {
                    std::fs::remove_file(&path).map_err(io(&path))?;
                }
            }
            let target = data_dir.join(SQLITE_FILE);
            std::fs::rename(&db, &target).map_err(io(&target))?;
        }
        Database::Postgres { url } => {
            let dump = work.path().join("fangkong.pgdump");
            archive::extract(&mut zip, POSTGRES_MEMBER, &dump)?;
            store_postgres::backup::check_dump(&dump).await?;
            store_postgres::backup::restore(url, &dump, replace).await?;
            let found = store_postgres::backup::census(url).await?;
            check_census(&found, &manifest)?;
        }
    }
    if keys.exists() {
        let old = work.path().join("replaced-keys");
        std::fs::rename(&keys, &old).map_err(io(&keys))?;
    }
    std::fs::rename(&new_keys, &keys).map_err(io(&keys))?;
    Ok(manifest)
}

fn check_census(found: &Census, manifest: &Manifest) -> Result<()> {
    if found.migration != manifest.schema_migration {
        return Err(BackupError::Mismatch(format!(
            "schema migration {} where the manifest says {}",
            found.migration, manifest.schema_migration
        )));
    }
    if let Some((table, expected, got)) = found.first_difference(&manifest.census()) {
        return Err(BackupError::Mismatch(format!("{table} has {got} rows where the manifest says {expected}")));
    }
    Ok(())
}
