//! A consistent copy of a live database file, and the checks a restore makes before trusting one.

use std::collections::BTreeMap;
use std::path::Path;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use store::{Census, Result, StoreError};
use store_sql::fail;

async fn connect(path: &Path, read_only: bool) -> Result<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .busy_timeout(std::time::Duration::from_secs(30));
    SqliteConnection::connect_with(&options).await.map_err(fail)
}

/// Writes a consistent copy of the database at `db` to `out` (which must not exist yet) while
/// the server keeps writing: `VACUUM INTO` reads one snapshot of a WAL database and writes a
/// compact, self-contained file (no WAL beside it). The copy is made readable by its owner
/// only; put `out` in a private directory, since SQLite creates it with the umask's mode.
pub async fn snapshot(db: &Path, out: &Path) -> Result<()> {
    if !db.exists() {
        return Err(StoreError::Backend(format!("no database at {}", db.display())));
    }
    let mut conn = connect(db, true).await?;
    let target = out.to_str().ok_or_else(|| StoreError::Backend(format!("{} is not UTF-8", out.display())))?;
    sqlx::query("VACUUM INTO ?").bind(target).execute(&mut conn).await.map_err(fail)?;
    conn.close().await.map_err(fail)?;
    crate::owner_only(out).map_err(fail)
}

/// Checks the file's integrity (`PRAGMA integrity_check`, every page and index) and counts
/// every table. A file that is not a database, or a damaged one, is an error saying so.
pub async fn census(path: &Path) -> Result<Census> {
    let mut conn = connect(path, true).await?;
    let verdict: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut conn).await.map_err(fail)?;
    if verdict != ["ok"] {
        let first: Vec<&str> = verdict.iter().take(3).map(String::as_str).collect();
        return Err(StoreError::Backend(format!("the database fails its integrity check: {}", first.join("; "))));
    }
    let migration: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut conn)
        .await
        .map_err(fail)?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(fail)?;
    let mut tables = BTreeMap::new();
    for name in names {
        // The name comes from the schema itself, quoted as an identifier.
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\""))))
                .fetch_one(&mut conn)
                .await
                .map_err(fail)?;
        tables.insert(name, u64::try_from(count).unwrap_or(0));
    }
    conn.close().await.map_err(fail)?;
    Ok(Census { migration: migration.unwrap_or(0), tables })
}
