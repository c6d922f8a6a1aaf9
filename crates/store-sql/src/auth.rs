//! Users, password credentials and sessions.

use async_trait::async_trait;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, QueryBuilder, Row, Type};
use store::*;

use crate::columns::RowReader;
use crate::{Columns, Dialect, SqlBackend, fail};
use domain::Code;

sql_impl! {
#[async_trait]
impl AuthStore {
    async fn create_user(&self, user: NewUser, now: Instant) -> Result<UserId> {
        let result = sqlx::query(
            D::sql("INSERT INTO users (username, display_name, password_hash, role, area_code, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"),
        )
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(user.role.as_str())
        .bind(&user.area_code)
        .bind(now)
        .fetch_one(&self.writer)
        .await;
        match result {
            Ok(row) => row.try_get::<i64, _>(0).map(Into::into).map_err(fail),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::conflict(
                    "username",
                    format!("用户名 {} 已被使用", user.username),
                    format!("{} is taken", user.username),
                ))
            }
            Err(e) => Err(fail(e)),
        }
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>> {
        let row =
            sqlx::query(D::sql(&format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = ?")))
                .bind(username)
                .fetch_optional(&self.readers)
                .await
                .map_err(fail)?;
        row.map(|row| {
            Ok(Credentials {
                user: user(&Columns(&row))?,
                password_hash: row.try_get("password_hash").map_err(fail)?,
            })
        })
        .transpose()
    }

    async fn users_named(&self, usernames: &[String]) -> Result<Vec<User>> {
        let mut found = Vec::new();
        for chunk in usernames.chunks(500) {
            let mut query = QueryBuilder::<D::Db>::new(format!("SELECT {USER_COLUMNS} FROM users WHERE username IN ("));
            let mut list = query.separated(", ");
            for name in chunk {
                list.push_bind(name.clone());
            }
            query.push(")");
            for row in query.build().fetch_all(&self.readers).await.map_err(fail)? {
                found.push(user(&Columns(&row))?);
            }
        }
        Ok(found)
    }

    async fn insert_session(&self, token_digest: &str, user_id: UserId, now: Instant, expires_at: Instant) -> Result<()> {
        let mut tx = self.writer.begin_with(D::BEGIN_WRITE).await.map_err(fail)?;
        sqlx::query(D::sql("DELETE FROM sessions WHERE expires_at < ?"))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        sqlx::query(D::sql("INSERT INTO sessions (token_digest, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)"))
            .bind(token_digest)
            .bind(user_id.get())
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)
    }

    async fn session_user(&self, token_digest: &str, now: Instant) -> Result<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = (SELECT user_id FROM sessions WHERE token_digest = ? AND expires_at > ?)"
        );
        let row =
            sqlx::query(D::sql(&sql)).bind(token_digest).bind(now).fetch_optional(&self.readers).await.map_err(fail)?;
        row.map(|row| user(&Columns(&row))).transpose()
    }

    async fn delete_session(&self, token_digest: &str) -> Result<()> {
        sqlx::query(D::sql("DELETE FROM sessions WHERE token_digest = ?"))
            .bind(token_digest)
            .execute(&self.writer)
            .await
            .map_err(fail)?;
        Ok(())
    }
}
}

pub(crate) const USER_COLUMNS: &str = "id, username, display_name, role, area_code";

pub(crate) fn user(row: &impl RowReader) -> Result<User> {
    let role = row.text("role")?;
    Ok(User {
        id: domain::UserId::new(row.int("id")?),
        username: row.text("username")?,
        display_name: row.text("display_name")?,
        role: domain::Role::parse(&role)
            .map_err(|_| StoreError::Backend(format!("stored role {role:?} is not valid")))?,
        area_code: row.text("area_code")?,
    })
}
