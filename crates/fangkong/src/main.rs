//! `fangkong`: the one binary. Errors stop here as `anyhow` with their context.

use domain::Code;

mod backups;
mod bench;
mod codes;
mod contacts;
mod demo;
mod import;
mod ingest;
mod lists_bench;
mod soak;
mod verify;

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use domain::Role;
use store::{Backend, Db, NewUser};

#[derive(Parser)]
#[command(name = "fangkong", version, about = "防控指挥平台 — epidemic prevention-and-control command platform")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DataArgs {
    /// Where the embedded database and keys live. `DATABASE_URL=postgres://…` selects PostgreSQL instead.
    #[arg(long, default_value = "./fangkong-data")]
    data_dir: PathBuf,
}

/// How the server runs: its limits and whether it is reached over TLS.
#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// Check-ins one client address may send per minute (0: no limit). A venue's door sends a
    /// few a second at most.
    #[arg(long, env = "FANGKONG_PUBLIC_WRITES_PER_MINUTE", default_value_t = 600)]
    public_writes_per_minute: u32,
    /// Imports (reading and matching a file) that may run at once; the next is told to wait.
    #[arg(long, default_value_t = 2)]
    imports_at_once: usize,
    /// The server is reached over HTTPS through a proxy: session cookies are Secure and HSTS is
    /// sent (also implied by an https `FANGKONG_PUBLIC_URL`).
    #[arg(long, env = "FANGKONG_BEHIND_TLS")]
    behind_tls: bool,
    /// Start even though the data dir lacks health-code keys this database's codes were signed
    /// with (they were lost or replaced on purpose): every code issued with them reads as forged.
    #[arg(long)]
    accept_new_keys: bool,
    /// Back up on a schedule while serving, e.g. 6h (see `fangkong backup`).
    #[arg(long, value_parser = backups::parse_every)]
    backup_every: Option<std::time::Duration>,
    /// How many scheduled backups to keep (the oldest go).
    #[arg(long, default_value_t = 8)]
    backup_keep: usize,
    /// Where scheduled backups go; by default the data dir's backups/ folder.
    #[arg(long)]
    backup_dir: Option<PathBuf>,
}

impl ServeArgs {
    fn options(&self) -> web::Options {
        let defaults = web::Options::default();
        web::Options {
            public_writes_per_minute: self.public_writes_per_minute,
            imports_at_once: self.imports_at_once,
            tls: defaults.tls || self.behind_tls,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web pages and the API.
    Serve {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[command(flatten)]
        server: ServeArgs,
    },
    /// Build a synthetic city (prefecture 411700) with grids, persons and key persons, then serve it.
    Demo {
        #[command(flatten)]
        data: DataArgs,
        /// About how many persons to generate.
        #[arg(long, default_value_t = 20_000)]
        persons: usize,
        /// Build the data and exit.
        #[arg(long)]
        no_serve: bool,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed of the generator: the same seed builds the same city.
        #[arg(long, default_value_t = 2020)]
        seed: u64,
        #[command(flatten)]
        server: ServeArgs,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Verify a health-code token offline: exits 0 and prints the colour when valid, non-zero
    /// with the reason otherwise.
    Verify {
        /// The token the code's QR carries.
        token: String,
        /// The public keys (as served at /api/v1/health-code/public-key?format=text); by default
        /// those of the data dir's key pair.
        #[arg(long)]
        public_key: Option<PathBuf>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// The health-code signing keys in the data dir.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Import a file (CSV in UTF-8 or GBK, XLSX, XLS): every row is checked first; one bad row and
    /// nothing is written, the per-row report is printed and the exit code is 1. On success one
    /// JSON line: rows, matches by kind, leads raised.
    Import {
        #[command(flatten)]
        data: DataArgs,
        /// persons (residents) or list (a big-data comparison list).
        #[arg(long, value_enum)]
        kind: import::ImportKind,
        file: PathBuf,
        /// The user whose jurisdiction and name the import carries.
        #[arg(long = "as", default_value = "admin")]
        as_user: String,
        /// For lists: telecom, ticketing, lodging, enrolment, provincial or other.
        #[arg(long, default_value = "other")]
        list_kind: String,
        /// For lists: its name (the file name by default).
        #[arg(long)]
        name: Option<String>,
        /// Columns when the guess is wrong: `id_number=C,name=B,phone=D` (letters or 0-based).
        #[arg(long)]
        mapping: Option<String>,
        /// For persons: the division or grid code of rows without one.
        #[arg(long)]
        area: Option<String>,
        /// Also write the per-row report as an Excel workbook here.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Export persons, key persons or leads of a user's jurisdiction to CSV or XLSX (by the
    /// file's extension); the read is audited.
    Export {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long, value_enum)]
        what: import::ExportWhat,
        #[arg(long)]
        out: PathBuf,
        #[arg(long = "as", default_value = "admin")]
        as_user: String,
    },
    /// Back up the database and the health-code keys into one file while the server keeps
    /// serving (SQLite's snapshot, or pg_dump with DATABASE_URL=postgres://…). The file holds
    /// personal data and keys: it is written readable by its owner only; keep it off the server.
    Backup {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into the data dir (and the DATABASE_URL database for a PostgreSQL
    /// backup), with the server stopped. Checks the file, the database's integrity and its
    /// counts first; refuses a target that already holds a database or keys without --force.
    Restore {
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
        /// Replace what the target holds.
        #[arg(long)]
        force: bool,
    },
    /// Move one county's check-ins and trail to another PostgreSQL server, attached back as
    /// postgres_fdw foreign partitions (`DATABASE_URL` names this headquarters' database).
    Shard {
        /// The county: six digits (e.g. 411702).
        #[arg(long)]
        county: String,
        /// The shard's database, e.g. postgres://postgres@10.0.0.2:5432/fangkong_411702.
        #[arg(long)]
        to: String,
    },
    /// Measure the program on this machine; prints one JSON line per figure.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a new key pair that signs from now on; codes signed before still verify.
    Rotate {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the public keys, for checkpoints that verify offline.
    Public {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        username: String,
        /// admin, area_officer, grid_worker, checkpoint_staff, medical_staff, enterprise_contact, inspector or citizen.
        #[arg(long)]
        role: String,
        /// The division or grid code whose prefix is the user's jurisdiction, e.g. 411702.
        #[arg(long)]
        area: String,
        #[arg(long)]
        display_name: Option<String>,
    },
}

/// `fangkong shard`: the county's partitions of this database move to the server at `to`.
async fn shard(county: &str, to: &str) -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").unwrap_or_default();
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        bail!("set DATABASE_URL to this headquarters' PostgreSQL database: SQLite has no shards");
    }
    // Migrations and the partitioned layout first, as serve would.
    drop(store_postgres::connect(&url).await.context("opening PostgreSQL")?);
    let moved = store_postgres::shard::move_county_of(&url, county, to).await?;
    println!("{}", serde_json::json!({"county": county, "shard": to, "checkins_moved": moved}));
    Ok(())
}

/// PostgreSQL's layout of the large tables: partitioned, unless `FANGKONG_PG_LAYOUT=plain` keeps
/// a database that was never partitioned plain (the benchmarks' baseline).
pub fn pg_layout() -> anyhow::Result<store_postgres::Layout> {
    match std::env::var("FANGKONG_PG_LAYOUT").as_deref() {
        Err(_) | Ok("") | Ok("partitioned") => Ok(store_postgres::Layout::Partitioned),
        Ok("plain") => Ok(store_postgres::Layout::Plain),
        Ok(other) => bail!("FANGKONG_PG_LAYOUT must be plain or partitioned, not {other}"),
    }
}

/// Opens the database: PostgreSQL when `DATABASE_URL` says so, else SQLite in the data dir.
pub async fn open_backend(data_dir: &Path) -> anyhow::Result<Arc<dyn Backend>> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let backend = store_postgres::connect_with(&url, pg_layout()?).await.context("opening PostgreSQL")?;
            Ok(Arc::new(backend))
        }
        Ok(url) if url.starts_with("sqlite:") => {
            Ok(Arc::new(store_sqlite::open_url(&url).await.context("opening SQLite")?))
        }
        Ok(url) if !url.is_empty() => {
            bail!("DATABASE_URL must start with postgres:// or sqlite:, not {url}")
        }
        _ => {
            std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
            let path = data_dir.join("fangkong.db");
            Ok(Arc::new(store_sqlite::open(&path).await.with_context(|| format!("opening {}", path.display()))?))
        }
    }
}

pub async fn open_db(data_dir: &Path) -> anyhow::Result<Db> {
    Ok(Db::open(open_backend(data_dir).await?, store::system_clock()).await?)
}

/// The health-code signing keys in the data dir, made at first start.
pub fn open_keys(data_dir: &Path) -> anyhow::Result<Arc<token::Keyring>> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    Ok(Arc::new(token::Keyring::open_or_create(data_dir).context("health-code keys")?))
}

async fn serve(db: Db, keys: Arc<token::Keyring>, listen: SocketAddr, server: &ServeArgs) -> anyhow::Result<()> {
    check_signing_keys(&db, &keys, server.accept_new_keys).await?;
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    let local = listener.local_addr()?;
    println!("fangkong serving on http://{local}/  (API: http://{local}/api/v1/openapi.json)");
    web::serve_with(db, keys, listener, server.options()).await.context("serving")
}

/// Refuses to serve when the database's codes were signed by keys the data dir no longer holds
/// (a restore without `health-code-keys/` makes a new key, after which every issued code reads as
/// forged), unless that is meant; then records the keys served with.
async fn check_signing_keys(db: &Db, keys: &token::Keyring, accept_new_keys: bool) -> anyhow::Result<()> {
    // By the key itself, not its number: a key made anew after a loss is number 1 again.
    let held: Vec<String> = keys.public_keys().entries().into_iter().map(|(id, key)| format!("{id}:{key}")).collect();
    let recorded = db.signing_keys().await?;
    let missing: Vec<&str> =
        recorded.iter().filter(|key| !held.contains(key)).filter_map(|key| key.split(':').next()).collect();
    if !missing.is_empty() && !accept_new_keys {
        bail!(
            "the health-code keys {missing:?} that signed this database's codes are not in the data dir's \
             health-code-keys/: restore that folder with the database, or start with --accept-new-keys to \
             give up those codes (every code they signed will read as forged)"
        );
    }
    let mut all = if accept_new_keys { Vec::new() } else { recorded };
    for key in held {
        if !all.contains(&key) {
            all.push(key);
        }
    }
    db.record_signing_keys(&all).await?;
    Ok(())
}

async fn add_user(
    data: DataArgs,
    username: String,
    role: String,
    area: String,
    display_name: Option<String>,
) -> anyhow::Result<()> {
    let role = Role::parse(&role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).context("reading the password from stdin")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.chars().count() < 8 {
        bail!("password: at least 8 characters, read from standard input");
    }
    let db = open_db(&data.data_dir).await?;
    let hash = web::auth::hash_password(password)?;
    let id = db
        .create_user(NewUser {
            display_name: display_name.unwrap_or_else(|| username.clone()),
            username: username.clone(),
            password_hash: hash,
            role,
            area_code: area,
        })
        .await?;
    println!("user {username} added (id {id}, role {})", role.as_str());
    Ok(())
}

/// Errors reach the user as their message chain and exit status 1: a refused import or token is an
/// answer, not a crash, so no backtrace is printed even where `RUST_BACKTRACE` is set.
#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve { data, listen, server } => {
            let keys = open_keys(&data.data_dir)?;
            let db = open_db(&data.data_dir).await?;
            if let Some(every) = server.backup_every {
                let dir = server.backup_dir.clone().unwrap_or_else(|| data.data_dir.join("backups"));
                backups::spawn_schedule(data.data_dir.clone(), dir, every, server.backup_keep.max(1))?;
            }
            serve(db, keys, listen, &server).await
        }
        Command::Backup { data, out } => backups::backup(&data.data_dir, &out).await,
        Command::Restore { file, data, force } => backups::restore(&file, &data.data_dir, force).await,
        Command::Shard { county, to } => shard(&county, &to).await,
        Command::Demo { data, persons, no_serve, listen, seed, server } => {
            let db = demo::build(&data.data_dir, persons, seed).await?.db;
            let keys = open_keys(&data.data_dir)?;
            if no_serve { Ok(()) } else { serve(db, keys, listen, &server).await }
        }
        Command::Verify { token, public_key, data } => verify::run(&token, public_key.as_deref(), &data.data_dir),
        Command::Keys { command: KeysCommand::Rotate { data } } => verify::rotate(&data.data_dir),
        Command::Keys { command: KeysCommand::Public { data } } => verify::print_public(&data.data_dir),
        Command::User { command: UserCommand::Add { data, username, role, area, display_name } } => {
            add_user(data, username, role, area, display_name).await
        }
        Command::Import { data, kind, file, as_user, list_kind, name, mapping, area, report } => {
            let db = open_db(&data.data_dir).await?;
            let args = import::ImportArgs { kind, file, username: as_user, list_kind, name, mapping, area, report };
            import::run(&db, args).await
        }
        Command::Export { data, what, out, as_user } => {
            import::export(&open_db(&data.data_dir).await?, what, &out, &as_user).await
        }
        Command::Bench { command } => bench::run(command).await,
    }
}
