//! Venues and the tokens of their 场所码.

use async_trait::async_trait;
use domain::Scope;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row, Type};
use store::*;

use crate::columns::RowReader;
use crate::{Columns, Dialect, SqlBackend, fail, sql_count};
use domain::Code;

sql_impl! {
#[async_trait]
impl VenueStore {
    async fn insert_venue(&self, scope: &Scope, venue: NewVenue, now: Instant) -> Result<Created<VenueId>> {
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
        .bind(venue.place.grid.as_ref().map(domain::GridCode::as_str))
        .bind(venue.owner_name.as_ref().map(domain::PersonName::as_str))
        .bind(venue.owner_phone.as_ref().map(domain::Phone::as_str))
        .bind(now)
        .fetch_one(&self.writer)
        .await
        .map_err(|e| {
            if crate::is_unique_violation(&e) {
                StoreError::conflict("token", "该场所码已被使用", "this venue code is already in use")
            } else {
                fail(e)
            }
        })?;
        Ok(Created { id: row.try_get::<i64, _>(0).map_err(fail)?.into(), created: true })
    }

    async fn venue(&self, scope: &Scope, id: VenueId) -> Result<Venue> {
        let mut query = QueryBuilder::new(format!("SELECT {VENUE_COLUMNS} FROM venues WHERE id = "));
        query.push_bind(id.get());
        Self::push_scope(&mut query, "area_code", scope);
        let row = query.build().fetch_optional(&self.readers).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        venue(&Columns(&row))
    }

    async fn venues(&self, scope: &Scope, page: PageRequest) -> Result<Page<Venue>> {
        let mut count = QueryBuilder::new("SELECT count(*) FROM venues WHERE 1 = 1");
        Self::push_scope(&mut count, "area_code", scope);
        let total: i64 = count.build_query_scalar().fetch_one(&self.readers).await.map_err(fail)?;
        let mut query = QueryBuilder::new(format!("SELECT {VENUE_COLUMNS} FROM venues WHERE 1 = 1"));
        Self::push_scope(&mut query, "area_code", scope);
        query.push(" ORDER BY area_code, id LIMIT ").push_bind(i64::from(page.per_page));
        query.push(" OFFSET ").push_bind(page.sql_offset());
        let found = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        Ok(Page {
            items: found.iter().map(|r| venue(&Columns(r))).collect::<Result<_>>()?,
            total: sql_count(total),
            page: page.page,
            per_page: page.per_page,
        })
    }

    async fn venue_by_token(&self, token: &str) -> Result<Option<Venue>> {
        let row = sqlx::query(D::sql(&format!("SELECT {VENUE_COLUMNS} FROM venues WHERE token = ?")))
            .bind(token)
            .fetch_optional(&self.readers)
            .await
            .map_err(fail)?;
        row.map(|r| venue(&Columns(&r))).transpose()
    }
}
}

pub(crate) const VENUE_COLUMNS: &str =
    "id, token, name, kind, address, area_code, grid_code, owner_name, owner_phone, created_at";

pub(crate) fn venue(row: &impl RowReader) -> Result<Venue> {
    let kind = row.text("kind")?;
    Ok(Venue {
        id: domain::VenueId::new(row.int("id")?),
        token: row.text("token")?,
        name: row.text("name")?,
        kind: domain::VenueKind::parse(&kind)
            .map_err(|_| StoreError::Backend(format!("stored venue kind {kind:?} is not valid")))?,
        address: row.text("address")?,
        area_code: row.text("area_code")?,
        grid_code: row.opt_text("grid_code")?,
        owner_name: row.opt_text("owner_name")?,
        owner_phone: row.opt_text("owner_phone")?,
        created_at: row.int("created_at")?,
    })
}
