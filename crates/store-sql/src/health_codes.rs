//! The facts a health code is derived from: the open record and pending exposures.

use crate::columns::RowReader;
use async_trait::async_trait;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Row, Type};
use store::codec;
use store::*;

use crate::{Columns, Dialect, SqlBackend, fail};
use domain::Code;

sql_impl! {
#[async_trait]
impl HealthCodeStore {
    async fn health_facts(&self, person_id: PersonId) -> Result<HealthFacts> {
        // One statement for the usual case: the person, the open record, and whether any
        // candidacy is pending (only then are the exposures read).
        let row = sqlx::query(D::sql(
            "SELECT p.area_code, k.class, k.status, k.measure_kind, k.measure_planned_end, k.arrival_risk, \
             EXISTS (SELECT 1 FROM contact_candidates c WHERE c.person_id = p.id AND c.status = 'pending') AS exposed \
             FROM persons p LEFT JOIN key_persons k ON k.person_id = p.id AND k.active WHERE p.id = ?",
        ))
        .bind(person_id.get())
        .fetch_optional(&self.readers)
        .await
        .map_err(fail)?
        .ok_or(StoreError::NotFound)?;
        let r = Columns(&row);
        let area_code = r.text("area_code")?;
        let record = match r.opt_text("class")? {
            Some(class) => {
                let measure = r
                    .opt_text("measure_kind")?
                    .map(|m| domain::MeasureKind::parse(&m).map_err(|e| StoreError::Backend(e.to_string())))
                    .transpose()?;
                Some(OpenRecord {
                    class: codec::class(&class)?,
                    status: codec::state(&r.text("status")?, None)?.status,
                    measure,
                    measure_until: codec::optional_date(r.opt_text("measure_planned_end")?.as_deref())?,
                    arrival_risk: r.opt_text("arrival_risk")?.as_deref().map(domain::ArrivalRisk::parse).transpose().map_err(crate::fail)?,
                })
            }
            None => None,
        };
        let exposed: bool = row.try_get("exposed").map_err(fail)?;
        let exposures = if exposed {
            let rows = sqlx::query(D::sql(
                "SELECT v.name, c.stay_from FROM contact_candidates c JOIN epidemic_points e ON e.id = c.point_id \
                 JOIN venues v ON v.id = e.venue_id WHERE c.person_id = ? AND c.status = 'pending' ORDER BY c.stay_from",
            ))
            .bind(person_id.get())
            .fetch_all(&self.readers)
            .await
            .map_err(fail)?;
            rows.iter()
                .map(|row| Ok((row.try_get(0).map_err(fail)?, row.try_get(1).map_err(fail)?)))
                .collect::<Result<Vec<(String, Instant)>>>()?
        } else {
            Vec::new()
        };
        Ok(HealthFacts { person_id: domain::PersonId::new(person_id.get()), area_code, record, exposures })
    }
}
}
