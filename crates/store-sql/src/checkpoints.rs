//! Checkpoints and the passages registered there (逢车必检、逐个测温、逐人筛查).

use async_trait::async_trait;
use domain::{FrontLine, Scope, Source};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row, Type};
use store::*;

use crate::{Dialect, SqlBackend, fail};
use domain::Code;

sql_impl! {
impl {
    /// The person with this ID number; registered at the checkpoint's area when new.
    async fn person_at(
        tx: &mut sqlx::Transaction<'_, D::Db>,
        id_number: &domain::ResidentId,
        name: &domain::PersonName,
        phone: Option<&domain::Phone>,
        area_code: &str,
        now: Instant,
    ) -> Result<i64> {
        let known: Option<i64> = sqlx::query_scalar(D::sql("SELECT id FROM persons WHERE id_number = ?"))
            .bind(id_number.as_str())
            .fetch_optional(&mut **tx)
            .await
            .map_err(fail)?;
        if let Some(id) = known {
            return Ok(id);
        }
        sqlx::query_scalar(D::sql(
            "INSERT INTO persons (id_number, name, phone, area_code, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        ))
        .bind(id_number.as_str())
        .bind(name.as_str())
        .bind(phone.map(domain::Phone::as_str))
        .bind(area_code)
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(fail)
    }
}
}

sql_impl! {
#[async_trait]
impl CheckpointStore {
    async fn insert_checkpoint(
        &self,
        scope: &Scope,
        checkpoint: NewCheckpoint,
        now: Instant,
    ) -> Result<Created<CheckpointId>> {
        if !scope.contains(checkpoint.place.location_code()) {
            return Err(StoreError::NotFound);
        }
        let id: i64 = sqlx::query_scalar(D::sql(
            "INSERT INTO checkpoints (name, area_code, created_at) VALUES (?, ?, ?) RETURNING id",
        ))
        .bind(checkpoint.name.trim())
        .bind(checkpoint.place.location_code())
        .bind(now)
        .fetch_one(&self.writer)
        .await
        .map_err(fail)?;
        Ok(Created { id: id.into(), created: true })
    }

    async fn checkpoints(&self, scope: &Scope) -> Result<Vec<Checkpoint>> {
        let mut query =
            QueryBuilder::<D::Db>::new("SELECT id, name, area_code, created_at FROM checkpoints WHERE 1 = 1");
        Self::push_scope(&mut query, "area_code", scope);
        query.push(" ORDER BY area_code, id");
        let rows = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        rows.iter()
            .map(|r| {
                Ok(Checkpoint {
                    id: r.try_get::<i64, _>(0).map_err(fail)?.into(),
                    name: r.try_get(1).map_err(fail)?,
                    area_code: r.try_get(2).map_err(fail)?,
                    created_at: r.try_get(3).map_err(fail)?,
                })
            })
            .collect()
    }

    async fn insert_passage(
        &self,
        scope: &Scope,
        actor: &Actor,
        passage: NewPassage,
        rule: &FrontLine,
        now: Instant,
    ) -> Result<PassageReceipt> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        let mut query = QueryBuilder::<D::Db>::new("SELECT name, area_code FROM checkpoints WHERE id = ");
        query.push_bind(passage.checkpoint_id.get());
        Self::push_scope(&mut query, "area_code", scope);
        let checkpoint = query.build().fetch_optional(&mut *tx).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        let checkpoint_name: String = checkpoint.try_get(0).map_err(fail)?;
        let area_code: String = checkpoint.try_get(1).map_err(fail)?;
        let fever = rule.is_fever(passage.temperature);
        let (person_id, name, phone, plate, occupants, cargo) = match &passage.subject {
            PassageSubject::Person { id_number, name, phone } => {
                let person_id = match id_number {
                    Some(id_number) => {
                        Some(Self::person_at(&mut tx, id_number, name, phone.as_ref(), &area_code, now).await?)
                    }
                    None => None,
                };
                (
                    person_id,
                    Some(name.as_str().to_string()),
                    phone.as_ref().map(|p| p.as_str().to_string()),
                    None,
                    None,
                    None,
                )
            }
            PassageSubject::Vehicle { plate, occupants, cargo } => {
                (None, None, None, Some(plate.as_str().to_string()), Some(i64::from(*occupants)), cargo.clone())
            }
        };
        let id: i64 = sqlx::query_scalar(D::sql(
            "INSERT INTO passages (checkpoint_id, area_code, at, direction, person_id, name, phone, plate, occupants, cargo, \
             pass_checked, origin, destination, temperature, actor_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        ))
        .bind(passage.checkpoint_id.get())
        .bind(&area_code)
        .bind(now)
        .bind(passage.direction.as_str())
        .bind(person_id)
        .bind(name)
        .bind(phone)
        .bind(plate)
        .bind(occupants)
        .bind(cargo)
        .bind(passage.pass_checked)
        .bind(passage.origin.as_deref().map(str::trim))
        .bind(passage.destination.as_deref().map(str::trim))
        .bind(passage.temperature.map(|t| i64::from(t.tenths())))
        .bind(actor.user_id.get())
        .fetch_one(&mut *tx)
        .await
        .map_err(fail)?;
        let mut breach = false;
        if let Some(person_id) = person_id {
            let confined = Self::confinements(&mut tx, &[person_id]).await?;
            if let Some(confinement) = confined.get(&person_id) {
                let place = (area_code.as_str(), checkpoint_name.as_str());
                Self::raise_breach(&mut tx, (person_id, confinement), place, now).await?;
                breach = true;
            }
        }
        if fever && let Some(person_id) = person_id {
            let reading = passage.temperature.map(|t| t.to_string()).unwrap_or_default();
            let reason = format!("卡口测温 {reading}℃（{checkpoint_name}）");
            Self::apply_fever_rule(&mut tx, person_id, Source::Checkpoint, &reason, now).await?;
        }
        tx.commit().await.map_err(fail)?;
        Ok(PassageReceipt {
            id: domain::PassageId::new(id),
            person_id: person_id.map(domain::PersonId::new),
            area_code,
            fever,
            breach,
        })
    }

    async fn passages(&self, scope: &Scope, checkpoint_id: CheckpointId, from: Instant, to: Instant) -> Result<Vec<Passage>> {
        let mut query = QueryBuilder::<D::Db>::new(
            "SELECT p.id, p.at, p.direction, p.name, p.phone, s.id_number, p.plate, p.occupants, p.cargo, p.pass_checked, \
             p.origin, p.destination, p.temperature FROM passages p LEFT JOIN persons s ON s.id = p.person_id WHERE p.checkpoint_id = ",
        );
        query.push_bind(checkpoint_id.get());
        Self::push_scope(&mut query, "p.area_code", scope);
        query.push(" AND p.at >= ").push_bind(from).push(" AND p.at < ").push_bind(to).push(" ORDER BY p.at, p.id");
        let rows = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        rows.iter()
            .map(|r| {
                Ok(Passage {
                    id: r.try_get::<i64, _>(0).map_err(fail)?.into(),
                    at: r.try_get(1).map_err(fail)?,
                    direction: r.try_get(2).map_err(fail)?,
                    name: r.try_get(3).map_err(fail)?,
                    phone: r.try_get(4).map_err(fail)?,
                    id_number: r.try_get(5).map_err(fail)?,
                    plate: r.try_get(6).map_err(fail)?,
                    occupants: r.try_get(7).map_err(fail)?,
                    cargo: r.try_get(8).map_err(fail)?,
                    pass_checked: r.try_get(9).map_err(fail)?,
                    origin: r.try_get(10).map_err(fail)?,
                    destination: r.try_get(11).map_err(fail)?,
                    temperature: r.try_get(12).map_err(fail)?,
                })
            })
            .collect()
    }
}
}
