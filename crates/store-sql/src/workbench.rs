//! What waits within a scope, counted in one read transaction.

use async_trait::async_trait;
use domain::{Code, Scope};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Type};
use store::codec;
use store::*;

use crate::{Dialect, SqlBackend, fail, sql_count};

sql_impl! {
#[async_trait]
impl WorkbenchStore {
    async fn waiting(&self, scope: &Scope, at: WaitingAt) -> Result<Waiting> {
        let mut conn = self.readers.begin().await.map_err(fail)?;
        let mut tasks = QueryBuilder::new("SELECT count(*) FROM tasks WHERE done_at IS NULL AND due_date <= ");
        tasks.push_bind(codec::date_text(at.today));
        Self::push_scope(&mut tasks, "area_code", scope);
        let tasks: i64 = tasks.build_query_scalar().fetch_one(&mut *conn).await.map_err(fail)?;
        let mut visits = QueryBuilder::new(
            "SELECT count(*) FROM key_persons k WHERE k.active AND k.measure_kind IN ('home_isolation', 'health_monitoring')",
        );
        Self::push_scope(&mut visits, "k.area_code", scope);
        visits.push(" AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.key_person_id = k.id AND f.day = ");
        visits.push_bind(codec::date_text(at.today)).push(" AND f.slot = ").push_bind(at.slot.as_str()).push(")");
        let visits: i64 = visits.build_query_scalar().fetch_one(&mut *conn).await.map_err(fail)?;
        let mut leads = QueryBuilder::new("SELECT count(*) FROM leads WHERE verified_at IS NULL");
        Self::push_scope(&mut leads, "area_code", scope);
        let leads: i64 = leads.build_query_scalar().fetch_one(&mut *conn).await.map_err(fail)?;
        let mut overdue = QueryBuilder::new("SELECT count(*) FROM leads WHERE verified_at IS NULL AND due_at < ");
        overdue.push_bind(at.now);
        Self::push_scope(&mut overdue, "area_code", scope);
        let leads_overdue: i64 = overdue.build_query_scalar().fetch_one(&mut *conn).await.map_err(fail)?;
        let mut tracing = QueryBuilder::new("SELECT count(*) FROM contact_candidates WHERE status = 'pending'");
        Self::push_scope(&mut tracing, "area_code", scope);
        let tracing: i64 = tracing.build_query_scalar().fetch_one(&mut *conn).await.map_err(fail)?;
        conn.commit().await.map_err(fail)?;
        Ok(Waiting {
            tasks: sql_count(tasks),
            visits: sql_count(visits),
            leads: sql_count(leads),
            leads_overdue: sql_count(leads_overdue),
            tracing: sql_count(tracing),
        })
    }
}
}
