use domain::{Capability, Message, Role, TransitionError};

/// What can go wrong behind the storage port. Only `Backend` is an internal failure; every other
/// variant is the caller's to see.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Absent, or outside the caller's jurisdiction: the two are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    #[error("role {role} may not {capability:?}")]
    Forbidden { role: Role, capability: Capability },
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: Message },
    #[error("{field}: {message}")]
    Conflict { field: &'static str, message: Message },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// A public write named a registered ID number with another name or mobile number. Says
    /// nothing of which part differed, nor what the registry holds.
    #[error("the name and mobile number do not match those registered with this ID number")]
    IdentityMismatch,
    #[error("the Idempotency-Key was already used with a different request")]
    IdempotencyMismatch,
    /// The database cannot take the request now — its disk is full, or it is down or
    /// restarting — and nothing of the request was written. The caller may try again.
    #[error("{0}")]
    Unavailable(Unavailable),
    #[error("storage failure: {0}")]
    Backend(String),
}

/// Why the database cannot take a request now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    #[error("the database's disk is full")]
    DiskFull,
    #[error("the database is not reachable")]
    Down,
}

impl Unavailable {
    /// What the person is told: nothing was saved, and when to try again.
    pub fn message(self) -> Message {
        match self {
            Unavailable::DiskFull => Message::new(
                "服务器存储空间已满，本次提交未保存；已通知管理员，请稍后重试",
                "the server's disk is full: nothing was saved; try again later",
            ),
            Unavailable::Down => Message::new(
                "数据库暂时不可用，本次提交未保存，请稍后重试",
                "the database is unavailable for a moment: nothing was saved; try again shortly",
            ),
        }
    }
}

impl StoreError {
    /// The request's `field` is wrong: (中文, English) say how.
    pub fn invalid(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> StoreError {
        StoreError::Invalid { field, message: Message::new(zh, en) }
    }

    /// The request's `field` conflicts with what is stored: (中文, English) say how.
    pub fn conflict(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> StoreError {
        StoreError::Conflict { field, message: Message::new(zh, en) }
    }

    /// `field` failed a domain rule, which explains itself.
    pub fn because(field: &'static str, error: &impl domain::Explain) -> StoreError {
        StoreError::Invalid { field, message: error.explain() }
    }

    pub fn backend(err: impl std::fmt::Display) -> StoreError {
        StoreError::Backend(err.to_string())
    }

    /// The same failure again, for each request of a batch that failed together.
    pub fn again(&self) -> StoreError {
        match self {
            StoreError::Unavailable(why) => StoreError::Unavailable(*why),
            other => StoreError::Backend(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
