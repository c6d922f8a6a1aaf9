#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)] // tests: a failed step should stop loudly
//! The binary run as an operator runs it: a data dir with a user, the server, phones streaming
//! check-ins with Idempotency-Keys, and the replay that proves an acknowledged one is there.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const PASSWORD: &str = "a-long-password";

/// The binary with `DATABASE_URL` set to `database` (PostgreSQL) or removed (SQLite).
pub fn fangkong(database: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fangkong"));
    match database {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    command
}

pub fn add_officer(data: &str, database: Option<&str>) {
    let mut add = fangkong(database)
        .args([
            "user",
            "add",
            "--data-dir",
            data,
            "--username",
            "officer",
            "--role",
            "area_officer",
            "--area",
            "411702",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    assert!(add.wait().unwrap().success());
}

pub fn serve(data: &str, port: u16, database: Option<&str>) -> Child {
    fangkong(database)
        .args(["serve", "--data-dir", data, "--listen", &format!("127.0.0.1:{port}")])
        // Every phone of a test comes from 127.0.0.1: no per-address limit.
        .env("FANGKONG_PUBLIC_WRITES_PER_MINUTE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start fangkong serve")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub async fn wait_until_up(client: &reqwest::Client, base: &str) {
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "server did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn id_number(serial: u32) -> String {
    let first17 = format!("41170219900101{:03}", serial % 1000);
    format!("{first17}{}", domain::check_digit(&first17).unwrap())
}

/// Logs the officer in and registers a venue; returns its token.
pub async fn venue(client: &reqwest::Client, base: &str) -> String {
    let login: Value = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": "officer", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_string();
    let venue: Value = client
        .post(format!("{base}/api/v1/venues"))
        .bearer_auth(&token)
        .json(&json!({"name": "超市", "kind": "supermarket", "area_code": "411702"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    venue["token"].as_str().unwrap().to_string()
}

/// (Idempotency-Key, body, check-in id) of every acknowledged check-in.
pub type Acknowledged = Arc<Mutex<Vec<(String, Value, i64)>>>;

/// `phones` phones stream distinct check-ins until the server stops answering or `stop` is set;
/// `round` keeps keys of successive streams apart.
pub fn stream(
    client: &reqwest::Client,
    base: &str,
    venue_token: &str,
    phones: u32,
    round: u32,
    stop: Arc<std::sync::atomic::AtomicBool>,
    acknowledged: Acknowledged,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..phones)
        .map(|phone| {
            let (client, base, venue_token, acknowledged, stop) =
                (client.clone(), base.to_string(), venue_token.to_string(), acknowledged.clone(), stop.clone());
            tokio::spawn(async move {
                for n in 0..100_000u32 {
                    if stop.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    let key = format!("round-{round}-phone-{phone}-{n}");
                    let body = json!({"venue_token": venue_token, "id_number": id_number(phone * 50 + n % 50), "name": "顾客", "temperature": 36.5 + f64::from(n % 5) / 10.0});
                    let sent = client.post(format!("{base}/api/v1/checkins")).header("Idempotency-Key", &key).json(&body).send().await;
                    let Ok(response) = sent else { break };
                    if !response.status().is_success() {
                        break;
                    }
                    let Ok(receipt) = response.json::<Value>().await else { break };
                    acknowledged.lock().unwrap().push((key, body, receipt["id"].as_i64().unwrap()));
                }
            })
        })
        .collect()
}

/// The acknowledged check-ins whose replay does not return the same id as a duplicate.
pub async fn lost(
    client: &reqwest::Client,
    base: &str,
    acknowledged: &[(String, Value, i64)],
) -> Vec<(String, i64, Value)> {
    let mut lost = Vec::new();
    for (key, body, id) in acknowledged {
        let replay: Value = client
            .post(format!("{base}/api/v1/checkins"))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if replay["id"].as_i64() != Some(*id) || replay["duplicate"] != true {
            lost.push((key.clone(), *id, replay));
        }
    }
    lost
}
