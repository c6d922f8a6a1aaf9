//! The signing keys, kept in the data directory: `health-code-keys/<id>.key` holds a key's
//! 32-byte secret seed (base64url, readable by the owner only), the highest id signs. Rotation adds
//! a key with the next id; older public keys stay, so codes issued before still verify until
//! they expire. Public keys travel as text, one line per key:
//! `fangkong-health-code-key <id> <base64url public key>`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::Colour;
use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::Claims;

/// The folder of the data dir that holds the keys (a backup carries it with the database).
pub const DIR: &str = "health-code-keys";
const LINE_TAG: &str = "fangkong-health-code-key";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a key file ({reason})")]
    Corrupt { path: PathBuf, reason: &'static str },
    #[error("line {line}: expected `{LINE_TAG} <id> <public key>`")]
    BadLine { line: usize },
    #[error("no public key given")]
    NoKeys,
    #[error("the system's random source failed: {0}")]
    Random(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io { path: path.to_path_buf(), source }
}

/// The public keys that verify tokens, by key id.
#[derive(Debug, Clone, Default)]
pub struct PublicKeys(BTreeMap<u32, VerifyingKey>);

impl PublicKeys {
    pub fn get(&self, id: u32) -> Option<&VerifyingKey> {
        self.0.get(&id)
    }

    /// (id, base64url public key), oldest first.
    pub fn entries(&self) -> Vec<(u32, String)> {
        self.0.iter().map(|(id, key)| (*id, URL_SAFE_NO_PAD.encode(key.as_bytes()))).collect()
    }

    pub fn to_text(&self) -> String {
        self.entries().into_iter().map(|(id, key)| format!("{LINE_TAG} {id} {key}\n")).collect()
    }

    /// Reads the text form; blank lines and `#` comments are skipped.
    pub fn parse(text: &str) -> Result<PublicKeys, KeyError> {
        let mut keys = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = KeyError::BadLine { line: n + 1 };
            let mut parts = line.split_whitespace();
            if parts.next() != Some(LINE_TAG) {
                return Err(bad);
            }
            let id: u32 = parts.next().and_then(|id| id.parse().ok()).ok_or(KeyError::BadLine { line: n + 1 })?;
            let key = parts
                .next()
                .and_then(|k| URL_SAFE_NO_PAD.decode(k.as_bytes()).ok())
                .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
                .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
                .ok_or(KeyError::BadLine { line: n + 1 })?;
            keys.insert(id, key);
        }
        if keys.is_empty() {
            return Err(KeyError::NoKeys);
        }
        Ok(PublicKeys(keys))
    }
}

/// The installation's keys: the newest signs, all verify.
pub struct Keyring {
    current: (u32, SigningKey),
    public: PublicKeys,
}

impl Keyring {
    /// Loads the keys under `data_dir`, making the first pair when there is none.
    pub fn open_or_create(data_dir: &Path) -> Result<Keyring, KeyError> {
        let dir = data_dir.join(DIR);
        let keys = load(&dir)?;
        if keys.is_empty() {
            write_new_key(&dir, 1)?;
            return Keyring::from_keys(load(&dir)?, &dir);
        }
        Keyring::from_keys(keys, &dir)
    }

    /// Adds a key with the next id, which signs from now on.
    pub fn rotate(data_dir: &Path) -> Result<Keyring, KeyError> {
        let dir = data_dir.join(DIR);
        let next = load(&dir)?.keys().next_back().map_or(1, |id| id + 1);
        write_new_key(&dir, next)?;
        Keyring::from_keys(load(&dir)?, &dir)
    }

    fn from_keys(keys: BTreeMap<u32, SigningKey>, dir: &Path) -> Result<Keyring, KeyError> {
        let public = PublicKeys(keys.iter().map(|(id, key)| (*id, key.verifying_key())).collect());
        let current = keys
            .into_iter()
            .next_back()
            .ok_or(KeyError::Corrupt { path: dir.to_path_buf(), reason: "no key after writing one" })?;
        Ok(Keyring { current, public })
    }

    pub fn current_id(&self) -> u32 {
        self.current.0
    }

    pub fn public_keys(&self) -> PublicKeys {
        self.public.clone()
    }

    /// A signed token for `person_ref`.
    pub fn issue(&self, person_ref: u64, colour: Colour, issued_at: i64, expires_at: i64) -> String {
        let claims = Claims { key_id: self.current.0, person_ref, colour, issued_at, expires_at };
        crate::sign(&claims, &self.current.1)
    }
}

fn load(dir: &Path) -> Result<BTreeMap<u32, SigningKey>, KeyError> {
    let mut keys = BTreeMap::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(keys),
        Err(err) => return Err(KeyError::Io { path: dir.to_path_buf(), source: err }),
    };
    for entry in entries {
        let path = entry.map_err(io(dir))?.path();
        let Some(id) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".key"))
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let seed = URL_SAFE_NO_PAD
            .decode(text.trim().as_bytes())
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
            .ok_or(KeyError::Corrupt { path: path.clone(), reason: "expected 32 bytes in base64url" })?;
        keys.insert(id, SigningKey::from_bytes(&seed));
    }
    Ok(keys)
}

fn write_new_key(dir: &Path, id: u32) -> Result<(), KeyError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    let path = dir.join(format!("{id}.key"));
    let temp = dir.join(format!(".{id}.key.tmp"));
    write_private(&temp, &URL_SAFE_NO_PAD.encode(seed)).map_err(io(&temp))?;
    // A key appears whole or not at all.
    std::fs::rename(&temp, &path).map_err(io(&path))?;
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}
