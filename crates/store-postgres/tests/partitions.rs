#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! The partitioned layout: a county gets its partitions once it has a place, rows that came
//! before them move in, retention drops whole weeks, and a plain database converts with its rows.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use domain::{PersonName, Phone, Role};
use sqlx::{Connection, PgConnection};
use store::Backend;
use store::conformance::{Fixture, START, new_venue, resident_id};

const WEEK: i64 = store_postgres::partitions::WEEK;
const DAY: i64 = 86_400;

fn checkin(token: &str, serial: u32) -> store::CheckinRequest {
    store::CheckinRequest {
        venue_token: token.into(),
        id_number: resident_id("411702", serial),
        name: PersonName::parse("顾客").unwrap(),
        phone: Some(Phone::parse("13900000000").unwrap()),
        temperature: None,
        idempotency: None,
    }
}

async fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(conn).await.unwrap()
}

async fn exists(conn: &mut PgConnection, table: &str) -> bool {
    count(conn, &format!("SELECT count(*) FROM pg_class WHERE relname = '{table}'")).await == 1
}

#[tokio::test]
async fn counties_get_partitions_and_retention_drops_whole_weeks() {
    let url = store_postgres::testing::fresh_database().await.expect("PostgreSQL for tests");
    let backend: Arc<dyn Backend> = Arc::new(store_postgres::connect(&url).await.unwrap());
    let f = Fixture::new(backend.clone()).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411700").await;
    let mut conn = PgConnection::connect(&url).await.unwrap();

    // A venue in a county without partitions: its check-ins wait in the catch-all, nothing is refused.
    officer.create_venue(new_venue("tok-old", "老街", "411702001")).await.unwrap();
    for serial in 0..3 {
        f.db.check_in(checkin("tok-old", serial)).await.unwrap();
    }
    backend.settle_checkins().await.unwrap();
    assert_eq!(count(&mut conn, "SELECT count(*) FROM checkins_rest").await, 3);
    // Preparing makes the county's partitions with the weeks of the retention window and the
    // fortnight ahead, and moves the waiting rows in.
    assert!(f.db.prepare_partitions().await.unwrap() > 0);
    let week = START.div_euclid(WEEK) * WEEK;
    // Check-ins by county and week, the trail (read by person) by week only.
    for (table, weeks) in [("checkins", "checkins_c411702"), ("checkin_trail", "checkin_trail")] {
        assert_eq!(count(&mut conn, &format!("SELECT count(*) FROM {table}_rest")).await, 0, "{table}");
        assert_eq!(count(&mut conn, &format!("SELECT count(*) FROM {weeks}_w{week}")).await, 3, "{table}");
        assert!(exists(&mut conn, &format!("{weeks}_w{}", week + 2 * WEEK)).await, "{table} ahead");
    }
    for table in ["passages", "leads", "audit", "follow_ups"] {
        assert!(exists(&mut conn, &format!("{table}_c411702")).await, "{table}");
    }
    // Running again makes nothing new.
    assert_eq!(f.db.prepare_partitions().await.unwrap(), 0);

    // Five weeks on, the first week is past the 28-day retention: it is dropped whole, and the
    // check-ins of the week straddling the cutoff are deleted by row.
    f.advance_days(20);
    f.db.check_in(checkin("tok-old", 3)).await.unwrap();
    f.advance_days(16);
    f.db.prepare_partitions().await.unwrap();
    f.db.check_in(checkin("tok-old", 4)).await.unwrap();
    backend.settle_checkins().await.unwrap();
    let cutoff = f.clock.load(Ordering::SeqCst) - 28 * DAY;
    assert!(week + WEEK <= cutoff);
    assert_eq!(f.db.purge_expired().await.unwrap(), 3);
    for (table, weeks) in [("checkins", "checkins_c411702"), ("checkin_trail", "checkin_trail")] {
        assert!(!exists(&mut conn, &format!("{weeks}_w{week}")).await, "{table}'s first week is dropped");
        assert_eq!(count(&mut conn, &format!("SELECT count(*) FROM {table}")).await, 2, "{table}");
    }
    assert_eq!(f.db.purge_expired().await.unwrap(), 0);
}

#[tokio::test]
async fn a_plain_database_converts_with_its_rows() {
    let url = store_postgres::testing::fresh_database().await.expect("PostgreSQL for tests");
    let plain: Arc<dyn Backend> =
        Arc::new(store_postgres::connect_with(&url, store_postgres::Layout::Plain).await.unwrap());
    let f = Fixture::new(plain.clone()).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411700").await;
    officer.create_venue(new_venue("tok-a", "超市", "411702001")).await.unwrap();
    officer.create_venue(new_venue("tok-b", "车站", "411721001")).await.unwrap();
    let mut ids = Vec::new();
    for serial in 0..4 {
        ids.push(f.db.check_in(checkin(if serial % 2 == 0 { "tok-a" } else { "tok-b" }, serial)).await.unwrap().id);
    }
    plain.settle_checkins().await.unwrap();
    let mut conn = PgConnection::connect(&url).await.unwrap();
    assert_eq!(count(&mut conn, "SELECT count(*) FROM pg_class WHERE relname = 'checkins' AND relkind = 'r'").await, 1);
    drop(f);
    drop(plain);

    // The next start converts: same rows, each county in its partition, ids continue.
    let partitioned: Arc<dyn Backend> = Arc::new(store_postgres::connect(&url).await.unwrap());
    assert_eq!(count(&mut conn, "SELECT count(*) FROM pg_class WHERE relname = 'checkins' AND relkind = 'p'").await, 1);
    assert_eq!(count(&mut conn, "SELECT count(*) FROM checkins_c411702").await, 2);
    assert_eq!(count(&mut conn, "SELECT count(*) FROM checkins_c411721").await, 2);
    assert_eq!(count(&mut conn, "SELECT count(*) FROM checkin_trail").await, 4);
    for table in ["passages", "leads", "audit", "follow_ups"] {
        let sql = format!("SELECT count(*) FROM pg_class WHERE relname = '{table}' AND relkind = 'p'");
        assert_eq!(count(&mut conn, &sql).await, 1, "{table}");
    }
    let f = Fixture::new(partitioned).await;
    f.clock.fetch_add(3_600, Ordering::SeqCst);
    let next = f.db.check_in(checkin("tok-a", 0)).await.unwrap();
    assert!(ids.iter().all(|id| next.id.get() > id.get()), "ids continue after the converted rows");
    let repeat = f.db.check_in(checkin("tok-a", 0)).await.unwrap();
    assert_eq!((repeat.id, repeat.duplicate), (next.id, true));
}
