//! `fangkong bench ingest`: check-ins over HTTP on loopback at the rate the load allows, against
//! three servers in turn — the HTTP ceiling, SQLite, PostgreSQL — each a child process of this
//! one, so its resident memory is its own.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::Json;
use axum::http::StatusCode;
use axum::routing::post;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::bench::percentile;

/// The HTTP ceiling: the same route, parsing the same JSON, answering without storing anything.
pub async fn ceiling_server(listen: SocketAddr) -> anyhow::Result<()> {
    async fn accept(Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
        let id = body.get("id_number").and_then(Value::as_str).map(str::len).unwrap_or(0);
        (StatusCode::CREATED, Json(json!({"id": id, "duplicate": false, "fever": false})))
    }
    let app = axum::Router::new().route("/api/v1/checkins", post(accept));
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

/// Every connection of the load comes from loopback: a ceiling it never reaches, so the count is
/// still kept (and measured) but never refuses.
pub(crate) const UNLIMITED_WRITES: &str = "4000000000";

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub(crate) async fn start(args: &[&str], database_url: Option<&str>) -> anyhow::Result<Server> {
    start_with(args, database_url, &[]).await
}

/// `start` with more environment for the server.
pub(crate) async fn start_with(
    args: &[&str],
    database_url: Option<&str>,
    env: &[(&str, &str)],
) -> anyhow::Result<Server> {
    let port = free_port()?;
    let listen = format!("127.0.0.1:{port}");
    let mut command = Command::new(std::env::current_exe()?);
    // The server's log goes to a file beside the bench's data, for when errors are counted.
    let log = std::env::temp_dir().join(format!("fangkong-bench-server-{port}.log"));
    let log = std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    command.args(args).args(["--listen", &listen]).stdout(Stdio::null()).stderr(log);
    match database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    command.envs(env.iter().copied());
    let child = command.spawn().context("starting the server")?;
    let server = Server { child, base: format!("http://{listen}") };
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{}/healthz", server.base)).send().await.is_err()
        && client.post(format!("{}/api/v1/checkins", server.base)).json(&json!({})).send().await.is_err()
    {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the server did not start");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(server)
}

/// Logs in to `server` as the demo's admin and returns the bearer token.
pub(crate) async fn login_admin(server: &Server) -> anyhow::Result<String> {
    let login: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/session", server.base))
        .json(&json!({"username": "admin", "password": crate::demo::DEMO_PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    Ok(login["token"].as_str().context("login as admin")?.to_string())
}

/// Peak resident memory of a process, from /proc.
pub(crate) fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// One keep-alive HTTP/1.1 connection sending check-ins back to back: the request is written
/// straight into a reused buffer and the answer read just far enough to know its status and
/// length. A load generator as lean as `wrk`, so that on two shared cores the figures measure the
/// server rather than the client (reqwest cost more CPU per request than the ceiling server).
pub(crate) struct Sender {
    stream: tokio::io::BufReader<tokio::net::TcpStream>,
    request: Vec<u8>,
    body: String,
    line: String,
}

impl Sender {
    pub(crate) async fn connect(addr: &str) -> anyhow::Result<Sender> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Sender {
            stream: tokio::io::BufReader::new(stream),
            request: Vec::with_capacity(512),
            body: String::with_capacity(256),
            line: String::with_capacity(128),
        })
    }

    /// Sends one check-in and returns whether it was acknowledged (2xx).
    async fn check_in(
        &mut self,
        host: &str,
        token: &str,
        person: &crate::demo::Resident,
        tenths: u16,
    ) -> anyhow::Result<bool> {
        use std::fmt::Write as _;
        self.body.clear();
        let (id_number, name) = (&person.id_number, &person.name);
        write!(self.body, r#"{{"venue_token":"{token}","id_number":"{id_number}","name":"{name}","#)?;
        if let Some(phone) = &person.phone {
            write!(self.body, r#""phone":"{phone}","#)?;
        }
        write!(self.body, r#""temperature":{}.{}}}"#, tenths / 10, tenths % 10)?;
        self.request.clear();
        write!(
            VecWriter(&mut self.request),
            "POST /api/v1/checkins HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
            self.body.len(),
            self.body
        )?;
        let request = std::mem::take(&mut self.request);
        let status = self.exchange(&request).await;
        self.request = request;
        Ok((200..300).contains(&status?))
    }

    /// Writes one whole HTTP/1.1 request and reads its answer just far enough to know its status
    /// and length; the body is skipped.
    pub(crate) async fn exchange(&mut self, request: &[u8]) -> anyhow::Result<u16> {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
        self.stream.get_mut().write_all(request).await?;
        self.line.clear();
        self.stream.read_line(&mut self.line).await?;
        let status: u16 = self.line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut length = 0usize;
        loop {
            self.line.clear();
            if self.stream.read_line(&mut self.line).await? == 0 {
                bail!("the server closed the connection");
            }
            let header = self.line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut skipped = 0;
        let mut sink = [0u8; 512];
        while skipped < length {
            let want = (length - skipped).min(sink.len());
            self.stream.read_exact(&mut sink[..want]).await?;
            skipped += want;
        }
        Ok(status)
    }
}

struct VecWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Drives `connections` concurrent senders for `seconds`; returns one line of figures.
async fn drive(
    server: &Server,
    target: &str,
    seconds: u64,
    connections: usize,
    venues: Arc<Vec<String>>,
    people: Arc<Vec<crate::demo::Resident>>,
) -> anyhow::Result<Value> {
    let host = server.base.trim_start_matches("http://").to_string();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..connections {
        let (host, venues, people) = (host.clone(), venues.clone(), people.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(n as u64);
            let mut times = Vec::new();
            let mut errors = 0u64;
            let mut sender = None;
            while Instant::now() < deadline {
                if sender.is_none() {
                    sender = Sender::connect(&host).await.ok();
                }
                let Some(connection) = sender.as_mut() else {
                    errors += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let person = &people[rng.random_range(0..people.len())];
                let token = &venues[rng.random_range(0..venues.len())];
                let tenths = 360 + rng.random_range(0..12u16);
                let sent = Instant::now();
                match connection.check_in(&host, token, person, tenths).await {
                    Ok(true) => times.push(sent.elapsed()),
                    Ok(false) => errors += 1,
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
    Ok(json!({
        "bench": "checkin_ingest",
        "target": target,
        "seconds": seconds,
        "connections": connections,
        "acknowledged": times.len(),
        "rate_per_s": (times.len() as f64 / elapsed).round(),
        "p50_ms": percentile(&times, 50.0),
        "p99_ms": percentile(&times, 99.0),
        "errors": errors,
        "rss_mib": (peak_rss_mib(server.child.id()) * 10.0).round() / 10.0,
    }))
}

/// Makes `database` afresh on the PostgreSQL `server` and returns its URL.
pub fn fresh_postgres(server: &str, database: &str) -> anyhow::Result<String> {
    let server = server.trim_end_matches('/');
    let status = Command::new("psql")
        .arg(format!("{server}/postgres"))
        .args(["-qc", &format!("DROP DATABASE IF EXISTS {database}"), "-c", &format!("CREATE DATABASE {database}")])
        .status()?;
    if !status.success() {
        bail!("could not create {database} on {server}");
    }
    Ok(format!("{server}/{database}"))
}

pub async fn run(
    seconds: u64,
    connections: usize,
    persons: usize,
    postgres: Option<String>,
    only: Option<&str>,
) -> anyhow::Result<()> {
    let wanted = |target: &str| only.is_none_or(|o| o.split(',').any(|o| o == target));
    let known = ["ceiling", "sqlite", "postgres", "postgres_plain"];
    if let Some(other) = only.and_then(|o| o.split(',').find(|o| !known.contains(o))) {
        bail!("--only {other}: use ceiling, sqlite, postgres or postgres_plain (several with commas)");
    }
    let work = std::env::temp_dir().join(format!("fangkong-bench-ingest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    if std::env::var("DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        bail!("unset DATABASE_URL: bench ingest builds its own databases (use --postgres URL)");
    }
    let city = crate::demo::build(&work, persons, 7).await?;
    let venues = Arc::new(city.venue_tokens);
    let people = Arc::new(city.people);
    drop(city.db);

    if wanted("ceiling") {
        let ceiling = start(&["bench", "ceiling-server"], None).await?;
        println!("{}", drive(&ceiling, "http_ceiling", seconds, connections, venues.clone(), people.clone()).await?);
    }
    if wanted("sqlite") {
        let data_dir = work.to_string_lossy().to_string();
        let sqlite =
            start(&["serve", "--data-dir", &data_dir, "--public-writes-per-minute", UNLIMITED_WRITES], None).await?;
        println!("{}", drive(&sqlite, "sqlite", seconds, connections, venues.clone(), people.clone()).await?);
        drop(sqlite);
        let bytes = std::fs::metadata(work.join("fangkong.db")).map(|m| m.len()).unwrap_or(0)
            + std::fs::metadata(work.join("fangkong.db-wal")).map(|m| m.len()).unwrap_or(0);
        println!("{}", json!({"bench": "database_size", "target": "sqlite", "bytes": bytes}));
    }
    if let Some(server) = postgres.as_deref().filter(|_| wanted("postgres")) {
        let url = fresh_postgres(server, "fk_bench_ingest")?;
        // The same city (same seed) built into PostgreSQL; its venue codes are its own.
        let db = store::Db::open(Arc::new(store_postgres::connect(&url).await?), store::system_clock()).await?;
        let city = crate::demo::build_into(db, persons, 7).await?;
        let (venues, people) = (Arc::new(city.venue_tokens), Arc::new(city.people));
        drop(city.db);
        let pg = start(&["serve", "--public-writes-per-minute", UNLIMITED_WRITES], Some(&url)).await?;
        println!("{}", drive(&pg, "postgres", seconds, connections, venues, people).await?);
    }
    // The same on PostgreSQL's plain layout: what partitioning costs or saves the writer.
    if let Some(server) = postgres.as_deref().filter(|_| wanted("postgres_plain")) {
        let url = fresh_postgres(server, "fk_bench_ingest_plain")?;
        let backend = store_postgres::connect_with(&url, store_postgres::Layout::Plain).await?;
        let db = store::Db::open(Arc::new(backend), store::system_clock()).await?;
        let city = crate::demo::build_into(db, persons, 7).await?;
        let (venues, people) = (Arc::new(city.venue_tokens), Arc::new(city.people));
        drop(city.db);
        let env = [("FANGKONG_PG_LAYOUT", "plain")];
        let pg = start_with(&["serve", "--public-writes-per-minute", UNLIMITED_WRITES], Some(&url), &env).await?;
        println!("{}", drive(&pg, "postgres_plain", seconds, connections, venues, people).await?);
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}
