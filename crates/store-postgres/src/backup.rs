//! PostgreSQL's own tools for a backup: `pg_dump` of one consistent snapshot, `pg_restore` in one
//! transaction, and the census a restore compares with the manifest.

use std::collections::BTreeMap;
use std::path::Path;

use sqlx::{Connection, PgConnection};
use store::{Census, Result, StoreError};
use store_sql::fail;

/// Counts every table (a partitioned table once, with its partitions' rows) on `conn`.
async fn count_tables(conn: &mut PgConnection) -> Result<Census> {
    let migration: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut *conn)
        .await
        .map_err(fail)?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition \
         AND c.relname <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(fail)?;
    let mut tables = BTreeMap::new();
    for name in names {
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\""))))
                .fetch_one(&mut *conn)
                .await
                .map_err(fail)?;
        tables.insert(name, u64::try_from(count).unwrap_or(0));
    }
    Ok(Census { migration: migration.unwrap_or(0), tables })
}

/// The census of the database at `url`.
pub async fn census(url: &str) -> Result<Census> {
    let mut conn = PgConnection::connect(url).await.map_err(fail)?;
    let census = count_tables(&mut conn).await?;
    conn.close().await.map_err(fail)?;
    Ok(census)
}

/// Whether the database at `url` holds any table of ours (a restore refuses to overwrite one
/// without being told to).
pub async fn has_tables(url: &str) -> Result<bool> {
    let mut conn = PgConnection::connect(url).await.map_err(fail)?;
    let found: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(fail)?;
    conn.close().await.map_err(fail)?;
    Ok(found > 0)
}

/// Dumps the database at `url` to `out` in `pg_dump`'s custom format while it keeps serving,
/// and counts it on the very snapshot the dump reads (exported from a repeatable-read
/// transaction held open meanwhile), so the manifest's counts are the dump's.
pub async fn dump(url: &str, out: &Path) -> Result<Census> {
    let mut conn = PgConnection::connect(url).await.map_err(fail)?;
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut conn).await.map_err(fail)?;
    let snapshot: String =
        sqlx::query_scalar("SELECT pg_export_snapshot()").fetch_one(&mut conn).await.map_err(fail)?;
    let census = count_tables(&mut conn).await?;
    let mut command = tokio::process::Command::new("pg_dump");
    command.arg("--format=custom").arg("--no-owner").arg(format!("--snapshot={snapshot}"));
    command.arg("--file").arg(out).arg(format!("--dbname={url}"));
    let dumped = run(command, "pg_dump failed").await;
    sqlx::query("COMMIT").execute(&mut conn).await.map_err(fail)?;
    conn.close().await.map_err(fail)?;
    dumped.map(|()| census)
}

/// Runs a PostgreSQL client tool; its standard error becomes the error when it fails.
async fn run(mut command: tokio::process::Command, failed: &str) -> Result<()> {
    let tool = command.as_std().get_program().to_string_lossy().into_owned();
    let output = command
        .output()
        .await
        .map_err(|e| StoreError::Backend(format!("running {tool} (is the PostgreSQL client installed?): {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(StoreError::Backend(format!("{failed}: {}", String::from_utf8_lossy(&output.stderr).trim())))
    }
}

/// Checks that `file` is a dump `pg_restore` can read (its table of contents).
pub async fn check_dump(file: &Path) -> Result<()> {
    let mut command = tokio::process::Command::new("pg_restore");
    command.arg("--list").arg(file);
    run(command, "the dump is unreadable").await
}

/// Restores `file` into the database at `url` in one transaction (all or nothing); `replace`
/// drops the objects the dump holds first.
pub async fn restore(url: &str, file: &Path, replace: bool) -> Result<()> {
    let mut command = tokio::process::Command::new("pg_restore");
    command.arg("--no-owner").arg("--exit-on-error").arg("--single-transaction");
    if replace {
        command.arg("--clean").arg("--if-exists");
    }
    command.arg(format!("--dbname={url}")).arg(file);
    run(command, "pg_restore failed").await
}
