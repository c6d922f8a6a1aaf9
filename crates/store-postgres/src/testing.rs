//! Fresh PostgreSQL databases for tests: each test gets its own, so tests never share state.
//! There is no skipping: without a reachable server the test fails and says where it looked.

use sqlx::{Connection, PgConnection};

/// The server tests create their databases on; `FANGKONG_TEST_PG` overrides.
pub fn admin_url() -> String {
    std::env::var("FANGKONG_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The second server, holding one county's shard (`.ci/run` starts it on port 5433);
/// `FANGKONG_TEST_PG_SHARD` overrides.
pub fn shard_admin_url() -> String {
    std::env::var("FANGKONG_TEST_PG_SHARD").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5433/postgres".into())
}

/// Creates an empty database on the test server and returns its URL.
pub async fn fresh_database() -> Result<String, String> {
    fresh_database_on(&admin_url()).await
}

/// Creates an empty database on the server of `admin` and returns its URL. Databases of earlier
/// runs older than an hour are dropped on the way, so repeated runs do not pile up.
pub async fn fresh_database_on(admin: &str) -> Result<String, String> {
    let admin = admin.to_string();
    let mut conn = PgConnection::connect(&admin).await.map_err(|e| {
        format!("PostgreSQL at {admin} is required for these tests (start it, or set FANGKONG_TEST_PG): {e}")
    })?;
    let now = jiff::Timestamp::now().as_second();
    let stale: Vec<String> =
        sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE datname LIKE 'fk\\_test\\_%'")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
    for name in stale {
        let created = name.split('_').nth(2).and_then(|t| t.parse::<i64>().ok()).unwrap_or(now);
        if now - created > 3600 {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")))
                .execute(&mut conn)
                .await;
        }
    }
    let name = format!("fk_test_{now}_{:016x}", rand_suffix());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut conn)
        .await
        .map_err(|e| format!("creating test database {name}: {e}"))?;
    let base = admin.rsplit_once('/').map(|(base, _)| base.to_string()).unwrap_or(admin);
    Ok(format!("{base}/{name}"))
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0),
    );
    hasher.finish()
}
