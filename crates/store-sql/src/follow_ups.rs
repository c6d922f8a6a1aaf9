//! Home follow-ups (一二三工作法): visits and temperatures of everyone under home isolation or
//! health monitoring, and the day's sheet a grid worker works through.

use async_trait::async_trait;
use domain::Label;
use std::collections::HashMap;

use domain::{FrontLine, MeasureKind, Scope, Source, VisitSlot};
use jiff::civil::Date;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row, Type};
use store::codec;
use store::*;

use crate::{Dialect, SqlBackend, fail};
use domain::Code;

sql_impl! {
#[async_trait]
impl FollowUpStore {
    async fn insert_follow_up(
        &self,
        scope: &Scope,
        actor: &Actor,
        follow_up: NewFollowUp,
        rule: &FrontLine,
        now: Instant,
    ) -> Result<FollowUpReceipt> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        let mut query = QueryBuilder::<D::Db>::new(
            "SELECT kp.person_id, kp.area_code, kp.measure_kind, kp.active, p.name FROM key_persons kp \
             JOIN persons p ON p.id = kp.person_id WHERE kp.id = ",
        );
        query.push_bind(follow_up.key_person_id.get());
        Self::push_scope(&mut query, "kp.area_code", scope);
        let record = query.build().fetch_optional(&mut *tx).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        let person_id: i64 = record.try_get(0).map_err(fail)?;
        let area_code: String = record.try_get(1).map_err(fail)?;
        let measure: Option<String> = record.try_get(2).map_err(fail)?;
        let active: bool = record.try_get(3).map_err(fail)?;
        let name: String = record.try_get(4).map_err(fail)?;
        let measure = measure.as_deref().and_then(|m| MeasureKind::parse(m).ok());
        if !active || !domain::needs_follow_up(measure) {
            return Err(StoreError::conflict("key_person_id", "该人员不在居家隔离或健康监测中", "this person is not under home isolation or health monitoring"));
        }
        let day = codec::date_text(follow_up.day);
        // No conflict target: PostgreSQL's partitioned follow-ups keep the visit's key unique
        // with the area code added (a unique index there must hold the partition key), and the
        // only other key, the id, is fresh.
        let inserted: Option<i64> = sqlx::query_scalar(D::sql(
            "INSERT INTO follow_ups (key_person_id, area_code, day, slot, temperature, note, recorded_by, recorded_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        ))
        .bind(follow_up.key_person_id.get())
        .bind(&area_code)
        .bind(&day)
        .bind(follow_up.slot.as_str())
        .bind(follow_up.temperature.map(|t| i64::from(t.tenths())))
        .bind(follow_up.note.trim())
        .bind(&actor.username)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(fail)?;
        let receipt = match inserted {
            Some(id) => {
                let fever = rule.is_fever(follow_up.temperature);
                if fever {
                    let reading = follow_up.temperature.map(|t| t.to_string()).unwrap_or_default();
                    let reason = format!(
                        "居家随访（{} {}）体温 {reading}℃，{name}",
                        day,
                        follow_up.slot.label_zh()
                    );
                    Self::apply_fever_rule(&mut tx, person_id, Source::FollowUp, &reason, now).await?;
                }
                FollowUpReceipt { id: domain::FollowUpId::new(id), duplicate: false, fever, area_code: area_code.clone() }
            }
            None => {
                let row = sqlx::query(D::sql(
                    "SELECT id, temperature FROM follow_ups WHERE key_person_id = ? AND day = ? AND slot = ?",
                ))
                .bind(follow_up.key_person_id.get())
                .bind(&day)
                .bind(follow_up.slot.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(fail)?;
                let temperature: Option<i64> = row.try_get(1).map_err(fail)?;
                FollowUpReceipt {
                    id: row.try_get::<i64, _>(0).map_err(fail)?.into(),
                    duplicate: true,
                    fever: rule.is_fever(codec::temperature(temperature)),
                    area_code: area_code.clone(),
                }
            }
        };
        tx.commit().await.map_err(fail)?;
        Ok(receipt)
    }

    async fn follow_up_sheet(&self, scope: &Scope, day: Date, limit: u32) -> Result<Vec<FollowUpLine>> {
        let mut query = QueryBuilder::<D::Db>::new(
            "SELECT kp.id, kp.person_id, p.name, p.phone, kp.area_code, kp.grid_code, kp.measure_kind, kp.cadre_name \
             FROM key_persons kp JOIN persons p ON p.id = kp.person_id \
             WHERE kp.active AND kp.measure_kind IN ('home_isolation', 'health_monitoring')",
        );
        Self::push_scope(&mut query, "kp.area_code", scope);
        query.push(" ORDER BY kp.area_code, kp.id LIMIT ").push_bind(i64::from(limit));
        let mut lines = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        for row in query.build().fetch_all(&self.readers).await.map_err(fail)? {
            let measure: String = row.try_get(6).map_err(fail)?;
            let line = FollowUpLine {
                key_person_id: row.try_get::<i64, _>(0).map_err(fail)?.into(),
                person_id: row.try_get::<i64, _>(1).map_err(fail)?.into(),
                name: row.try_get(2).map_err(fail)?,
                phone: row.try_get(3).map_err(fail)?,
                area_code: row.try_get(4).map_err(fail)?,
                grid_code: row.try_get(5).map_err(fail)?,
                measure: MeasureKind::parse(&measure).map_err(|e| StoreError::Backend(e.to_string()))?,
                cadre_name: row.try_get(7).map_err(fail)?,
                visits: Vec::new(),
            };
            index.insert(line.key_person_id.get(), lines.len());
            lines.push(line);
        }
        if lines.is_empty() {
            return Ok(lines);
        }
        let mut query = QueryBuilder::<D::Db>::new(
            "SELECT key_person_id, slot, temperature, note, recorded_by, recorded_at FROM follow_ups WHERE day = ",
        );
        query.push_bind(codec::date_text(day));
        Self::push_scope(&mut query, "area_code", scope);
        query.push(" ORDER BY recorded_at, id");
        for row in query.build().fetch_all(&self.readers).await.map_err(fail)? {
            let key_person_id: i64 = row.try_get(0).map_err(fail)?;
            let Some(&i) = index.get(&key_person_id) else { continue };
            let slot: String = row.try_get(1).map_err(fail)?;
            let temperature: Option<i64> = row.try_get(2).map_err(fail)?;
            lines[i].visits.push(FollowUpVisit {
                slot: VisitSlot::parse(&slot).map_err(|e| StoreError::Backend(e.to_string()))?,
                temperature: codec::temperature(temperature),
                note: row.try_get(3).map_err(fail)?,
                recorded_by: row.try_get(4).map_err(fail)?,
                recorded_at: row.try_get(5).map_err(fail)?,
            });
        }
        Ok(lines)
    }
}
}
