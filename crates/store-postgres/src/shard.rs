//! One county's check-ins on another PostgreSQL server (issue 16, "beyond one machine", with
//! what is installable here: Citus is not). The county's partition of `checkins` moves to a
//! table of the same name on the shard and comes back as a postgres_fdw foreign partition, so
//! every read and write of the parent reaches it there: the persons at a venue of that county
//! and the stays of a trajectory there are read on the shard. The trail (each person's
//! check-ins in time order) is split by week, not county, and stays on the headquarters' server.
//! ARCHITECTURE.md ("A province") says where this leads and what crosses shards.
//!
//! The shard keeps each county in one plain table with the indexes the local partition had;
//! retention deletes its expired rows through the server (no weeks to drop there). A backup
//! of the headquarters' database holds the foreign table's definition, not its rows: the shard
//! is backed up on its own server.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use store::{Result, StoreError};
use store_sql::fail;

use crate::partitions::{self, run};

/// A value as an SQL string literal.
fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The column definitions of `table` (types, collations, NOT NULL), for a table elsewhere.
async fn columns(conn: &mut PgConnection, table: &str) -> Result<String> {
    sqlx::query_scalar(
        "SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) \
         || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation \
                 THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END \
         || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END, ', ' ORDER BY a.attnum) \
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_collation co ON co.oid = a.attcollation \
         WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped",
    )
    .bind(table)
    .fetch_one(&mut *conn)
    .await
    .map_err(fail)
}

/// `move_county` on the database at `url`.
pub async fn move_county_of(url: &str, county: &str, shard_url: &str) -> Result<u64> {
    let mut conn = PgConnection::connect(url).await.map_err(fail)?;
    let moved = move_county(&mut conn, county, shard_url).await?;
    conn.close().await.map_err(fail)?;
    Ok(moved)
}

/// Moves `county`'s check-ins from the database on `conn` to the database at `shard_url` and
/// attaches them back as a foreign partition; returns the check-ins moved.
/// Writes to the county wait while it moves (one transaction); reads go on.
pub async fn move_county(conn: &mut PgConnection, county: &str, shard_url: &str) -> Result<u64> {
    let Some((low, high)) = partitions::county_bounds(county) else {
        return Err(StoreError::invalid("county", "县级区划代码应为 6 位数字", "a county code is six digits"));
    };
    let options = PgConnectOptions::from_str(shard_url).map_err(fail)?;
    partitions::ensure_county(conn, county).await?;
    let server = format!("shard_{county}");
    let mut shard = PgConnection::connect(shard_url).await.map_err(fail)?;

    // The shard's tables, shaped like the local partitions and indexed like their leaves.
    let mut shapes = Vec::new();
    for table in partitions::SHARDED {
        let local = format!("{table}_c{county}");
        let columns = columns(conn, table).await?;
        run(&mut shard, format!("CREATE TABLE IF NOT EXISTS {local} ({columns})")).await?;
        let leaf = format!("{local}_rest");
        let indexes: Vec<String> = sqlx::query_scalar(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1",
        )
        .bind(&leaf)
        .fetch_all(&mut *conn)
        .await
        .map_err(fail)?;
        if indexes.is_empty() {
            return Err(StoreError::invalid(
                "county",
                "该县没有本地分区可迁移",
                "the county has no local partition to move",
            ));
        }
        for index in indexes {
            let remote = index
                .replace(&format!(" public.{leaf} "), &format!(" {local} "))
                .replace("INDEX ", "INDEX IF NOT EXISTS ");
            run(&mut shard, remote).await?;
        }
        shapes.push((table, local, columns));
    }
    shard.close().await.map_err(fail)?;

    run(conn, "CREATE EXTENSION IF NOT EXISTS postgres_fdw".into()).await?;
    let host = literal(options.get_host());
    let port = literal(&options.get_port().to_string());
    let dbname = literal(options.get_database().unwrap_or("postgres"));
    let user = literal(options.get_username());
    run(
        conn,
        format!(
            "CREATE SERVER IF NOT EXISTS {server} FOREIGN DATA WRAPPER postgres_fdw \
             OPTIONS (host {host}, port {port}, dbname {dbname}, fetch_size '10000', batch_size '1000')"
        ),
    )
    .await?;
    run(conn, format!("CREATE USER MAPPING IF NOT EXISTS FOR CURRENT_USER SERVER {server} OPTIONS (user {user})"))
        .await?;

    let mut tx = conn.begin().await.map_err(fail)?;
    let mut moved_checkins = 0;
    for (table, local, columns) in shapes {
        run(&mut tx, format!("LOCK TABLE {table} IN SHARE UPDATE EXCLUSIVE MODE")).await?;
        run(&mut tx, format!("LOCK TABLE {local} IN EXCLUSIVE MODE")).await?;
        let staging = format!("{local}_remote");
        run(
            &mut tx,
            format!(
                "CREATE FOREIGN TABLE {staging} ({columns}) SERVER {server} OPTIONS (table_name {})",
                literal(&local)
            ),
        )
        .await?;
        let moved = run(&mut tx, format!("INSERT INTO {staging} SELECT * FROM {local}")).await?;
        if *table == "checkins" {
            moved_checkins = moved;
        }
        run(&mut tx, format!("ALTER TABLE {table} DETACH PARTITION {local}")).await?;
        run(&mut tx, format!("DROP TABLE {local}")).await?;
        run(&mut tx, format!("ALTER FOREIGN TABLE {staging} RENAME TO {local}")).await?;
        run(&mut tx, format!("ALTER TABLE {table} ATTACH PARTITION {local} FOR VALUES FROM ('{low}') TO ('{high}')"))
            .await?;
    }
    tx.commit().await.map_err(fail)?;
    Ok(moved_checkins)
}
