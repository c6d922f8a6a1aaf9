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
    /// `fangkong demo --no-serve`): the page and the API, with changing filters and pages.
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
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::List { data_dir, username, password, requests } => {
            list(data_dir, &username, &password, requests).await
        }
        BenchCommand::Ingest { seconds, connections, persons, postgres } => {
            crate::ingest::run(seconds, connections, persons, postgres).await
        }
        BenchCommand::CeilingServer { listen } => crate::ingest::ceiling_server(listen).await,
    }
}

async fn list(data_dir: PathBuf, username: &str, password: &str, requests: usize) -> anyhow::Result<()> {
    let db = crate::open_db(&data_dir).await?;
    let backend = db.kind();
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(web::serve(db, listener));
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
        times.sort();
        println!(
            "{}",
            json!({
                "bench": "key_person_list",
                "backend": backend,
                "kind": kind,
                "user": username,
                "requests": requests,
                "p50_ms": percentile(&times, 50.0),
                "p99_ms": percentile(&times, 99.0),
                "max_ms": percentile(&times, 100.0),
            })
        );
    }
    Ok(())
}
