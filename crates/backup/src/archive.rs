//! The ZIP container: members written through a hash, read back against the manifest.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::manifest::{FORMAT, FileEntry, Manifest};
use crate::{BackupError, Result, io};

const MANIFEST: &str = "manifest.json";

/// A reader that hashes and counts what passes through it.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `members` (name, path) and then the manifest to `out`, through `out.partial` renamed
/// into place once complete and on disk; the file is readable by its owner only.
pub(crate) fn write(out: &Path, members: &[(String, PathBuf)], mut manifest: Manifest) -> Result<Manifest> {
    use std::os::unix::fs::OpenOptionsExt;
    let partial = {
        let mut name = out.as_os_str().to_owned();
        name.push(".partial");
        PathBuf::from(name)
    };
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&partial)
        .map_err(io(&partial))?;
    let zip_error = |e: zip::result::ZipError| BackupError::Io { path: partial.clone(), source: e.into() };
    let mut zip = ZipWriter::new(BufWriter::with_capacity(1 << 20, file));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true)
        .unix_permissions(0o600);
    for (name, path) in members {
        zip.start_file(name.as_str(), options).map_err(zip_error)?;
        let source = File::open(path).map_err(io(path))?;
        let mut reader = Hashing { inner: BufReader::with_capacity(1 << 20, source), hash: Sha256::new(), bytes: 0 };
        std::io::copy(&mut reader, &mut zip).map_err(io(&partial))?;
        manifest.files.insert(name.clone(), FileEntry { bytes: reader.bytes, sha256: hex(&reader.hash.finalize()) });
    }
    zip.start_file(MANIFEST, options).map_err(zip_error)?;
    let text = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| BackupError::Io { path: partial.clone(), source: std::io::Error::other(e) })?;
    zip.write_all(&text).map_err(io(&partial))?;
    let file = zip.finish().map_err(zip_error)?.into_inner().map_err(|e| io(&partial)(e.into_error()))?;
    file.sync_all().map_err(io(&partial))?;
    drop(file);
    std::fs::rename(&partial, out).map_err(io(out))?;
    if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))?;
    }
    Ok(manifest)
}

/// Opens a backup and checks it whole: the manifest's format, that the archive holds exactly
/// the manifest's files with safe names, and every file's size and SHA-256.
pub(crate) fn open(path: &Path) -> Result<(ZipArchive<BufReader<File>>, Manifest)> {
    let file = File::open(path).map_err(io(path))?;
    let mut zip = ZipArchive::new(BufReader::with_capacity(1 << 20, file))
        .map_err(|e| BackupError::Damaged(format!("not a readable archive ({e})")))?;
    let manifest: Manifest = {
        let member = zip.by_name(MANIFEST).map_err(|_| BackupError::Damaged(format!("it has no {MANIFEST}")))?;
        serde_json::from_reader(member).map_err(|e| BackupError::Damaged(format!("{MANIFEST} is unreadable ({e})")))?
    };
    if manifest.format != FORMAT {
        return Err(BackupError::Damaged(format!("its format is {:?}, not {FORMAT:?}", manifest.format)));
    }
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.map(|n| n.to_string()))
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| BackupError::Damaged(format!("a member name is unreadable ({e})")))?;
    for name in &names {
        if name != MANIFEST && !manifest.files.contains_key(name) {
            return Err(BackupError::Damaged(format!("{name} is not in the manifest")));
        }
    }
    for (name, expected) in &manifest.files {
        let safe = name.split('/').all(|part| !part.is_empty() && part != "." && part != "..");
        if !safe || !(name.starts_with("database/") || name.starts_with(&format!("{}/", token::KEYS_DIR))) {
            return Err(BackupError::Damaged(format!("{name} is not a name a backup holds")));
        }
        let member = zip.by_name(name).map_err(|_| BackupError::Damaged(format!("{name} is missing")))?;
        let mut reader = Hashing { inner: member, hash: Sha256::new(), bytes: 0 };
        std::io::copy(&mut reader, &mut std::io::sink())
            .map_err(|e| BackupError::Damaged(format!("{name} cannot be read whole ({e})")))?;
        let found = FileEntry { bytes: reader.bytes, sha256: hex(&reader.hash.finalize()) };
        if &found != expected {
            return Err(BackupError::Damaged(format!("{name} does not match its checksum")));
        }
    }
    Ok((zip, manifest))
}

/// Copies member `name` to `to` (created readable by its owner only).
pub(crate) fn extract(zip: &mut ZipArchive<BufReader<File>>, name: &str, to: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut member = zip.by_name(name).map_err(|_| BackupError::Damaged(format!("{name} is missing")))?;
    let file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(to).map_err(io(to))?;
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    std::io::copy(&mut member, &mut writer)
        .map_err(|e| BackupError::Damaged(format!("{name} cannot be read ({e})")))?;
    let file = writer.into_inner().map_err(|e| io(to)(e.into_error()))?;
    file.sync_all().map_err(io(to))
}
