//! The storage port in SQL, once for both databases. `store-sqlite` and `store-postgres` open
//! their pools, run their own migrations and name their dialect (`Dialect`); every query, the
//! scope in each, idempotency, the event log and its projection are written here once.

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

mod bulk;
mod checkins;
mod columns;
mod dialect;
mod followups;
mod investigations;
mod lists;
mod passages;
mod trail;

use async_trait::async_trait;
use domain::{Scope, Status};
use jiff::civil::Date;
use sqlx::{
    ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, QueryBuilder, Row, Transaction, Type,
};
use store::codec;
use store::rows;
use store::rows::RowReader;
use store::transition::{CurrentRecord, TransitionPlanner};
use store::*;

/// Audit rows per INSERT statement (nine values each, within both databases' parameter limits).
const AUDIT_CHUNK: usize = 500;

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

pub fn fail(err: impl std::fmt::Display) -> StoreError {
    StoreError::backend(err)
}

pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
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
    async fn replay(
        tx: &mut Transaction<'_, D::Db>,
        actor: &Actor,
        idem: &Option<IdempotencyKey>,
    ) -> Result<Option<Created>> {
        let Some(idem) = idem else { return Ok(None) };
        if let Some(lock) = D::IDEMPOTENCY_LOCK {
            sqlx::query(D::sql(lock)).bind(&idem.key).bind(actor.user_id).execute(&mut **tx).await.map_err(fail)?;
        }
        let row =
            sqlx::query(D::sql("SELECT request_digest, entity_id FROM idempotency WHERE user_id = ? AND key = ?"))
                .bind(actor.user_id)
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
                Ok(Some(Created { id: row.try_get(1).map_err(fail)?, created: false }))
            }
        }
    }

    async fn remember(
        tx: &mut Transaction<'_, D::Db>,
        actor: &Actor,
        idem: &Option<IdempotencyKey>,
        id: Id,
        now: Instant,
    ) -> Result<()> {
        if let Some(idem) = idem {
            sqlx::query(D::sql(
                "INSERT INTO idempotency (user_id, key, request_digest, entity_id, created_at) VALUES (?, ?, ?, ?, ?)",
            ))
            .bind(actor.user_id)
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

    #[allow(clippy::too_many_arguments)]
    async fn insert_event(
        tx: &mut Transaction<'_, D::Db>,
        key_person_id: Id,
        area_code: &str,
        from: Option<domain::State>,
        to: domain::State,
        actor: &Actor,
        at: Instant,
        reason: &str,
    ) -> Result<Id> {
        let done = sqlx::query(
            D::sql("INSERT INTO key_person_events (key_person_id, area_code, from_status, from_severity, to_status, to_severity, \
             actor_id, actor_name, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
        )
        .bind(key_person_id)
        .bind(area_code)
        .bind(from.map(|s| s.status.as_str()))
        .bind(from.as_ref().and_then(codec::severity_text))
        .bind(to.status.as_str())
        .bind(codec::severity_text(&to))
        .bind(actor.user_id)
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
        key_person_id: Id,
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

    async fn with_details(&self, mut grid: Grid) -> Result<Grid> {
        let (lower, upper) = Scope::of_code_str(&grid.code).unwrap_or_else(Scope::national).range();
        let households: i64 =
            sqlx::query_scalar(D::sql("SELECT count(*) FROM households WHERE area_code >= ? AND area_code < ?"))
                .bind(lower)
                .bind(upper)
                .fetch_one(&self.readers)
                .await
                .map_err(fail)?;
        grid.households = households as u64;
        let workers =
            sqlx::query(D::sql("SELECT name, phone, user_id FROM grid_workers WHERE grid_code = ? ORDER BY id"))
                .bind(&grid.code)
                .fetch_all(&self.readers)
                .await
                .map_err(fail)?;
        grid.workers = workers.iter().map(|r| rows::grid_worker(&Columns(r))).collect::<Result<_>>()?;
        Ok(grid)
    }
}
}

sql_impl! {
#[async_trait]
impl Backend {
    fn kind(&self) -> &'static str {
        D::KIND
    }

    fn writer_apart(&self) -> bool {
        D::WRITER_APART
    }

    async fn create_user(&self, user: NewUser, now: Instant) -> Result<Id> {
        let result = sqlx::query(
            D::sql("INSERT INTO users (username, display_name, password_hash, role, area_code, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"),
        )
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(user.role.as_str())
        .bind(&user.area_code)
        .bind(now)
        .fetch_one(&self.writer)
        .await;
        match result {
            Ok(row) => row.try_get(0).map_err(fail),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::Conflict { field: "username", message: format!("{} is taken", user.username) })
            }
            Err(e) => Err(fail(e)),
        }
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        let row =
            sqlx::query(D::sql(&format!("SELECT {}, password_hash FROM users WHERE username = ?", rows::USER_COLUMNS)))
                .bind(username)
                .fetch_optional(&self.readers)
                .await
                .map_err(fail)?;
        row.map(|row| {
            Ok(Credentials {
                user: rows::user(&Columns(&row))?,
                password_hash: row.try_get("password_hash").map_err(fail)?,
            })
        })
        .transpose()
    }

    async fn insert_session(&self, token_digest: &str, user_id: Id, now: Instant, expires_at: Instant) -> Result<()> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        sqlx::query(D::sql("DELETE FROM sessions WHERE expires_at < ?"))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        sqlx::query(D::sql("INSERT INTO sessions (token_digest, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)"))
            .bind(token_digest)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)
    }

    async fn session_user(&self, token_digest: &str, now: Instant) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {} FROM users WHERE id = (SELECT user_id FROM sessions WHERE token_digest = ? AND expires_at > ?)",
            rows::USER_COLUMNS
        );
        let row =
            sqlx::query(D::sql(&sql)).bind(token_digest).bind(now).fetch_optional(&self.readers).await.map_err(fail)?;
        row.map(|row| rows::user(&Columns(&row))).transpose()
    }

    async fn delete_session(&self, token_digest: &str) -> Result<()> {
        sqlx::query(D::sql("DELETE FROM sessions WHERE token_digest = ?"))
            .bind(token_digest)
            .execute(&self.writer)
            .await
            .map_err(fail)?;
        Ok(())
    }

    async fn settings(&self) -> Result<Vec<(String, String)>> {
        let rows =
            sqlx::query(D::sql("SELECT key, value FROM settings")).fetch_all(&self.writer).await.map_err(fail)?;
        rows.iter().map(|r| Ok((r.try_get(0).map_err(fail)?, r.try_get(1).map_err(fail)?))).collect()
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(D::sql(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        ))
        .bind(key)
        .bind(value)
        .execute(&self.writer)
        .await
        .map_err(fail)?;
        Ok(())
    }

    async fn open_release_tasks(&self, today: Date, now: Instant) -> Result<u64> {
        let mut query = QueryBuilder::new(
            "INSERT INTO tasks (kind, key_person_id, area_code, due_date, created_at) \
             SELECT 'release_due', id, area_code, measure_planned_end, ",
        );
        query.push_bind(now).push(" FROM key_persons WHERE measure_planned_end <= ").push_bind(codec::date_text(today));
        query.push(" AND status IN (");
        let mut statuses = query.separated(", ");
        for status in Status::ALL.into_iter().filter(|s| domain::falls_due_for_release(*s)) {
            statuses.push_bind(status.as_str());
        }
        query.push(") ON CONFLICT DO NOTHING");
        let done = query.build().execute(&self.writer).await.map_err(fail)?;
        Ok(D::rows_affected(&done))
    }

    async fn insert_grids(&self, grids: &[NewGrid]) -> Result<()> {
        self.bulk_insert_grids(grids).await
    }

    async fn insert_grid_workers(&self, workers: &[NewGridWorker]) -> Result<()> {
        self.bulk_insert_grid_workers(workers).await
    }

    async fn insert_households(&self, households: &[NewHousehold]) -> Result<Vec<Id>> {
        self.bulk_insert_households(households).await
    }

    async fn bulk_insert_persons(&self, persons: &[BulkPerson], now: Instant) -> Result<Vec<Id>> {
        self.bulk_insert_persons(persons, now).await
    }

    async fn bulk_insert_key_persons(&self, records: &[BulkKeyPerson], now: Instant) -> Result<()> {
        self.bulk_insert_key_persons(records, now).await
    }

    async fn optimize(&self) -> Result<()> {
        for statement in D::OPTIMIZE {
            sqlx::query(D::sql(statement)).execute(&self.writer).await.map_err(fail)?;
        }
        Ok(())
    }

    async fn insert_person(
        &self,
        scope: &Scope,
        actor: &Actor,
        person: NewPerson,
        idem: Option<IdempotencyKey>,
        now: Instant,
    ) -> Result<Created> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        if let Some(done) = Self::replay(&mut tx, actor, &idem).await? {
            return Ok(done);
        }
        let existing = sqlx::query(D::sql("SELECT id, area_code FROM persons WHERE id_number = ?"))
            .bind(person.id_number.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(fail)?;
        let created = match existing {
            Some(row) => {
                let area_code: String = row.try_get(1).map_err(fail)?;
                if !scope.contains(&area_code) {
                    return Err(StoreError::Conflict {
                        field: "id_number",
                        message: "this ID number is registered in another jurisdiction".into(),
                    });
                }
                Created { id: row.try_get(0).map_err(fail)?, created: false }
            }
            None => {
                let done = sqlx::query(
                    D::sql("INSERT INTO persons (id_number, name, phone, area_code, grid_code, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"),
                )
                .bind(person.id_number.as_str())
                .bind(person.name.as_str())
                .bind(person.phone.as_ref().map(|p| p.as_str()))
                .bind(person.place.location_code())
                .bind(person.place.grid.as_ref().map(|g| g.as_str()))
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict { field: "id_number", message: "registered a moment ago; search for it".into() } } else { fail(e) })?;
                Created { id: done.try_get(0).map_err(fail)?, created: true }
            }
        };
        Self::remember(&mut tx, actor, &idem, created.id, now).await?;
        tx.commit().await.map_err(fail)?;
        Ok(created)
    }

    async fn person(&self, scope: &Scope, id: Id) -> Result<Person> {
        let mut query = QueryBuilder::new(format!("SELECT {} FROM persons WHERE id = ", rows::PERSON_COLUMNS));
        query.push_bind(id);
        Self::push_scope(&mut query, "area_code", scope);
        let row = query.build().fetch_optional(&self.readers).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        rows::person(&Columns(&row))
    }

    async fn search_persons(&self, scope: &Scope, search: &PersonQuery, limit: u32) -> Result<Vec<Person>> {
        let mut query = QueryBuilder::new(format!("SELECT {} FROM persons WHERE ", rows::PERSON_COLUMNS));
        match search {
            PersonQuery::IdNumber(id) => query.push("id_number = ").push_bind(id.clone()),
            PersonQuery::Phone(phone) => query.push("phone = ").push_bind(phone.clone()),
            // A prefix range keeps the name index usable ("张" finds 张三 and 张三丰).
            PersonQuery::Name(name) => query
                .push("name >= ")
                .push_bind(name.clone())
                .push(" AND name < ")
                .push_bind(format!("{name}\u{10FFFF}")),
        };
        Self::push_scope(&mut query, "area_code", scope);
        query.push(" ORDER BY name, id LIMIT ").push_bind(i64::from(limit));
        let found = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        found.iter().map(|r| rows::person(&Columns(r))).collect()
    }

    async fn insert_key_person(
        &self,
        scope: &Scope,
        actor: &Actor,
        record: NewKeyPerson,
        idem: Option<IdempotencyKey>,
        now: Instant,
    ) -> Result<Created> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        if let Some(done) = Self::replay(&mut tx, actor, &idem).await? {
            return Ok(done);
        }
        let mut query = QueryBuilder::new("SELECT area_code, grid_code FROM persons WHERE id = ");
        query.push_bind(record.person_id);
        Self::push_scope(&mut query, "area_code", scope);
        let person =
            query.build().fetch_optional(&mut *tx).await.map_err(fail)?.ok_or_else(|| StoreError::Invalid {
                field: "person_id",
                message: format!("no person {} in your jurisdiction", record.person_id),
            })?;
        let area_code: String = person.try_get(0).map_err(fail)?;
        let grid_code: Option<String> = person.try_get(1).map_err(fail)?;
        let active: Option<i64> =
            sqlx::query_scalar(D::sql("SELECT id FROM key_persons WHERE person_id = ? AND active"))
                .bind(record.person_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(fail)?;
        if let Some(open) = active {
            return Err(StoreError::Conflict {
                field: "person_id",
                message: format!("this person already has an open key-person record ({open})"),
            });
        }
        let screened = domain::State { status: Status::Screened, severity: None };
        let done = sqlx::query(
            D::sql("INSERT INTO key_persons (person_id, area_code, grid_code, class, arrival_risk, source, cadre_name, cadre_phone, \
             status, severity, active, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, TRUE, ?, ?, 1) RETURNING id"),
        )
        .bind(record.person_id)
        .bind(&area_code)
        .bind(&grid_code)
        .bind(record.class.as_str())
        .bind(record.arrival_risk.map(|r| r.as_str()))
        .bind(record.source.as_str())
        .bind(record.cadre_name.as_ref().map(|n| n.as_str()))
        .bind(record.cadre_phone.as_ref().map(|p| p.as_str()))
        .bind(screened.status.as_str())
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict { field: "person_id", message: "this person already has an open key-person record".into() }
            } else {
                fail(e)
            }
        })?;
        let id: i64 = done.try_get(0).map_err(fail)?;
        Self::insert_event(&mut tx, id, &area_code, None, screened, actor, now, &record.reason).await?;
        Self::remember(&mut tx, actor, &idem, id, now).await?;
        tx.commit().await.map_err(fail)?;
        Ok(Created { id, created: true })
    }

    async fn key_persons(&self, scope: &Scope, filter: &KeyPersonFilter, page: PageRequest) -> Result<Page<KeyPerson>> {
        let conditions = |query: &mut QueryBuilder<D::Db>| {
            Self::push_scope(query, "k.area_code", scope);
            if let Some(class) = filter.class {
                query.push(" AND k.class = ").push_bind(class.as_str());
            }
            if let Some(status) = filter.status {
                query.push(" AND k.status = ").push_bind(status.as_str());
            }
            if let Some(grid) = &filter.grid {
                let (lower, upper) = Scope::of_code_str(grid.as_str()).unwrap_or_else(Scope::national).range();
                query.push(" AND k.grid_code >= ").push_bind(lower).push(" AND k.grid_code < ").push_bind(upper);
            }
        };
        let mut count = QueryBuilder::new("SELECT count(*) FROM key_persons k WHERE 1 = 1");
        conditions(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&self.readers).await.map_err(fail)?;
        // Page the key persons first, then join the page's persons: joining first would touch
        // every person of the city before sorting.
        let mut query = QueryBuilder::new(format!(
            "SELECT {} FROM (SELECT * FROM key_persons k WHERE 1 = 1",
            rows::KEY_PERSON_COLUMNS
        ));
        conditions(&mut query);
        query.push(" ORDER BY k.updated_at DESC, k.id DESC LIMIT ").push_bind(i64::from(page.per_page));
        query.push(" OFFSET ").push_bind(page.offset() as i64);
        query.push(") k JOIN persons p ON p.id = k.person_id ORDER BY k.updated_at DESC, k.id DESC");
        let found = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        Ok(Page {
            items: found.iter().map(|r| rows::key_person(&Columns(r))).collect::<Result<_>>()?,
            total: total as u64,
            page: page.page,
            per_page: page.per_page,
        })
    }

    async fn key_person(&self, scope: &Scope, id: Id) -> Result<KeyPersonDetail> {
        let mut conn = self.readers.begin().await.map_err(fail)?;
        let mut query = QueryBuilder::new(format!(
            "SELECT {} FROM key_persons k JOIN persons p ON p.id = k.person_id WHERE k.id = ",
            rows::KEY_PERSON_COLUMNS
        ));
        query.push_bind(id);
        Self::push_scope(&mut query, "k.area_code", scope);
        let row = query.build().fetch_optional(&mut *conn).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        let record = rows::key_person(&Columns(&row))?;
        let events = sqlx::query(D::sql(
            "SELECT id, from_status, from_severity, to_status, to_severity, actor_name, at, reason \
             FROM key_person_events WHERE key_person_id = ? ORDER BY id",
        ))
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(fail)?;
        let measures = sqlx::query(D::sql(
            "SELECT kind, site, start_date, planned_end, actual_end FROM measures WHERE key_person_id = ? ORDER BY id",
        ))
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(fail)?;
        Ok(KeyPersonDetail {
            record,
            history: events.iter().map(|r| rows::event(&Columns(r))).collect::<Result<_>>()?,
            measures: measures.iter().map(|r| rows::measure(&Columns(r))).collect::<Result<_>>()?,
        })
    }

    async fn transition_key_person(
        &self,
        scope: &Scope,
        actor: &Actor,
        id: Id,
        planner: &TransitionPlanner,
        idem: Option<IdempotencyKey>,
        now: Instant,
    ) -> Result<Created> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        if let Some(done) = Self::replay(&mut tx, actor, &idem).await? {
            return Ok(done);
        }
        let mut query = QueryBuilder::new(
            "SELECT area_code, class, status, severity, measure_kind, measure_site, measure_start, measure_planned_end \
             FROM key_persons WHERE id = ",
        );
        query.push_bind(id);
        Self::push_scope(&mut query, "area_code", scope);
        let row = query.build().fetch_optional(&mut *tx).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        let area_code: String = row.try_get("area_code").map_err(fail)?;
        let current = CurrentRecord {
            state: rows::state(&Columns(&row))?,
            class: codec::class(&Columns(&row).text("class")?)?,
            measure: rows::current_measure(&Columns(&row))?,
        };
        let plan = planner.plan(&current)?;
        let after = plan.resulting_measure(current.measure.as_ref());
        let today = codec::date_text(planner.today);
        if plan.close_current {
            sqlx::query(D::sql("UPDATE measures SET actual_end = ? WHERE key_person_id = ? AND actual_end IS NULL"))
                .bind(&today)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
        }
        if let Some(open) = &plan.open {
            Self::insert_measure(&mut tx, id, &area_code, open).await?;
        }
        sqlx::query(
            D::sql("UPDATE key_persons SET status = ?, severity = ?, active = ?, measure_kind = ?, measure_site = ?, measure_start = ?, \
             measure_planned_end = ?, updated_at = ?, version = version + 1 WHERE id = ?"),
        )
        .bind(plan.to.status.as_str())
        .bind(codec::severity_text(&plan.to))
        .bind(!plan.to.status.is_terminal())
        .bind(after.as_ref().map(|m| m.kind.as_str()))
        .bind(after.as_ref().and_then(|m| m.site.clone()))
        .bind(after.as_ref().map(|m| codec::date_text(m.start)))
        .bind(after.as_ref().and_then(|m| m.planned_end).map(codec::date_text))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        // Someone acted on the record: a release task that was waiting for it is done.
        sqlx::query(D::sql("UPDATE tasks SET done_at = ? WHERE key_person_id = ? AND done_at IS NULL"))
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        let event =
            Self::insert_event(&mut tx, id, &area_code, Some(plan.from), plan.to, actor, now, &plan.reason).await?;
        Self::remember(&mut tx, actor, &idem, event, now).await?;
        tx.commit().await.map_err(fail)?;
        Ok(Created { id: event, created: true })
    }

    async fn tasks(
        &self,
        scope: &Scope,
        due_on_or_before: Option<Date>,
        open_only: bool,
        page: PageRequest,
    ) -> Result<Page<Task>> {
        let conditions = |query: &mut QueryBuilder<D::Db>| {
            Self::push_scope(query, "t.area_code", scope);
            if let Some(due) = due_on_or_before {
                query.push(" AND t.due_date <= ").push_bind(codec::date_text(due));
            }
            if open_only {
                query.push(" AND t.done_at IS NULL");
            }
        };
        let mut count = QueryBuilder::new("SELECT count(*) FROM tasks t WHERE 1 = 1");
        conditions(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&self.readers).await.map_err(fail)?;
        let mut query = QueryBuilder::new(
            "SELECT t.id, t.kind, t.key_person_id, p.name, k.status, t.area_code, t.due_date, t.created_at, t.done_at \
             FROM tasks t JOIN key_persons k ON k.id = t.key_person_id JOIN persons p ON p.id = k.person_id WHERE 1 = 1",
        );
        conditions(&mut query);
        query.push(" ORDER BY t.due_date, t.id LIMIT ").push_bind(i64::from(page.per_page));
        query.push(" OFFSET ").push_bind(page.offset() as i64);
        let found = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        Ok(Page {
            items: found.iter().map(|r| rows::task(&Columns(r))).collect::<Result<_>>()?,
            total: total as u64,
            page: page.page,
            per_page: page.per_page,
        })
    }

    async fn grid(&self, scope: &Scope, code: &str) -> Result<Grid> {
        let mut query = QueryBuilder::new("SELECT code, parent_code, level, name FROM grids WHERE code = ");
        query.push_bind(code.to_string());
        Self::push_scope(&mut query, "code", scope);
        let row = query.build().fetch_optional(&self.readers).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        let grid = rows::grid(&Columns(&row))?;
        self.with_details(grid).await
    }

    async fn grid_children(&self, scope: &Scope, code: &str) -> Result<Vec<Grid>> {
        let mut query = QueryBuilder::new("SELECT code, parent_code, level, name FROM grids WHERE parent_code = ");
        query.push_bind(code.to_string());
        Self::push_scope(&mut query, "code", scope);
        query.push(" ORDER BY code");
        let found = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        let mut grids = Vec::with_capacity(found.len());
        for row in &found {
            grids.push(self.with_details(rows::grid(&Columns(row))?).await?);
        }
        Ok(grids)
    }

    async fn append_audits(&self, entries: &[NewAuditEntry]) -> Result<()> {
        let insert = |chunk: &[NewAuditEntry]| {
            let mut query = QueryBuilder::<D::Db>::new(
                "INSERT INTO audit (at, user_id, username, action, subject_kind, subject_id, area_code, remote_addr, detail) ",
            );
            query.push_values(chunk, |mut row, entry| {
                row.push_bind(entry.at)
                    .push_bind(entry.user_id)
                    .push_bind(entry.username.clone())
                    .push_bind(entry.action)
                    .push_bind(entry.subject_kind)
                    .push_bind(entry.subject_id)
                    .push_bind(entry.area_code.clone())
                    .push_bind(entry.remote_addr.clone())
                    .push_bind(entry.detail.clone());
            });
            query
        };
        // A batch that fits one statement commits as that statement: one round trip to the
        // database instead of three (begin, insert, commit), and a read waits on its audit row.
        if entries.len() <= AUDIT_CHUNK {
            insert(entries).build().execute(&self.writer).await.map_err(fail)?;
            return Ok(());
        }
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        for chunk in entries.chunks(AUDIT_CHUNK) {
            insert(chunk).build().execute(&mut *tx).await.map_err(fail)?;
        }
        tx.commit().await.map_err(fail)
    }

    async fn audit(&self, scope: &Scope, page: PageRequest) -> Result<Page<AuditEntry>> {
        let mut count = QueryBuilder::new("SELECT count(*) FROM audit WHERE 1 = 1");
        Self::push_scope(&mut count, "area_code", scope);
        let total: i64 = count.build_query_scalar().fetch_one(&self.readers).await.map_err(fail)?;
        let mut query = QueryBuilder::new(
            "SELECT id, at, user_id, username, action, subject_kind, subject_id, area_code, remote_addr, detail FROM audit WHERE 1 = 1",
        );
        Self::push_scope(&mut query, "area_code", scope);
        query.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(page.per_page));
        query.push(" OFFSET ").push_bind(page.offset() as i64);
        let found = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        Ok(Page {
            items: found.iter().map(|r| rows::audit(&Columns(r))).collect::<Result<_>>()?,
            total: total as u64,
            page: page.page,
            per_page: page.per_page,
        })
    }

    async fn insert_venue(&self, scope: &Scope, venue: NewVenue, now: Instant) -> Result<Created> {
        self.do_insert_venue(scope, venue, now).await
    }

    async fn venue(&self, scope: &Scope, id: Id) -> Result<Venue> {
        self.do_venue(scope, id).await
    }

    async fn venues(&self, scope: &Scope, page: PageRequest) -> Result<Page<Venue>> {
        self.do_venues(scope, page).await
    }

    async fn venue_by_token(&self, token: &str) -> Result<Option<Venue>> {
        self.do_venue_by_token(token).await
    }

    async fn insert_checkins(
        &self,
        batch: &[CheckinRequest],
        rule: &domain::FrontLine,
        now: Instant,
    ) -> Result<Vec<Result<CheckinReceipt>>> {
        self.do_insert_checkins(batch, rule, now).await
    }

    async fn bulk_insert_venues(&self, venues: &[NewVenue], now: Instant) -> Result<Vec<Id>> {
        self.bulk_venues(venues, now).await
    }

    async fn bulk_insert_checkins(&self, checkins: &[BulkCheckin]) -> Result<()> {
        self.bulk_checkins(checkins).await
    }

    async fn checkins_footprint(&self) -> Result<Footprint> {
        let rows: i64 =
            sqlx::query_scalar("SELECT count(*) FROM checkins").fetch_one(&self.readers).await.map_err(fail)?;
        let bytes: i64 = sqlx::query_scalar(D::CHECKINS_BYTES).fetch_one(&self.readers).await.map_err(fail)?;
        Ok(Footprint { rows: rows as u64, bytes: bytes as u64 })
    }

    async fn purge_checkins(&self, before: Instant) -> Result<u64> {
        self.do_purge_checkins(before).await
    }

    async fn index_checkins(&self) -> Result<bool> {
        self.do_index_checkins(false).await
    }

    async fn settle_checkins(&self) -> Result<()> {
        self.do_settle_checkins().await
    }

    async fn insert_investigation(
        &self,
        scope: &Scope,
        actor: &Actor,
        investigation: NewInvestigation,
        generation: i64,
        now: Instant,
    ) -> Result<Created> {
        self.do_insert_investigation(scope, actor, investigation, generation, now).await
    }

    async fn investigation(&self, scope: &Scope, id: Id) -> Result<Investigation> {
        self.do_investigation(scope, id).await
    }

    async fn investigations(&self, scope: &Scope, limit: u32) -> Result<Vec<Investigation>> {
        self.do_investigations(scope, limit).await
    }

    async fn visits_of_person(&self, person_id: Id, from: Instant, to: Instant) -> Result<Vec<NamedVisit>> {
        self.do_visits_of_person(person_id, from, to).await
    }

    async fn visits_of_persons(&self, person_ids: &[Id], from: Instant, to: Instant) -> Result<Vec<domain::Visit>> {
        self.do_visits_of_persons(person_ids, from, to).await
    }

    async fn checkins_after(&self, after_id: Id, limit: u32) -> Result<Vec<domain::Visit>> {
        self.do_checkins_after(after_id, limit).await
    }

    async fn visits_at_venue(&self, venue_id: Id, after: Instant, before: Instant) -> Result<Vec<domain::Visit>> {
        self.do_visits_at_venue(venue_id, after, before).await
    }

    async fn passages_of_person(&self, person_id: Id, from: Instant, to: Instant) -> Result<Vec<PassageOfPerson>> {
        self.do_passages_of_person(person_id, from, to).await
    }

    async fn insert_reported_place(
        &self,
        investigation: &Investigation,
        actor: &Actor,
        place: NewReportedPlace,
        now: Instant,
    ) -> Result<Created> {
        self.do_insert_reported_place(investigation, actor, place, now).await
    }

    async fn reported_places(&self, investigation_id: Id) -> Result<Vec<ReportedPlace>> {
        self.do_reported_places(investigation_id).await
    }

    async fn points(&self, investigation_id: Id) -> Result<Vec<PointView>> {
        self.do_points(investigation_id).await
    }

    async fn insert_point(&self, actor: &Actor, point: NewPoint, now: Instant) -> Result<Created> {
        self.do_insert_point(actor, point, now).await
    }

    async fn candidates(&self, scope: &Scope, filter: CandidateFilter, limit: u32) -> Result<Vec<Candidate>> {
        self.do_candidates(scope, filter, limit).await
    }

    async fn candidate(&self, scope: &Scope, id: Id) -> Result<Candidate> {
        self.do_candidate(scope, id).await
    }

    async fn decide_candidate(
        &self,
        id: Id,
        status: CandidateStatus,
        key_person_id: Option<Id>,
        note: Option<String>,
        actor: &Actor,
        now: Instant,
    ) -> Result<()> {
        self.do_decide_candidate(id, status, key_person_id, note, actor, now).await
    }

    async fn sign_investigation(&self, scope: &Scope, id: Id, actor: &Actor, statement: &str, now: Instant) -> Result<()> {
        self.do_sign_investigation(scope, id, actor, statement, now).await
    }

    async fn health_facts(&self, person_id: Id) -> Result<HealthFacts> {
        self.do_health_facts(person_id).await
    }

    async fn open_record_id(&self, person_id: Id) -> Result<Option<Id>> {
        sqlx::query_scalar(D::sql("SELECT id FROM key_persons WHERE person_id = ? AND active"))
            .bind(person_id)
            .fetch_optional(&self.writer)
            .await
            .map_err(fail)
    }

    async fn person_by_identity(&self, id_number: &str, name: &str, phone: &str) -> Result<Option<Id>> {
        self.do_person_by_identity(id_number, name, phone).await
    }

    async fn insert_checkpoint(&self, scope: &Scope, checkpoint: NewCheckpoint, now: Instant) -> Result<Created> {
        self.do_insert_checkpoint(scope, checkpoint, now).await
    }

    async fn checkpoints(&self, scope: &Scope) -> Result<Vec<Checkpoint>> {
        self.do_checkpoints(scope).await
    }

    async fn insert_passage(
        &self,
        scope: &Scope,
        actor: &Actor,
        passage: NewPassage,
        rule: &domain::FrontLine,
        now: Instant,
    ) -> Result<PassageReceipt> {
        self.do_insert_passage(scope, actor, passage, rule, now).await
    }

    async fn passages(&self, scope: &Scope, checkpoint_id: Id, from: Instant, to: Instant) -> Result<Vec<Passage>> {
        self.do_passages(scope, checkpoint_id, from, to).await
    }

    async fn insert_follow_up(
        &self,
        scope: &Scope,
        actor: &Actor,
        follow_up: NewFollowUp,
        rule: &domain::FrontLine,
        now: Instant,
    ) -> Result<FollowUpReceipt> {
        self.do_insert_follow_up(scope, actor, follow_up, rule, now).await
    }

    async fn follow_up_sheet(&self, scope: &Scope, day: Date, limit: u32) -> Result<Vec<FollowUpLine>> {
        self.do_follow_up_sheet(scope, day, limit).await
    }

    async fn person_keys(&self, scope: &Scope, after_id: Id, limit: u32) -> Result<Vec<PersonKey>> {
        self.do_person_keys(scope, after_id, limit).await
    }

    async fn active_key_person_ids(&self, scope: &Scope) -> Result<Vec<Id>> {
        self.do_active_key_person_ids(scope).await
    }

    async fn lead_subjects(&self, scope: &Scope) -> Result<Vec<String>> {
        self.do_lead_subjects(scope).await
    }

    async fn list_by_file(&self, scope: &Scope, sha256: &str) -> Result<Option<ListSummary>> {
        self.do_list_by_file(scope, sha256).await
    }

    async fn insert_list(&self, list: &NewListRecord, leads: Vec<NewLead>) -> Result<Id> {
        self.do_insert_list(list, leads).await
    }

    async fn lists(&self, scope: &Scope, limit: u32) -> Result<Vec<ListSummary>> {
        self.do_lists(scope, limit).await
    }

    async fn list(&self, scope: &Scope, id: Id) -> Result<ListSummary> {
        self.do_list(scope, id).await
    }

    async fn leads(&self, scope: &Scope, filter: LeadFilter, limit: u32) -> Result<Vec<Lead>> {
        self.do_leads(scope, filter, limit).await
    }

    async fn lead(&self, scope: &Scope, id: Id) -> Result<Lead> {
        self.do_lead(scope, id).await
    }

    async fn verify_lead(
        &self,
        scope: &Scope,
        id: Id,
        outcome: domain::LeadOutcome,
        note: &str,
        key_person_id: Option<Id>,
        actor: &Actor,
        now: Instant,
    ) -> Result<()> {
        self.do_verify_lead(scope, id, outcome, note, key_person_id, actor, now).await
    }

    async fn insert_upload(
        &self,
        area_code: &str,
        user_id: Id,
        file_name: &str,
        sha256: &str,
        bytes: Vec<u8>,
        now: Instant,
    ) -> Result<Id> {
        self.do_insert_upload(area_code, user_id, file_name, sha256, bytes, now).await
    }

    async fn upload(&self, id: Id) -> Result<Upload> {
        self.do_upload(id).await
    }

    async fn purge_uploads(&self, before: Instant) -> Result<u64> {
        self.do_purge_uploads(before).await
    }
}
}
