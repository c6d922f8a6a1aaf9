//! Venues and their codes (SPEC §4.6) on the scoped handle.

use domain::{Capability, Scope};

use super::Handle;
use crate::error::{Result, StoreError};
use crate::*;

impl Handle {
    pub async fn create_venue(&self, venue: NewVenue) -> Result<Created<VenueId>> {
        self.require(Capability::ManageVenues)?;
        self.check_place(&venue.place)?;
        let name = venue.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Invalid { field: "name", message: "1 to 100 characters".into() });
        }
        if venue.address.chars().count() > 200 {
            return Err(StoreError::Invalid { field: "address", message: "at most 200 characters".into() });
        }
        self.backend.insert_venue(self.scope(), venue, self.db.now()).await
    }

    pub async fn venue(&self, id: VenueId) -> Result<Venue> {
        self.require(Capability::ReadAreas)?;
        self.backend.venue(self.scope(), id).await
    }

    pub async fn venues(&self, page: PageRequest) -> Result<Page<Venue>> {
        self.require(Capability::ReadAreas)?;
        self.backend.venues(self.scope(), page).await
    }

    /// Every venue under `code` (a division or grid code), for printing their posters: the
    /// caller's jurisdiction narrowed to `code`; a code outside it is not found. At most `limit`.
    pub async fn venues_within(&self, code: &str, limit: usize) -> Result<Vec<Venue>> {
        self.require(Capability::ReadAreas)?;
        let wanted = Scope::of_code_str(code).ok_or_else(|| StoreError::Invalid {
            field: "area_code",
            message: "give a 6, 9 or 12-digit division code or a 15 or 17-digit grid code".into(),
        })?;
        let scope = if self.scope().includes(&wanted) {
            wanted
        } else if wanted.includes(self.scope()) {
            self.scope().clone()
        } else {
            return Err(StoreError::NotFound);
        };
        let mut venues = Vec::new();
        for page in 1.. {
            let found = self.backend.venues(&scope, PageRequest::new(page, PageRequest::MAX_PER_PAGE)).await?;
            let done = found.items.len() < PageRequest::MAX_PER_PAGE as usize;
            venues.extend(found.items);
            if venues.len() > limit {
                return Err(StoreError::Invalid {
                    field: "area_code",
                    message: format!("more than {limit} venues here: print a smaller area or one grid at a time"),
                });
            }
            if done {
                break;
            }
        }
        Ok(venues)
    }
}
