//! Backups on a schedule: named by their time, the oldest removed beyond a count.

use std::path::{Path, PathBuf};

use crate::{Result, io};

const PREFIX: &str = "fangkong-";
const SUFFIX: &str = ".zip";

/// `fangkong-20261203T121500Z.zip` in `dir`: names sort as their times do.
pub fn scheduled_name(dir: &Path, at: jiff::Timestamp) -> PathBuf {
    dir.join(format!("{PREFIX}{}{SUFFIX}", at.strftime("%Y%m%dT%H%M%SZ")))
}

/// Removes all but the newest `keep` scheduled backups in `dir`; returns those removed.
pub fn keep_newest(dir: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(PREFIX) && n.ends_with(SUFFIX) && n.len() == PREFIX.len() + 16 + SUFFIX.len()
            })
        })
        .collect();
    found.sort();
    let excess = found.len().saturating_sub(keep);
    let removed: Vec<PathBuf> = found.into_iter().take(excess).collect();
    for path in &removed {
        std::fs::remove_file(path).map_err(io(path))?;
    }
    Ok(removed)
}
