//! The population register: persons, their search, and the keys comparison and the
//! citizen-facing identity checks read.

use async_trait::async_trait;
use domain::Scope;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row, Type};
use store::*;

use crate::columns::RowReader;
use crate::{Columns, Dialect, SqlBackend, fail, is_unique_violation};

sql_impl! {
#[async_trait]
impl PersonStore {
    async fn insert_person(
        &self,
        scope: &Scope,
        actor: &Actor,
        person: NewPerson,
        idem: Option<IdempotencyKey>,
        now: Instant,
    ) -> Result<Created<PersonId>> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        if let Some(done) = Self::replay(&mut tx, actor, &idem).await? {
            return Ok(done);
        }
        let existing = sqlx::query(D::sql("SELECT id, area_code FROM persons WHERE id_number = ?"))
            .bind(person.id_number.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(fail)?;
        let created: Created<PersonId> = match existing {
            Some(row) => {
                let area_code: String = row.try_get(1).map_err(fail)?;
                if !scope.contains(&area_code) {
                    return Err(StoreError::conflict("id_number", "该身份证号已登记在其他辖区", "this ID number is registered in another jurisdiction"));
                }
                Created { id: row.try_get::<i64, _>(0).map_err(fail)?.into(), created: false }
            }
            None => {
                let done = sqlx::query(
                    D::sql("INSERT INTO persons (id_number, name, phone, area_code, grid_code, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"),
                )
                .bind(person.id_number.as_str())
                .bind(person.name.as_str())
                .bind(person.phone.as_ref().map(domain::Phone::as_str))
                .bind(person.place.location_code())
                .bind(person.place.grid.as_ref().map(domain::GridCode::as_str))
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| if is_unique_violation(&e) { StoreError::conflict("id_number", "刚刚已登记，请搜索查看", "registered a moment ago; search for it") } else { fail(e) })?;
                Created { id: done.try_get::<i64, _>(0).map_err(fail)?.into(), created: true }
            }
        };
        Self::remember(&mut tx, actor, &idem, created.id.get(), now).await?;
        tx.commit().await.map_err(fail)?;
        Ok(created)
    }

    async fn person(&self, scope: &Scope, id: PersonId) -> Result<Person> {
        let mut query = QueryBuilder::new(format!("SELECT {PERSON_COLUMNS} FROM persons WHERE id = "));
        query.push_bind(id.get());
        Self::push_scope(&mut query, "area_code", scope);
        let row = query.build().fetch_optional(&self.readers).await.map_err(fail)?.ok_or(StoreError::NotFound)?;
        person(&Columns(&row))
    }

    async fn search_persons(&self, scope: &Scope, search: &PersonQuery, limit: u32) -> Result<Vec<Person>> {
        let mut query = QueryBuilder::new(format!("SELECT {PERSON_COLUMNS} FROM persons WHERE "));
        Self::push_person_match(&mut query, search);
        Self::push_scope(&mut query, "area_code", scope);
        query.push(" ORDER BY name, id LIMIT ").push_bind(i64::from(limit));
        let found = query.build().fetch_all(&self.readers).await.map_err(fail)?;
        found.iter().map(|r| person(&Columns(r))).collect()
    }

    async fn person_by_identity(&self, id_number: &str, name: &str, phone: &str) -> Result<Option<PersonId>> {
        let id: Option<i64> =
            sqlx::query_scalar(D::sql("SELECT id FROM persons WHERE id_number = ? AND name = ? AND phone = ?"))
                .bind(id_number)
                .bind(name)
                .bind(phone)
                .fetch_optional(&self.readers)
                .await
                .map_err(fail)?;
        Ok(id.map(PersonId::new))
    }

    async fn person_keys(&self, scope: &Scope, after_id: PersonId, limit: u32) -> Result<Vec<PersonKey>> {
        // The page comes back as one text, a line per person, tab-separated: a million persons
        // were 3 s of decoding five columns a row, and are a few hundred milliseconds this way.
        // (Names, ID numbers, phones and codes hold no tab or line break: their rules forbid it.)
        let (lower, upper) = scope.range();
        let text: Option<String> = sqlx::query_scalar(D::sql(&format!(
            "SELECT {}(concat_ws(CAST(? AS TEXT), CAST(id AS TEXT), id_number, name, coalesce(phone, ''), area_code), CAST(? AS TEXT)) FROM \
             (SELECT id, id_number, name, phone, area_code FROM persons WHERE id > ? AND area_code >= ? AND area_code < ? \
             ORDER BY id LIMIT ?) AS page",
            D::STRING_AGG
        )))
        .bind("\t")
        .bind("\n")
        .bind(after_id.get())
        .bind(lower)
        .bind(upper)
        .bind(i64::from(limit))
        .fetch_one(&self.readers)
        .await
        .map_err(fail)?;
        let Some(text) = text else { return Ok(Vec::new()) };
        // An aggregate's order is not promised: the page is put back in id order.
        let mut page = text
            .lines()
            .map(|line| {
                let mut parts = line.split('\t');
                let mut next = || parts.next().ok_or_else(|| StoreError::Backend(format!("bad person line {line:?}")));
                let id = next()?.parse::<i64>().map_err(fail)?;
                let id_number = next()?.to_string();
                let name = next()?.to_string();
                let phone = Some(next()?).filter(|p| !p.is_empty()).map(str::to_string);
                let area_code = next()?.to_string();
                Ok(PersonKey { id: domain::PersonId::new(id), id_number, name, phone, area_code })
            })
            .collect::<Result<Vec<PersonKey>>>()?;
        page.sort_by_key(|p| p.id);
        Ok(page)
    }
}
}

pub(crate) const PERSON_COLUMNS: &str = "id, id_number, name, phone, area_code, grid_code, created_at";

pub(crate) fn person(row: &impl RowReader) -> Result<Person> {
    Ok(Person {
        id: domain::PersonId::new(row.int("id")?),
        id_number: row.text("id_number")?,
        name: row.text("name")?,
        phone: row.opt_text("phone")?,
        area_code: row.text("area_code")?,
        grid_code: row.opt_text("grid_code")?,
        created_at: row.int("created_at")?,
    })
}

sql_impl! {
impl {
    /// The condition on `persons` a search asks for, each through its own index: an ID number or
    /// a mobile exactly, a name by its beginning (a prefix range keeps the name index usable: "张"
    /// finds 张三 and 张三丰).
    pub(crate) fn push_person_match(query: &mut QueryBuilder<D::Db>, search: &PersonQuery) {
        match search {
            PersonQuery::IdNumber(id) => query.push("id_number = ").push_bind(id.clone()),
            PersonQuery::Phone(phone) => query.push("phone = ").push_bind(phone.clone()),
            PersonQuery::Name(name) => query
                .push("name >= ")
                .push_bind(name.clone())
                .push(" AND name < ")
                .push_bind(format!("{name}\u{10FFFF}")),
        };
    }
}
}
