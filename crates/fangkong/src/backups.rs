//! `fangkong backup`, `fangkong restore` and `serve --backup-every`: the `backup` crate's file,
//! for the database `DATABASE_URL` names (or the data dir's SQLite file).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// The database of this run, as the backup crate names it.
pub fn database() -> anyhow::Result<backup::Database> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(backup::Database::Postgres { url })
        }
        Ok(url) if !url.is_empty() => {
            bail!("backup and restore work on the data dir's SQLite file or a postgres:// DATABASE_URL, not {url}")
        }
        _ => Ok(backup::Database::Sqlite),
    }
}

fn summary(manifest: &backup::Manifest, file: &Path, took: Duration) -> String {
    let bytes: u64 = manifest.files.values().map(|f| f.bytes).sum();
    serde_json::json!({
        "file": file.display().to_string(),
        "backend": manifest.backend,
        "schema_migration": manifest.schema_migration,
        "rows": manifest.total_rows(),
        "bytes": bytes,
        "files": manifest.files.len(),
        "seconds": (took.as_secs_f64() * 100.0).round() / 100.0,
    })
    .to_string()
}

pub async fn backup(data_dir: &Path, out: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let manifest =
        backup::make(data_dir, &database()?, out).await.with_context(|| format!("backing up to {}", out.display()))?;
    println!("{}", summary(&manifest, out, started.elapsed()));
    Ok(())
}

pub async fn restore(file: &Path, data_dir: &Path, force: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    let manifest = backup::restore(file, data_dir, &database()?, force)
        .await
        .with_context(|| format!("restoring {}", file.display()))?;
    println!("{}", summary(&manifest, file, started.elapsed()));
    Ok(())
}

/// `--backup-every 6h`: a duration in jiff's friendly form (`30m`, `6h`, `1d`).
pub fn parse_every(text: &str) -> Result<Duration, String> {
    let span: jiff::SignedDuration =
        text.parse().map_err(|e| format!("{text:?} is not a duration like 6h or 30m: {e}"))?;
    let every = Duration::try_from(span).map_err(|_| format!("{text:?} must be positive"))?;
    if every < Duration::from_secs(10) {
        return Err(format!("{text:?}: at least 10 s between backups"));
    }
    Ok(every)
}

/// Backs up every `every` into `dir`, keeping the newest `keep`; each run is logged, a failed
/// one as an error (the next still runs).
pub fn spawn_schedule(data_dir: PathBuf, dir: PathBuf, every: Duration, keep: usize) -> anyhow::Result<()> {
    let database = database()?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let out = backup::scheduled_name(&dir, jiff::Timestamp::now());
            let started = Instant::now();
            match backup::make(&data_dir, &database, &out).await {
                Ok(manifest) => {
                    let removed = backup::keep_newest(&dir, keep).map(|r| r.len());
                    tracing::info!(
                        file = %out.display(),
                        rows = manifest.total_rows(),
                        seconds = started.elapsed().as_secs_f64(),
                        removed = ?removed,
                        "scheduled backup written"
                    );
                }
                Err(err) => tracing::error!(file = %out.display(), %err, "scheduled backup failed"),
            }
        }
    });
    Ok(())
}
