//! Records loaded in bulk (the demo, benchmarks).

use async_trait::async_trait;
use domain::{KeyClass, Source, State};

use crate::error::Result;
use crate::*;

/// A key person loaded in bulk (the demo): its whole history, already checked by the caller.
#[derive(Debug, Clone)]
pub struct BulkKeyPerson {
    pub person_id: PersonId,
    pub place: Place,
    pub class: KeyClass,
    pub source: Source,
    pub cadre_name: Option<String>,
    pub cadre_phone: Option<String>,
    pub history: Vec<(Option<State>, State, Instant, String)>,
    pub measures: Vec<Measure>,
    pub actor_id: UserId,
    pub actor_name: String,
}

/// A person loaded in bulk; `household` is an index into the households loaded alongside.
#[derive(Debug, Clone)]
pub struct BulkPerson {
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub place: Place,
    pub household_id: Option<HouseholdId>,
}

/// A check-in loaded in bulk (the demo's weeks of history).
#[derive(Debug, Clone)]
pub struct BulkCheckin {
    pub venue_id: VenueId,
    pub person_id: PersonId,
    pub area_code: String,
    pub t_in: Instant,
    pub t_out: Option<Instant>,
    pub temperature: Option<domain::Temperature>,
}

/// Bulk loading for the demo and benchmarks: whole tables in few transactions, already checked.
#[async_trait]
pub trait BulkStore: Send + Sync {
    async fn insert_grids(&self, grids: &[NewGrid]) -> Result<()>;

    async fn insert_grid_workers(&self, workers: &[NewGridWorker]) -> Result<()>;

    /// Returns the ids of the new households, in order.
    async fn insert_households(&self, households: &[NewHousehold]) -> Result<Vec<HouseholdId>>;

    /// Loads persons in one transaction; returns their ids in order.
    async fn bulk_insert_persons(&self, persons: &[BulkPerson], now: Instant) -> Result<Vec<PersonId>>;

    async fn bulk_insert_key_persons(&self, records: &[BulkKeyPerson], now: Instant) -> Result<()>;

    /// Loads venues in one transaction; returns their ids in order.
    async fn bulk_insert_venues(&self, venues: &[NewVenue], now: Instant) -> Result<Vec<VenueId>>;

    async fn bulk_insert_checkins(&self, checkins: &[BulkCheckin]) -> Result<()>;

    /// Reclaims space and refreshes planner statistics after a bulk load.
    async fn optimize(&self) -> Result<()>;
}
