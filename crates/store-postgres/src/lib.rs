//! PostgreSQL backend: the production database. The queries are `store-sql`'s; this crate
//! connects, runs its own migrations and names the dialect: numbered placeholders, an advisory
//! lock that makes two racing requests with one idempotency key wait for each other, and identity
//! sequences moved past bulk-loaded ids.

pub mod backup;
pub mod partitions;
pub mod shard;
pub mod testing;

pub use partitions::Layout;

use std::time::Duration;

use sqlx::Postgres;
use sqlx::postgres::PgPoolOptions;
use store::Result;
use store_sql::{Dialect, SqlBackend, fail};

pub struct PgDialect;

impl Dialect for PgDialect {
    type Db = Postgres;
    const KIND: &'static str = "postgres";
    const NUMBERED_PLACEHOLDERS: bool = true;
    const IDEMPOTENCY_LOCK: Option<&'static str> = Some("SELECT pg_advisory_xact_lock(hashtextextended(?, ?))");
    const BEGIN_WRITE: &'static str = "BEGIN";
    const WRITER_APART: bool = false;
    // Partitioned tables take nothing themselves: their partitions are summed (a foreign one
    // counts nothing here, its bytes are on its server).
    const CHECKINS_BYTES: &'static str = "SELECT CAST(coalesce(sum(pg_total_relation_size(relid)), 0) AS BIGINT) \
         FROM (SELECT relid FROM pg_partition_tree('checkins') UNION ALL SELECT relid FROM pg_partition_tree('checkin_trail')) t";
    const AFTER_BULK_LOAD: Option<&'static str> =
        Some("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))");
    fn rows_affected(done: &sqlx::postgres::PgQueryResult) -> u64 {
        done.rows_affected()
    }

    const OPTIMIZE: &'static [&'static str] = &["ANALYZE"];
    const JSON_ROWS: &'static str = "jsonb_array_elements(CAST(? AS jsonb)) AS j(value)";
    const UNINDEXED: &'static str = "";
    // The sequence, not max(id): that would probe every partition's index. A sequence set but
    // not yet used (after a conversion) answers NULL: then the tail is read, to be safe.
    const NEWEST_CHECKIN_ID: &'static str = "SELECT coalesce(pg_sequence_last_value(\
         CAST(pg_get_serial_sequence('checkins', 'id') AS regclass)), 9223372036854775807)";
    const STRING_AGG: &'static str = "string_agg";
    // A million leads: the JSON route evaluated ten casts per row and took most of the import.
    const COPY_IN: bool = true;
    fn copy_in<'c>(
        conn: &'c mut sqlx::PgConnection,
        statement: &'c str,
        chunks: &'c mut store_sql::CopyChunks,
    ) -> store_sql::CopyFuture<'c> {
        Box::pin(async move {
            let mut copy = conn.copy_in_raw(statement).await.map_err(fail)?;
            while let Some(chunk) = chunks.recv().await {
                if let Err(e) = copy.send(chunk.into_bytes()).await {
                    // The transaction fails with it; abort tells the server why.
                    let _ = copy.abort(e.to_string()).await;
                    return Err(fail(e));
                }
            }
            copy.finish().await.map_err(fail)
        })
    }
    fn prepare_partitions<'c>(
        conn: &'c mut sqlx::PgConnection,
        from: store::Instant,
        to: store::Instant,
    ) -> store_sql::CopyFuture<'c> {
        Box::pin(partitions::prepare(conn, from, to))
    }
    fn drop_expired_partitions<'c>(
        conn: &'c mut sqlx::PgConnection,
        before: store::Instant,
    ) -> store_sql::CopyFuture<'c> {
        Box::pin(partitions::drop_expired(conn, before))
    }
    fn json_item(index: usize, integer: bool) -> String {
        if integer { format!("(j.value->>{index})::bigint") } else { format!("(j.value->>{index})") }
    }
}

pub type PgBackend = SqlBackend<PgDialect>;

/// Connects to `url`, applies the migrations and partitions the large tables.
pub async fn connect(url: &str) -> Result<PgBackend> {
    connect_with(url, Layout::Partitioned).await
}

/// Connects to `url`, applies the migrations and brings the large tables to `layout` (a
/// partitioned database stays partitioned), with partitions for the retention window and the
/// fortnight ahead by the system clock.
pub async fn connect_with(url: &str, layout: Layout) -> Result<PgBackend> {
    let pool = PgPoolOptions::new()
        .max_connections(8)
        // A database down or restarting answers in 3 s with 503 rather than holding the
        // request (and the phone's person) for longer; the pool reconnects by itself after.
        .acquire_timeout(Duration::from_secs(3))
        // No parallel workers for the service's short queries: over partitions the summed costs
        // made a 0.2 ms trajectory read start workers and take 25 ms (BENCHMARKS.md).
        .connect_with(
            url.parse::<sqlx::postgres::PgConnectOptions>()
                .map_err(fail)?
                .options([("max_parallel_workers_per_gather", "0")]),
        )
        .await
        .map_err(fail)?;
    sqlx::migrate!("./migrations").run(&pool).await.map_err(fail)?;
    let now = jiff::Timestamp::now().as_second();
    let mut conn = pool.acquire().await.map_err(fail)?;
    partitions::apply(&mut conn, layout, now - 5 * partitions::WEEK, now + 2 * partitions::WEEK).await?;
    drop(conn);
    Ok(SqlBackend::new(pool.clone(), pool))
}
