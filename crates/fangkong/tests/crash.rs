#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! Durability: the server is killed with SIGKILL twenty times in a row while phones stream
//! check-ins, on SQLite and on PostgreSQL; after each restart every check-in that got a 2xx —
//! in that round and every round before — is there. Checked black-box: each acknowledged
//! request, replayed with its Idempotency-Key, must return the same check-in id.

mod common;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use common::*;

const KILLS: u32 = 20;

async fn acknowledged_checkins_survive_repeated_sigkill(database: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    add_officer(&data, database);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut server = serve(&data, port, database);
    wait_until_up(&client, &base).await;
    let venue_token = venue(&client, &base).await;
    let acknowledged = Acknowledged::default();
    let mut checked = 0;
    for round in 0..KILLS {
        // Eight phones stream until the server dies under them, at a different moment each round.
        let phones =
            stream(&client, &base, &venue_token, 8, round, Arc::new(AtomicBool::new(false)), acknowledged.clone());
        tokio::time::sleep(Duration::from_millis(250 + u64::from(round % 5) * 70)).await;
        server.kill().unwrap(); // SIGKILL: no shutdown, no flush
        server.wait().unwrap();
        for phone in phones {
            phone.await.unwrap();
        }
        server = serve(&data, port, database);
        wait_until_up(&client, &base).await;
        let all = acknowledged.lock().unwrap().clone();
        let lost = lost(&client, &base, &all[checked..]).await;
        assert!(
            lost.is_empty(),
            "after kill {round}: {} of {} lost, e.g. {:?}",
            lost.len(),
            all.len() - checked,
            lost.first()
        );
        checked = all.len();
    }
    // And the first rounds' check-ins are still there after all twenty.
    let all = acknowledged.lock().unwrap().clone();
    let lost = lost(&client, &base, &all[..all.len().min(2_000)]).await;
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(all.len() > 20 * 50, "the phones got going each round ({})", all.len());
    assert!(lost.is_empty(), "{} early check-ins lost after {KILLS} kills, e.g. {:?}", lost.len(), lost.first());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_checkins_survive_twenty_sigkills_on_sqlite() {
    acknowledged_checkins_survive_repeated_sigkill(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_checkins_survive_twenty_sigkills_on_postgres() {
    let url = store_postgres::testing::fresh_database().await.unwrap();
    acknowledged_checkins_survive_repeated_sigkill(Some(&url)).await;
}
