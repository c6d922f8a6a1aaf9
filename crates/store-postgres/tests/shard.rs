#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! County 411702's check-ins on a second server as postgres_fdw foreign partitions (the trail,
//! split by week only, stays): the check-in and contact
//! tracing conformance cases (whose venues and cases are in 411702) give the same answers as on
//! one server, and a trajectory read before the move equals the one after it.

use std::sync::Arc;

use sqlx::{Connection, PgConnection};
use store::Backend;
use store::conformance::Reopen;

const COUNTY: &str = "411702";

/// A fresh database whose county 411702 lives on a fresh database of the shard server.
async fn sharded_url() -> String {
    let url = store_postgres::testing::fresh_database().await.expect("PostgreSQL for tests");
    let shard_admin = store_postgres::testing::shard_admin_url();
    let shard = store_postgres::testing::fresh_database_on(&shard_admin)
        .await
        .expect("the shard server (port 5433, started by .ci/run)");
    drop(store_postgres::connect(&url).await.expect("connect"));
    let mut conn = PgConnection::connect(&url).await.unwrap();
    store_postgres::shard::move_county(&mut conn, COUNTY, &shard).await.expect("move the county");
    conn.close().await.unwrap();
    url
}

async fn fresh() -> Arc<dyn Backend> {
    reopenable().await.0
}

async fn reopenable() -> (Arc<dyn Backend>, Reopen) {
    let url = sharded_url().await;
    let backend: Arc<dyn Backend> = Arc::new(store_postgres::connect(&url).await.expect("connect"));
    let reopen: Reopen = Box::new(move || {
        let url = url.clone();
        Box::pin(async move { Arc::new(store_postgres::connect(&url).await.expect("reconnect")) as Arc<dyn Backend> })
    });
    (backend, reopen)
}

store::conformance_checkins!(fresh, reopenable);
store::conformance_investigations!(fresh, reopenable);

/// What county 411702's check-ins are here: "p", partitioned on this server; "f", foreign.
async fn foreign_kind(url: &str) -> String {
    let mut conn = PgConnection::connect(url).await.unwrap();
    sqlx::query_scalar("SELECT relkind::text FROM pg_class WHERE relname = 'checkins_c411702'")
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_trajectory_read_through_the_shard_equals_the_local_one() {
    use domain::Role;
    use store::conformance::{Fixture, new_person, new_venue};
    use store::{BulkCheckin, PersonId};

    let url = store_postgres::testing::fresh_database().await.expect("PostgreSQL for tests");
    let shard = store_postgres::testing::fresh_database_on(&store_postgres::testing::shard_admin_url())
        .await
        .expect("the shard server (port 5433, started by .ci/run)");
    let backend: Arc<dyn Backend> = Arc::new(store_postgres::connect(&url).await.unwrap());
    let f = Fixture::new(backend.clone()).await;
    let officer = f.handle("officer", Role::AreaOfficer, "411700").await;
    let mut venues = Vec::new();
    for (token, area) in [("tok-a", "411702001"), ("tok-b", "411702002"), ("tok-x", "411721001")] {
        let created = officer.create_venue(new_venue(token, "场所", area)).await.unwrap();
        venues.push(officer.venue(created.id).await.unwrap());
    }
    let mut persons: Vec<PersonId> = Vec::new();
    for serial in 0..20u32 {
        persons.push(officer.create_person(new_person("411702", serial, "居民", "411702001"), None).await.unwrap().id);
    }
    let start = store::conformance::START;
    let mut rows = Vec::new();
    for (n, person) in (0i64..).zip(&persons) {
        for visit in 0..6i64 {
            let venue = &venues[usize::try_from(n + visit).unwrap() % venues.len()];
            let t_in = start + visit * 3_600 + n * 60;
            rows.push(BulkCheckin {
                venue_id: venue.id,
                person_id: *person,
                area_code: venue.area_code.clone(),
                t_in,
                t_out: Some(t_in + 1_800),
                temperature: None,
            });
        }
    }
    f.db.bulk_insert_checkins(&rows).await.unwrap();
    // Reads of the kind contact tracing makes: a case's trajectory, the persons at a venue in a
    // window, the visits of many persons.
    let until = start + 86_400;
    let read = |backend: Arc<dyn Backend>| {
        let persons = persons.clone();
        let venues = venues.clone();
        async move {
            let mut out = Vec::new();
            for person in &persons[..5] {
                let visits = backend.visits_of_person(*person, start, until).await.unwrap();
                out.push(format!(
                    "{:?}",
                    visits
                        .iter()
                        .map(|v| (v.visit.checkin_id, v.venue_name.clone(), v.venue_area_code.clone()))
                        .collect::<Vec<_>>()
                ));
            }
            for venue in &venues {
                out.push(format!("{:?}", backend.visits_at_venue(venue.id, start, until).await.unwrap()));
            }
            let mut many = backend.visits_of_persons(&persons, start, until).await.unwrap();
            many.sort_by_key(|v| v.checkin_id);
            out.push(format!("{many:?}"));
            out
        }
    };
    let local = read(backend.clone()).await;
    assert_eq!(foreign_kind(&url).await, "p");

    let mut conn = PgConnection::connect(&url).await.unwrap();
    let moved = store_postgres::shard::move_county(&mut conn, COUNTY, &shard).await.unwrap();
    conn.close().await.unwrap();
    // Two of the three venues are in 411702: two thirds of the check-ins moved.
    assert_eq!(moved, 80);
    assert_eq!(foreign_kind(&url).await, "f");
    let mut on_shard = PgConnection::connect(&shard).await.unwrap();
    let there: i64 =
        sqlx::query_scalar("SELECT count(*) FROM checkins_c411702").fetch_one(&mut on_shard).await.unwrap();
    assert_eq!(there, 80);
    assert_eq!(read(backend.clone()).await, local, "the shard read must equal the local read");

    // New check-ins of the county go to the shard, and the dedupe still sees them there.
    let checkin = store::CheckinRequest {
        venue_token: "tok-a".into(),
        id_number: store::conformance::resident_id("411702", 0),
        name: domain::PersonName::parse("居民").unwrap(),
        phone: Some(domain::Phone::parse("13800000000").unwrap()),
        temperature: None,
        idempotency: None,
    };
    f.advance_days(1);
    let first = f.db.check_in(checkin.clone()).await.unwrap();
    assert!(!first.duplicate);
    backend.settle_checkins().await.unwrap();
    let again = f.db.check_in(checkin).await.unwrap();
    assert_eq!((again.id, again.duplicate), (first.id, true));
    let there: i64 =
        sqlx::query_scalar("SELECT count(*) FROM checkins_c411702").fetch_one(&mut on_shard).await.unwrap();
    assert_eq!(there, 81, "the county's check-ins on the shard");
}
