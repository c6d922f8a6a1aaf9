//! Where SQLite and PostgreSQL differ, named once.

use std::fmt::Write;
use std::future::Future;
use std::pin::Pin;

use sqlx::{AssertSqlSafe, Database};

/// Chunks of rows in `COPY … FROM STDIN` text format, made on another thread.
pub type CopyChunks = tokio::sync::mpsc::Receiver<String>;

/// What `Dialect::copy_in` and the partition hooks return: the rows (or partitions) concerned.
pub type CopyFuture<'c> = Pin<Box<dyn Future<Output = store::Result<u64>> + Send + 'c>>;

/// A database and its differences from the SQL written in this crate.
pub trait Dialect: Send + Sync + 'static {
    type Db: Database;
    /// "sqlite" or "postgres".
    const KIND: &'static str;
    /// Placeholders are written `?` here; PostgreSQL numbers them (`$1`, `$2`, …).
    const NUMBERED_PLACEHOLDERS: bool;
    /// Run first in an idempotent write, bound to (key, user id), so that two requests with the
    /// same key wait for each other; `None` where writes are serialised anyway (SQLite).
    const IDEMPOTENCY_LOCK: Option<&'static str>;
    /// Run after a bulk load with explicit ids; `{table}` stands for the table (PostgreSQL moves
    /// the identity sequence past the loaded ids).
    const AFTER_BULK_LOAD: Option<&'static str>;
    /// Starts a write transaction. SQLite takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// that a transaction never has to upgrade a read snapshot the checkpointer has moved past
    /// (that fails at once with "database is locked" instead of waiting).
    const BEGIN_WRITE: &'static str;
    /// See `Backend::writer_apart`.
    const WRITER_APART: bool;
    /// The bytes the check-ins table and its indexes take (one row, one column).
    const CHECKINS_BYTES: &'static str;
    /// Statements that refresh statistics and reclaim space after a bulk load.
    const OPTIMIZE: &'static [&'static str];

    /// A row source over one bound JSON array of arrays (`FROM <this>`, the element as `j.value`):
    /// a bulk write binds one text per few thousand rows instead of one value per cell, which is
    /// where a multi-row VALUES insert spent its time (0.8 µs a bound value on SQLite).
    const JSON_ROWS: &'static str;

    /// Written before a column to keep the planner from using an index on it (`+c.t_in`):
    /// SQLite otherwise drove the scan of check-ins above the trail's watermark through the
    /// (venue, time) index. Empty for PostgreSQL, where that expression would also keep the
    /// planner from pruning the check-in partitions by time.
    const UNINDEXED: &'static str;

    /// The newest check-in id ever given out (one row, one nullable column), cheaply: never
    /// below the newest stored one.
    const NEWEST_CHECKIN_ID: &'static str;

    /// The aggregate that joins text values with a separator: `group_concat` / `string_agg`.
    const STRING_AGG: &'static str;

    /// Whether bulk rows go in through `copy_in` (PostgreSQL's COPY: no SQL evaluated per row)
    /// instead of `INSERT … SELECT … FROM JSON_ROWS`. A database without COPY keeps the default.
    const COPY_IN: bool = false;

    /// Streams `chunks` through the `COPY … FROM STDIN` `statement` on `conn`. Only called where
    /// `COPY_IN` is true.
    fn copy_in<'c>(
        _conn: &'c mut <Self::Db as Database>::Connection,
        _statement: &'c str,
        _chunks: &'c mut CopyChunks,
    ) -> CopyFuture<'c> {
        Box::pin(async { Err(store::StoreError::Backend(format!("{} has no COPY", Self::KIND))) })
    }

    /// Makes sure the partitions that rows of the check-in tables between `from` and `to` belong
    /// in exist, and that every county with data has its own (PostgreSQL's partitioned layout;
    /// elsewhere there is nothing to do). Runs on a connection outside any transaction: it makes
    /// its own, short ones.
    fn prepare_partitions<'c>(
        _conn: &'c mut <Self::Db as Database>::Connection,
        _from: store::Instant,
        _to: store::Instant,
    ) -> CopyFuture<'c> {
        Box::pin(async { Ok(0) })
    }

    /// Retention by whole partitions: drops every partition of the check-in tables that holds
    /// only rows before `before` and returns the check-ins they held. What is left before
    /// `before` (a partition straddling it, or a database without partitions) is deleted by row.
    /// Runs on a connection outside any transaction, like `prepare_partitions`.
    fn drop_expired_partitions<'c>(
        _conn: &'c mut <Self::Db as Database>::Connection,
        _before: store::Instant,
    ) -> CopyFuture<'c> {
        Box::pin(async { Ok(0) })
    }

    /// Item `index` of the element `j.value`, as an integer or as text.
    fn json_item(index: usize, integer: bool) -> String;

    /// How many rows a statement changed.
    fn rows_affected(done: &<Self::Db as Database>::QueryResult) -> u64;

    /// The SQL text for this database.
    fn sql(text: &str) -> AssertSqlSafe<String> {
        if !Self::NUMBERED_PLACEHOLDERS {
            return AssertSqlSafe(text.to_string());
        }
        let mut numbered = String::with_capacity(text.len() + 8);
        let mut n = 0;
        for c in text.chars() {
            if c == '?' {
                n += 1;
                let _ = write!(numbered, "${n}");
            } else {
                numbered.push(c);
            }
        }
        AssertSqlSafe(numbered)
    }
}
