use domain::{Capability, Role, TransitionError};

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
    Invalid { field: &'static str, message: String },
    #[error("{field}: {message}")]
    Conflict { field: &'static str, message: String },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// A public write named a registered ID number with another name or mobile number. Says
    /// nothing of which part differed, nor what the registry holds.
    #[error("the name and mobile number do not match those registered with this ID number")]
    IdentityMismatch,
    #[error("the Idempotency-Key was already used with a different request")]
    IdempotencyMismatch,
    #[error("storage failure: {0}")]
    Backend(String),
}

impl StoreError {
    pub fn backend(err: impl std::fmt::Display) -> StoreError {
        StoreError::Backend(err.to_string())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
