//! The storage port of fangkong.
//!
//! - [`Backend`]: what a database implements (`store-sqlite`, `store-postgres`).
//! - [`Db`]: the opened database; unscoped operations (login, jobs, bulk loads).
//! - [`Handle`]: a caller's view, bound to its role and jurisdiction, that audits reads.
//! - [`conformance`]: the suite every backend runs in its own tests.

pub mod backend;

mod audit_queue;
mod checkin_queue;

pub mod codec;
pub mod conformance;
mod db;
mod error;
mod handle;
pub mod investigation;
pub mod list;
pub mod model;
pub mod rows;
pub mod transition;

pub use backend::Backend;
pub use db::{Clock, Db, UPLOAD_RETENTION_SECONDS, system_clock};
pub use error::{Result, StoreError};
pub use handle::{Comparison, Handle, PersonIndex};
pub use investigation::*;
pub use list::*;
pub use model::*;
