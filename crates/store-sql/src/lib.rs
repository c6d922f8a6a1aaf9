//! The storage port in SQL, once for both databases. `store-sqlite` and `store-postgres` open
//! their pools, run their own migrations and name their dialect (`Dialect`); every query, the
//! scope in each, idempotency, the event log and its projection are written here once.

use domain::Code;

/// Opens an `impl` block over `SqlBackend<D>` with the bounds the shared SQL needs of a database
/// (SQLite and PostgreSQL meet them). Rust does not imply such bounds from a trait, so they are
/// written once here instead of on every block.
macro_rules! sql_impl {
    ($(#[$attr:meta])* impl $($trait_:ident)? { $($body:tt)* }) => {
        $(#[$attr])*
        impl<D: Dialect> $($trait_ for)? SqlBackend<D>
        where
            for<'c> &'c mut <D::Db as Database>::Connection: Executor<'c, Database = D::Db>,
            <D::Db as Database>::Arguments: IntoArguments<D::Db>,
            for<'q> i64: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
            for<'q> bool: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
            for<'q> String: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
            for<'q> &'q str: Encode<'q, D::Db> + Type<D::Db>,
            for<'q> Option<String>: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
            for<'q> Option<&'q str>: Encode<'q, D::Db> + Type<D::Db>,
            for<'q> Option<i64>: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
            for<'q> Vec<u8>: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
            usize: ColumnIndex<<D::Db as Database>::Row>,
            for<'a> &'a str: ColumnIndex<<D::Db as Database>::Row>,
        {
            $($body)*
        }
    };
}

mod columns;
mod dialect;
mod trail;

// One module per capability, each implementing its port trait.
mod audit;
mod auth;
mod bulk;
mod checkins;
mod checkpoints;
mod follow_ups;
mod grids;
mod health_codes;
mod investigations;
mod key_persons;
mod lists;
mod persons;
mod settings;
mod statistics;
mod tasks;
mod uploads;
mod venues;
mod workbench;

use domain::Scope;
use sqlx::{
    ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, QueryBuilder, Row, Transaction, Type,
};
use store::codec;
use store::*;

pub use columns::Columns;
pub use dialect::{CopyChunks, CopyFuture, Dialect};

/// The storage port over one database: a writer pool and a reader pool (the same pool where the
/// database has no single-writer rule).
pub struct SqlBackend<D: Dialect> {
    writer: Pool<D::Db>,
    readers: Pool<D::Db>,
    /// Venues by token for the check-in writer: one query fewer per batch.
    venues: checkins::VenueCache,
    /// Person ids by ID number for the check-in writer.
    persons: checkins::PersonCache,
    /// Check-ins committed but not yet copied into the person-ordered trail.
    backlog: trail::Backlog,
    /// Whatever must live exactly as long as the backend (a backend's background task).
    _guard: Option<Box<dyn std::any::Any + Send + Sync>>,
}

pub fn fail<E: std::fmt::Display + 'static>(err: E) -> StoreError {
    let any: &dyn std::any::Any = &err;
    match any.downcast_ref::<sqlx::Error>().and_then(unavailable) {
        Some(why) => StoreError::Unavailable(why),
        None => StoreError::backend(err),
    }
}

/// A database error that says the database cannot take requests now, rather than that this
/// request is wrong: a full disk (SQLite's SQLITE_FULL, PostgreSQL's class 53), or a server
/// that is down, shutting down or starting (no connection, class 57P, 08).
fn unavailable(err: &sqlx::Error) -> Option<Unavailable> {
    match err {
        sqlx::Error::Database(db) => {
            let code = db.code()?;
            match code.as_ref() {
                "13" => Some(Unavailable::DiskFull),
                code if code.starts_with("53") => Some(Unavailable::DiskFull),
                code if code.starts_with("57P") || code.starts_with("08") => Some(Unavailable::Down),
                _ => None,
            }
        }
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => {
            Some(Unavailable::Down)
        }
        _ => None,
    }
}

/// A length or count as SQL stores it (BIGINT): none we keep comes near `i64::MAX`.
pub(crate) fn sql_int(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

/// A BIGINT count read back; a negative one is never written and reads as 0.
pub(crate) fn sql_count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// One row of a key-person record's history, as written.
#[derive(Clone, Copy)]
struct EventRow<'a> {
    key_person_id: KeyPersonId,
    area_code: &'a str,
    from: Option<domain::State>,
    to: domain::State,
    at: Instant,
    reason: &'a str,
}

impl<'a> EventRow<'a> {
    /// The first event of a new record: from nothing into `to`.
    fn opening(key_person_id: i64, area_code: &'a str, to: domain::State, at: Instant, reason: &'a str) -> Self {
        EventRow { key_person_id: KeyPersonId::new(key_person_id), area_code, from: None, to, at, reason }
    }
}

impl<D: Dialect> SqlBackend<D> {
    /// Wraps migrated pools.
    pub fn new(writer: Pool<D::Db>, readers: Pool<D::Db>) -> SqlBackend<D> {
        SqlBackend {
            writer,
            readers,
            venues: checkins::VenueCache::default(),
            persons: checkins::PersonCache::default(),
            backlog: trail::Backlog::default(),
            _guard: None,
        }
    }

    /// Keeps `guard` alive until the backend is dropped.
    pub fn with_guard(mut self, guard: Box<dyn std::any::Any + Send + Sync>) -> SqlBackend<D> {
        self._guard = Some(guard);
        self
    }
}

sql_impl! {
impl {
    /// Appends `AND <column> >= lower AND <column> < upper` for the jurisdiction.
    fn push_scope(query: &mut QueryBuilder<D::Db>, column: &str, scope: &Scope) {
        let (lower, upper) = scope.range();
        query.push(format_args!(" AND {column} >= ")).push_bind(lower);
        query.push(format_args!(" AND {column} < ")).push_bind(upper);
    }

    /// Replays a stored idempotent request, if this key was seen: the same request gets the same
    /// record, a different one is refused.
    async fn replay<I: From<i64>>(
        tx: &mut Transaction<'_, D::Db>,
        actor: &Actor,
        idem: &Option<IdempotencyKey>,
    ) -> Result<Option<Created<I>>> {
        let Some(idem) = idem else { return Ok(None) };
        if let Some(lock) = D::IDEMPOTENCY_LOCK {
            sqlx::query(D::sql(lock)).bind(&idem.key).bind(actor.user_id.get()).execute(&mut **tx).await.map_err(fail)?;
        }
        let row =
            sqlx::query(D::sql("SELECT request_digest, entity_id FROM idempotency WHERE user_id = ? AND key = ?"))
                .bind(actor.user_id.get())
                .bind(&idem.key)
                .fetch_optional(&mut **tx)
                .await
                .map_err(fail)?;
        match row {
            None => Ok(None),
            Some(row) => {
                let digest: String = row.try_get(0).map_err(fail)?;
                if digest != idem.request_digest {
                    return Err(StoreError::IdempotencyMismatch);
                }
                Ok(Some(Created { id: row.try_get::<i64, _>(1).map_err(fail)?.into(), created: false }))
            }
        }
    }

    async fn remember(
        tx: &mut Transaction<'_, D::Db>,
        actor: &Actor,
        idem: &Option<IdempotencyKey>,
        id: i64,
        now: Instant,
    ) -> Result<()> {
        if let Some(idem) = idem {
            sqlx::query(D::sql(
                "INSERT INTO idempotency (user_id, key, request_digest, entity_id, created_at) VALUES (?, ?, ?, ?, ?)",
            ))
            .bind(actor.user_id.get())
            .bind(&idem.key)
            .bind(&idem.request_digest)
            .bind(id)
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(fail)?;
        }
        Ok(())
    }

    async fn insert_event(tx: &mut Transaction<'_, D::Db>, event: &EventRow<'_>, actor: &Actor) -> Result<i64> {
        let EventRow { key_person_id, area_code, from, to, at, reason } = *event;
        let done = sqlx::query(
            D::sql("INSERT INTO key_person_events (key_person_id, area_code, from_status, from_severity, to_status, to_severity, \
             actor_id, actor_name, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
        )
        .bind(key_person_id.get())
        .bind(area_code)
        .bind(from.map(|s| s.status.as_str()))
        .bind(from.as_ref().and_then(codec::severity_text))
        .bind(to.status.as_str())
        .bind(codec::severity_text(&to))
        .bind(actor.user_id.get())
        .bind(&actor.username)
        .bind(at)
        .bind(reason)
        .fetch_one(&mut **tx)
        .await
        .map_err(fail)?;
        done.try_get(0).map_err(fail)
    }

    async fn insert_measure(
        tx: &mut Transaction<'_, D::Db>,
        key_person_id: i64,
        area_code: &str,
        measure: &Measure,
    ) -> Result<()> {
        sqlx::query(
            D::sql("INSERT INTO measures (key_person_id, area_code, kind, site, start_date, planned_end, actual_end) VALUES (?, ?, ?, ?, ?, ?, ?)"),
        )
        .bind(key_person_id)
        .bind(area_code)
        .bind(measure.kind.as_str())
        .bind(&measure.site)
        .bind(codec::date_text(measure.start))
        .bind(measure.planned_end.map(codec::date_text))
        .bind(measure.actual_end.map(codec::date_text))
        .execute(&mut **tx)
        .await
        .map_err(fail)?;
        Ok(())
    }
}
}

sql_impl! {
impl Backend {
    fn kind(&self) -> &'static str {
        D::KIND
    }

    fn writer_apart(&self) -> bool {
        D::WRITER_APART
    }
}
}
