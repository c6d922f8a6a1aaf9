//! Embeds every `data/villages-*.tsv`: a city loads its own villages by generating its file with
//! `scripts/build-divisions.py --prefecture <code>` and rebuilding.

use std::io::Write;
use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let data = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join("data");
    println!("cargo::rerun-if-changed={}", data.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&data)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("villages-") && n.ends_with(".tsv"))
        })
        .collect();
    files.sort();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("villages.tsv");
    let mut all = std::fs::File::create(out)?;
    for file in files {
        println!("cargo::rerun-if-changed={}", file.display());
        all.write_all(&std::fs::read(&file)?)?;
        all.write_all(b"\n")?;
    }
    Ok(())
}
