//! Counts per county, Beijing day, class and status: two grouped reads, no personal column.

use async_trait::async_trait;
use domain::statistics::{Count, CountOf};
use domain::{Code, KeyClass, Scope, Status};
use jiff::civil::Date;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row, Type};
use store::*;

use crate::{Dialect, SqlBackend, fail};

/// Beijing is UTC+8 all year: the day of an instant is `(at + 8 h) / 1 day`, in SQL on both
/// databases (integer division).
const BEIJING_OFFSET: i64 = 8 * 3600;
const DAY: i64 = 86_400;

fn date_of_day_number(day: i64) -> Result<Date> {
    Ok(domain::shanghai_date(day * DAY))
}

fn count_of(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}

sql_impl! {
#[async_trait]
impl StatisticsStore {
    async fn key_person_counts(&self, scope: &Scope, from: Date, to: Date, today: Date) -> Result<Vec<Count>> {
        let start = domain::shanghai_day_start(from);
        let end = domain::shanghai_day_start(to) + DAY;
        let mut conn = self.readers.begin().await.map_err(fail)?;
        let mut entered = QueryBuilder::new(format!(
            "SELECT substr(e.area_code, 1, 6) AS county, (e.at + {BEIJING_OFFSET}) / {DAY} AS day, k.class, \
             e.to_status, count(*) AS n FROM key_person_events e JOIN key_persons k ON k.id = e.key_person_id \
             WHERE (e.from_status IS NULL OR e.from_status <> e.to_status)"
        ));
        Self::push_scope(&mut entered, "e.area_code", scope);
        entered.push(" AND e.at >= ").push_bind(start).push(" AND e.at < ").push_bind(end);
        entered.push(" GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4");
        let mut counts = Vec::new();
        for row in entered.build().fetch_all(&mut *conn).await.map_err(fail)? {
            let class: String = row.try_get(2).map_err(fail)?;
            let status: String = row.try_get(3).map_err(fail)?;
            counts.push(Count {
                county: row.try_get(0).map_err(fail)?,
                day: date_of_day_number(row.try_get(1).map_err(fail)?)?,
                of: CountOf::Entered,
                class: KeyClass::parse(&class).map_err(StoreError::backend)?,
                status: Status::parse(&status).map_err(StoreError::backend)?,
                count: count_of(row.try_get(4).map_err(fail)?),
            });
        }
        let mut current = QueryBuilder::new(
            "SELECT substr(area_code, 1, 6) AS county, class, status, count(*) AS n FROM key_persons WHERE active",
        );
        Self::push_scope(&mut current, "area_code", scope);
        current.push(" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
        for row in current.build().fetch_all(&mut *conn).await.map_err(fail)? {
            let class: String = row.try_get(1).map_err(fail)?;
            let status: String = row.try_get(2).map_err(fail)?;
            counts.push(Count {
                county: row.try_get(0).map_err(fail)?,
                day: today,
                of: CountOf::Current,
                class: KeyClass::parse(&class).map_err(StoreError::backend)?,
                status: Status::parse(&status).map_err(StoreError::backend)?,
                count: count_of(row.try_get(3).map_err(fail)?),
            });
        }
        Ok(counts)
    }
}
}
