//! SQLite backend: the embedded database of `fangkong demo` and small installations.
//!
//! One writer connection (SQLite has one writer anyway; a single connection turns lock waits into
//! queueing) and a pool of readers, all in WAL mode with `synchronous=FULL` so that every
//! acknowledged write survives a crash. The queries are `store-sql`'s; this crate opens the
//! file, runs its own migrations and names the dialect.

pub mod backup;

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
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    const WRITER_APART: bool = true;
    const CHECKINS_BYTES: &'static str = "SELECT coalesce(sum(pgsize), 0) FROM dbstat \
         WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name IN ('checkins', 'checkin_trail'))";
    fn rows_affected(done: &sqlx::sqlite::SqliteQueryResult) -> u64 {
        done.rows_affected()
    }

    const OPTIMIZE: &'static [&'static str] = &["PRAGMA optimize=0x10002", "PRAGMA wal_checkpoint(TRUNCATE)"];
    // `jsonb_each` hands each element over as JSONB, so the ten `json_extract`s of a row read
    // its items without parsing the element's text ten times (1 M leads: 1.3 s less).
    const JSON_ROWS: &'static str = "jsonb_each(?) AS j";
    const UNINDEXED: &'static str = "+";
    const NEWEST_CHECKIN_ID: &'static str = "SELECT max(id) FROM checkins";
    const STRING_AGG: &'static str = "group_concat";
    fn json_item(index: usize, _integer: bool) -> String {
        format!("json_extract(j.value, '$[{index}]')")
    }
}

pub type SqliteBackend = SqlBackend<SqliteDialect>;

/// WAL frames (pages) after which the writer checkpoints at the end of a commit: 64 MiB.
const WRITER_CHECKPOINT_FRAMES: &str = "16384";

/// Opens (creating if missing) the database file and applies the migrations.
pub async fn open(path: &Path) -> Result<SqliteBackend> {
    owner_only(path).map_err(fail)?;
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "memory")
        // Checkpoints run mostly beside the writer (see `checkpointer`).
        .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_FRAMES)
        // A batch's rows come back in one go instead of 50 at a time, each a thread hand-off.
        .row_buffer_size(4096);
    // In-process connections: nothing to ping before use (a ping is a round trip to the
    // connection's thread on every acquire).
    let pool = |connections: u32| SqlitePoolOptions::new().max_connections(connections).test_before_acquire(false);
    let writer = pool(1)
        // A statement or COMMIT that fails on a full disk makes SQLite roll the transaction back
        // itself; sqlx's own rollback then fails, and its count of open transactions stays at one,
        // so the connection could never begin again (the writer would refuse every write after
        // the disk was freed). Asked after its queued rollback has run (the ping follows it), a
        // connection still "in a transaction" between uses is replaced by a fresh one.
        .before_acquire(|conn, _| {
            Box::pin(async move {
                use sqlx::Connection;
                conn.ping().await?;
                if conn.is_in_transaction() {
                    tracing::warn!("the writer connection was left inside a failed transaction; opening a new one");
                    return Ok(false);
                }
                Ok(true)
            })
        })
        .connect_with(options.clone())
        .await
        .map_err(fail)?;
    sqlx::migrate!("./migrations").run(&writer).await.map_err(fail)?;
    let readers = pool(4).connect_with(options.clone().read_only(true)).await.map_err(fail)?;
    let checkpoints = pool(1).connect_with(options).await.map_err(fail)?;
    let checkpointer = tokio::spawn(checkpointer(checkpoints));
    Ok(SqlBackend::new(writer, readers).with_guard(Box::new(AbortOnDrop(checkpointer.abort_handle()))))
}

/// The database holds personal data: readable by its owner only. SQLite gives its WAL and
/// shared-memory files the database file's permissions, so making the file first (or
/// tightening an existing one) covers all three.
fn owner_only(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if path.as_os_str().is_empty() || path.to_str() == Some(":memory:") {
        return Ok(());
    }
    std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(path)?;
    let beside = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    for file in [path.to_path_buf(), beside("-wal"), beside("-shm")] {
        if file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// Most of the WAL is copied back into the database by this task, on a connection of its own,
/// beside the writer: passive checkpoints never block it. (An automatic checkpoint of thousands
/// of pages inside a commit stalled every request of its batch.) The writer still checkpoints
/// itself once the WAL reaches `WRITER_CHECKPOINT_FRAMES`; by then nearly everything has been
/// copied here, so its checkpoint is short, it completes, and the writer's next transaction
/// starts the WAL again from its beginning — the file stays bounded under sustained load.
async fn checkpointer(pool: sqlx::SqlitePool) {
    loop {
        // A hot index page rewritten by many commits within the pause is copied once.
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            tracing::warn!(%err, "checkpoint failed; retrying");
        }
    }
}

struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Opens the database named by a `sqlite:` URL (`sqlite:///path/to/file.db` or `sqlite:file.db`).
pub async fn open_url(url: &str) -> Result<SqliteBackend> {
    let options = SqliteConnectOptions::from_str(url).map_err(fail)?;
    open(options.get_filename()).await
}
