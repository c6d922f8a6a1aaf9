//! Health-code tokens (SPEC §4.5): what the QR of a citizen's code carries. A token holds a
//! person reference (the internal person id — no name, ID number or phone), the colour, and when
//! it was issued and expires, signed with Ed25519. Anyone with the public keys verifies it
//! offline: a checkpoint's phone, or `fangkong verify`.
//!
//! Layout (94 bytes, base64url without padding: 126 characters, a small QR):
//! `version (1) | key id (4) | person (8) | colour (1) | issued (8) | expires (8) | signature (64)`,
//! integers big-endian, instants in Unix seconds.

mod keys;

pub use keys::{DIR as KEYS_DIR, KeyError, Keyring, PublicKeys};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::Colour;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

const VERSION: u8 = 1;
const PAYLOAD_LEN: usize = 1 + 4 + 8 + 1 + 8 + 8;
const TOKEN_LEN: usize = PAYLOAD_LEN + 64;

/// What a token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claims {
    pub key_id: u32,
    pub person_ref: u64,
    pub colour: Colour,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// Why a token is refused — in words a checkpoint worker can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("not a health-code token (bad characters or length)")]
    Malformed,
    #[error("token version {0} is not supported")]
    Version(u8),
    #[error("signed with key {0}, which is not among the known public keys")]
    UnknownKey(u32),
    #[error("the signature does not match: the token was altered or forged")]
    BadSignature,
    #[error("expired at {expired_at} (Unix seconds); ask for a fresh code")]
    Expired { expired_at: i64 },
    #[error("issued in the future ({issued_at}); check the device clock")]
    NotYetValid { issued_at: i64 },
}

/// A checkpoint's clock may run a little ahead or behind the server's.
pub const CLOCK_SKEW_SECONDS: i64 = 120;

fn payload(claims: &Claims) -> [u8; PAYLOAD_LEN] {
    let mut out = [0u8; PAYLOAD_LEN];
    out[0] = VERSION;
    out[1..5].copy_from_slice(&claims.key_id.to_be_bytes());
    out[5..13].copy_from_slice(&claims.person_ref.to_be_bytes());
    out[13] = claims.colour.as_byte();
    out[14..22].copy_from_slice(&claims.issued_at.to_be_bytes());
    out[22..30].copy_from_slice(&claims.expires_at.to_be_bytes());
    out
}

/// Signs `claims` with `key` (whose id must be `claims.key_id`).
pub(crate) fn sign(claims: &Claims, key: &SigningKey) -> String {
    let payload = payload(claims);
    let signature = key.sign(&payload);
    let mut bytes = Vec::with_capacity(TOKEN_LEN);
    bytes.extend_from_slice(&payload);
    bytes.extend_from_slice(&signature.to_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Reads a token's claims without checking anything (to show what a refused token claimed).
pub fn decode_unverified(token: &str) -> Result<(Claims, [u8; PAYLOAD_LEN], Signature), TokenError> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim().as_bytes()).map_err(|_| TokenError::Malformed)?;
    if bytes.len() != TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    if bytes[0] != VERSION {
        return Err(TokenError::Version(bytes[0]));
    }
    let int = |range: std::ops::Range<usize>| -> [u8; 8] {
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[range]);
        b
    };
    let mut key_id = [0u8; 4];
    key_id.copy_from_slice(&bytes[1..5]);
    let claims = Claims {
        key_id: u32::from_be_bytes(key_id),
        person_ref: u64::from_be_bytes(int(5..13)),
        colour: Colour::from_byte(bytes[13]).ok_or(TokenError::Malformed)?,
        issued_at: i64::from_be_bytes(int(14..22)),
        expires_at: i64::from_be_bytes(int(22..30)),
    };
    let mut payload = [0u8; PAYLOAD_LEN];
    payload.copy_from_slice(&bytes[..PAYLOAD_LEN]);
    let mut signature = [0u8; 64];
    signature.copy_from_slice(&bytes[PAYLOAD_LEN..]);
    Ok((claims, payload, Signature::from_bytes(&signature)))
}

/// Verifies `token` against `keys` at `now`: the signature first, then the validity.
pub fn verify(token: &str, keys: &PublicKeys, now: i64) -> Result<Claims, TokenError> {
    let (claims, payload, signature) = decode_unverified(token)?;
    let key: &VerifyingKey = keys.get(claims.key_id).ok_or(TokenError::UnknownKey(claims.key_id))?;
    key.verify_strict(&payload, &signature).map_err(|_| TokenError::BadSignature)?;
    if now >= claims.expires_at {
        return Err(TokenError::Expired { expired_at: claims.expires_at });
    }
    if claims.issued_at > now + CLOCK_SKEW_SECONDS {
        return Err(TokenError::NotYetValid { issued_at: claims.issued_at });
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn keyring() -> (tempfile::TempDir, Keyring) {
        let dir = tempfile::tempdir().unwrap();
        let ring = Keyring::open_or_create(dir.path()).unwrap();
        (dir, ring)
    }

    #[test]
    fn a_token_verifies_with_the_public_keys_alone() {
        let (_dir, ring) = keyring();
        let token = ring.issue(42, Colour::Yellow, NOW, NOW + 300);
        assert_eq!(token.len(), 126);
        let claims = verify(&token, &ring.public_keys(), NOW + 10).unwrap();
        assert_eq!((claims.person_ref, claims.colour, claims.expires_at), (42, Colour::Yellow, NOW + 300));
    }

    #[test]
    fn every_changed_byte_is_refused() {
        let (_dir, ring) = keyring();
        let token = ring.issue(7, Colour::Green, NOW, NOW + 300);
        let bytes = URL_SAFE_NO_PAD.decode(token.as_bytes()).unwrap();
        for i in 0..bytes.len() {
            let mut altered = bytes.clone();
            altered[i] ^= 0x01;
            let result = verify(&URL_SAFE_NO_PAD.encode(&altered), &ring.public_keys(), NOW);
            assert!(result.is_err(), "byte {i} changed and still accepted");
        }
        // Red → green in the colour byte: the signature catches it.
        let mut green_to_red = bytes.clone();
        green_to_red[13] = Colour::Red.as_byte();
        assert_eq!(
            verify(&URL_SAFE_NO_PAD.encode(&green_to_red), &ring.public_keys(), NOW),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn expired_and_future_tokens_are_refused_with_the_reason() {
        let (_dir, ring) = keyring();
        let token = ring.issue(7, Colour::Green, NOW, NOW + 300);
        assert_eq!(verify(&token, &ring.public_keys(), NOW + 300), Err(TokenError::Expired { expired_at: NOW + 300 }));
        assert!(verify(&token, &ring.public_keys(), NOW + 299).is_ok());
        let early = ring.issue(7, Colour::Green, NOW + 1_000, NOW + 2_000);
        assert_eq!(verify(&early, &ring.public_keys(), NOW), Err(TokenError::NotYetValid { issued_at: NOW + 1_000 }));
    }

    #[test]
    fn garbage_is_malformed() {
        let (_dir, ring) = keyring();
        for bad in ["", "abc", "!!!!", &"A".repeat(126)] {
            assert!(verify(bad, &ring.public_keys(), NOW).is_err(), "{bad}");
        }
        assert_eq!(verify("abc", &ring.public_keys(), NOW), Err(TokenError::Malformed));
    }

    #[test]
    fn a_key_pair_survives_a_restart_and_rotation_keeps_old_tokens_valid() {
        let dir = tempfile::tempdir().unwrap();
        let first = Keyring::open_or_create(dir.path()).unwrap();
        let old = first.issue(1, Colour::Red, NOW, NOW + 300);
        let again = Keyring::open_or_create(dir.path()).unwrap();
        assert_eq!(again.current_id(), first.current_id());
        assert!(verify(&old, &again.public_keys(), NOW).is_ok());
        let rotated = Keyring::rotate(dir.path()).unwrap();
        assert_eq!(rotated.current_id(), first.current_id() + 1);
        let new = rotated.issue(1, Colour::Green, NOW, NOW + 300);
        let keys = rotated.public_keys();
        assert_eq!(verify(&new, &keys, NOW).unwrap().key_id, rotated.current_id());
        assert_eq!(verify(&old, &keys, NOW).unwrap().key_id, first.current_id());
        // Another installation's keys do not verify ours: its key 1 is another key, and it has
        // no key 2.
        let (_other_dir, other) = keyring();
        assert_eq!(verify(&old, &other.public_keys(), NOW), Err(TokenError::BadSignature));
        assert_eq!(verify(&new, &other.public_keys(), NOW), Err(TokenError::UnknownKey(rotated.current_id())));
    }

    #[test]
    fn public_keys_round_trip_through_their_text_form() {
        let (_dir, ring) = keyring();
        let text = ring.public_keys().to_text();
        let parsed = PublicKeys::parse(&text).unwrap();
        let token = ring.issue(9, Colour::Green, NOW, NOW + 60);
        assert!(verify(&token, &parsed, NOW).is_ok());
        assert!(PublicKeys::parse("fangkong-health-code-key x y").is_err());
    }
}
