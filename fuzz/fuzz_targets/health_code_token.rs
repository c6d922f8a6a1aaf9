//! Any text as a health-code token: verified against a fixed key, or refused with a reason;
//! never a panic, and never accepted unless it really carries that key's signature.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn keys() -> &'static token::PublicKeys {
    static KEYS: OnceLock<token::PublicKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = std::env::temp_dir().join("fangkong-fuzz-keys");
        token::Keyring::open_or_create(&dir).expect("a key pair").public_keys()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = token::verify(text, keys(), 1_600_000_000);
});
