//! The scoped handle: the only way request code reaches personal data. It checks the caller's
//! role, pins every query to the caller's jurisdiction and writes the audit log, so no handler can
//! forget any of the three.

use std::sync::Arc;

use domain::{Capability, Scope};
use jiff::civil::Date;

use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::*;

mod audit;
mod auth;
mod checkpoints;
mod follow_ups;
mod grids;
mod health_codes;
mod investigations;
mod key_persons;
pub use key_persons::Movements;
mod lists;
mod persons;
mod settings;
mod statistics;
mod tasks;
mod uploads;
mod venues;
mod workbench;

pub use lists::{Comparison, PersonIndex};

pub struct Handle {
    backend: Arc<dyn Backend>,
    db: Db,
    actor: Actor,
}

/// The code that stands for a whole jurisdiction: a division scope's prefix padded to six digits
/// (4117 → 411700), a township, village or grid scope as it is.
fn scope_code(scope: &Scope) -> String {
    let prefix = scope.prefix();
    if prefix.len() < 6 { format!("{prefix:0<6}") } else { prefix.to_string() }
}

impl Handle {
    pub(crate) fn new(backend: Arc<dyn Backend>, db: Db, actor: Actor) -> Handle {
        Handle { backend, db, actor }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Today in Asia/Shanghai, on the database's clock.
    pub fn today(&self) -> Date {
        domain::shanghai_date(self.db.now())
    }

    /// The clock the store runs on (tests move it).
    pub fn now(&self) -> Instant {
        self.db.now()
    }

    fn require(&self, capability: Capability) -> Result<()> {
        if self.actor.role.may(capability) {
            Ok(())
        } else {
            Err(StoreError::Forbidden { role: self.actor.role, capability })
        }
    }

    fn scope(&self) -> &Scope {
        &self.actor.scope
    }

    async fn audit(
        &self,
        action: domain::AuditAction,
        subject: domain::AuditSubject,
        subject_id: Option<i64>,
        area_code: &str,
        detail: String,
    ) -> Result<()> {
        self.db
            .append_audit(NewAuditEntry {
                at: self.db.now(),
                user_id: self.actor.user_id,
                username: self.actor.username.clone(),
                action: domain::Code::as_str(action),
                subject_kind: domain::Code::as_str(subject),
                subject_id,
                area_code: area_code.to_string(),
                remote_addr: self.actor.remote_addr.clone(),
                detail,
            })
            .await
    }

    fn check_place(&self, place: &Place) -> Result<()> {
        if let Some(grid) = &place.grid
            && !grid.as_str().starts_with(place.area.as_str())
        {
            return Err(StoreError::invalid(
                "grid_code",
                format!("网格 {grid} 不在区划 {} 之下", place.area),
                format!("grid {grid} is not under area {}", place.area),
            ));
        }
        if self.scope().contains(place.location_code()) {
            Ok(())
        } else {
            let field = if place.grid.is_some() { "grid_code" } else { "area_code" };
            Err(StoreError::invalid(
                field,
                format!("{} 不在您的管辖范围内", place.location_code()),
                format!("{} is outside your jurisdiction", place.location_code()),
            ))
        }
    }

    /// Refuses early, before a request body is even parsed, when the role lacks `capability`:
    /// a caller who may not act learns nothing about its input. Division names, public
    /// statistical data, need only this check.
    /// The caller's scope narrowed by a filter's `within`; none when the two do not overlap (the
    /// filter finds nothing, it never widens the jurisdiction).
    fn narrowed(&self, within: Option<&Scope>) -> Option<Scope> {
        match within {
            Some(within) => narrowest(self.scope(), within),
            None => Some(self.scope().clone()),
        }
    }

    pub fn authorize(&self, capability: Capability) -> Result<()> {
        self.require(capability)
    }
}

/// The smaller of two nested scopes, or none when they do not overlap: a filter can only narrow
/// the caller's jurisdiction.
fn narrowest(outer: &Scope, inner: &Scope) -> Option<Scope> {
    if outer.includes(inner) {
        Some(inner.clone())
    } else if inner.includes(outer) {
        Some(outer.clone())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_codes_pad_divisions_only() {
        let code = |c: &str| domain::Scope::of_code_str(c).map(|s| scope_code(&s));
        assert_eq!(code("411700").as_deref(), Some("411700"));
        assert_eq!(code("410000").as_deref(), Some("410000"));
        assert_eq!(code("411702").as_deref(), Some("411702"));
        assert_eq!(code("411702001").as_deref(), Some("411702001"));
    }
}
