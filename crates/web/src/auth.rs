//! Passwords (Argon2), session tokens, and the extractor that turns a request into a scoped
//! storage handle.

use std::net::SocketAddr;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use store::{Actor, Handle, User};

use crate::AppState;
use crate::problem::Problem;

pub use crate::cookies::SESSION_COOKIE;

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

pub fn hash_password(password: &str) -> Result<String, HashError> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| HashError(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

/// A new random session token and the digest under which it is stored: the database never holds
/// a usable token.
pub fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let digest = token_digest(&token);
    (token, digest)
}

pub fn token_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The session token of a request: a bearer token (API) or the session cookie (pages).
pub fn request_token(parts: &Parts) -> Option<String> {
    // The scheme is case-insensitive (RFC 9110 §11.1).
    if let Some(value) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some((scheme, token)) = value.trim_start().split_once(' ')
        && scheme.eq_ignore_ascii_case("bearer")
    {
        return Some(token.trim().to_string());
    }
    crate::cookies::read(&parts.headers, SESSION_COOKIE)
}

fn remote_addr(parts: &Parts) -> Option<String> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// The address a request came from (the TCP peer), where the server knows it.
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ClientAddr, Self::Rejection> {
        Ok(ClientAddr(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())))
    }
}

/// The authenticated caller of an API request, with its scoped storage handle.
pub struct Caller {
    pub user: User,
    pub handle: Handle,
}

impl Caller {
    pub async fn from_parts(parts: &Parts, state: &AppState) -> Result<Option<Caller>, Problem> {
        let Some(token) = request_token(parts) else {
            return Ok(None);
        };
        let Some(user) = state.db.session_user(&token_digest(&token)).await? else {
            return Ok(None);
        };
        let actor = Actor {
            user_id: user.id,
            username: user.username.clone(),
            role: user.role,
            scope: user.scope(),
            remote_addr: remote_addr(parts),
        };
        Ok(Some(Caller { handle: state.db.handle(actor), user }))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, Problem> {
        Caller::from_parts(parts, state).await?.ok_or_else(Problem::unauthorized)
    }
}

/// Spends the same work as a real check when the username does not exist.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("fangkong-dummy-password").unwrap_or_default());
    let _ = verify_password(password, hash);
}
