//! Venues and check-ins: the public side of the 场所码, written in batches (group commit).

use domain::{FrontLine, KeyClass, Scope, Source, State, Status};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row, Transaction, Type};
use store::codec;
use store::rows;
use store::*;

use crate::{Columns, Dialect, SqlBackend, fail};

/// The actor recorded on events the system makes itself (the fever rule).
const SYSTEM_ACTOR: (Id, &str) = (0, "system");

impl<D: Dialect> SqlBackend<D>
where
    for<'c> &'c mut <D::Db as Database>::Connection: Executor<'c, Database = D::Db>,
    <D::Db as Database>::Arguments: IntoArguments<D::Db>,
    for<'q> i64: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
    for<'q> bool: Encode<'q, D::Db> + Type<D::Db>,
    for<'q> String: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
    for<'q> &'q str: Encode<'q, D::Db> + Type<D::Db>,
    for<'q> Option<String>: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
    for<'q> Option<&'q str>: Encode<'q, D::Db> + Type<D::Db>,
    for<'q> Option<i64>: Encode<'q, D::Db> + Decode<'q, D::Db> + Type<D::Db>,
    usize: ColumnIndex<<D::Db as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<D::Db as Database>::Row>,
{
    pub(crate) async fn do_insert_venue(&self, scope: &Scope, venue: NewVenue, now: Instant) -> Result<Created> {
        if !scope.contains(venue.place.location_code()) {
            return Err(StoreError::NotFound);
        }
        let row = sqlx::query(D::sql(
            "INSERT INTO venues (token, name, kind, address, area_code, grid_code, owner_name, owner_phone, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        ))
        .bind(&venue.token)
        .bind(venue.name.trim())
        .bind(venue.kind.as_str())
        .bind(venue.address.trim())
        .bind(venue.place.location_code())
        .bind(venue.place.grid.as_ref().map(|g| g.as_str()))
        .bind(venue.owner_name.as_ref().map(|n| n.as_str()))
        .bind(venue.owner_phone.as_ref().map(|p| p.as_str()))
        .bind(now)
        .fetch_one(&self.writer)
        .await
        .map_err(|e| {
            if crate::is_unique_violation(&e) {
                StoreError::Conflict { field: "token", message: "this venue code is already in use".into() }
            } else {
                fail(e)
            }
        })?;
        Ok(Created { id: row.try_get(0).map_err(fail)?, created: true })
    }

    pub(crate) async fn do_venue(&self, scope: &Scope, id: Id) -> Result<Venue> {
        let mut query = QueryBuilder::new(format!("SELECT {} FROM venues WHERE id = ", rows::VENUE_COLUMNS));
        query.push_bind(id);
        Self::push_scope(&mut query, "area_code", scope);
        let row = query.build().fetch_optional(&self.readers).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        rows::venue(&Columns(&row))
    }

    pub(crate) async fn do_venues(&self, scope: &Scope, page: PageRequest) -> Result<Page<Venue>> {
        let mut count = QueryBuilder::new("SELECT count(*) FROM venues WHERE 1 = 1");
        Self::push_scope(&mut count, "area_code", scope);
        let total: i64 = count.build_query_scalar().fetch_one(&self.readers).await.map_err(fail)?;
        let mut query = QueryBuilder::new(format!("SELECT {} FROM venues WHERE 1 = 1", rows::VENUE_COLUMNS));
        Self::push_scope(&mut query, "area_code", scope);
        query.push(" ORDER BY area_code, id LIMIT ").push_bind(i64::from(page.per_page));
        query.push(" OFFSET ").push_bind(page.offset() as i64);
        let found = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        Ok(Page {
            items: found.iter().map(|r| rows::venue(&Columns(r))).collect::<Result<_>>()?,
            total: total as u64,
            page: page.page,
            per_page: page.per_page,
        })
    }

    pub(crate) async fn do_venue_by_token(&self, token: &str) -> Result<Option<Venue>> {
        let row = sqlx::query(D::sql(&format!("SELECT {} FROM venues WHERE token = ?", rows::VENUE_COLUMNS)))
            .bind(token)
            .fetch_optional(&self.readers)
            .await
            .map_err(fail)?;
        row.map(|r| rows::venue(&Columns(&r))).transpose()
    }

    pub(crate) async fn do_insert_checkins(
        &self,
        batch: &[CheckinRequest],
        rule: &FrontLine,
        now: Instant,
    ) -> Result<Vec<Result<CheckinReceipt>>> {
        let mut tx = self.writer.begin().await.map_err(fail)?;
        let mut receipts = Vec::with_capacity(batch.len());
        for request in batch {
            receipts.push(Self::check_in_one(&mut tx, request, rule, now).await?);
        }
        tx.commit().await.map_err(fail)?;
        Ok(receipts)
    }

    /// One check-in inside the batch's transaction. The outer `Result` fails the whole batch
    /// (the database failed); the inner one fails only this request (its input was wrong).
    async fn check_in_one(
        tx: &mut Transaction<'_, D::Db>,
        request: &CheckinRequest,
        rule: &FrontLine,
        now: Instant,
    ) -> Result<Result<CheckinReceipt>> {
        let venue = sqlx::query(D::sql("SELECT id, name, area_code FROM venues WHERE token = ?"))
            .bind(&request.venue_token)
            .fetch_optional(&mut **tx)
            .await
            .map_err(fail)?;
        let Some(venue) = venue else {
            return Ok(Err(StoreError::Invalid { field: "venue_token", message: "no venue has this code".into() }));
        };
        let venue_id: Id = venue.try_get("id").map_err(fail)?;
        let venue_name: String = venue.try_get("name").map_err(fail)?;
        let venue_area: String = venue.try_get("area_code").map_err(fail)?;

        // An idempotent repeat answers with what the first request made.
        if let Some(idem) = &request.idempotency {
            let seen =
                sqlx::query(D::sql("SELECT request_digest, entity_id FROM idempotency WHERE user_id = 0 AND key = ?"))
                    .bind(&idem.key)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(fail)?;
            if let Some(seen) = seen {
                let digest: String = seen.try_get(0).map_err(fail)?;
                if digest != idem.request_digest {
                    return Ok(Err(StoreError::IdempotencyMismatch));
                }
                let id: Id = seen.try_get(1).map_err(fail)?;
                return Self::existing_checkin(tx, id, venue_name, rule).await.map(Ok);
            }
        }

        let person_id = Self::person_for_checkin(tx, request, &venue_area, now).await?;
        // Double taps and re-submits within the window are the same check-in.
        let earlier: Option<(Id, Instant, Option<i64>)> = sqlx::query(D::sql(
            "SELECT id, t_in, temperature FROM checkins WHERE person_id = ? AND venue_id = ? AND t_in >= ? ORDER BY t_in DESC LIMIT 1",
        ))
        .bind(person_id)
        .bind(venue_id)
        .bind(now - rule.checkin_dedupe_seconds)
        .fetch_optional(&mut **tx)
        .await
        .map_err(fail)?
        .map(|r| Ok::<_, StoreError>((r.try_get(0).map_err(fail)?, r.try_get(1).map_err(fail)?, r.try_get(2).map_err(fail)?)))
        .transpose()?;
        let fever = rule.is_fever(request.temperature);
        let receipt = match earlier {
            Some((id, at, temperature)) => {
                let recorded = temperature.and_then(|t| domain::Temperature::from_tenths(t as i16).ok());
                CheckinReceipt {
                    id,
                    person_id,
                    venue_id,
                    venue_name,
                    at,
                    duplicate: true,
                    fever: rule.is_fever(recorded),
                }
            }
            None => {
                let row = sqlx::query(D::sql(
                    "INSERT INTO checkins (venue_id, person_id, area_code, t_in, temperature) VALUES (?, ?, ?, ?, ?) RETURNING id",
                ))
                .bind(venue_id)
                .bind(person_id)
                .bind(&venue_area)
                .bind(now)
                .bind(request.temperature.map(|t| i64::from(t.tenths())))
                .fetch_one(&mut **tx)
                .await
                .map_err(fail)?;
                let id: Id = row.try_get(0).map_err(fail)?;
                if fever {
                    let reading = request.temperature.map(|t| t.to_string()).unwrap_or_default();
                    let reason = format!("场所码登记体温 {reading}℃（{venue_name}）");
                    Self::apply_fever_rule(tx, person_id, Source::Venue, &reason, now).await?;
                }
                CheckinReceipt { id, person_id, venue_id, venue_name, at: now, duplicate: false, fever }
            }
        };
        if let Some(idem) = &request.idempotency {
            sqlx::query(D::sql(
                "INSERT INTO idempotency (user_id, key, request_digest, entity_id, created_at) VALUES (0, ?, ?, ?, ?)",
            ))
            .bind(&idem.key)
            .bind(&idem.request_digest)
            .bind(receipt.id)
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(fail)?;
        }
        Ok(Ok(receipt))
    }

    async fn existing_checkin(
        tx: &mut Transaction<'_, D::Db>,
        id: Id,
        venue_name: String,
        rule: &FrontLine,
    ) -> Result<CheckinReceipt> {
        let row = sqlx::query(D::sql("SELECT person_id, venue_id, t_in, temperature FROM checkins WHERE id = ?"))
            .bind(id)
            .fetch_one(&mut **tx)
            .await
            .map_err(fail)?;
        let temperature: Option<i64> = row.try_get(3).map_err(fail)?;
        let recorded = temperature.and_then(|t| domain::Temperature::from_tenths(t as i16).ok());
        Ok(CheckinReceipt {
            id,
            person_id: row.try_get(0).map_err(fail)?,
            venue_id: row.try_get(1).map_err(fail)?,
            venue_name,
            at: row.try_get(2).map_err(fail)?,
            duplicate: true,
            fever: rule.is_fever(recorded),
        })
    }

    /// The person with this ID number, registered on the spot (at the venue's area) when new.
    async fn person_for_checkin(
        tx: &mut Transaction<'_, D::Db>,
        request: &CheckinRequest,
        venue_area: &str,
        now: Instant,
    ) -> Result<Id> {
        let known: Option<Id> = sqlx::query_scalar(D::sql("SELECT id FROM persons WHERE id_number = ?"))
            .bind(request.id_number.as_str())
            .fetch_optional(&mut **tx)
            .await
            .map_err(fail)?;
        if let Some(id) = known {
            return Ok(id);
        }
        sqlx::query_scalar(D::sql(
            "INSERT INTO persons (id_number, name, phone, area_code, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        ))
        .bind(request.id_number.as_str())
        .bind(request.name.as_str())
        .bind(request.phone.as_ref().map(|p| p.as_str()))
        .bind(venue_area)
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(fail)
    }

    /// SPEC §4.3, once per episode: a person without an open key-person record gets a fever
    /// record; an open record gets a fever-transfer task unless one is already open.
    pub(crate) async fn apply_fever_rule(
        tx: &mut Transaction<'_, D::Db>,
        person_id: Id,
        source: Source,
        reason: &str,
        now: Instant,
    ) -> Result<()> {
        let open: Option<(Id, String)> =
            sqlx::query(D::sql("SELECT id, area_code FROM key_persons WHERE person_id = ? AND active"))
                .bind(person_id)
                .fetch_optional(&mut **tx)
                .await
                .map_err(fail)?
                .map(|r| Ok::<_, StoreError>((r.try_get(0).map_err(fail)?, r.try_get(1).map_err(fail)?)))
                .transpose()?;
        let (record, area_code) = match open {
            Some(open) => open,
            None => {
                let person = sqlx::query(D::sql("SELECT area_code, grid_code FROM persons WHERE id = ?"))
                    .bind(person_id)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(fail)?;
                let area_code: String = person.try_get(0).map_err(fail)?;
                let grid_code: Option<String> = person.try_get(1).map_err(fail)?;
                let screened = State { status: Status::Screened, severity: None };
                let row = sqlx::query(D::sql(
                    "INSERT INTO key_persons (person_id, area_code, grid_code, class, source, status, active, created_at, \
                     updated_at, version) VALUES (?, ?, ?, ?, ?, ?, TRUE, ?, ?, 1) RETURNING id",
                ))
                .bind(person_id)
                .bind(&area_code)
                .bind(&grid_code)
                .bind(KeyClass::Fever.as_str())
                .bind(source.as_str())
                .bind(screened.status.as_str())
                .bind(now)
                .bind(now)
                .fetch_one(&mut **tx)
                .await
                .map_err(fail)?;
                let id: Id = row.try_get(0).map_err(fail)?;
                let actor = Actor {
                    user_id: SYSTEM_ACTOR.0,
                    username: SYSTEM_ACTOR.1.to_string(),
                    role: domain::Role::Admin,
                    scope: Scope::national(),
                    remote_addr: None,
                };
                Self::insert_event(tx, id, &area_code, None, screened, &actor, now, reason).await?;
                (id, area_code)
            }
        };
        let pending: Option<Id> = sqlx::query_scalar(D::sql(
            "SELECT id FROM tasks WHERE key_person_id = ? AND kind = 'fever_transfer' AND done_at IS NULL",
        ))
        .bind(record)
        .fetch_optional(&mut **tx)
        .await
        .map_err(fail)?;
        if pending.is_none() {
            sqlx::query(D::sql(
                "INSERT INTO tasks (kind, key_person_id, area_code, due_date, created_at) VALUES ('fever_transfer', ?, ?, ?, ?) \
                 ON CONFLICT DO NOTHING",
            ))
            .bind(record)
            .bind(&area_code)
            .bind(codec::date_text(domain::shanghai_date(now)))
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(fail)?;
        }
        Ok(())
    }

    pub(crate) async fn do_purge_checkins(&self, before: Instant) -> Result<u64> {
        let done = sqlx::query(D::sql("DELETE FROM checkins WHERE t_in < ?"))
            .bind(before)
            .execute(&self.writer)
            .await
            .map_err(fail)?;
        Ok(D::rows_affected(&done))
    }
}
