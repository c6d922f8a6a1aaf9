//! Investigations, epidemic points and close-contact candidates (SPEC §4.4), and what a health
//! code derives from (§4.5). The rules live in `domain`; this is where their facts are read.

use crate::columns::RowReader;
use async_trait::async_trait;
use domain::{Scope, Status};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row, Type};
use store::codec;
use store::*;

use crate::{Columns, Dialect, SqlBackend, fail};
use domain::{Code, Label};

const INVESTIGATION_COLUMNS: &str = "i.id, i.key_person_id, i.person_id, p.name AS person_name, i.area_code, \
     i.onset_date, i.isolated_at, i.generation, i.created_by_name, i.created_at, i.signed_by, i.signed_by_name, \
     i.signed_at, i.signature";

const CANDIDATE_COLUMNS: &str = "c.id, c.investigation_id, c.point_id, v.name AS venue_name, c.person_id, \
     p.name, p.id_number, p.phone, c.area_code, c.grid_code, c.checkin_id, c.stay_from, c.stay_to, \
     c.stay_estimated, c.overlap_from, c.overlap_to, c.status, c.due_at, c.decided_by_name, c.key_person_id, \
     c.seen_out_at, c.seen_out_place";

/// (`+c.venue_id` in a join keeps SQLite from driving the tail's scan through every venue of the
/// venue index instead of the short rowid range above the watermark, and `+c.t_in` keeps it from
/// skip-scanning the (venue, t_in) index over the whole time window: 30 ms at 3 M check-ins,
/// 10× that at 30 M, for a tail that is empty once the trail has settled.)
///
/// Check-ins above the watermark (bound as `?`) that no chunk has copied into the trail yet (a
/// chunk may have copied some before the round's last one raises the watermark). The watermark
/// is read first, as a value: PostgreSQL then plans the tail as the short range it is (as a
/// subquery it planned a parallel scan that cost 6 ms to start), and a watermark read a moment
/// early only widens the tail.
const NOT_COPIED: &str = "NOT EXISTS (SELECT 1 FROM checkin_trail t2 WHERE t2.person_id = c.person_id AND t2.t_in = c.t_in AND t2.id = c.id)";

fn investigation(row: &impl RowReader) -> Result<Investigation> {
    let signature = match (row.opt_int("signed_by")?, row.opt_int("signed_at")?) {
        (Some(user_id), Some(at)) => Some(Signature {
            user_id: domain::UserId::new(user_id),
            name: row.opt_text("signed_by_name")?.unwrap_or_default(),
            at,
            statement: row.opt_text("signature")?.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(Investigation {
        id: domain::InvestigationId::new(row.int("id")?),
        key_person_id: domain::KeyPersonId::new(row.int("key_person_id")?),
        person_id: domain::PersonId::new(row.int("person_id")?),
        person_name: row.text("person_name")?,
        area_code: row.text("area_code")?,
        onset: codec::date(&row.text("onset_date")?)?,
        isolated_at: row.int("isolated_at")?,
        generation: row.int("generation")?,
        created_by: row.text("created_by_name")?,
        created_at: row.int("created_at")?,
        signature,
    })
}

fn visit(person_id: i64, checkin_id: i64, venue_id: i64, t_in: i64, t_out: Option<i64>) -> domain::Visit {
    domain::Visit {
        checkin_id: domain::CheckinId::new(checkin_id),
        person_id: domain::PersonId::new(person_id),
        venue_id: domain::VenueId::new(venue_id),
        t_in,
        t_out,
    }
}

sql_impl! {
impl {
    /// The trail's rows plus the not-yet-copied ones above the watermark, read in one snapshot.
    async fn watermark(&self) -> Result<i64> {
        sqlx::query_scalar(D::sql("SELECT watermark FROM checkin_trail_mark WHERE one = 1"))
            .fetch_one(&self.readers)
            .await
            .map_err(fail)
    }

    /// Whether check-ins above `watermark` may exist: the newest check-in id has passed it. The
    /// tail query is skipped when not, which on PostgreSQL saves planning it over every county's
    /// partitions of the window for a result that is nearly always empty.
    async fn tail_pending(&self, watermark: i64) -> Result<bool> {
        let newest: Option<i64> =
            sqlx::query_scalar(D::NEWEST_CHECKIN_ID).fetch_one(&self.readers).await.map_err(fail)?;
        Ok(newest.is_some_and(|n| n > watermark))
    }

    /// A row of (person_id, id, venue_id, t_in, t_out) as a visit.
    pub(crate) fn visit_row(row: &<D::Db as Database>::Row) -> Result<domain::Visit> {
        Ok(visit(
            row.try_get(0).map_err(fail)?,
            row.try_get(1).map_err(fail)?,
            row.try_get(2).map_err(fail)?,
            row.try_get(3).map_err(fail)?,
            row.try_get(4).map_err(fail)?,
        ))
    }

    fn candidate_row(row: &<D::Db as Database>::Row) -> Result<Candidate> {
        let r = Columns(row);
        let status = r.text("status")?;
        Ok(Candidate {
            id: domain::CandidateId::new(r.int("id")?),
            investigation_id: domain::InvestigationId::new(r.int("investigation_id")?),
            point_id: domain::PointId::new(r.int("point_id")?),
            venue_name: r.text("venue_name")?,
            person_id: domain::PersonId::new(r.int("person_id")?),
            name: r.text("name")?,
            id_number: r.text("id_number")?,
            phone: r.opt_text("phone")?,
            area_code: r.text("area_code")?,
            grid_code: r.opt_text("grid_code")?,
            checkin_id: domain::CheckinId::new(r.int("checkin_id")?),
            stay_from: r.int("stay_from")?,
            stay_to: r.int("stay_to")?,
            stay_estimated: row.try_get("stay_estimated").map_err(fail)?,
            overlap_from: r.int("overlap_from")?,
            overlap_to: r.int("overlap_to")?,
            status: CandidateStatus::parse(&status)
                .ok_or_else(|| StoreError::Backend(format!("unknown candidate status {status}")))?,
            due_at: r.int("due_at")?,
            decided_by: r.opt_text("decided_by_name")?,
            key_person_id: (r.opt_int("key_person_id")?).map(domain::KeyPersonId::new),
            seen_out: match (r.opt_int("seen_out_at")?, r.opt_text("seen_out_place")?) {
                (Some(at), Some(place)) => Some(SeenOut { at, place }),
                _ => None,
            },
        })
    }
}
}

sql_impl! {
#[async_trait]
impl InvestigationStore {
    async fn insert_investigation(
        &self,
        scope: &Scope,
        actor: &Actor,
        new: NewInvestigation,
        generation: i64,
        now: Instant,
    ) -> Result<Created<InvestigationId>> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        let mut query = QueryBuilder::new("SELECT person_id, area_code, status, class FROM key_persons WHERE active AND id = ");
        query.push_bind(new.key_person_id.get());
        Self::push_scope(&mut query, "area_code", scope);
        let record = query.build().fetch_optional(&mut *tx).await.map_err(fail)?.ok_or_else(|| StoreError::invalid(
            "key_person_id",
            format!("您的管辖范围内没有在管的重点人员记录 {}", new.key_person_id),
            format!("no open key-person record {} in your jurisdiction", new.key_person_id),
        ))?;
        let record = Columns(&record);
        let status = codec::state(&record.text("status")?, None)?.status;
        let class = codec::class(&record.text("class")?)?;
        let traceable = matches!(status, Status::Confirmed | Status::Suspected)
            || (generation > 1 && class == domain::KeyClass::CloseContact);
        if !traceable {
            return Err(StoreError::invalid(
                "key_person_id",
                format!("流调针对确诊或疑似病例；这条记录是「{}」", status.label_zh()),
                format!("an investigation is for a confirmed or suspected case; this record is {}", status.as_str()),
            ));
        }
        let onset = codec::date_text(new.onset);
        let existing: Option<i64> =
            sqlx::query_scalar(D::sql("SELECT id FROM investigations WHERE key_person_id = ? AND onset_date = ?"))
                .bind(new.key_person_id.get())
                .bind(&onset)
                .fetch_optional(&mut *tx)
                .await
                .map_err(fail)?;
        if let Some(id) = existing {
            return Ok(Created { id: id.into(), created: false });
        }
        let id: i64 = sqlx::query_scalar(D::sql(
            "INSERT INTO investigations (key_person_id, person_id, area_code, onset_date, isolated_at, generation, \
             created_by, created_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        ))
        .bind(new.key_person_id.get())
        .bind(record.int("person_id")?)
        .bind(record.text("area_code")?)
        .bind(&onset)
        .bind(new.isolated_at)
        .bind(generation)
        .bind(actor.user_id.get())
        .bind(&actor.username)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        Ok(Created { id: id.into(), created: true })
    }

    async fn investigation(&self, scope: &Scope, id: InvestigationId) -> Result<Investigation> {
        let mut query = QueryBuilder::new(format!(
            "SELECT {INVESTIGATION_COLUMNS} FROM investigations i JOIN persons p ON p.id = i.person_id WHERE i.id = "
        ));
        query.push_bind(id.get());
        Self::push_scope(&mut query, "i.area_code", scope);
        let row = query.build().fetch_optional(&self.readers).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        investigation(&Columns(&row))
    }

    async fn investigations(&self, scope: &Scope, limit: u32) -> Result<Vec<Investigation>> {
        let mut query = QueryBuilder::new(format!(
            "SELECT {INVESTIGATION_COLUMNS} FROM investigations i JOIN persons p ON p.id = i.person_id WHERE 1 = 1"
        ));
        Self::push_scope(&mut query, "i.area_code", scope);
        query.push(" ORDER BY i.id DESC LIMIT ").push_bind(i64::from(limit));
        let rows = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        rows.iter().map(|row| investigation(&Columns(row))).collect()
    }

    async fn visits_of_person(&self, person_id: PersonId, from: Instant, to: Instant) -> Result<Vec<NamedVisit>> {
        let watermark = self.watermark().await?;
        let trail = "SELECT t.person_id, t.id, t.venue_id, t.t_in, t.t_out, v.name, v.area_code FROM checkin_trail t \
             JOIN venues v ON v.id = t.venue_id WHERE t.person_id = ? AND t.t_in >= ? AND t.t_in < ?";
        let rows = if self.tail_pending(watermark).await? {
            sqlx::query(D::sql(&format!(
                "SELECT * FROM ({trail} \
                 UNION ALL \
                 SELECT c.person_id, c.id, c.venue_id, c.t_in, c.t_out, v.name, v.area_code FROM checkins c \
                 JOIN venues v ON v.id = {u}c.venue_id WHERE c.id > ? AND {NOT_COPIED} AND c.person_id = ? AND {u}c.t_in >= ? AND {u}c.t_in < ?\
                 ) AS visits ORDER BY t_in, id",
                u = D::UNINDEXED
            )))
            .bind(person_id.get())
            .bind(from)
            .bind(to)
            .bind(watermark)
            .bind(person_id.get())
            .bind(from)
            .bind(to)
            .fetch_all(&self.readers)
            .await
            .map_err(fail)?
        } else {
            sqlx::query(D::sql(&format!("{trail} ORDER BY t.t_in, t.id")))
                .bind(person_id.get())
                .bind(from)
                .bind(to)
                .fetch_all(&self.readers)
                .await
                .map_err(fail)?
        };
        rows.iter()
            .map(|row| {
                Ok(NamedVisit {
                    visit: visit(
                        row.try_get(0).map_err(fail)?,
                        row.try_get(1).map_err(fail)?,
                        row.try_get(2).map_err(fail)?,
                        row.try_get(3).map_err(fail)?,
                        row.try_get(4).map_err(fail)?,
                    ),
                    venue_name: row.try_get(5).map_err(fail)?,
                    venue_area_code: row.try_get(6).map_err(fail)?,
                })
            })
            .collect()
    }

    async fn visits_of_persons(&self, person_ids: &[PersonId], from: Instant, to: Instant) -> Result<Vec<domain::Visit>> {
        let mut visits = Vec::new();
        if person_ids.is_empty() {
            return Ok(visits);
        }
        let watermark = self.watermark().await?;
        let tail = self.tail_pending(watermark).await?;
        // Bounded lists keep each statement within both databases' parameter limits. The trail
        // alone answers (its key and columns hold all that is needed), no check-in row is read.
        for chunk in person_ids.chunks(2_000) {
            let mut query =
                QueryBuilder::<D::Db>::new("SELECT t.person_id, t.id, t.venue_id, t.t_in FROM checkin_trail t WHERE t.t_in >= ");
            query.push_bind(from).push(" AND t.t_in < ").push_bind(to).push(" AND t.person_id IN (");
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(id.get());
            }
            query.push(")");
            if tail {
                query.push(" UNION ALL SELECT c.person_id, c.id, c.venue_id, c.t_in FROM checkins c WHERE c.id > ");
                query.push_bind(watermark);
                query.push(" AND ").push(NOT_COPIED).push(format!(" AND {}c.t_in >= ", D::UNINDEXED));
                query.push_bind(from).push(format!(" AND {}c.t_in < ", D::UNINDEXED)).push_bind(to);
                query.push(" AND c.person_id IN (");
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(id.get());
                }
                query.push(")");
            }
            for row in query.build().fetch_all(&self.readers).await.map_err(fail)? {
                visits.push(visit(
                    row.try_get(0).map_err(fail)?,
                    row.try_get(1).map_err(fail)?,
                    row.try_get(2).map_err(fail)?,
                    row.try_get(3).map_err(fail)?,
                    None,
                ));
            }
        }
        Ok(visits)
    }

    async fn visits_at_venue(&self, venue_id: VenueId, after: Instant, before: Instant) -> Result<Vec<domain::Visit>> {
        let rows = sqlx::query(D::sql(
            "SELECT person_id, id, venue_id, t_in, t_out FROM checkins WHERE venue_id = ? \
             AND area_code = (SELECT area_code FROM venues WHERE id = ?) AND t_in > ? AND t_in < ? ORDER BY t_in",
        ))
        .bind(venue_id.get())
        .bind(venue_id.get())
        .bind(after)
        .bind(before)
        .fetch_all(&self.readers)
        .await
        .map_err(fail)?;
        rows.iter().map(Self::visit_row).collect()
    }

    async fn passages_of_person(&self, person_id: PersonId, from: Instant, to: Instant) -> Result<Vec<PassageOfPerson>> {
        let rows = sqlx::query(D::sql(
            "SELECT p.id, c.name, p.at, p.direction FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id \
             WHERE p.person_id = ? AND p.at >= ? AND p.at < ? ORDER BY p.at",
        ))
        .bind(person_id.get())
        .bind(from)
        .bind(to)
        .fetch_all(&self.readers)
        .await
        .map_err(fail)?;
        rows.iter()
            .map(|row| {
                Ok(PassageOfPerson {
                    id: row.try_get::<i64, _>(0).map_err(fail)?.into(),
                    checkpoint_name: row.try_get(1).map_err(fail)?,
                    at: row.try_get(2).map_err(fail)?,
                    direction: row.try_get(3).map_err(fail)?,
                })
            })
            .collect()
    }

    async fn insert_reported_place(
        &self,
        investigation: &Investigation,
        actor: &Actor,
        place: NewReportedPlace,
        now: Instant,
    ) -> Result<Created<ReportedPlaceId>> {
        let id: i64 = sqlx::query_scalar(D::sql(
            "INSERT INTO reported_places (investigation_id, area_code, place, venue_id, t_from, t_to, note, created_by_name, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        ))
        .bind(investigation.id.get())
        .bind(&investigation.area_code)
        .bind(place.place.trim())
        .bind(place.venue_id.map(domain::VenueId::get))
        .bind(place.from)
        .bind(place.to)
        .bind(place.note.trim())
        .bind(&actor.username)
        .bind(now)
        .fetch_one(&self.writer)
        .await
        .map_err(|e| {
            if matches!(&e, sqlx::Error::Database(d) if d.is_foreign_key_violation()) {
                StoreError::invalid("venue_id", "没有这个场所", "no such venue")
            } else {
                fail(e)
            }
        })?;
        Ok(Created { id: id.into(), created: true })
    }

    async fn reported_places(&self, investigation_id: InvestigationId) -> Result<Vec<ReportedPlace>> {
        let rows = sqlx::query(D::sql(
            "SELECT id, place, venue_id, t_from, t_to, note FROM reported_places WHERE investigation_id = ? ORDER BY t_from, id",
        ))
        .bind(investigation_id.get())
        .fetch_all(&self.readers)
        .await
        .map_err(fail)?;
        rows.iter()
            .map(|row| {
                Ok(ReportedPlace {
                    id: row.try_get::<i64, _>(0).map_err(fail)?.into(),
                    place: row.try_get(1).map_err(fail)?,
                    venue_id: row.try_get::<Option<i64>, _>(2).map_err(fail)?.map(VenueId::new),
                    from: row.try_get(3).map_err(fail)?,
                    to: row.try_get(4).map_err(fail)?,
                    note: row.try_get(5).map_err(fail)?,
                })
            })
            .collect()
    }

    async fn points(&self, investigation_id: InvestigationId) -> Result<Vec<PointView>> {
        let rows = sqlx::query(D::sql(
            "SELECT e.id, e.venue_id, v.name, e.area_code, e.case_checkin_id, e.t_from, e.t_to, e.exposure_from, \
             e.exposure_to, e.confirmed_by_name FROM epidemic_points e JOIN venues v ON v.id = e.venue_id \
             WHERE e.investigation_id = ? ORDER BY e.t_from, e.id",
        ))
        .bind(investigation_id.get())
        .fetch_all(&self.readers)
        .await
        .map_err(fail)?;
        rows.iter()
            .map(|row| {
                Ok(PointView {
                    id: Some(row.try_get::<i64, _>(0).map_err(fail)?.into()),
                    venue_id: row.try_get::<i64, _>(1).map_err(fail)?.into(),
                    venue_name: row.try_get(2).map_err(fail)?,
                    area_code: row.try_get(3).map_err(fail)?,
                    case_checkin_id: row.try_get::<i64, _>(4).map_err(fail)?.into(),
                    from: row.try_get(5).map_err(fail)?,
                    to: row.try_get(6).map_err(fail)?,
                    exposure_from: row.try_get(7).map_err(fail)?,
                    exposure_to: row.try_get(8).map_err(fail)?,
                    confirmed_by: Some(row.try_get(9).map_err(fail)?),
                })
            })
            .collect()
    }

    async fn insert_point(&self, actor: &Actor, point: NewPoint, now: Instant) -> Result<Created<PointId>> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        let existing: Option<i64> = sqlx::query_scalar(D::sql(
            "SELECT id FROM epidemic_points WHERE investigation_id = ? AND case_checkin_id = ?",
        ))
        .bind(point.investigation_id.get())
        .bind(point.case_checkin_id.get())
        .fetch_optional(&mut *tx)
        .await
        .map_err(fail)?;
        if let Some(id) = existing {
            return Ok(Created { id: id.into(), created: false });
        }
        let id: i64 = sqlx::query_scalar(D::sql(
            "INSERT INTO epidemic_points (investigation_id, venue_id, area_code, case_checkin_id, t_from, t_to, \
             exposure_from, exposure_to, confirmed_by_name, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        ))
        .bind(point.investigation_id.get())
        .bind(point.venue_id.get())
        .bind(&point.area_code)
        .bind(point.case_checkin_id.get())
        .bind(point.from)
        .bind(point.to)
        .bind(point.exposure_from)
        .bind(point.exposure_to)
        .bind(&actor.username)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(fail)?;
        for chunk in point.candidates.chunks(1_000) {
            let mut query = QueryBuilder::<D::Db>::new(
                "INSERT INTO contact_candidates (investigation_id, point_id, person_id, area_code, grid_code, checkin_id, \
                 stay_from, stay_to, stay_estimated, overlap_from, overlap_to, status, due_at, created_at) ",
            );
            // The person's own area and grid: the tracing task goes to whoever governs them.
            query.push_values(chunk, |mut row, c| {
                row.push_bind(point.investigation_id.get())
                    .push_bind(id)
                    .push_bind(c.person_id.get())
                    .push("(SELECT area_code FROM persons WHERE id = ")
                    .push_bind_unseparated(c.person_id.get())
                    .push_unseparated(")")
                    .push("(SELECT grid_code FROM persons WHERE id = ")
                    .push_bind_unseparated(c.person_id.get())
                    .push_unseparated(")")
                    .push_bind(c.checkin_id.get())
                    .push_bind(c.stay_from)
                    .push_bind(c.stay_to)
                    .push_bind(c.stay_estimated)
                    .push_bind(c.overlap_from)
                    .push_bind(c.overlap_to)
                    .push_bind(CandidateStatus::Pending.as_str())
                    .push_bind(c.due_at)
                    .push_bind(now);
            });
            query.push(" ON CONFLICT DO NOTHING");
            query.build().execute(&mut *tx).await.map_err(fail)?;
        }
        tx.commit().await.map_err(fail)?;
        Ok(Created { id: id.into(), created: true })
    }

    async fn candidates(&self, scope: &Scope, filter: CandidateFilter, limit: u32) -> Result<Vec<Candidate>> {
        let mut query = QueryBuilder::new(format!(
            "SELECT {CANDIDATE_COLUMNS} FROM contact_candidates c JOIN persons p ON p.id = c.person_id \
             JOIN epidemic_points e ON e.id = c.point_id JOIN venues v ON v.id = e.venue_id WHERE "
        ));
        match filter {
            CandidateFilter::Investigation(id) => {
                // Scoped by the investigation: its investigator sees every candidate, wherever they live.
                query.push("c.investigation_id = ").push_bind(id.get());
                query.push(" AND c.investigation_id IN (SELECT id FROM investigations WHERE 1 = 1");
                Self::push_scope(&mut query, "area_code", scope);
                query.push(") ORDER BY c.id");
            }
            CandidateFilter::PendingInScope => {
                query.push("c.status = ").push_bind(CandidateStatus::Pending.as_str());
                Self::push_scope(&mut query, "c.area_code", scope);
                query.push(" ORDER BY c.due_at, c.id");
            }
        }
        query.push(" LIMIT ").push_bind(i64::from(limit));
        let rows = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        rows.iter().map(|row| Self::candidate_row(row)).collect()
    }

    async fn candidate(&self, scope: &Scope, id: CandidateId) -> Result<Candidate> {
        let mut query = QueryBuilder::new(format!(
            "SELECT {CANDIDATE_COLUMNS} FROM contact_candidates c JOIN persons p ON p.id = c.person_id \
             JOIN epidemic_points e ON e.id = c.point_id JOIN venues v ON v.id = e.venue_id WHERE c.id = "
        ));
        query.push_bind(id.get());
        let (lower, upper) = scope.range();
        query.push(" AND ((c.area_code >= ").push_bind(lower.clone()).push(" AND c.area_code < ").push_bind(upper.clone());
        query.push(") OR c.investigation_id IN (SELECT id FROM investigations WHERE area_code >= ").push_bind(lower);
        query.push(" AND area_code < ").push_bind(upper).push("))");
        let row = query.build().fetch_optional(&self.readers).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        Self::candidate_row(&row)
    }

    async fn decide_candidate(&self, id: CandidateId, outcome: &CandidateOutcome, actor: &Actor, now: Instant) -> Result<()> {
        let done = sqlx::query(D::sql(
            "UPDATE contact_candidates SET status = ?, key_person_id = ?, note = ?, decided_at = ?, decided_by_name = ? \
             WHERE id = ? AND status = 'pending'",
        ))
        .bind(outcome.status.as_str())
        .bind(outcome.key_person_id.map(KeyPersonId::get))
        .bind(outcome.note.as_deref())
        .bind(now)
        .bind(&actor.username)
        .bind(id.get())
        .execute(&self.writer)
        .await
        .map_err(fail)?;
        if D::rows_affected(&done) == 0 {
            return Err(StoreError::conflict("status", "该密接候选人已经处理过了", "this candidate has already been decided"));
        }
        Ok(())
    }

    async fn sign_investigation(
        &self,
        scope: &Scope,
        id: InvestigationId,
        actor: &Actor,
        statement: &str,
        now: Instant,
    ) -> Result<()> {
        let mut query = QueryBuilder::new("UPDATE investigations SET signed_by = ");
        query.push_bind(actor.user_id.get()).push(", signed_by_name = ").push_bind(actor.username.clone());
        query.push(", signed_at = ").push_bind(now).push(", signature = ").push_bind(statement.to_string());
        query.push(" WHERE signed_at IS NULL AND id = ").push_bind(id.get());
        Self::push_scope(&mut query, "area_code", scope);
        let done = query.build().execute(&self.writer).await.map_err(fail)?;
        if D::rows_affected(&done) == 0 {
            // Either signed already or not ours to see.
            self.investigation(scope, domain::InvestigationId::new(id.get())).await?;
            return Err(StoreError::conflict("signature", "该流调已签字确认", "this investigation is already signed"));
        }
        Ok(())
    }
}
}
