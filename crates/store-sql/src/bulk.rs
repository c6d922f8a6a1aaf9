//! Bulk loading for the demo and imports: explicit ids, multi-row INSERTs, one transaction each.

use async_trait::async_trait;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Transaction, Type};
use store::codec;
use store::*;

use crate::{Dialect, SqlBackend, fail, sql_int};
use domain::Code;

/// Rows per INSERT statement: 2000 rows of the widest table stay under SQLite's 32,766 and
/// PostgreSQL's 65,535 bound parameters.
const CHUNK: usize = 2000;

sql_impl! {
impl {
    /// Moves the identity sequence of `table` past the ids loaded explicitly, where the database
    /// keeps one.
    async fn after_bulk_load(tx: &mut Transaction<'_, D::Db>, table: &'static str) -> Result<()> {
        if let Some(template) = D::AFTER_BULK_LOAD {
            sqlx::query(D::sql(&template.replace("{table}", table))).execute(&mut **tx).await.map_err(fail)?;
        }
        Ok(())
    }

    async fn next_id(&self, table: &'static str) -> Result<i64> {
        sqlx::query_scalar(D::sql(&format!("SELECT coalesce(max(id), 0) + 1 FROM {table}")))
            .fetch_one(&self.writer)
            .await
            .map_err(fail)
    }
}
}

sql_impl! {
#[async_trait]
impl BulkStore {
    async fn insert_grids(&self, grids: &[NewGrid]) -> Result<()> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        for chunk in grids.chunks(CHUNK) {
            let mut query = QueryBuilder::<D::Db>::new("INSERT INTO grids (code, parent_code, level, name) ");
            query.push_values(chunk, |mut row, grid| {
                let parent = grid
                    .code
                    .parent()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| grid.code.as_str()[..6].to_string());
                row.push_bind(grid.code.as_str().to_string())
                    .push_bind(parent)
                    .push_bind(i64::from(grid.code.level().number()))
                    .push_bind(grid.name.clone());
            });
            query.build().execute(&mut *tx).await.map_err(fail)?;
        }
        tx.commit().await.map_err(fail)
    }

    async fn insert_grid_workers(&self, workers: &[NewGridWorker]) -> Result<()> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        for chunk in workers.chunks(CHUNK) {
            let mut query = QueryBuilder::<D::Db>::new("INSERT INTO grid_workers (grid_code, name, phone, user_id) ");
            query.push_values(chunk, |mut row, worker| {
                row.push_bind(worker.grid.as_str().to_string())
                    .push_bind(worker.name.as_str().to_string())
                    .push_bind(worker.phone.as_str().to_string())
                    .push_bind(worker.user_id.map(domain::UserId::get));
            });
            query.build().execute(&mut *tx).await.map_err(fail)?;
        }
        tx.commit().await.map_err(fail)
    }

    async fn insert_households(&self, households: &[NewHousehold]) -> Result<Vec<HouseholdId>> {
        let first = self.next_id("households").await?;
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        for (n, chunk) in households.chunks(CHUNK).enumerate() {
            let base = first + sql_int(n * CHUNK);
            let mut query = QueryBuilder::<D::Db>::new("INSERT INTO households (id, area_code, address) ");
            query.push_values(chunk.iter().enumerate(), |mut row, (i, household)| {
                row.push_bind(base + sql_int(i))
                    .push_bind(household.grid.as_str().to_string())
                    .push_bind(household.address.clone());
            });
            query.build().execute(&mut *tx).await.map_err(fail)?;
        }
        Self::after_bulk_load(&mut tx, "households").await?;
        tx.commit().await.map_err(fail)?;
        Ok((first..first + sql_int(households.len())).map(HouseholdId::new).collect())
    }

    async fn bulk_insert_persons(&self, persons: &[BulkPerson], now: Instant) -> Result<Vec<PersonId>> {
        let first = self.next_id("persons").await?;
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        for (n, chunk) in persons.chunks(CHUNK).enumerate() {
            let base = first + sql_int(n * CHUNK);
            let mut query = QueryBuilder::<D::Db>::new(
                "INSERT INTO persons (id, id_number, name, phone, area_code, grid_code, household_id, created_at) ",
            );
            query.push_values(chunk.iter().enumerate(), |mut row, (i, person)| {
                row.push_bind(base + sql_int(i))
                    .push_bind(person.id_number.clone())
                    .push_bind(person.name.clone())
                    .push_bind(person.phone.clone())
                    .push_bind(person.place.location_code().to_string())
                    .push_bind(person.place.grid.as_ref().map(|g| g.as_str().to_string()))
                    .push_bind(person.household_id.map(domain::HouseholdId::get))
                    .push_bind(now);
            });
            query.build().execute(&mut *tx).await.map_err(fail)?;
        }
        Self::after_bulk_load(&mut tx, "persons").await?;
        tx.commit().await.map_err(fail)?;
        Ok((first..first + sql_int(persons.len())).map(PersonId::new).collect())
    }

    async fn bulk_insert_key_persons(&self, records: &[BulkKeyPerson], now: Instant) -> Result<()> {
        let first = self.next_id("key_persons").await?;
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        for (n, chunk) in records.chunks(CHUNK / 2).enumerate() {
            let base = first + sql_int(n * CHUNK / 2);
            let mut query = QueryBuilder::<D::Db>::new(
                "INSERT INTO key_persons (id, person_id, area_code, grid_code, class, source, cadre_name, cadre_phone, status, \
                 severity, active, measure_kind, measure_site, measure_start, measure_planned_end, created_at, updated_at, version) ",
            );
            query.push_values(chunk.iter().enumerate(), |mut row, (i, record)| {
                let state = record.history.last().map(|(_, to, _, _)| *to);
                let current = record.measures.last().filter(|m| m.actual_end.is_none());
                let created_at = record.history.first().map(|(_, _, at, _)| *at).unwrap_or(now);
                let updated_at = record.history.last().map(|(_, _, at, _)| *at).unwrap_or(now);
                row.push_bind(base + sql_int(i))
                    .push_bind(record.person_id.get())
                    .push_bind(record.place.location_code().to_string())
                    .push_bind(record.place.grid.as_ref().map(|g| g.as_str().to_string()))
                    .push_bind(record.class.as_str())
                    .push_bind(record.source.as_str())
                    .push_bind(record.cadre_name.clone())
                    .push_bind(record.cadre_phone.clone())
                    .push_bind(state.map(|s| s.status.as_str()).unwrap_or("screened"))
                    .push_bind(state.as_ref().and_then(codec::severity_text))
                    .push_bind(state.is_none_or(|s| !s.status.is_terminal()))
                    .push_bind(current.map(|m| m.kind.as_str()))
                    .push_bind(current.and_then(|m| m.site.clone()))
                    .push_bind(current.map(|m| codec::date_text(m.start)))
                    .push_bind(current.and_then(|m| m.planned_end).map(codec::date_text))
                    .push_bind(created_at)
                    .push_bind(updated_at)
                    .push_bind(sql_int(record.history.len()));
            });
            query.build().execute(&mut *tx).await.map_err(fail)?;

            let events: Vec<_> = chunk
                .iter()
                .enumerate()
                .flat_map(|(i, record)| record.history.iter().map(move |event| (base + sql_int(i), record, event)))
                .collect();
            for events in events.chunks(CHUNK / 2) {
                let mut query = QueryBuilder::<D::Db>::new(
                    "INSERT INTO key_person_events (key_person_id, area_code, from_status, from_severity, to_status, to_severity, \
                     actor_id, actor_name, at, reason) ",
                );
                query.push_values(events, |mut row, (id, record, (from, to, at, reason))| {
                    row.push_bind(*id)
                        .push_bind(record.place.location_code().to_string())
                        .push_bind(from.map(|s| s.status.as_str()))
                        .push_bind(from.as_ref().and_then(codec::severity_text))
                        .push_bind(to.status.as_str())
                        .push_bind(codec::severity_text(to))
                        .push_bind(record.actor_id.get())
                        .push_bind(record.actor_name.clone())
                        .push_bind(*at)
                        .push_bind(reason.clone());
                });
                query.build().execute(&mut *tx).await.map_err(fail)?;
            }

            let measures: Vec<_> = chunk
                .iter()
                .enumerate()
                .flat_map(|(i, record)| record.measures.iter().map(move |measure| (base + sql_int(i), record, measure)))
                .collect();
            for measures in measures.chunks(CHUNK) {
                let mut query = QueryBuilder::<D::Db>::new(
                    "INSERT INTO measures (key_person_id, area_code, kind, site, start_date, planned_end, actual_end) ",
                );
                query.push_values(measures, |mut row, (id, record, measure)| {
                    row.push_bind(*id)
                        .push_bind(record.place.location_code().to_string())
                        .push_bind(measure.kind.as_str())
                        .push_bind(measure.site.clone())
                        .push_bind(codec::date_text(measure.start))
                        .push_bind(measure.planned_end.map(codec::date_text))
                        .push_bind(measure.actual_end.map(codec::date_text));
                });
                query.build().execute(&mut *tx).await.map_err(fail)?;
            }
        }
        Self::after_bulk_load(&mut tx, "key_persons").await?;
        tx.commit().await.map_err(fail)
    }

    async fn bulk_insert_venues(&self, venues: &[NewVenue], now: Instant) -> Result<Vec<VenueId>> {
        let first = self.next_id("venues").await?;
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        for (n, chunk) in venues.chunks(CHUNK).enumerate() {
            let base = first + sql_int(n * CHUNK);
            let mut query = QueryBuilder::<D::Db>::new(
                "INSERT INTO venues (id, token, name, kind, address, area_code, grid_code, owner_name, owner_phone, created_at) ",
            );
            query.push_values(chunk.iter().enumerate(), |mut row, (i, venue)| {
                row.push_bind(base + sql_int(i))
                    .push_bind(venue.token.clone())
                    .push_bind(venue.name.clone())
                    .push_bind(venue.kind.as_str())
                    .push_bind(venue.address.clone())
                    .push_bind(venue.place.location_code().to_string())
                    .push_bind(venue.place.grid.as_ref().map(|g| g.as_str().to_string()))
                    .push_bind(venue.owner_name.as_ref().map(|n| n.as_str().to_string()))
                    .push_bind(venue.owner_phone.as_ref().map(|p| p.as_str().to_string()))
                    .push_bind(now);
            });
            query.build().execute(&mut *tx).await.map_err(fail)?;
        }
        Self::after_bulk_load(&mut tx, "venues").await?;
        tx.commit().await.map_err(fail)?;
        Ok((first..first + sql_int(venues.len())).map(VenueId::new).collect())
    }

    async fn bulk_insert_checkins(&self, checkins: &[BulkCheckin]) -> Result<()> {
        // The rows' partitions first, or a load into a new city would all wait in the catch-all.
        if let (Some(from), Some(to)) =
            (checkins.iter().map(|c| c.t_in).min(), checkins.iter().map(|c| c.t_in).max())
        {
            self.prepare_partitions(from, to).await?;
        }
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        for chunk in checkins.chunks(CHUNK * 2) {
            let mut query = QueryBuilder::<D::Db>::new(
                "INSERT INTO checkins (venue_id, person_id, area_code, t_in, t_out, temperature) ",
            );
            query.push_values(chunk, |mut row, checkin| {
                row.push_bind(checkin.venue_id.get())
                    .push_bind(checkin.person_id.get())
                    .push_bind(checkin.area_code.clone())
                    .push_bind(checkin.t_in)
                    .push_bind(checkin.t_out)
                    .push_bind(checkin.temperature.map(|t| i64::from(t.tenths())));
            });
            query.build().execute(&mut *tx).await.map_err(fail)?;
        }
        Self::catch_up_trail(&mut tx).await?;
        tx.commit().await.map_err(fail)
    }

    async fn optimize(&self) -> Result<()> {
        for statement in D::OPTIMIZE {
            sqlx::query(D::sql(statement)).execute(&self.writer).await.map_err(fail)?;
        }
        Ok(())
    }
}
}
