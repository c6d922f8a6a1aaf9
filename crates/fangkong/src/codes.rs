//! `fangkong bench codes`: health-code lookups over HTTP at a fixed rate (open loop: each
//! request has a scheduled time and, when its connection was still busy then, its latency is
//! counted from that time, so a stalled server cannot hide behind waiting clients; when the
//! connection was free it counts from the send, so the timer's millisecond granularity is not
//! charged to the server), and `fangkong bench verify`: offline token verifications per second
//! on one core.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::bench::percentile;
use crate::ingest::{Sender, peak_rss_mib, start};
use domain::Code;

pub async fn lookups(persons: usize, seconds: u64, rate: u64, connections: usize) -> anyhow::Result<()> {
    if std::env::var("DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        bail!("unset DATABASE_URL: bench codes builds its own database");
    }
    let work = std::env::temp_dir().join(format!("fangkong-bench-codes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let city = crate::demo::build(&work, persons, 7).await?;
    let person_ids = Arc::new(city.person_ids.clone());
    drop(city);
    let data_dir = work.to_string_lossy().to_string();
    let server = start(&["serve", "--data-dir", &data_dir], None).await?;
    let token = crate::ingest::login_admin(&server).await?;
    let host = server.base.trim_start_matches("http://").to_string();
    let total = seconds * rate;
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now() + Duration::from_millis(200);
    let mut tasks = Vec::new();
    for n in 0..connections {
        let (host, token, next, person_ids) = (host.clone(), token.clone(), next.clone(), person_ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(n as u64);
            let mut times = Vec::new();
            let mut errors = 0u64;
            let mut sender = Sender::connect(&host).await.ok();
            // When this connection's previous answer came: a request due after that was held
            // back only by the timer (tokio sleeps to the millisecond), not by the server.
            let mut free_at = Instant::now();
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= total {
                    break;
                }
                let due = started + Duration::from_nanos(k * 1_000_000_000 / rate);
                tokio::time::sleep_until(due.into()).await;
                // Latency counts from when the request was due — unless the connection was free
                // by then, when it counts from the send: the timer's lateness is the load
                // generator's, a busy connection's wait is the server's.
                let from = if free_at <= due { Instant::now() } else { due };
                if sender.is_none() {
                    sender = Sender::connect(&host).await.ok();
                }
                let Some(connection) = sender.as_mut() else {
                    errors += 1;
                    continue;
                };
                let person = person_ids[rng.random_range(0..person_ids.len())];
                let request = format!(
                    "GET /api/v1/persons/{person}/health-code HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n"
                );
                let answer = connection.exchange(request.as_bytes()).await;
                free_at = Instant::now();
                match answer {
                    Ok(200) => times.push(from.elapsed()),
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        sender = None;
                    }
                }
            }
            (times, errors)
        }));
    }
    let (times, errors) = crate::bench::gather(tasks).await?;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({
            "bench": "health_code_lookup",
            "target": "sqlite",
            "persons": persons,
            "seconds": seconds,
            "offered_rate_per_s": rate,
            "answered": times.len(),
            "rate_per_s": (times.len() as f64 / elapsed).round(),
            "p50_ms": percentile(&times, 50.0),
            "p99_ms": percentile(&times, 99.0),
            "max_ms": percentile(&times, 100.0),
            "errors": errors,
            "rss_mib": (peak_rss_mib(server.child.id()) * 10.0).round() / 10.0,
        })
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

/// Verifications per second on one core: distinct valid tokens, checked in a loop.
pub fn verifications(seconds: u64) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("fangkong-bench-verify-{}", std::process::id()));
    let keys = token::Keyring::open_or_create(&dir)?;
    let public = keys.public_keys();
    let now = jiff::Timestamp::now().as_second();
    let tokens: Vec<String> =
        (0..1000u64).map(|i| keys.issue(i, domain::Colour::ALL[(i % 3) as usize], now, now + 3_600)).collect();
    let started = Instant::now();
    let mut done = 0u64;
    while started.elapsed() < Duration::from_secs(seconds) {
        for t in &tokens {
            token::verify(t, &public, now).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        done += tokens.len() as u64;
    }
    let per_second = done as f64 / started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"bench": "token_verify", "threads": 1, "verifications": done, "per_second": per_second.round(),
               "us_per_verification": (1e6 / per_second * 100.0).round() / 100.0})
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
