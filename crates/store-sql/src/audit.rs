//! The audit log, appended in batches and read within a scope.

use async_trait::async_trait;
use domain::Scope;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Type};
use store::*;

use crate::columns::RowReader;
use crate::{Columns, Dialect, SqlBackend, fail, sql_count};

/// Audit rows per INSERT statement (nine values each, within both databases' parameter limits).
const AUDIT_CHUNK: usize = 500;

sql_impl! {
#[async_trait]
impl AuditStore {
    async fn append_audits(&self, entries: &[NewAuditEntry]) -> Result<()> {
        let insert = |chunk: &[NewAuditEntry]| {
            let mut query = QueryBuilder::<D::Db>::new(
                "INSERT INTO audit (at, user_id, username, action, subject_kind, subject_id, area_code, remote_addr, detail) ",
            );
            query.push_values(chunk, |mut row, entry| {
                row.push_bind(entry.at)
                    .push_bind(entry.user_id.get())
                    .push_bind(entry.username.clone())
                    .push_bind(entry.action)
                    .push_bind(entry.subject_kind)
                    .push_bind(entry.subject_id)
                    .push_bind(entry.area_code.clone())
                    .push_bind(entry.remote_addr.clone())
                    .push_bind(entry.detail.clone());
            });
            query
        };
        // A batch that fits one statement commits as that statement: one round trip to the
        // database instead of three (begin, insert, commit), and a read waits on its audit row.
        if entries.len() <= AUDIT_CHUNK {
            insert(entries).build().execute(&self.writer).await.map_err(fail)?;
            return Ok(());
        }
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        for chunk in entries.chunks(AUDIT_CHUNK) {
            insert(chunk).build().execute(&mut *tx).await.map_err(fail)?;
        }
        tx.commit().await.map_err(fail)
    }

    async fn audit(&self, scope: &Scope, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>> {
        let mut count = QueryBuilder::new("SELECT count(*) FROM audit WHERE 1 = 1");
        Self::push_audit_filter(&mut count, scope, filter);
        let total: i64 = count.build_query_scalar().fetch_one(&self.readers).await.map_err(fail)?;
        let mut query = QueryBuilder::new(
            "SELECT id, at, user_id, username, action, subject_kind, subject_id, area_code, remote_addr, detail FROM audit WHERE 1 = 1",
        );
        Self::push_audit_filter(&mut query, scope, filter);
        query.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(page.per_page));
        query.push(" OFFSET ").push_bind(page.sql_offset());
        let found = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        Ok(Page {
            items: found.iter().map(|r| audit(&Columns(r))).collect::<Result<_>>()?,
            total: sql_count(total),
            page: page.page,
            per_page: page.per_page,
        })
    }
}
}

sql_impl! {
impl {
    fn push_audit_filter(query: &mut QueryBuilder<D::Db>, scope: &Scope, filter: &AuditFilter) {
        Self::push_scope(query, "area_code", scope);
        if let Some(actor) = &filter.actor {
            query.push(" AND username = ").push_bind(actor.clone());
        }
        if let Some(action) = filter.action {
            query.push(" AND action = ").push_bind(domain::Code::as_str(action));
        }
        if let Some(subject) = filter.subject {
            query.push(" AND subject_kind = ").push_bind(domain::Code::as_str(subject));
            if let Some(id) = filter.subject_id {
                query.push(" AND subject_id = ").push_bind(id);
            }
        }
        if let Some(from) = filter.from {
            query.push(" AND at >= ").push_bind(from);
        }
        if let Some(to) = filter.to {
            query.push(" AND at < ").push_bind(to);
        }
    }
}
}

pub(crate) fn audit(row: &impl RowReader) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: domain::AuditEntryId::new(row.int("id")?),
        at: row.int("at")?,
        user_id: domain::UserId::new(row.int("user_id")?),
        username: row.text("username")?,
        action: row.text("action")?,
        subject_kind: row.text("subject_kind")?,
        subject_id: row.opt_int("subject_id")?,
        area_code: row.text("area_code")?,
        remote_addr: row.opt_text("remote_addr")?,
        detail: row.text("detail")?,
    })
}
