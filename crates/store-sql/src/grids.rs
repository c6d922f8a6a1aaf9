//! The grid tree with its households and grid workers.

use async_trait::async_trait;
use domain::Scope;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Type};
use store::*;

use crate::columns::RowReader;
use crate::{Columns, Dialect, SqlBackend, fail};

sql_impl! {
impl {
    async fn with_details(&self, mut grid: Grid) -> Result<Grid> {
        let (lower, upper) = Scope::of_code_str(&grid.code).unwrap_or_else(Scope::national).range();
        let households: i64 =
            sqlx::query_scalar(D::sql("SELECT count(*) FROM households WHERE area_code >= ? AND area_code < ?"))
                .bind(lower)
                .bind(upper)
                .fetch_one(&self.readers)
                .await
                .map_err(fail)?;
        grid.households = crate::sql_count(households);
        let workers =
            sqlx::query(D::sql("SELECT name, phone, user_id FROM grid_workers WHERE grid_code = ? ORDER BY id"))
                .bind(&grid.code)
                .fetch_all(&self.readers)
                .await
                .map_err(fail)?;
        grid.workers = workers.iter().map(|r| grid_worker(&Columns(r))).collect::<Result<_>>()?;
        Ok(grid)
    }
}
}

sql_impl! {
#[async_trait]
impl GridStore {
    async fn grid(&self, scope: &Scope, code: &str) -> Result<Grid> {
        let mut query = QueryBuilder::new("SELECT code, parent_code, level, name FROM grids WHERE code = ");
        query.push_bind(code.to_string());
        Self::push_scope(&mut query, "code", scope);
        let row = query.build().fetch_optional(&self.readers).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        let grid = grid(&Columns(&row))?;
        self.with_details(grid).await
    }

    async fn grid_children(&self, scope: &Scope, code: &str) -> Result<Vec<Grid>> {
        let mut query = QueryBuilder::new("SELECT code, parent_code, level, name FROM grids WHERE parent_code = ");
        query.push_bind(code.to_string());
        Self::push_scope(&mut query, "code", scope);
        query.push(" ORDER BY code");
        let found = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        let mut grids = Vec::with_capacity(found.len());
        for row in &found {
            grids.push(self.with_details(grid(&Columns(row))?).await?);
        }
        Ok(grids)
    }
}
}

/// A grid without its details; the backend adds households and workers.
pub(crate) fn grid(row: &impl RowReader) -> Result<Grid> {
    let level = row.int("level")?;
    Ok(Grid {
        code: row.text("code")?,
        parent_code: row.opt_text("parent_code")?,
        level: u8::try_from(level)
            .map_err(|_| StoreError::Backend(format!("stored grid level {level} is not valid")))?,
        name: row.text("name")?,
        households: 0,
        workers: Vec::new(),
    })
}

pub(crate) fn grid_worker(row: &impl RowReader) -> Result<GridWorker> {
    Ok(GridWorker {
        name: row.text("name")?,
        phone: row.text("phone")?,
        user_id: (row.opt_int("user_id")?).map(domain::UserId::new),
    })
}
