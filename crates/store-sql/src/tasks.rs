//! Tasks on key-person records: release when a measure ends, transfer after a fever.

use async_trait::async_trait;
use domain::{Scope, Status};
use jiff::civil::Date;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Type};
use store::codec;
use store::*;

use crate::columns::RowReader;
use crate::{Columns, Dialect, SqlBackend, fail, sql_count};
use domain::Code;

sql_impl! {
#[async_trait]
impl TaskStore {
    async fn open_release_tasks(&self, today: Date, now: Instant) -> Result<u64> {
        let mut query = QueryBuilder::new(
            "INSERT INTO tasks (kind, key_person_id, area_code, due_date, created_at) \
             SELECT 'release_due', id, area_code, measure_planned_end, ",
        );
        query.push_bind(now).push(" FROM key_persons WHERE measure_planned_end <= ").push_bind(codec::date_text(today));
        query.push(" AND status IN (");
        let mut statuses = query.separated(", ");
        for status in Status::ALL.iter().copied().filter(|s| domain::falls_due_for_release(*s)) {
            statuses.push_bind(status.as_str());
        }
        query.push(") ON CONFLICT DO NOTHING");
        let done = query.build().execute(&self.writer).await.map_err(fail)?;
        Ok(D::rows_affected(&done))
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
            "SELECT t.id, t.kind, t.key_person_id, p.name, k.status, k.cadre_name, k.cadre_phone, t.area_code, t.due_date, t.created_at, t.done_at \
             FROM tasks t JOIN key_persons k ON k.id = t.key_person_id JOIN persons p ON p.id = k.person_id WHERE 1 = 1",
        );
        conditions(&mut query);
        query.push(" ORDER BY t.due_date, t.id LIMIT ").push_bind(i64::from(page.per_page));
        query.push(" OFFSET ").push_bind(page.sql_offset());
        let found = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        Ok(Page {
            items: found.iter().map(|r| task(&Columns(r))).collect::<Result<_>>()?,
            total: sql_count(total),
            page: page.page,
            per_page: page.per_page,
        })
    }
}
}

pub(crate) fn task(row: &impl RowReader) -> Result<Task> {
    let kind = row.text("kind")?;
    Ok(Task {
        id: domain::TaskId::new(row.int("id")?),
        kind: TaskKind::parse(&kind)
            .ok_or_else(|| StoreError::Backend(format!("stored task kind {kind:?} is not valid")))?,
        key_person_id: domain::KeyPersonId::new(row.int("key_person_id")?),
        person_name: row.text("name")?,
        status: codec::state(&row.text("status")?, None)?.status,
        cadre_name: row.opt_text("cadre_name")?,
        cadre_phone: row.opt_text("cadre_phone")?,
        area_code: row.text("area_code")?,
        due_date: codec::date(&row.text("due_date")?)?,
        created_at: row.int("created_at")?,
        done_at: row.opt_int("done_at")?,
    })
}
