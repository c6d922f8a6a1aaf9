//! `fangkong verify` and `fangkong keys`: health-code tokens checked offline, with nothing but
//! the public keys — what a checkpoint without a connection does.

use domain::Label;
use std::path::Path;

use anyhow::{Context, bail};
use domain::Code;

/// Verifies `token` at the current time; prints colour, person reference and expiry.
pub fn run(token: &str, public_key: Option<&Path>, data_dir: &Path) -> anyhow::Result<()> {
    let keys = match public_key {
        Some(file) => {
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            token::PublicKeys::parse(&text).with_context(|| format!("{}", file.display()))?
        }
        None => {
            if !data_dir.join("health-code-keys").is_dir() {
                bail!("no keys in {}: pass --public-key FILE or --data-dir", data_dir.display());
            }
            token::Keyring::open_or_create(data_dir)?.public_keys()
        }
    };
    let now = jiff::Timestamp::now().as_second();
    match token::verify(token, &keys, now) {
        Ok(claims) => {
            println!(
                "{} {} person={} key={} expires={}",
                claims.colour.as_str(),
                claims.colour.label_zh(),
                claims.person_ref,
                claims.key_id,
                jiff::Timestamp::from_second(claims.expires_at).map(|t| t.to_string()).unwrap_or_default()
            );
            Ok(())
        }
        Err(reason) => bail!("refused: {reason}"),
    }
}

pub fn rotate(data_dir: &Path) -> anyhow::Result<()> {
    let keys = token::Keyring::rotate(data_dir)?;
    println!("key {} signs from now on; restart the server to use it", keys.current_id());
    Ok(())
}

pub fn print_public(data_dir: &Path) -> anyhow::Result<()> {
    print!("{}", token::Keyring::open_or_create(data_dir)?.public_keys().to_text());
    Ok(())
}
