//! Key-person records: the current-state row, its append-only events and measures.

use crate::columns::RowReader;
use async_trait::async_trait;
use domain::{KeyPersonOrder, Scope, Status};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row, Type};
use store::codec;
use store::transition::{CurrentRecord, TransitionPlanner};
use store::*;

use crate::{Columns, Dialect, EventRow, SqlBackend, fail, is_unique_violation, sql_count};
use domain::Code;

sql_impl! {
#[async_trait]
impl KeyPersonStore {
    async fn insert_key_person(
        &self,
        scope: &Scope,
        actor: &Actor,
        record: NewKeyPerson,
        idem: Option<IdempotencyKey>,
        now: Instant,
    ) -> Result<Created<KeyPersonId>> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        if let Some(done) = Self::replay(&mut tx, actor, &idem).await? {
            return Ok(done);
        }
        let mut query = QueryBuilder::new("SELECT area_code, grid_code FROM persons WHERE id = ");
        query.push_bind(record.person_id.get());
        Self::push_scope(&mut query, "area_code", scope);
        let person =
            query.build().fetch_optional(&mut *tx).await.map_err(fail)?.ok_or_else(|| StoreError::invalid(
                "person_id",
                format!("您的管辖范围内没有人员 {}", record.person_id),
                format!("no person {} in your jurisdiction", record.person_id),
            ))?;
        let area_code: String = person.try_get(0).map_err(fail)?;
        let grid_code: Option<String> = person.try_get(1).map_err(fail)?;
        let active: Option<i64> =
            sqlx::query_scalar(D::sql("SELECT id FROM key_persons WHERE person_id = ? AND active"))
                .bind(record.person_id.get())
                .fetch_optional(&mut *tx)
                .await
                .map_err(fail)?;
        if let Some(open) = active {
            return Err(StoreError::conflict(
                "person_id",
                format!("该人员已有在管的重点人员记录（{open}）"),
                format!("this person already has an open key-person record ({open})"),
            ));
        }
        let screened = domain::State { status: Status::Screened, severity: None };
        let done = sqlx::query(
            D::sql("INSERT INTO key_persons (person_id, area_code, grid_code, class, arrival_risk, source, cadre_name, cadre_phone, \
             status, severity, active, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, TRUE, ?, ?, 1) RETURNING id"),
        )
        .bind(record.person_id.get())
        .bind(&area_code)
        .bind(&grid_code)
        .bind(record.class.as_str())
        .bind(record.arrival_risk.map(domain::ArrivalRisk::as_str))
        .bind(record.source.as_str())
        .bind(record.cadre_name.as_ref().map(domain::PersonName::as_str))
        .bind(record.cadre_phone.as_ref().map(domain::Phone::as_str))
        .bind(screened.status.as_str())
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::conflict("person_id", "该人员已有在管的重点人员记录", "this person already has an open key-person record")
            } else {
                fail(e)
            }
        })?;
        let id: i64 = done.try_get(0).map_err(fail)?;
        let event = EventRow::opening(id, &area_code, screened, now, &record.reason);
        Self::insert_event(&mut tx, &event, actor).await?;
        Self::remember(&mut tx, actor, &idem, id, now).await?;
        tx.commit().await.map_err(fail)?;
        Ok(Created { id: id.into(), created: true })
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
            // Through the persons' own indexes (ID number, phone, name), then the record's.
            if let Some(person) = &filter.person {
                query.push(" AND k.person_id IN (SELECT id FROM persons WHERE ");
                Self::push_person_match(query, person);
                query.push(")");
            }
        };
        let mut count = QueryBuilder::new("SELECT count(*) FROM key_persons k WHERE 1 = 1");
        conditions(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&self.readers).await.map_err(fail)?;
        // Page the key persons first, then join the page's persons: joining first would touch
        // every person of the city before sorting.
        let mut query = QueryBuilder::new(format!(
            "SELECT {KEY_PERSON_COLUMNS} FROM (SELECT * FROM key_persons k WHERE 1 = 1"
        ));
        conditions(&mut query);
        // Records without a planned end (screened, closed) follow those with one; the id breaks
        // ties so that pages never overlap.
        let order = match filter.order {
            KeyPersonOrder::Updated => "k.updated_at DESC, k.id DESC",
            KeyPersonOrder::PlannedEnd => "k.measure_planned_end IS NULL, k.measure_planned_end, k.id",
            KeyPersonOrder::Opened => "k.id DESC",
        };
        query.push(format!(" ORDER BY {order} LIMIT ")).push_bind(i64::from(page.per_page));
        query.push(" OFFSET ").push_bind(page.sql_offset());
        query.push(format!(") k JOIN persons p ON p.id = k.person_id ORDER BY {order}"));
        let found = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        Ok(Page {
            items: found.iter().map(|r| key_person(&Columns(r))).collect::<Result<_>>()?,
            total: sql_count(total),
            page: page.page,
            per_page: page.per_page,
        })
    }

    async fn key_person(&self, scope: &Scope, id: KeyPersonId) -> Result<KeyPersonDetail> {
        let mut conn = self.readers.begin().await.map_err(fail)?;
        let mut query = QueryBuilder::new(format!(
            "SELECT {KEY_PERSON_COLUMNS} FROM key_persons k JOIN persons p ON p.id = k.person_id WHERE k.id = "
        ));
        query.push_bind(id.get());
        Self::push_scope(&mut query, "k.area_code", scope);
        let row = query.build().fetch_optional(&mut *conn).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        let record = key_person(&Columns(&row))?;
        let events = sqlx::query(D::sql(
            "SELECT id, from_status, from_severity, to_status, to_severity, actor_name, at, reason \
             FROM key_person_events WHERE key_person_id = ? ORDER BY id",
        ))
        .bind(id.get())
        .fetch_all(&mut *conn)
        .await
        .map_err(fail)?;
        let measures = sqlx::query(D::sql(
            "SELECT kind, site, start_date, planned_end, actual_end FROM measures WHERE key_person_id = ? ORDER BY id",
        ))
        .bind(id.get())
        .fetch_all(&mut *conn)
        .await
        .map_err(fail)?;
        Ok(KeyPersonDetail {
            record,
            history: events.iter().map(|r| event(&Columns(r))).collect::<Result<_>>()?,
            measures: measures.iter().map(|r| measure(&Columns(r))).collect::<Result<_>>()?,
        })
    }

    async fn transition_key_person(&self, scope: &Scope, actor: &Actor, id: KeyPersonId, planner: &TransitionPlanner, idem: Option<IdempotencyKey>, now: Instant) -> Result<Created<StatusEventId>> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        if let Some(done) = Self::replay(&mut tx, actor, &idem).await? {
            return Ok(done);
        }
        let mut query = QueryBuilder::new(
            "SELECT area_code, class, status, severity, measure_kind, measure_site, measure_start, measure_planned_end \
             FROM key_persons WHERE id = ",
        );
        query.push_bind(id.get());
        Self::push_scope(&mut query, "area_code", scope);
        let row = query.build().fetch_optional(&mut *tx).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        let area_code: String = row.try_get("area_code").map_err(fail)?;
        let current = CurrentRecord {
            state: state(&Columns(&row))?,
            class: codec::class(&Columns(&row).text("class")?)?,
            measure: current_measure(&Columns(&row))?,
        };
        let plan = planner.plan(&current)?;
        let after = plan.resulting_measure(current.measure.as_ref());
        let today = codec::date_text(planner.today);
        if plan.close_current {
            sqlx::query(D::sql("UPDATE measures SET actual_end = ? WHERE key_person_id = ? AND actual_end IS NULL"))
                .bind(&today)
                .bind(id.get())
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
        }
        if let Some(open) = &plan.open {
            Self::insert_measure(&mut tx, id.get(), &area_code, open).await?;
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
        .bind(id.get())
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        // Someone acted on the record: a release task that was waiting for it is done.
        sqlx::query(D::sql("UPDATE tasks SET done_at = ? WHERE key_person_id = ? AND done_at IS NULL"))
            .bind(now)
            .bind(id.get())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        let row = EventRow {
            key_person_id: id,
            area_code: &area_code,
            from: Some(plan.from),
            to: plan.to,
            at: now,
            reason: &plan.reason,
        };
        let event = Self::insert_event(&mut tx, &row, actor).await?;
        Self::remember(&mut tx, actor, &idem, event, now).await?;
        tx.commit().await.map_err(fail)?;
        Ok(Created { id: event.into(), created: true })
    }

    async fn open_record_id(&self, person_id: PersonId) -> Result<Option<KeyPersonId>> {
        let id: Option<i64> = sqlx::query_scalar(D::sql("SELECT id FROM key_persons WHERE person_id = ? AND active"))
            .bind(person_id.get())
            .fetch_optional(&self.writer)
            .await
            .map_err(fail)?;
        Ok(id.map(KeyPersonId::new))
    }

    async fn active_key_person_ids(&self, scope: &Scope) -> Result<Vec<PersonId>> {
        let mut query = QueryBuilder::new("SELECT person_id FROM key_persons WHERE active");
        Self::push_scope(&mut query, "area_code", scope);
        let rows = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        rows.iter().map(|row| row.try_get::<i64, _>(0).map(Into::into).map_err(fail)).collect()
    }
}
}

/// Key-person columns over `key_persons k JOIN persons p`.
pub(crate) const KEY_PERSON_COLUMNS: &str = "k.id, k.person_id, p.name, p.id_number, p.phone, k.area_code, k.grid_code, k.class, \
    k.source, k.cadre_name, k.cadre_phone, k.status, k.severity, k.measure_kind, k.measure_site, k.measure_start, \
    k.measure_planned_end, k.created_at, k.updated_at";

/// The current measure from the `measure_*` columns of `key_persons`.
pub(crate) fn current_measure(row: &impl RowReader) -> Result<Option<Measure>> {
    let (Some(kind), Some(start)) = (row.opt_text("measure_kind")?, row.opt_text("measure_start")?) else {
        return Ok(None);
    };
    let planned_end = row.opt_text("measure_planned_end")?;
    codec::measure(&kind, row.opt_text("measure_site")?, &start, planned_end.as_deref(), None).map(Some)
}

pub(crate) fn state(row: &impl RowReader) -> Result<domain::State> {
    codec::state(&row.text("status")?, row.opt_text("severity")?.as_deref())
}

pub(crate) fn key_person(row: &impl RowReader) -> Result<KeyPerson> {
    Ok(KeyPerson {
        id: domain::KeyPersonId::new(row.int("id")?),
        person_id: domain::PersonId::new(row.int("person_id")?),
        name: row.text("name")?,
        id_number: row.text("id_number")?,
        phone: row.opt_text("phone")?,
        area_code: row.text("area_code")?,
        grid_code: row.opt_text("grid_code")?,
        class: codec::class(&row.text("class")?)?,
        source: codec::source(&row.text("source")?)?,
        cadre_name: row.opt_text("cadre_name")?,
        cadre_phone: row.opt_text("cadre_phone")?,
        state: state(row)?,
        measure: current_measure(row)?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
    })
}

pub(crate) fn event(row: &impl RowReader) -> Result<StatusEvent> {
    Ok(StatusEvent {
        id: domain::StatusEventId::new(row.int("id")?),
        from: codec::optional_state(
            row.opt_text("from_status")?.as_deref(),
            row.opt_text("from_severity")?.as_deref(),
        )?,
        to: codec::state(&row.text("to_status")?, row.opt_text("to_severity")?.as_deref())?,
        actor: row.text("actor_name")?,
        at: row.int("at")?,
        reason: row.text("reason")?,
    })
}

pub(crate) fn measure(row: &impl RowReader) -> Result<Measure> {
    codec::measure(
        &row.text("kind")?,
        row.opt_text("site")?,
        &row.text("start_date")?,
        row.opt_text("planned_end")?.as_deref(),
        row.opt_text("actual_end")?.as_deref(),
    )
}
