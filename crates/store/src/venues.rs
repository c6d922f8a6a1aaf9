//! Venues and their 场所码.

use async_trait::async_trait;
use domain::{PersonName, Phone, Scope};

use crate::error::Result;
use crate::*;

/// A venue to register; `token` is the random, unguessable content of its 场所码.
#[derive(Debug, Clone)]
pub struct NewVenue {
    pub token: String,
    pub name: String,
    pub kind: domain::VenueKind,
    pub address: String,
    pub place: Place,
    pub owner_name: Option<PersonName>,
    pub owner_phone: Option<Phone>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venue {
    pub id: VenueId,
    pub token: String,
    pub name: String,
    pub kind: domain::VenueKind,
    pub address: String,
    pub area_code: String,
    pub grid_code: Option<String>,
    pub owner_name: Option<String>,
    pub owner_phone: Option<String>,
    pub created_at: Instant,
}

/// Venues and their 场所码.
#[async_trait]
pub trait VenueStore: Send + Sync {
    async fn insert_venue(&self, scope: &Scope, venue: NewVenue, now: Instant) -> Result<Created<VenueId>>;

    async fn venue(&self, scope: &Scope, id: VenueId) -> Result<Venue>;

    async fn venues(&self, scope: &Scope, page: PageRequest) -> Result<Page<Venue>>;

    /// The venue a 场所码 names; public, as the code is posted at the door.
    async fn venue_by_token(&self, token: &str) -> Result<Option<Venue>>;
}
