//! `fangkong bench soak`: the server under a mixed load for minutes — check-ins, health-code
//! lookups, key-person list pages and a list import now and then, all at once, at fixed rates —
//! with its resident memory, open files and each workload's p99 sampled every 10 s. A leak
//! shows as a climbing RSS or file count, a slow drift as a climbing p99; every failed request
//! is counted. One JSON line per sample, then a summary.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::bench::percentile;
use crate::ingest::{Sender, start};

/// Seconds between samples.
const SAMPLE_SECONDS: u64 = 10;
/// Seconds between imports, and the rows of each imported list.
const IMPORT_EVERY_SECONDS: u64 = 60;
const IMPORT_ROWS: usize = 2_000;

/// The load: requests per second of each workload.
pub struct Rates {
    pub checkins: u64,
    pub lookups: u64,
    pub lists: u64,
}

/// What one workload saw since the last sample.
#[derive(Default)]
struct Window {
    times: Vec<Duration>,
    errors: u64,
}

#[derive(Default)]
struct Windows {
    checkins: Window,
    lookups: Window,
    lists: Window,
    imports: Window,
}

type Shared = Arc<Mutex<Windows>>;

fn record(shared: &Shared, pick: fn(&mut Windows) -> &mut Window, outcome: Result<Duration, ()>) {
    if let Ok(mut windows) = shared.lock() {
        let window = pick(&mut windows);
        match outcome {
            Ok(time) => window.times.push(time),
            Err(()) => window.errors += 1,
        }
    }
}

/// Resident memory (MiB) and open files of a process, from /proc.
fn process_figures(pid: u32) -> (f64, usize) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let files = std::fs::read_dir(format!("/proc/{pid}/fd")).map(Iterator::count).unwrap_or(0);
    ((rss_kib / 1024.0 * 10.0).round() / 10.0, files)
}

pub async fn run(seconds: u64, persons: usize, rates: Rates, postgres: Option<String>) -> anyhow::Result<()> {
    if std::env::var("DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        bail!("unset DATABASE_URL: bench soak builds its own database (use --postgres URL)");
    }
    let work = std::env::temp_dir().join(format!("fangkong-bench-soak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let (server, target, mut city) = match postgres {
        None => {
            let city = crate::demo::build(&work, persons, 7).await?;
            let data_dir = work.to_string_lossy().to_string();
            let server = start(
                &["serve", "--data-dir", &data_dir, "--public-writes-per-minute", crate::ingest::UNLIMITED_WRITES],
                None,
            )
            .await?;
            (server, "sqlite", city)
        }
        Some(server) => {
            let url = crate::ingest::fresh_postgres(&server, "fk_bench_soak")?;
            let db = store::Db::open(Arc::new(store_postgres::connect(&url).await?), store::system_clock()).await?;
            let city = crate::demo::build_into(db, persons, 7).await?;
            let server =
                start(&["serve", "--public-writes-per-minute", crate::ingest::UNLIMITED_WRITES], Some(&url)).await?;
            (server, "postgres", city)
        }
    };
    let venues = Arc::new(city.venue_tokens.clone());
    let people = Arc::new(std::mem::take(&mut city.people));
    let person_ids = Arc::new(city.person_ids.iter().map(|p| p.get()).collect::<Vec<i64>>());
    drop(city);
    let token = crate::ingest::login_admin(&server).await?;
    let host = server.base.trim_start_matches("http://").to_string();
    let shared: Shared = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(seconds);

    let mut tasks = Vec::new();
    // Check-ins from phones: no session, a venue's token and the person's identity.
    for lane in 0..4u64 {
        let (host, venues, people, shared) = (host.clone(), venues.clone(), people.clone(), shared.clone());
        let rate = rates.checkins.div_ceil(4);
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(lane);
            paced(
                rate,
                deadline,
                || {
                    let person = &people[rng.random_range(0..people.len())];
                    let venue = &venues[rng.random_range(0..venues.len())];
                    let body = json!({"venue_token": venue, "id_number": person.id_number, "name": person.name,
                                  "phone": person.phone, "temperature": 36.5});
                    ("POST /api/v1/checkins".to_string(), None, Some(body.to_string()))
                },
                &host,
                &shared,
                |w| &mut w.checkins,
            )
            .await;
        }));
    }
    // Staff: health-code lookups (audited reads) and the key-person list, a page at a time.
    {
        let (host, token, person_ids, shared) = (host.clone(), token.clone(), person_ids.clone(), shared.clone());
        let rate = rates.lookups;
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(100);
            paced(
                rate,
                deadline,
                || {
                    let person = person_ids[rng.random_range(0..person_ids.len())];
                    (format!("GET /api/v1/persons/{person}/health-code"), Some(token.clone()), None)
                },
                &host,
                &shared,
                |w| &mut w.lookups,
            )
            .await;
        }));
    }
    {
        let (host, token, shared) = (host.clone(), token.clone(), shared.clone());
        let rate = rates.lists;
        tasks.push(tokio::spawn(async move {
            let mut page = 0u32;
            paced(
                rate,
                deadline,
                || {
                    page = page % 20 + 1;
                    (format!("GET /api/v1/key-persons?page={page}&per_page=50"), Some(token.clone()), None)
                },
                &host,
                &shared,
                |w| &mut w.lists,
            )
            .await;
        }));
    }
    // A list import every minute: upload, then import, each a new file.
    {
        let (base, token, people, shared) = (server.base.clone(), token.clone(), people.clone(), shared.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut round = 0usize;
            while Instant::now() + Duration::from_secs(5) < deadline {
                let started = Instant::now();
                let outcome = import(&client, &base, &token, &people, round).await;
                record(&shared, |w| &mut w.imports, outcome.map(|()| started.elapsed()).map_err(|_| ()));
                round += 1;
                let next = started + Duration::from_secs(IMPORT_EVERY_SECONDS);
                tokio::time::sleep_until(next.min(deadline).into()).await;
            }
        }));
    }

    let pid = server.child.id();
    let (rss0, files0) = process_figures(pid);
    println!(
        "{}",
        json!({"bench": "soak_start", "target": target, "persons": persons, "rss_mib": rss0, "open_files": files0})
    );
    let mut samples: Vec<Value> = Vec::new();
    let started = Instant::now();
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(SAMPLE_SECONDS).min(deadline.saturating_duration_since(Instant::now())))
            .await;
        let taken = shared.lock().map(|mut w| std::mem::take(&mut *w)).unwrap_or_default();
        let (rss, files) = process_figures(pid);
        let figures =
            |w: &Window| json!({"n": w.times.len(), "p99_ms": percentile(&w.times, 99.0), "errors": w.errors});
        let sample = json!({
            "bench": "soak_sample", "target": target, "t_s": started.elapsed().as_secs(),
            "rss_mib": rss, "open_files": files,
            "checkins": figures(&taken.checkins), "lookups": figures(&taken.lookups),
            "lists": figures(&taken.lists), "imports": figures(&taken.imports),
        });
        println!("{sample}");
        samples.push(sample);
    }
    for task in tasks {
        task.await.context("a load task")?;
    }
    println!("{}", summary(target, seconds, &samples));
    drop(server);
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

/// Sends the requests `next` makes at `rate` per second on one connection until `deadline`,
/// each timed from when it was due (a stalled server cannot hide behind a waiting client).
async fn paced(
    rate: u64,
    deadline: Instant,
    mut next: impl FnMut() -> (String, Option<String>, Option<String>),
    host: &str,
    shared: &Shared,
    pick: fn(&mut Windows) -> &mut Window,
) {
    if rate == 0 {
        return;
    }
    let mut sender: Option<Sender> = None;
    let started = Instant::now();
    for k in 0u64.. {
        let due = started + Duration::from_nanos(k * 1_000_000_000 / rate);
        if due >= deadline {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        if sender.is_none() {
            sender = Sender::connect(host).await.ok();
        }
        let Some(connection) = sender.as_mut() else {
            record(shared, pick, Err(()));
            continue;
        };
        let (line, bearer, body) = next();
        let mut request = format!("{line} HTTP/1.1\r\nHost: {host}\r\n");
        if let Some(token) = bearer {
            request.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        match body {
            Some(body) => request
                .push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())),
            None => request.push_str("\r\n"),
        }
        match connection.exchange(request.as_bytes()).await {
            Ok(status) if (200..300).contains(&status) => record(shared, pick, Ok(due.elapsed())),
            Ok(_) => record(shared, pick, Err(())),
            Err(_) => {
                record(shared, pick, Err(()));
                sender = None;
            }
        }
    }
}

/// Uploads and imports one list: residents of the city (matched by ID) and strangers.
async fn import(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    people: &[crate::demo::Resident],
    round: usize,
) -> anyhow::Result<()> {
    let mut csv = String::from("姓名,身份证号码,手机号码,地址\n");
    for n in 0..IMPORT_ROWS {
        let person = &people[(round * IMPORT_ROWS + n * 7) % people.len()];
        let phone = person.phone.clone().unwrap_or_default();
        csv.push_str(&format!("{},{},{},第{round}批{n}号\n", person.name, person.id_number, phone));
    }
    let staged: Value = client
        .post(format!("{base}/api/v1/uploads?file_name=soak-{round}.csv"))
        .bearer_auth(token)
        .body(csv)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = staged["upload_id"].as_i64().context("upload id")?;
    client
        .post(format!("{base}/api/v1/uploads/{id}/import"))
        .bearer_auth(token)
        .json(&json!({"kind": "telecom", "name": format!("浸泡测试第{round}批")}))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

/// The run in one line: memory and files at the start, end and worst; each workload's count,
/// errors and worst p99 over the samples.
fn summary(target: &str, seconds: u64, samples: &[Value]) -> Value {
    let series = |key: &str| samples.iter().filter_map(|s| s[key].as_f64()).collect::<Vec<f64>>();
    let (rss, files) = (series("rss_mib"), series("open_files"));
    let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    let workload = |name: &str| {
        let n: u64 = samples.iter().filter_map(|s| s[name]["n"].as_u64()).sum();
        let errors: u64 = samples.iter().filter_map(|s| s[name]["errors"].as_u64()).sum();
        let worst = samples.iter().filter_map(|s| s[name]["p99_ms"].as_f64()).fold(0.0, f64::max);
        json!({"n": n, "errors": errors, "worst_p99_ms": worst})
    };
    // Memory after the first minute (caches warm) against the end.
    let warm = rss.get(6).or(rss.first()).copied().unwrap_or(0.0);
    json!({
        "bench": "soak", "target": target, "seconds": seconds, "samples": samples.len(),
        "rss_mib": {"warm": warm, "end": rss.last().copied().unwrap_or(0.0), "max": max(&rss)},
        "open_files": {"start": files.first().copied().unwrap_or(0.0), "end": files.last().copied().unwrap_or(0.0), "max": max(&files)},
        "checkins": workload("checkins"), "lookups": workload("lookups"), "lists": workload("lists"), "imports": workload("imports"),
    })
}
