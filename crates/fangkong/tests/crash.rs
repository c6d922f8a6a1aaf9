#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed step should stop loudly
//! Durability: the server is killed with SIGKILL while phones stream check-ins; after a restart
//! every check-in that got a 2xx is there. Checked black-box: each acknowledged request, replayed
//! with its Idempotency-Key, must return the same check-in id.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn serve(data: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_fangkong"))
        .args(["serve", "--data-dir", data, "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start fangkong serve")
}

async fn wait_until_up(client: &reqwest::Client, base: &str) {
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "server did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn id_number(serial: u32) -> String {
    let first17 = format!("41170219900101{:03}", serial % 1000);
    format!("{first17}{}", domain::check_digit(&first17).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_checkins_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    let mut add = Command::new(env!("CARGO_BIN_EXE_fangkong"))
        .args([
            "user",
            "add",
            "--data-dir",
            &data,
            "--username",
            "officer",
            "--role",
            "area_officer",
            "--area",
            "411702",
        ])
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"a-long-password\n").unwrap();
    assert!(add.wait().unwrap().success());

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut server = serve(&data, port);
    wait_until_up(&client, &base).await;
    let login: Value = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": "officer", "password": "a-long-password"}))
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
    let venue_token = venue["token"].as_str().unwrap().to_string();

    // Sixteen phones stream distinct check-ins until the server dies under them.
    let acknowledged: Arc<Mutex<Vec<(String, Value, i64)>>> = Arc::default();
    let mut phones = Vec::new();
    for phone in 0..16u32 {
        let (client, base, venue_token, acknowledged) =
            (client.clone(), base.clone(), venue_token.clone(), acknowledged.clone());
        phones.push(tokio::spawn(async move {
            for n in 0..10_000u32 {
                let key = format!("phone-{phone}-{n}");
                let body = json!({"venue_token": venue_token, "id_number": id_number(phone * 50 + n % 50), "name": "顾客", "temperature": 36.5 + f64::from(n % 5) / 10.0});
                let sent = client.post(format!("{base}/api/v1/checkins")).header("Idempotency-Key", &key).json(&body).send().await;
                let Ok(response) = sent else { break };
                if !response.status().is_success() {
                    break;
                }
                let Ok(receipt) = response.json::<Value>().await else { break };
                acknowledged.lock().unwrap().push((key, body, receipt["id"].as_i64().unwrap()));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill().unwrap(); // SIGKILL: no shutdown, no flush
    server.wait().unwrap();
    for phone in phones {
        phone.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 100, "the phones got going before the kill ({})", acknowledged.len());

    let mut server = serve(&data, port);
    wait_until_up(&client, &base).await;
    let mut lost = Vec::new();
    for (key, body, id) in &acknowledged {
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
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged check-ins lost, e.g. {:?}",
        lost.len(),
        acknowledged.len(),
        lost.first()
    );
}
