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
pub mod transition;

// The shared records, then one module per capability: its records and its port trait.
pub mod model;

pub mod audit;
pub mod auth;
pub mod bulk;
pub mod census;
pub mod checkins;
pub mod checkpoints;
pub mod follow_ups;
pub mod grids;
pub mod health_codes;
pub mod investigations;
pub mod key_persons;
pub mod lists;
pub mod persons;
pub mod settings;
pub mod statistics;
pub mod tasks;
pub mod uploads;
pub mod venues;
pub mod workbench;

pub use backend::Backend;
pub use db::{Clock, Db, UPLOAD_RETENTION_SECONDS, system_clock};
/// The id types, beside the records that carry them.
pub use domain::{
    AuditEntryId, CandidateId, CheckinId, CheckpointId, FollowUpId, HouseholdId, InvestigationId, KeyPersonId, LeadId,
    ListId, PassageId, PersonId, PointId, ReportedPlaceId, StatusEventId, TaskId, UploadId, UserId, VenueId,
};
pub use error::{Result, StoreError, Unavailable};
pub use handle::{Comparison, Handle, Movements, PersonIndex};
pub use model::*;

pub use audit::*;
pub use auth::*;
pub use bulk::*;
pub use census::Census;
pub use checkins::*;
pub use checkpoints::*;
pub use follow_ups::*;
pub use grids::*;
pub use health_codes::*;
pub use investigations::*;
pub use key_persons::*;
pub use lists::*;
pub use persons::*;
pub use settings::*;
pub use statistics::*;
pub use tasks::*;
pub use uploads::*;
pub use venues::*;
pub use workbench::*;
