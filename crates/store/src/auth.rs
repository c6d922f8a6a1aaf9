//! Users, credentials and sessions.

use async_trait::async_trait;
use domain::{Role, Scope};

use crate::error::Result;
use crate::*;

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The code whose prefix is this user's jurisdiction (a division or a grid code).
    pub area_code: String,
}

impl User {
    pub fn scope(&self) -> Scope {
        Scope::of_code_str(&self.area_code).unwrap_or_else(Scope::national)
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub area_code: String,
}

#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

/// Users and sessions: unscoped, as they come before a caller has a scope.
#[async_trait]
pub trait AuthStore: Send + Sync {
    async fn create_user(&self, user: NewUser, now: Instant) -> Result<UserId>;

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>>;

    /// The users of these usernames (unknown ones are left out), to show people by name.
    async fn users_named(&self, usernames: &[String]) -> Result<Vec<User>>;

    async fn insert_session(
        &self,
        token_digest: &str,
        user_id: UserId,
        now: Instant,
        expires_at: Instant,
    ) -> Result<()>;

    async fn session_user(&self, token_digest: &str, now: Instant) -> Result<Option<User>>;

    async fn delete_session(&self, token_digest: &str) -> Result<()>;
}
