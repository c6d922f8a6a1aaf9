//! Check-ins at venues, as the phone sends them and as they are answered.

use async_trait::async_trait;
use domain::{PersonName, Phone, ResidentId};

use crate::error::Result;
use crate::*;

/// A citizen's check-in at a venue, as the phone sent it.

#[derive(Debug, Clone)]
pub struct CheckinRequest {
    pub venue_token: String,
    pub id_number: ResidentId,
    pub name: PersonName,
    pub phone: Option<Phone>,
    pub temperature: Option<domain::Temperature>,
    pub idempotency: Option<IdempotencyKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinReceipt {
    pub id: CheckinId,
    pub person_id: PersonId,
    pub venue_id: VenueId,
    pub venue_name: String,
    pub at: Instant,
    /// The same person checked in here within the dedupe window: this is that check-in.
    pub duplicate: bool,
    /// The temperature met the fever threshold: a fever record and a transfer task exist.
    pub fever: bool,
    /// The person is kept in (isolation or observation): the check-in is kept, and their cadre
    /// and the venue's area have a breach task.
    pub breach: bool,
}

/// Rows of a table and the bytes its pages and indexes take on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    pub rows: u64,
    pub bytes: u64,
}

/// Check-ins at venues: group-committed batches, the person-ordered trail, retention.
#[async_trait]
pub trait CheckinStore: Send + Sync {
    /// Writes a batch of check-ins in one transaction (group commit) and answers each: an unknown
    /// venue fails only its own request. Repeats within the dedupe window return the earlier
    /// check-in; a fever opens a fever record and a transfer task once per episode.
    async fn insert_checkins(
        &self,
        batch: &[CheckinRequest],
        rule: &domain::FrontLine,
        now: Instant,
    ) -> Result<Vec<Result<CheckinReceipt>>>;

    /// How many check-ins are stored and the bytes they take with their indexes (benchmarks).
    async fn checkins_footprint(&self) -> Result<Footprint>;

    /// Creates the storage partitions that check-ins between `from` and `to` belong in, where
    /// the backend partitions them (PostgreSQL); returns how many it created.
    async fn prepare_partitions(&self, from: Instant, to: Instant) -> Result<u64>;

    /// Deletes check-ins older than `before` (dropping whole partitions where it can); returns
    /// how many.
    async fn purge_checkins(&self, before: Instant) -> Result<u64>;

    /// One step of copying committed check-ins into the person-ordered trail, run by the
    /// check-in writer between batches; true while more is waiting.
    async fn index_checkins(&self) -> Result<bool>;

    /// Copies every stored check-in not yet in the trail (at open, after a restart; tests).
    async fn settle_checkins(&self) -> Result<()>;

    /// Up to `limit` check-ins with id above `after_id`, in id order (exports).
    async fn checkins_after(&self, after_id: CheckinId, limit: u32) -> Result<Vec<domain::Visit>>;
}
