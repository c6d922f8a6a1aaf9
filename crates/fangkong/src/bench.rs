//! `fangkong bench`: figures measured on this machine, one JSON line each.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::json;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Key-person list latency over HTTP for one user on an existing database (build it with
    /// `fangkong demo --no-serve`): the page and the API, with changing filters and pages; then
    /// health-code lookups and person searches (by a name's beginning, by phone) on the same city.
    List {
        #[arg(long, default_value = "./fangkong-data")]
        data_dir: PathBuf,
        #[arg(long, default_value = "officer")]
        username: String,
        #[arg(long, default_value = crate::demo::DEMO_PASSWORD)]
        password: String,
        #[arg(long, default_value_t = 2000)]
        requests: usize,
    },
    /// Check-in ingest over HTTP on loopback, the load generator included: the same load against
    /// the HTTP ceiling (a handler that parses the body and answers without storing), the SQLite
    /// server and, with --postgres, the PostgreSQL server. One JSON line per target.
    Ingest {
        /// Seconds of load per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Concurrent requests in flight.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Persons in the city the check-ins come from.
        #[arg(long, default_value_t = 100_000)]
        persons: usize,
        /// A PostgreSQL server URL (e.g. postgres://postgres@127.0.0.1:5432); a database
        /// `fk_bench_ingest` is made there afresh.
        #[arg(long)]
        postgres: Option<String>,
        /// Only these targets, comma-separated: ceiling, sqlite, postgres, postgres_plain (default: all).
        #[arg(long)]
        only: Option<String>,
    },
    /// Bytes on disk per check-in (table and indexes) once `--checkins` are stored, loaded in
    /// time order over the 28-day retention window into a demo city, on SQLite and, with
    /// --postgres, on PostgreSQL. One JSON line per backend.
    Storage {
        #[arg(long, default_value_t = 30_000_000)]
        checkins: usize,
        #[arg(long, default_value_t = 1_000_000)]
        persons: usize,
        /// A PostgreSQL server URL; a database `fk_bench_storage` is made there afresh.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Big-data comparison: a `--rows` list (CSV, as offices send it) against `--persons`
    /// persons, from the file to the leads committed, with the peak resident memory of the
    /// import; beside it DuckDB doing the same normalise and three-step match on the same files
    /// (needs `pip install duckdb`). One JSON line per engine.
    Lists {
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        #[arg(long, default_value_t = 1_000_000)]
        persons: usize,
        /// A PostgreSQL server URL; a database `fk_bench_lists` is made there afresh.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Close-contact detection for one case (trajectory, epidemic points, candidates) against
    /// `--checkins` check-ins, on SQLite and, with --postgres, PostgreSQL, beside the same rule as
    /// one DuckDB query on the same rows exported to CSV and Parquet (needs `pip install duckdb`).
    Contacts {
        #[arg(long, default_value_t = 30_000_000)]
        checkins: usize,
        #[arg(long, default_value_t = 1_000_000)]
        persons: usize,
        /// Cases investigated (each timed several times).
        #[arg(long, default_value_t = 20)]
        cases: usize,
        /// A PostgreSQL server URL; databases `fk_bench_contacts` (partitioned) and
        /// `fk_bench_contacts_plain` are made there afresh.
        #[arg(long)]
        postgres: Option<String>,
        /// Only the two PostgreSQL layouts, side by side (no SQLite, no DuckDB).
        #[arg(long)]
        postgres_only: bool,
    },
    /// Minutes of mixed load on one server — check-ins, health-code lookups, key-person list
    /// pages and a list import every minute — sampling RSS, open files and p99 every 10 s.
    Soak {
        #[arg(long, default_value_t = 600)]
        seconds: u64,
        #[arg(long, default_value_t = 100_000)]
        persons: usize,
        /// Check-ins offered per second.
        #[arg(long, default_value_t = 400)]
        checkins: u64,
        /// Health-code lookups offered per second.
        #[arg(long, default_value_t = 100)]
        lookups: u64,
        /// Key-person list pages offered per second.
        #[arg(long, default_value_t = 5)]
        lists: u64,
        /// A PostgreSQL server URL; a database `fk_bench_soak` is made there afresh.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Health-code lookups (`GET /api/v1/persons/{id}/health-code`, staff, audited) over HTTP at
    /// a fixed offered rate, latency counted from each request's scheduled time.
    Codes {
        #[arg(long, default_value_t = 1_000_000)]
        persons: usize,
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Requests per second offered.
        #[arg(long, default_value_t = 5_000)]
        rate: u64,
        /// Connections the requests are spread over.
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
    /// Offline health-code token verifications per second on one core.
    Verify {
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
    /// The HTTP-ceiling server of `bench ingest` (started by it).
    #[command(hide = true)]
    CeilingServer {
        #[arg(long)]
        listen: SocketAddr,
    },
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "a rank in 0..=len; clamped below")]
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::List { data_dir, username, password, requests } => {
            list(data_dir, &username, &password, requests).await
        }
        BenchCommand::Ingest { seconds, connections, persons, postgres, only } => {
            crate::ingest::run(seconds, connections, persons, postgres, only.as_deref()).await
        }
        BenchCommand::Storage { checkins, persons, postgres } => storage(checkins, persons, postgres).await,
        BenchCommand::Lists { rows, persons, postgres } => crate::lists_bench::run(rows, persons, postgres).await,
        BenchCommand::Contacts { checkins, persons, cases, postgres, postgres_only } => {
            crate::contacts::run(checkins, persons, cases, postgres, postgres_only).await
        }
        BenchCommand::Soak { seconds, persons, checkins, lookups, lists, postgres } => {
            crate::soak::run(seconds, persons, crate::soak::Rates { checkins, lookups, lists }, postgres).await
        }
        BenchCommand::Codes { persons, seconds, rate, connections } => {
            crate::codes::lookups(persons, seconds, rate, connections).await
        }
        BenchCommand::Verify { seconds } => crate::codes::verifications(seconds),
        BenchCommand::CeilingServer { listen } => crate::ingest::ceiling_server(listen).await,
    }
}

async fn list(data_dir: PathBuf, username: &str, password: &str, requests: usize) -> anyhow::Result<()> {
    let db = crate::open_db(&data_dir).await?;
    let backend = db.kind();
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(web::serve(db, crate::open_keys(&data_dir)?, listener));
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await?;
    if !login.status().is_success() {
        bail!("login as {username} failed: {}", login.status());
    }
    let token = login.json::<serde_json::Value>().await?["token"].as_str().context("no token")?.to_string();
    let filters =
        ["", "status=central_observation", "class=close_contact", "status=confirmed", "class=fever&page=2", "page=5"];
    for (kind, path) in [("page", "/key-persons"), ("api", "/api/v1/key-persons")] {
        let mut times = Vec::with_capacity(requests);
        for n in 0..requests {
            let url = format!("{base}{path}?{}", filters[n % filters.len()]);
            let started = Instant::now();
            let request = if kind == "page" {
                client.get(&url).header("cookie", format!("fk_session={token}"))
            } else {
                client.get(&url).bearer_auth(&token)
            };
            let response = request.send().await?;
            let status = response.status();
            response.bytes().await?;
            times.push(started.elapsed());
            if !status.is_success() {
                bail!("{url}: {status}");
            }
        }
        report("key_person_list", backend, kind, username, &mut times);
    }
    // The same city's health codes and person search: persons taken from the list's pages.
    let mut persons: Vec<(i64, String, String)> = Vec::new();
    for page in 1..=10 {
        let found: serde_json::Value = client
            .get(format!("{base}/api/v1/key-persons?per_page=200&page={page}"))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        for item in found["items"].as_array().into_iter().flatten() {
            let name = item["name"].as_str().unwrap_or_default().to_string();
            let phone = item["phone"].as_str().unwrap_or_default().to_string();
            persons.push((item["person_id"].as_i64().unwrap_or(0), name, phone));
        }
    }
    if persons.is_empty() {
        bail!("{username} sees no key persons to look up");
    }
    // Lists mask phones: the first hundred persons' own records give theirs (reads, audited).
    let mut phones = Vec::new();
    for person in persons.iter().take(100) {
        let record: serde_json::Value =
            client.get(format!("{base}/api/v1/persons/{}", person.0)).bearer_auth(&token).send().await?.json().await?;
        if let Some(phone) = record["phone"].as_str().filter(|p| !p.is_empty()) {
            phones.push((person.0, person.1.clone(), phone.to_string()));
        }
    }
    if phones.is_empty() {
        bail!("none of the first hundred persons has a phone");
    }
    let path = |bench: &str, (id, name, phone): &(i64, String, String)| match bench {
        "health_code" => format!("/api/v1/persons/{id}/health-code"),
        "person_search_by_name" => format!("/api/v1/persons?q={}", name.chars().take(2).collect::<String>()),
        _ => format!("/api/v1/persons?q={phone}"),
    };
    for bench in ["health_code", "person_search_by_name", "person_search_by_phone"] {
        let mut times = Vec::with_capacity(requests);
        for n in 0..requests {
            let sample = if bench == "person_search_by_phone" { &phones } else { &persons };
            let url = format!("{base}{}", path(bench, &sample[(n * 7919) % sample.len()]));
            let started = Instant::now();
            let response = client.get(&url).bearer_auth(&token).send().await?;
            let status = response.status();
            response.bytes().await?;
            times.push(started.elapsed());
            if !status.is_success() {
                bail!("{url}: {status}");
            }
        }
        report(bench, backend, "api", username, &mut times);
    }
    Ok(())
}

fn report(bench: &str, backend: &str, kind: &str, username: &str, times: &mut [std::time::Duration]) {
    times.sort();
    println!(
        "{}",
        json!({
            "bench": bench,
            "backend": backend,
            "kind": kind,
            "user": username,
            "requests": times.len(),
            "p50_ms": percentile(times, 50.0),
            "p99_ms": percentile(times, 99.0),
            "max_ms": percentile(times, 100.0),
        })
    );
}

async fn storage(checkins: usize, persons: usize, postgres: Option<String>) -> anyhow::Result<()> {
    if std::env::var("DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        bail!("unset DATABASE_URL: bench storage builds its own databases (use --postgres URL)");
    }
    let work = std::env::temp_dir().join(format!("fangkong-bench-storage-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let city = crate::demo::build(&work, persons, 7).await?;
    fill_and_measure(&city, checkins, "sqlite").await?;
    drop(city);
    let _ = std::fs::remove_dir_all(&work);
    if let Some(server) = postgres {
        let url = crate::ingest::fresh_postgres(&server, "fk_bench_storage")?;
        let db =
            store::Db::open(std::sync::Arc::new(store_postgres::connect(&url).await?), store::system_clock()).await?;
        let city = crate::demo::build_into(db, persons, 7).await?;
        fill_and_measure(&city, checkins, "postgres").await?;
    }
    Ok(())
}

/// Adds check-ins until `total` are stored, then prints the footprint.
async fn fill_and_measure(city: &crate::demo::City, total: usize, backend: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    fill(city, total).await?;
    let db = &city.db;
    let footprint = db.checkins_footprint().await?;
    println!(
        "{}",
        json!({
            "bench": "checkin_storage",
            "backend": backend,
            "checkins": footprint.rows,
            "bytes": footprint.bytes,
            "bytes_per_checkin": (footprint.bytes as f64 / footprint.rows.max(1) as f64 * 10.0).round() / 10.0,
            "load_seconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        })
    );
    Ok(())
}

/// Adds check-ins until `total` are stored, in time order over the 28 days before now (random
/// venues and persons of the city, a third with a check-out), a million per transaction. The
/// same seed gives the same rows.
pub(crate) async fn fill(city: &crate::demo::City, total: usize) -> anyhow::Result<()> {
    use rand::{Rng, SeedableRng};
    const CHUNK: usize = 1_000_000;
    let db = &city.db;
    let already = usize::try_from(db.checkins_footprint().await?.rows).unwrap_or(usize::MAX);
    let wanted = total.saturating_sub(already);
    let mut rng = rand::rngs::StdRng::seed_from_u64(30);
    let span = 28 * 86_400i64;
    let start = db.now() - span;
    let mut added = 0;
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    while added < wanted {
        let n = CHUNK.min(wanted - added);
        let mut chunk: Vec<store::BulkCheckin> = (0..n)
            .map(|i| {
                let (venue_id, area_code) = &city.venues[rng.random_range(0..city.venues.len())];
                let t_in = start + span * as_i64(added + i) / as_i64(wanted.max(1));
                store::BulkCheckin {
                    venue_id: *venue_id,
                    person_id: city.person_ids[rng.random_range(0..city.person_ids.len())],
                    area_code: area_code.clone(),
                    t_in,
                    t_out: rng.random_bool(0.3).then(|| t_in + rng.random_range(600..7200)),
                    temperature: rng
                        .random_bool(0.5)
                        .then(|| domain::Temperature::from_tenths(rng.random_range(358..=372)).ok())
                        .flatten(),
                }
            })
            .collect();
        chunk.sort_by_key(|c| c.t_in);
        db.bulk_insert_checkins(&chunk).await?;
        added += n;
    }
    db.optimize().await?;
    Ok(())
}

/// The latencies and error counts of load tasks, merged; the latencies sorted.
pub(crate) async fn gather(
    tasks: Vec<tokio::task::JoinHandle<(Vec<std::time::Duration>, u64)>>,
) -> anyhow::Result<(Vec<std::time::Duration>, u64)> {
    let mut times = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (t, e) = task.await?;
        times.extend(t);
        errors += e;
    }
    times.sort();
    Ok((times, errors))
}

/// Runs a Python script (the DuckDB side of a bench, written into `work` as `file`) with `args`
/// and passes on what it prints.
pub(crate) fn run_python(
    work: &std::path::Path,
    file: &str,
    script: &str,
    args: &[&std::path::Path],
) -> anyhow::Result<()> {
    use anyhow::Context;
    let path = work.join(file);
    std::fs::write(&path, script)?;
    let output = std::process::Command::new("python3")
        .arg(&path)
        .args(args)
        .output()
        .context("running python3 (pip install duckdb)")?;
    if !output.status.success() {
        anyhow::bail!("the DuckDB side failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    print!("{}", String::from_utf8_lossy(&output.stdout));
    Ok(())
}
