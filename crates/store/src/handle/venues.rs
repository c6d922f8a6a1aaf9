//! Venues and their codes (SPEC §4.6) on the scoped handle.

use domain::{AuditAction, AuditSubject, Capability, Scope};

use super::Handle;
use crate::error::{Result, StoreError};
use crate::*;

impl Handle {
    pub async fn create_venue(&self, venue: NewVenue) -> Result<Created<VenueId>> {
        self.require(Capability::ManageVenues)?;
        self.check_place(&venue.place)?;
        let name = venue.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::invalid("name", "应为 1–100 个字", "1 to 100 characters"));
        }
        if venue.address.chars().count() > 200 {
            return Err(StoreError::invalid("address", "最多 200 个字", "at most 200 characters"));
        }
        let area_code = venue.place.location_code().to_string();
        let created = self.backend.insert_venue(self.scope(), venue, self.db.now()).await?;
        self.audit(AuditAction::VenueCreate, AuditSubject::Venue, Some(created.id.get()), &area_code, String::new())
            .await?;
        Ok(created)
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
        let wanted = Scope::of_code_str(code).ok_or_else(|| {
            StoreError::invalid(
                "area_code",
                "请填写 6、9、12 位区划代码或 15、17 位网格代码",
                "give a 6, 9 or 12-digit division code or a 15 or 17-digit grid code",
            )
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
                return Err(StoreError::invalid(
                    "area_code",
                    format!("这里的场所超过 {limit} 个：请选择更小的区域，或一次打印一个网格"),
                    format!("more than {limit} venues here: print a smaller area or one grid at a time"),
                ));
            }
            if done {
                break;
            }
        }
        Ok(venues)
    }
}
