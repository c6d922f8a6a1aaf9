#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! Backup while phones stream check-ins, then restore: every check-in acknowledged before the
//! backup began is in the restored database (its replay returns the same id), on SQLite and on
//! PostgreSQL; a damaged file and a non-empty target are refused and change nothing.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::*;

async fn run(command: std::process::Command) -> std::process::Output {
    tokio::process::Command::from(command).output().await.unwrap()
}

fn damaged_copy(from: &Path, to: &Path) {
    let mut bytes = std::fs::read(from).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(to, bytes).unwrap();
}

async fn backup_while_streaming_then_restore(database: Option<&str>, restored: Option<&str>, untouched: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    add_officer(data, database);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut server = serve(data, port, database);
    wait_until_up(&client, &base).await;
    let venue_token = venue(&client, &base).await;

    let acknowledged = Acknowledged::default();
    let stop = Arc::new(AtomicBool::new(false));
    let phones = stream(&client, &base, &venue_token, 8, 0, stop.clone(), acknowledged.clone());
    tokio::time::sleep(Duration::from_millis(800)).await;
    let before = acknowledged.lock().unwrap().clone();
    let out = dir.path().join("backup.zip");
    let made = run({
        let mut command = fangkong(database);
        command.args(["backup", "--data-dir", data, "--out", out.to_str().unwrap()]);
        command
    })
    .await;
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    for phone in phones {
        phone.await.unwrap();
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(before.len() > 50, "the phones got going before the backup ({})", before.len());
    assert!(acknowledged.lock().unwrap().len() > before.len(), "they kept going during it");
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600, "personal data: owner only");

    // Restored into an empty target, the server serves every check-in acknowledged before.
    let target = dir.path().join("restored");
    let target = target.to_str().unwrap();
    let restore = |file: &Path, into: &str, db: Option<&str>| {
        let mut command = fangkong(db);
        command.args(["restore", file.to_str().unwrap(), "--data-dir", into]);
        command
    };
    let done = run(restore(&out, target, restored)).await;
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve(target, port, restored);
    wait_until_up(&client, &base).await;
    let lost = lost(&client, &base, &before).await;
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(lost.is_empty(), "{} of {} check-ins lost, e.g. {:?}", lost.len(), before.len(), lost.first());

    // Again into the same, now non-empty, target: refused, nothing changed.
    let keys = Path::new(target).join("health-code-keys");
    let keys_before: Vec<_> = std::fs::read_dir(&keys).unwrap().map(|e| e.unwrap().path()).collect();
    let again = run(restore(&out, target, restored)).await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"), "{}", String::from_utf8_lossy(&again.stderr));
    let keys_after: Vec<_> = std::fs::read_dir(&keys).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(keys_before, keys_after);

    // A damaged file is refused before anything is written.
    let bad = dir.path().join("damaged.zip");
    damaged_copy(&out, &bad);
    let never = dir.path().join("never");
    let refused = run(restore(&bad, never.to_str().unwrap(), untouched)).await;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("damaged"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!never.join("fangkong.db").exists() && !never.join("health-code-keys").exists());
    if let Some(url) = untouched {
        assert!(!store_postgres::backup::has_tables(url).await.unwrap(), "the database was left empty");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_while_streaming_restores_every_acknowledged_checkin() {
    backup_while_streaming_then_restore(None, None, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backup_while_streaming_restores_every_acknowledged_checkin() {
    let live = store_postgres::testing::fresh_database().await.unwrap();
    let restored = store_postgres::testing::fresh_database().await.unwrap();
    let untouched = store_postgres::testing::fresh_database().await.unwrap();
    backup_while_streaming_then_restore(Some(&live), Some(&restored), Some(&untouched)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_backs_up_on_its_schedule_and_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    add_officer(data, None);
    let backups = dir.path().join("backups");
    // Two older scheduled backups already there: with --backup-keep 2 the oldest goes.
    std::fs::create_dir_all(&backups).unwrap();
    for name in ["fangkong-20200101T000000Z.zip", "fangkong-20200102T000000Z.zip"] {
        std::fs::write(backups.join(name), b"old").unwrap();
    }
    let port = free_port();
    let mut server = fangkong(None)
        .args(["serve", "--data-dir", data, "--listen", &format!("127.0.0.1:{port}")])
        .args(["--backup-every", "10s", "--backup-keep", "2", "--backup-dir", backups.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let newest = loop {
        let mut names: Vec<String> =
            std::fs::read_dir(&backups).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        if names.len() == 2 && names[0] == "fangkong-20200102T000000Z.zip" && names[1].ends_with("Z.zip") {
            break backups.join(&names[1]);
        }
        assert!(started.elapsed() < Duration::from_secs(40), "no scheduled backup: {names:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    server.kill().unwrap();
    server.wait().unwrap();
    let verified = run({
        let mut command = fangkong(None);
        command.args(["restore", newest.to_str().unwrap(), "--data-dir", dir.path().join("check").to_str().unwrap()]);
        command
    })
    .await;
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stderr));
}
