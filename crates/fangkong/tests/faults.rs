#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! Faults survived: PostgreSQL restarting under the server, and a full disk under SQLite. In
//! both, requests meanwhile fail fast with 503 and a clear reason, nothing acknowledged is lost,
//! and the server recovers by itself once the fault is gone.
//!
//! Both need root here: a private PostgreSQL cluster is run as the `postgres` user (initdb
//! refuses root), and the full disk is a small tmpfs mounted for the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

fn is_root() -> bool {
    let id = Command::new("id").arg("-u").output().expect("id -u");
    String::from_utf8_lossy(&id.stdout).trim() == "0"
}

/// A PostgreSQL cluster of the test's own, on a free port, so that stopping it touches no other test.
struct Cluster {
    _dir: tempfile::TempDir,
    data: PathBuf,
    bin: PathBuf,
    port: u16,
}

impl Cluster {
    fn tool(&self, name: &str) -> Command {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(self.bin.join(name));
        command
    }

    fn start() -> Cluster {
        assert!(is_root(), "this test runs a private PostgreSQL cluster as the postgres user: run it as root");
        let version = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)")
            .filter_map(|e| e.ok()?.file_name().into_string().ok()?.parse::<u32>().ok())
            .max()
            .expect("a PostgreSQL version");
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("pgdata");
        std::fs::create_dir(&data).unwrap();
        assert!(Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status().unwrap().success());
        let cluster = Cluster {
            bin: PathBuf::from(format!("/usr/lib/postgresql/{version}/bin")),
            data,
            port: free_port(),
            _dir: dir,
        };
        let init = cluster
            .tool("initdb")
            .arg("-D")
            .arg(&cluster.data)
            .args(["-A", "trust", "-U", "postgres", "--no-sync"])
            .output()
            .unwrap();
        assert!(init.status.success(), "initdb: {}", String::from_utf8_lossy(&init.stderr));
        cluster.up();
        cluster
    }

    fn up(&self) {
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.data.display());
        let log = self.data.join("log");
        let started = self
            .tool("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(log)
            .args(["-w", "-o", &options, "start"])
            .output()
            .unwrap();
        assert!(started.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&started.stderr));
    }

    fn down(&self) {
        let stopped =
            self.tool("pg_ctl").arg("-D").arg(&self.data).args(["-w", "-m", "fast", "stop"]).output().unwrap();
        assert!(stopped.status.success(), "pg_ctl stop: {}", String::from_utf8_lossy(&stopped.stderr));
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.tool("pg_ctl").arg("-D").arg(&self.data).args(["-m", "immediate", "stop"]).output();
    }
}

/// What the phones saw: acknowledged check-ins, and the refusals (status, detail, seconds taken).
#[derive(Default)]
struct Seen {
    acknowledged: Vec<(String, Value, i64)>,
    refused: Vec<(u16, String, f64)>,
}

/// Phones that keep sending through failures until `stop`, each request with its own key.
fn persistent_phones(
    client: &reqwest::Client,
    base: &str,
    venue_token: &str,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Seen>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..4u32)
        .map(|phone| {
            let (client, base, venue_token, stop, seen) =
                (client.clone(), base.to_string(), venue_token.to_string(), stop.clone(), seen.clone());
            tokio::spawn(async move {
                let mut n = 0u32;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let key = format!("fault-phone-{phone}-{n}");
                    let body = json!({"venue_token": venue_token, "id_number": id_number(phone * 50 + n % 50), "name": "顾客"});
                    let started = Instant::now();
                    let sent = client
                        .post(format!("{base}/api/v1/checkins"))
                        .header("Idempotency-Key", &key)
                        .header("Accept-Language", "zh-CN")
                        .timeout(Duration::from_secs(30))
                        .json(&body)
                        .send()
                        .await;
                    let response = sent.expect("the server keeps answering");
                    let status = response.status().as_u16();
                    let answer: Value = response.json().await.unwrap_or(Value::Null);
                    let refused = {
                        let mut seen = seen.lock().unwrap();
                        if status < 300 {
                            seen.acknowledged.push((key, body, answer["id"].as_i64().unwrap()));
                            false
                        } else {
                            let detail = answer["detail"].as_str().unwrap_or_default().to_string();
                            seen.refused.push((status, detail, started.elapsed().as_secs_f64()));
                            true
                        }
                    };
                    if refused {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            })
        })
        .collect()
}

/// Waits until a check-in after `since` refusals is acknowledged again.
async fn recovers(seen: &Arc<Mutex<Seen>>, acknowledged_before: usize, limit: Duration) {
    let started = Instant::now();
    while seen.lock().unwrap().acknowledged.len() <= acknowledged_before + 10 {
        assert!(started.elapsed() < limit, "the server did not recover by itself");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn check_refusals(seen: &Seen, reason: &str) {
    assert!(!seen.refused.is_empty(), "the fault was felt");
    for (status, detail, seconds) in &seen.refused {
        assert_eq!(*status, 503, "refused as unavailable: {detail}");
        assert!(detail.contains(reason), "the reason is said: {detail}");
        // A bound against hanging, not a speed target: the pool gives up after 3 s.
        assert!(*seconds < 8.0, "answered, not left hanging ({seconds} s)");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarting_under_the_server_fails_fast_and_recovers() {
    let cluster = Cluster::start();
    let url = cluster.url();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    add_officer(data, Some(&url));
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut server = serve(data, port, Some(&url));
    wait_until_up(&client, &base).await;
    let venue_token = venue(&client, &base).await;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let phones = persistent_phones(&client, &base, &venue_token, stop.clone(), seen.clone());
    tokio::time::sleep(Duration::from_millis(500)).await;
    tokio::task::block_in_place(|| cluster.down());
    // Longer than the pool's 3 s wait for a connection: requests meanwhile are refused.
    tokio::time::sleep(Duration::from_millis(4500)).await;
    let before = seen.lock().unwrap().acknowledged.len();
    tokio::task::block_in_place(|| cluster.up());
    recovers(&seen, before, Duration::from_secs(30)).await;
    stop.store(true, Ordering::SeqCst);
    for phone in phones {
        phone.await.unwrap();
    }
    let seen = Arc::try_unwrap(seen).ok().unwrap().into_inner().unwrap();
    check_refusals(&seen, "数据库暂时不可用");
    let lost = lost(&client, &base, &seen.acknowledged).await;
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(lost.is_empty(), "{} of {} lost, e.g. {:?}", lost.len(), seen.acknowledged.len(), lost.first());
}

/// A tmpfs of `megabytes` at `dir`, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, megabytes: u32) -> SmallDisk {
        assert!(is_root(), "this test mounts a small tmpfs to fill: run it as root");
        let done = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(done.status.success(), "mount: {}", String::from_utf8_lossy(&done.stderr));
        SmallDisk(dir.to_path_buf())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system of `path` with a file of its own until a write fails.
fn fill(path: &Path) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while file.write_all(&chunk).and_then(|()| file.sync_data()).is_ok() {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_clearly_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let _disk = SmallDisk::mount(dir.path(), 24);
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    add_officer(data, None);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut server = serve(data, port, None);
    wait_until_up(&client, &base).await;
    let venue_token = venue(&client, &base).await;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let phones = persistent_phones(&client, &base, &venue_token, stop.clone(), seen.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let filler = dir.path().join("filler");
    tokio::task::block_in_place(|| fill(&filler));
    let started = Instant::now();
    while seen.lock().unwrap().refused.len() < 20 {
        assert!(started.elapsed() < Duration::from_secs(30), "writes kept succeeding on a full disk");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = seen.lock().unwrap().acknowledged.len();
    std::fs::remove_file(&filler).unwrap();
    recovers(&seen, before, Duration::from_secs(30)).await;
    stop.store(true, Ordering::SeqCst);
    for phone in phones {
        phone.await.unwrap();
    }
    let seen = Arc::try_unwrap(seen).ok().unwrap().into_inner().unwrap();
    check_refusals(&seen, "存储空间已满");
    let lost = lost(&client, &base, &seen.acknowledged).await;
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(lost.is_empty(), "{} of {} lost, e.g. {:?}", lost.len(), seen.acknowledged.len(), lost.first());
}
