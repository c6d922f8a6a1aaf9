//! SQLite backend: the embedded database of `fangkong demo` and small installations.
//!
//! One writer connection (SQLite has one writer anyway; a single connection turns lock waits into
//! queueing) and a pool of readers, all in WAL mode with `synchronous=FULL` so that every
//! acknowledged write survives a crash. The queries are `store-sql`'s; this crate opens the
//! file, runs its own migrations and names the dialect.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::Sqlite;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use store::Result;
use store_sql::{Dialect, SqlBackend, fail};

pub struct SqliteDialect;

impl Dialect for SqliteDialect {
    type Db = Sqlite;
    const KIND: &'static str = "sqlite";
    const NUMBERED_PLACEHOLDERS: bool = false;
    const IDEMPOTENCY_LOCK: Option<&'static str> = None;
    const AFTER_BULK_LOAD: Option<&'static str> = None;
    fn rows_affected(done: &sqlx::sqlite::SqliteQueryResult) -> u64 {
        done.rows_affected()
    }

    const OPTIMIZE: &'static [&'static str] = &["PRAGMA optimize=0x10002", "PRAGMA wal_checkpoint(TRUNCATE)"];
}

pub type SqliteBackend = SqlBackend<SqliteDialect>;

/// Opens (creating if missing) the database file and applies the migrations.
pub async fn open(path: &Path) -> Result<SqliteBackend> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "memory");
    let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await.map_err(fail)?;
    sqlx::migrate!("./migrations").run(&writer).await.map_err(fail)?;
    let readers =
        SqlitePoolOptions::new().max_connections(4).connect_with(options.read_only(true)).await.map_err(fail)?;
    Ok(SqlBackend::new(writer, readers))
}

/// Opens the database named by a `sqlite:` URL (`sqlite:///path/to/file.db` or `sqlite:file.db`).
pub async fn open_url(url: &str) -> Result<SqliteBackend> {
    let options = SqliteConnectOptions::from_str(url).map_err(fail)?;
    open(options.get_filename()).await
}
